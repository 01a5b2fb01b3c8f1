"""Robot warehouse (goods-to-person RMFS): layout, pods, robots, stations, traffic, policies."""
