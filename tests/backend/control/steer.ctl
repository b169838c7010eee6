# Class 0 (UDP to port 5000) leaves on port 1; everything else is dropped.
s.set_port(0, 2)

# Class 1 from 10 ms, after a look at what the packet code counted.
@9.5ms s.seen_count(0)
@9.5ms s.seen_count(1)
@9.5ms s.set_port(1, 1)
# The counts start again from 20 ms: the packet code goes on from the control plane's zeros.
@19.5ms s.sent_count()
@19.5ms s.reset()
@29.5ms s.seen_count(1)
@29.5ms s.sent_count()
# Class 3 (the outside flow and ARP) on port 1 from 30 ms.
@29.5ms s.set_port(3, 2)
@40ms s.note_time()
# Class 0 dropped from 50 ms.
@49.5ms s.set_port(0, 0)
# Later than the traffic: runs after the last packet, before the @end lines.
@1s s.set_port(2, 1)

@end s.seen_count(0)
@end s.seen_count(1)
@end s.seen_count(2)
@end s.seen_count(3)
@end s.sent_count()
@end s.port(2)
