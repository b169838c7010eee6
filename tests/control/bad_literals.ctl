# expect: 16:24 BK6001
# expect: 16:38 BK6001
# expect: 17:24 BK6001
# expect: 18:24 BK6001
# expect: 18:28 BK6001
# expect: 18:32 BK6001
# expect: 19:24 BK6001
# expect: 19:46 BK6001
# expect: 20:24 BK6001
# expect: 20:30 BK6001
# expect: 20:36 BK6001
# expect: 21:24 BK6001
# expect: 21:49 BK6001
# Bad literals: every one on a line is reported, and the line is left out.
core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)   # fine
core.fwd.lpm.add_route(256.0.0.1, 8, 1.2.3)
core.fwd.lpm.add_route(10.0.0.0.0, 8, 10.0.0.254)
core.fwd.lpm.add_route(0x, 1_, 0b102)
core.fwd.lpm.add_route(18446744073709551616, -9223372036854775809, 1)
core.fwd.lpm.add_route('ab', '\q', -0x10)
core.fwd.lpm.add_route(route_of_last_resort, 8, 0x1_0000_0000_0000_0000)
