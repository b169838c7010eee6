# With a machine of 8 buffers (ChipControlTests): after the traffic, a burst of 200 packets (and 67 copies) that
# the control core can only make as the ports send buffers back.
@end m.burst(200)
@end f.seen_count()
@end m.made_count()
