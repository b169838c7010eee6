# interpreter: 6:1 BK6003
# app: ../frontend/valid/l3_switch.baker
# For the interpreter: the parser accepts every line (no '# expect:'); run against the app, line 6
# calls a function the instance does not have, the other calls run.
core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
core.fwd.lpm.del_route(10.0.0.0, 8)
@end core.fwd.lpm.route_count()
