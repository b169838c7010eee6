# interpreter: 6:1 BK6002
# app: ../frontend/valid/l3_switch.baker
# For the interpreter: the parser accepts every line (no '# expect:'); run against the app, line 6
# names an instance the app does not have, the other calls run.
core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
core.fwd.lmp.add_route(192.168.1.0, 24, 192.168.1.1)
@end core.fwd.lpm.route_count()
