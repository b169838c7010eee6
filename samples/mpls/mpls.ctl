# The default configuration of the MPLS sample: one router, four ports (README.md draws it).
#   port 0  10.0.0.1/24  CE-W, an IP customer edge (10.0.0.2); 192.168.0.0/16 behind it
#   port 1  10.0.1.1/24  P1, a core LSR (10.0.1.2)
#   port 2  10.0.2.1/24  P2, a core LSR (10.0.2.2)
#   port 3  10.0.3.1/24  PE-E, the egress LER of the east side (10.0.3.2); 172.16.0.0/16 behind it

l2.set_interface(0, 10.0.0.1, 24, 02:4c:53:52:00:00)
l2.set_interface(1, 10.0.1.1, 24, 02:4c:53:52:00:01)
l2.set_interface(2, 10.0.2.1, 24, 02:4c:53:52:00:02)
l2.set_interface(3, 10.0.3.1, 24, 02:4c:53:52:00:03)

arp.add_neighbor(10.0.0.2, 02:00:0a:00:00:02)
arp.add_neighbor(10.0.1.2, 02:00:0a:00:01:02)
arp.add_neighbor(10.0.2.2, 02:00:0a:00:02:02)
arp.add_neighbor(10.0.3.2, 02:00:0a:00:03:02)

lsr.lpm.add_route(10.0.0.0, 24, 0.0.0.0, 0)
lsr.lpm.add_route(10.0.1.0, 24, 0.0.0.0, 1)
lsr.lpm.add_route(10.0.2.0, 24, 0.0.0.0, 2)
lsr.lpm.add_route(10.0.3.0, 24, 0.0.0.0, 3)
lsr.lpm.add_route(192.168.0.0, 16, 10.0.0.2, 0)
lsr.lpm.add_route(172.16.0.0, 16, 10.0.3.2, 3)
lsr.lpm.add_route(198.18.0.0, 15, 10.0.1.2, 1)     # plain IP into the core: no FEC covers it

# Ingress LER: destination prefixes (FECs) pushed into LSPs; labels are listed outermost first.
lsr.ftn.push(203.0.113.0, 24, 1001, 1, 10.0.1.2)
lsr.ftn.push2(203.0.113.128, 25, 2001, 5001, 2, 10.0.2.2)
lsr.ftn.push3(198.51.100.0, 24, 2002, 4002, 6002, 2, 10.0.2.2)
lsr.ftn.push(100.64.0.0, 10, 1003, 1, 10.0.1.99)   # a next hop that has no ARP entry

# Transit LSR: the incoming label map.
lsr.ilm.swap(100, 200, 1, 10.0.1.2)
lsr.ilm.swap2(101, 2101, 201, 2, 10.0.2.2)
lsr.ilm.swap3(102, 2102, 3102, 202, 2, 10.0.2.2)
lsr.ilm.swap(103, 0, 1, 10.0.1.2)                  # the next hop is the egress and asked for explicit null
lsr.ilm.swap(131, 231, 1, 10.0.1.50)               # a next hop found by ARP
lsr.ilm.pop(110, 3, 10.0.3.2)                      # PHP: PE-E routes what is below
lsr.ilm.pop(111, 1, 10.0.1.2)                      # PHP of a transport label: the label below goes on
lsr.ilm.pop_lookup(120)                            # egress: this router routes what is below
lsr.ilm.pop_lookup(121)                            # egress of an outer tunnel: act on the next label

# The counters, after the trace: every packet that was not sent is in one of the drop counters.
@end lsr.ilm.labels_bound()
@end lsr.ilm.config_errors()
@end lsr.ftn.fecs_bound()
@end lsr.ftn.config_errors()
@end lsr.lpm.route_count()
@end l2.l2_count(0)
@end l2.l2_count(1)
@end l2.l2_count(2)
@end l2.l2_count(3)
@end arp.arp_count(0)
@end arp.arp_count(1)
@end arp.arp_count(2)
@end arp.arp_count(3)
@end arp.arp_count(4)
@end discard.not_routed_count(0)
@end discard.not_routed_count(1)
@end dispatch.dispatch_count(0)
@end dispatch.dispatch_count(1)
@end dispatch.dispatch_count(2)
@end lsr.ilm.label_count(0)
@end lsr.ilm.label_count(1)
@end lsr.ilm.label_count(2)
@end lsr.ilm.label_count(3)
@end lsr.ilm.label_count(4)
@end lsr.ilm.label_count(5)
@end lsr.ilm.label_count(6)
@end lsr.ilm.label_count(7)
@end lsr.ilm.label_count(8)
@end lsr.ilm.label_count(9)
@end lsr.ilm.label_count(10)
@end lsr.ip_in.ip_in_count(0)
@end lsr.ip_in.ip_in_count(1)
@end lsr.ip_in.ip_in_count(2)
@end lsr.ip_in.ip_in_count(3)
@end lsr.ip_in.ip_in_count(4)
@end lsr.ip_in.ip_in_count(5)
@end lsr.ip_in.ip_in_count(6)
@end lsr.ip_in.ip_in_count(7)
@end lsr.options.options_count(0)
@end lsr.options.options_count(1)
@end lsr.icmp.icmp_count(0)
@end lsr.icmp.icmp_count(1)
@end lsr.icmp.icmp_count(2)
@end lsr.icmp.icmp_count(3)
@end lsr.icmp.icmp_count(4)
@end lsr.ftn.fec_count(0)
@end lsr.ftn.fec_count(1)
@end lsr.lpm.lookup_count(0)
@end lsr.lpm.lookup_count(1)
@end lsr.lpm.lookup_count(2)
@end lsr.encap.encap_count(0)
@end lsr.encap.encap_count(1)
@end lsr.encap.encap_count(2)
