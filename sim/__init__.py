"""omnisim: a discrete-event simulator of omnichannel 30-minute fulfilment.

Stores that double as fulfilment centres, robot warehouses and couriers play out a
city's day from a YAML scenario; the results say how well the delivery promise held.
"""

__version__ = "0.1.0"
