# samples/nat: port-range exhaustion (traces/exhaust_*.pcap). nat.ctl's network, with four public
# ports (61000..61003) and a 30 s UDP timeout.

l2.set_interface(0, 192.168.1.1, 24, 02:00:00:00:00:01)
l2.set_interface(1, 203.0.113.2, 24, 02:00:00:00:00:02)

router.lpm.add_route(192.168.1.0, 24, 0.0.0.0, 0)
router.lpm.add_route(203.0.113.0, 24, 0.0.0.0, 1)
router.lpm.add_route(0.0.0.0, 0, 203.0.113.1, 1)

# The gateway is static: the router never has to ask for it. Inside hosts are learned from their
# ARP requests for the router (or asked for when a reply has to reach them).
arp.add_neighbor(203.0.113.1, 02:00:00:00:00:fe)

# The NAT: as nat.ctl, but four public ports and a 30 s UDP timeout.
router.nat.napt.set_wan_port(1)
router.nat.napt.set_public_address(0.0.0.0)
router.nat.napt.set_port_range(61000, 61003)
router.nat.napt.set_timeout(0, 7440)
router.nat.napt.set_timeout(1, 240)
router.nat.napt.set_timeout(2, 30)
router.nat.napt.set_timeout(3, 60)

# Live connections once every port is taken, and the statistics after the run.
@20s router.nat.napt.active_connections()
@end router.nat.napt.active_connections()
@end router.nat.napt.nat_count(0)
@end router.nat.napt.nat_count(4)
@end router.nat.napt.nat_drops(0)
@end router.nat.napt.nat_drops(1)
@end router.nat.napt.allocation_failures()
@end router.nat.napt.public_port(17, 192.168.1.12, 1001, 198.51.100.53, 53)
@end router.nat.napt.public_port(17, 192.168.1.10, 1001, 198.51.100.53, 53)
