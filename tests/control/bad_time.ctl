# expect: 9:1 BK6001
# expect: 10:1 BK6001
# expect: 11:1 BK6001
# expect: 12:1 BK6001
# expect: 13:3 BK6001
# expect: 14:1 BK6001
# expect: 15:1 BK6001
# Bad time prefixes: unknown unit, space before the number, no fraction digits, upper-case unit, no call, too late, no space before the call.
@2m core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
@ 2ms core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
@1.ms core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
@2MS core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
  @end      # a time with nothing to run
@9999999999999s core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
@2mscore.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
@2ms core.fwd.lpm.add_route(10.0.0.0, 8, 10.0.0.254)
