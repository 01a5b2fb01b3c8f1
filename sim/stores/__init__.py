"""Stores: shelf stock shared by walk-in and online shoppers, pickers, replenishment."""
