"""An invariant checker of results folders that reads their files, not the model."""
