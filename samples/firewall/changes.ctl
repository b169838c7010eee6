# Rule changes under traffic, for traces/changes_p0.pcap and changes_p1.pcap. Every millisecond one
# packet arrives, in turn: flow A (UDP 10.1.2.3:40000 -> 198.18.0.1:5000), B (... :7000), C (... :9000)
# from the inside, D (198.18.0.1:5000 -> 10.1.2.3:40000) from the outside; an ARP request at 5.2 ms,
# 15.2 ms, ... Times count from the first packet; the changes fall between packets (x.5 ms).

# 0: flow A passes; B, C and D match nothing and are dropped (the default), from the cache after once.
fw.policy.add_rule(10.1.0.0, 16, 0.0.0.0, 0, 1024, 65535, 5000, 5999, 17, 0xFF, 1)

@9.5ms fw.policy.rule_hits(0)
@9.5ms fw.cache.hits()
# 1: opens B: its cached "no rule" is stale at once, so B passes from its next packet (13 ms).
@9.5ms fw.policy.add_rule(10.1.0.0, 16, 0.0.0.0, 0, 1024, 65535, 7000, 7000, 17, 0xFF, 1)
# The default decides at every packet, so C and D, cached as "no rule", pass from their next packet.
@19.5ms fw.policy.set_default_action(1)
# ARP is dropped from now on (the request at 35.2 ms).
@29.5ms fw.parse.set_pass_arp(false)
@39.5ms fw.cache.entries()
@39.5ms fw.cache.flush()
@39.5ms fw.cache.entries()
@49.5ms fw.policy.rule_hits(0)
@49.5ms fw.policy.rule_hits(1)
# No rules: everything falls to the default action, permit at this point.
@49.5ms fw.policy.clear_rules()
@49.5ms fw.policy.rule_count()
# A new rule 0 drops A, and the default is drop again: A, B, C and D are all dropped from 60 ms.
@59.5ms fw.policy.add_rule(10.1.0.0, 16, 0.0.0.0, 0, 0, 65535, 5000, 5000, 17, 0xFF, 0)
@59.5ms fw.policy.set_default_action(0)
# A prefix length of 40 is out of range: rule 1 is kept but matches nothing, so C's rule is rule 2.
@69.5ms fw.policy.add_rule(10.1.0.0, 40, 0.0.0.0, 0, 0, 65535, 7000, 7000, 17, 0xFF, 1)
@69.5ms fw.policy.add_rule(10.1.0.0, 16, 0.0.0.0, 0, 40000, 40000, 9000, 9000, 17, 0xFF, 1)
@69.5ms fw.parse.set_pass_arp(true)

@end fw.policy.rule_count()
@end fw.policy.rule_hits(0)
@end fw.policy.rule_hits(1)
@end fw.policy.rule_hits(2)
@end fw.policy.bad_rule_count()
@end fw.policy.permitted()
@end fw.policy.drops(7)
@end fw.policy.drops(8)
@end fw.parse.drops(2)
@end fw.parse.arp_forwarded()
@end fw.cache.hits()
@end fw.cache.misses()
@end fw.cache.evictions()
@end fw.cache.entries()
@end fw.wire.forwarded(0)
@end fw.wire.forwarded(1)
