# With the frames ChipControlTests plays (40 frames, 5 us apart, from 0 to 195 us).
p.inject(4, 60)
@30us p.inject(2, 61)
@100us p.inject(255, 1500)
@end p.inject(1, 14)
