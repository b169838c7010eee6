# What the chip refuses or the code faults on (ChipControlTests), with the default machine's 3 ports.
# Port 7: the interpreter sends the packet there, the chip drops it as bad_port (as the microcode does).
m.to_port(7)
# A division by zero after a put: the first packet leaves on port 1, the second is dropped div_by_zero.
m.fail(0)
