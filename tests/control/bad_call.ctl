# expect: 12:1 BK6001
# expect: 13:14 BK6001
# expect: 14:28 BK6001
# expect: 15:27 BK6001
# expect: 16:24 BK6001
# expect: 17:30 BK6001
# expect: 18:6 BK6001
# expect: 19:1 BK6001
# expect: 20:28 BK6001
# Call syntax: no instance path, no '(', not closed, text after the call, missing arguments,
# a path ending in '.', a line that is not a call, two calls on one line. The good lines still parse.
add_route(10.0.0.0, 8, 10.0.0.254)
core.fwd.lpm 10.0.0.0
core.fwd.lpm.add_route(1, 2
core.fwd.lpm.miss_count() x
core.fwd.lpm.add_route(, 8, 10.0.0.254)
core.fwd.lpm.add_route(1, 8, )
core.(1)
-core.fwd.lpm.miss_count()
core.fwd.lpm.route_count() core.fwd.lpm.miss_count()
core.fwd.lpm.route_count()
