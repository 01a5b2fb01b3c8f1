"""Couriers, their vehicles and the fleets based at fulfilment nodes."""
