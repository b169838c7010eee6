# Default configuration of the NAT router (samples/nat/nat.baker).
#
#   inside  (port 0): 192.168.1.1/24, MAC 02:00:00:00:00:01
#   outside (port 1): 203.0.113.2/24, MAC 02:00:00:00:00:02; upstream gateway 203.0.113.1
#   public address:   the WAN interface's (masquerading)

l2.set_interface(0, 192.168.1.1, 24, 02:00:00:00:00:01)
l2.set_interface(1, 203.0.113.2, 24, 02:00:00:00:00:02)

router.lpm.add_route(192.168.1.0, 24, 0.0.0.0, 0)
router.lpm.add_route(203.0.113.0, 24, 0.0.0.0, 1)
router.lpm.add_route(0.0.0.0, 0, 203.0.113.1, 1)

# The gateway is static: the router never has to ask for it. Inside hosts are learned from their
# ARP requests for the router (or asked for when a reply has to reach them).
arp.add_neighbor(203.0.113.1, 02:00:00:00:00:fe)

# The NAT (these are its defaults, written out): masquerade on the WAN port, public ports
# 1024..65535, idle timeouts of 2 h 4 min (TCP established), 4 min (TCP transitory), 5 min (UDP)
# and 60 s (ICMP).
router.nat.napt.set_wan_port(1)
router.nat.napt.set_public_address(0.0.0.0)
router.nat.napt.set_port_range(1024, 65535)
router.nat.napt.set_timeout(0, 7440)
router.nat.napt.set_timeout(1, 240)
router.nat.napt.set_timeout(2, 300)
router.nat.napt.set_timeout(3, 60)

# Statistics after the run (control.log).
@end router.nat.napt.active_connections()
@end router.nat.napt.nat_count(0)
@end router.nat.napt.nat_count(1)
@end router.nat.napt.nat_count(2)
@end router.nat.napt.nat_count(3)
@end router.nat.napt.nat_count(4)
@end router.nat.napt.nat_count(6)
@end router.nat.napt.nat_drops(0)
@end router.nat.napt.allocation_failures()
@end router.nat.parse_out.parse_drops(0)
@end router.nat.parse_out.parse_drops(1)
@end router.nat.parse_out.parse_drops(2)
@end router.nat.parse_out.parse_drops(3)
@end router.nat.parse_in.parse_drops(1)
@end router.nat.steer.steer_count(3)
@end router.nat.egress.egress_count(2)
@end router.nat.egress.egress_count(3)
@end unrouted.unrouted_drops(0)
