# interpreter: 9:34 BK6005
# interpreter: 10:64 BK6005
# interpreter: 11:37 BK6005
# app: ../frontend/valid/l3_switch.baker
# For the interpreter: the parser accepts every line (no '# expect:'); run against the app, each of
# lines 9..11 has an argument out of its parameter's range: 300 for a u8, -1 for a u8, a MAC
# (48 bits) for a u32. The good calls still run.
core.fwd.encap.mac.set_neighbor(10.0.0.254, 00:1b:21:3a:4f:5e, 1)
core.fwd.lpm.add_route(10.0.0.0, 300, 10.0.0.254)
core.fwd.encap.mac.set_neighbor(10.0.0.254, 00:1b:21:3a:4f:5e, -1)
core.fwd.lpm.add_route(10.0.0.0, 8, 00:1b:21:3a:4f:5e)
@end core.fwd.lpm.route_count()
