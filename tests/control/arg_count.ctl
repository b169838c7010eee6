# interpreter: 6:1 BK6004
# interpreter: 7:1 BK6004
# app: ../frontend/valid/l3_switch.baker
# For the interpreter: the parser accepts every line (no '# expect:'); run against the app, lines 6
# and 7 give too few and too many arguments.
core.fwd.lpm.add_route(10.0.0.0, 8)
core.fwd.lpm.route_count(1)
@end core.fwd.lpm.route_count()
