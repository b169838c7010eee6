# What the chip refuses or the code faults on (ChipControlTests), with the default machine's 3 ports.
# Port 7: the interpreter sends the packet there, the chip drops it as bad_port (as the microcode does).
m.to_port(7)
# A division by zero after a put: the first packet leaves on port 1, the second is dropped div_by_zero.
m.fail(0)
# The most a buffer holds behind the headroom (2048 - 128 - 16 bytes, as packet_create on an ME allows), and one
# byte more: the chip drops that one as packet_too_large, the interpreter sends it.
m.send(5, 0, 0, 1904)
m.send(6, 0, 0, 1905)
