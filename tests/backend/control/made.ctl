# With the frames ChipControlTests plays: 40 frames, 5 us apart, from 0 to 195 us.
# Before the traffic: a packet for fwd, and one made and dropped.
m.send(1, 0x1122334455667788, -3, 33)
m.waste()
# During the traffic.
@20us m.send(2, 0xffffffff00000001, 127, 64)
@50us m.burst(200)
@50us m.offsets()
@100us m.send(3, 7, -128, 1500)
# After the traffic: the chip runs again for these packets before the next line.
@1ms m.send(4, 0, 0, 33)
@end m.burst(5)
@end f.seen_count()
@end f.stamp_total()
@end m.made_count()
