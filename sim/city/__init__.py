"""The city: the road network, places on it and travel between them.

It sits low in the package (above ``scenario`` and ``core``): demand, fleets, routing,
stores and warehouses all place things in the city and ask it for distances.
"""
