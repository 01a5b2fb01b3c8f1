"""Road network, travel times and dispatch policies (the only users of VRP solvers)."""
