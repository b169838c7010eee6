# samples/nat: a public address of its own (traces/static_*.pcap). nat.ctl's network, but the NAT
# translates to 203.0.113.100, which the upstream gateway routes to the router; at 2 s the address
# changes to 203.0.113.101 (live connections are flushed).

l2.set_interface(0, 192.168.1.1, 24, 02:00:00:00:00:01)
l2.set_interface(1, 203.0.113.2, 24, 02:00:00:00:00:02)

router.lpm.add_route(192.168.1.0, 24, 0.0.0.0, 0)
router.lpm.add_route(203.0.113.0, 24, 0.0.0.0, 1)
router.lpm.add_route(0.0.0.0, 0, 203.0.113.1, 1)

# The gateway is static: the router never has to ask for it. Inside hosts are learned from their
# ARP requests for the router (or asked for when a reply has to reach them).
arp.add_neighbor(203.0.113.1, 02:00:00:00:00:fe)

# The NAT: as nat.ctl, but with a public address of its own.
router.nat.napt.set_wan_port(1)
router.nat.napt.set_public_address(203.0.113.100)
router.nat.napt.set_port_range(1024, 65535)
router.nat.napt.set_timeout(0, 7440)
router.nat.napt.set_timeout(1, 240)
router.nat.napt.set_timeout(2, 300)
router.nat.napt.set_timeout(3, 60)

@2s router.nat.napt.set_public_address(203.0.113.101)

@end router.nat.napt.active_connections()
@end router.nat.napt.nat_count(0)
@end router.nat.napt.nat_count(5)
@end router.nat.napt.nat_count(6)
@end router.nat.napt.nat_drops(0)
@end router.nat.steer.steer_count(3)
