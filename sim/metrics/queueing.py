"""Queueing-theory formulas the model is validated against (M/M/c, Little's law).

These are the closed forms that tests compare simulated pickers, stations and queues
with; they are also handy for a planner's back-of-envelope check of a scenario.
"""

from __future__ import annotations


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C).

    ``offered`` is the load a = lambda / mu in Erlangs; requires a < servers.
    """
    if servers < 1:
        raise ValueError("servers must be >= 1")
    if not 0 <= offered < servers:
        raise ValueError("the queue is unstable unless offered load < servers")
    # sum_{k<c} a^k/k! computed iteratively for numerical stability
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= offered / k
        total += term
    last = term * offered / servers  # a^c / c!
    tail = last * servers / (servers - offered)
    return tail / (total + tail)


def mmc_wait(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean time in queue (before service) of an M/M/c queue, in the units of the inputs."""
    mu = 1.0 / service_mean
    offered = arrival_rate / mu
    return erlang_c(servers, offered) / (servers * mu - arrival_rate)


def little_l(arrival_rate: float, mean_sojourn: float) -> float:
    """Little's law: the mean number in a system is arrival rate times mean time in it."""
    return arrival_rate * mean_sojourn
