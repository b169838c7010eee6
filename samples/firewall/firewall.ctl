# The firewall's default configuration: a small site behind a transparent firewall.
# Port 0 faces the inside network 10.1.0.0/16 (an application server 10.1.0.10, a DNS server
# 10.1.0.53, a partner subnet 10.1.8.0/21); port 1 faces the Internet. The rules are stateless,
# so each direction of a conversation needs its own rule. First match wins; no match: drop.
#
# add_rule(src, src_len, dst, dst_len, sport_lo, sport_hi, dport_lo, dport_hi, proto, proto_mask, action)
# proto_mask 0xFF: exactly proto, 0x00: any protocol; action 1 permit, 0 drop.

# 0: a blocked network: nothing from it, whatever the protocol or destination
fw.policy.add_rule(198.51.100.0, 24, 0.0.0.0, 0, 0, 65535, 0, 65535, 0, 0x00, 0)
# 1: SSH to inside hosts from the administrator's host (before rule 2 drops all other SSH)
fw.policy.add_rule(203.0.113.7, 32, 10.1.0.0, 16, 0, 65535, 22, 22, 6, 0xFF, 1)
# 2: any other SSH to the inside
fw.policy.add_rule(0.0.0.0, 0, 10.1.0.0, 16, 0, 65535, 22, 22, 6, 0xFF, 0)
# 3: the application server's ports, from anywhere
fw.policy.add_rule(0.0.0.0, 0, 10.1.0.10, 32, 0, 65535, 8000, 8099, 6, 0xFF, 1)
# 4: ... and its replies
fw.policy.add_rule(10.1.0.10, 32, 0.0.0.0, 0, 8000, 8099, 1024, 65535, 6, 0xFF, 1)
# 5: the DNS server, from anywhere
fw.policy.add_rule(0.0.0.0, 0, 10.1.0.53, 32, 0, 65535, 53, 53, 17, 0xFF, 1)
# 6: ... and its replies
fw.policy.add_rule(10.1.0.53, 32, 0.0.0.0, 0, 53, 53, 0, 65535, 17, 0xFF, 1)
# 7: the partner network 192.0.2.0/25 reaches the partner subnet with any protocol (GRE tunnels too)
fw.policy.add_rule(192.0.2.0, 25, 10.1.8.0, 21, 0, 65535, 0, 65535, 0, 0x00, 1)
# 8: ... and the other way
fw.policy.add_rule(10.1.8.0, 21, 192.0.2.0, 25, 0, 65535, 0, 65535, 0, 0x00, 1)
# 9: no mail straight out of the inside (only the mail relay of the provider, not listed, is used)
fw.policy.add_rule(10.1.0.0, 16, 0.0.0.0, 0, 0, 65535, 25, 25, 6, 0xFF, 0)
# 10: inside clients open TCP connections to anything, from ephemeral ports
fw.policy.add_rule(10.1.0.0, 16, 0.0.0.0, 0, 1024, 65535, 0, 65535, 6, 0xFF, 1)
# 11: ... and the servers' replies, from well-known ports to ephemeral ports
fw.policy.add_rule(0.0.0.0, 0, 10.1.0.0, 16, 1, 1023, 1024, 65535, 6, 0xFF, 1)
# 12: NTP out
fw.policy.add_rule(10.1.0.0, 16, 0.0.0.0, 0, 123, 123, 123, 123, 17, 0xFF, 1)
# 13: NTP in
fw.policy.add_rule(0.0.0.0, 0, 10.1.0.0, 16, 123, 123, 123, 123, 17, 0xFF, 1)
# 14: ICMP everywhere (ping, unreachable, fragmentation needed)
fw.policy.add_rule(0.0.0.0, 0, 0.0.0.0, 0, 0, 65535, 0, 65535, 1, 0xFF, 1)
# 15: DHCP across the bridge: clients, servers and relays (ports 67 and 68)
fw.policy.add_rule(0.0.0.0, 0, 0.0.0.0, 0, 67, 68, 67, 68, 17, 0xFF, 1)

# After the trace: what each rule matched first, why packets were dropped, how the cache did.
@end fw.policy.rule_count()
@end fw.policy.rule_hits(0)
@end fw.policy.rule_hits(1)
@end fw.policy.rule_hits(2)
@end fw.policy.rule_hits(3)
@end fw.policy.rule_hits(4)
@end fw.policy.rule_hits(5)
@end fw.policy.rule_hits(6)
@end fw.policy.rule_hits(7)
@end fw.policy.rule_hits(8)
@end fw.policy.rule_hits(9)
@end fw.policy.rule_hits(10)
@end fw.policy.rule_hits(11)
@end fw.policy.rule_hits(12)
@end fw.policy.rule_hits(13)
@end fw.policy.rule_hits(14)
@end fw.policy.rule_hits(15)
@end fw.policy.permitted()
@end fw.policy.drops(7)     # no rule matched (default action drop)
@end fw.policy.drops(8)     # a drop rule matched
@end fw.parse.drops(0)      # arrived on a port other than 0 and 1
@end fw.parse.drops(1)      # not IPv4 (nor ARP)
@end fw.parse.drops(2)      # ARP, when set_pass_arp(false)
@end fw.parse.drops(3)      # truncated
@end fw.parse.drops(4)      # malformed
@end fw.parse.drops(5)      # bad IPv4 header checksum
@end fw.parse.drops(6)      # IPv4 fragment
@end fw.parse.arp_forwarded()
@end fw.cache.hits()
@end fw.cache.misses()
@end fw.cache.evictions()
@end fw.cache.entries()
@end fw.wire.forwarded(0)
@end fw.wire.forwarded(1)
