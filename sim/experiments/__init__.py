"""Experiments: replications, factor sweeps and policy comparisons.

An experiment file (:mod:`sim.experiments.spec`) is read (:mod:`.loading`) and expanded
into validated cells and runs (:mod:`.plan`); the runs execute on a backend
(:mod:`.backends`: serial, processes, dask) through one worker function
(:mod:`.worker`), each written to its own folder as it finishes (:mod:`.store`); the
tidy table (:mod:`.tables`) and the comparison with confidence intervals
(:mod:`.compare`, :mod:`.intervals`) come from those folders. :mod:`.api` is the Python
entry point (``sim.replicate``, ``sim.sweep``).
"""
