"""Order lifecycle: the promise, order-to-node assignment, and hand-off between stages."""
