# Control lines that trace (ChipTraceTests): before the traffic, 3 us into it (among the packets' lines) and at the end.
s.note(1)
@3us s.note(2)
@end s.note(3)
