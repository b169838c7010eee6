# interpreter: 7:1 BK6008
# interpreter: 8:1 BK6008
# app: apps/counters.baker
# For the interpreter: the parser accepts every line (no '# expect:'); run against the app, the calls
# on lines 7 and 8 fault (an index out of bounds, a division by zero) and the run goes on.
c.count(0)
c.count(9)
c.per(0)
@end c.per(1)
