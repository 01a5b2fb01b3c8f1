"""Samplers draw from the named distributions with the documented parameters."""

import math
import pickle
from typing import get_args

import numpy as np
import pytest
from pydantic import TypeAdapter

from sim.core.sampling import SAMPLERS, Draws, sampler
from sim.scenario.distributions import DIST_NAMES, Distribution, DurationDist, NumberDist

DUR = TypeAdapter(DurationDist)
NUM = TypeAdapter(NumberDist)


@pytest.mark.parametrize(("spec", "mean", "sd"), [
    ({"dist": "constant", "value": "30s"}, 30, 0),
    ({"dist": "exponential", "mean": "2min"}, 120, 120),
    ({"dist": "uniform", "low": "10s", "high": "20s"}, 15, 10 / 12 ** 0.5),
    ({"dist": "lognormal", "mean": "20s", "sd": "8s"}, 20, 8),
    ({"dist": "gamma", "mean": "30s", "sd": "10s"}, 30, 10),
    ({"dist": "poisson", "mean": "4s"}, 4, 2),
    ({"dist": "normal", "mean": "50s", "sd": "5s"}, 50, 5),
    ({"dist": "empirical", "values": ["1s", "2s", "3s"], "weights": [1, 1, 2]}, 2.25, 0.829),
])
def test_moments(spec, mean, sd):
    """Sample mean and sd match the parameters (mean and sd of the quantity itself)."""
    smp = sampler(DUR.validate_python(spec))
    x = smp.draw(np.random.default_rng(1), 200_000)
    assert smp.mean == pytest.approx(mean, rel=1e-9)
    assert x.mean() == pytest.approx(mean, rel=0.01, abs=1e-9)
    assert x.std() == pytest.approx(sd, rel=0.02, abs=1e-9)


def test_truncated_normal_never_negative():
    """The normal is truncated at 0 and its mean is the truncated mean."""
    smp = sampler(NUM.validate_python({"dist": "normal", "mean": 0, "sd": 1}))
    x = smp.draw(np.random.default_rng(2), 100_000)
    assert x.min() >= 0
    assert smp.mean == pytest.approx((2 / np.pi) ** 0.5)
    assert x.mean() == pytest.approx(smp.mean, rel=0.01)


def test_draws_serve_blocks_in_order():
    """Single draws equal the vectorised draws of the same stream."""
    spec = DUR.validate_python({"dist": "exponential", "mean": "10s"})
    single = Draws(sampler(spec), np.random.default_rng(5))
    values = [single() for _ in range(1000)]
    rng = np.random.default_rng(5)
    stream = np.concatenate([sampler(spec).draw(rng, 512) for _ in range(2)])
    assert np.allclose(values, stream[:1000])
    assert single.sum(3) == math.fsum(stream[1000:1003].tolist())  # the next three draws


def test_shorthand_and_errors():
    """A bare value is a constant; negative parameters are refused."""
    assert DUR.validate_python("45s").value == 45
    with pytest.raises(ValueError):
        DUR.validate_python({"dist": "exponential", "mean": "-1s"})
    with pytest.raises(ValueError):
        NUM.validate_python({"dist": "empirical", "values": [1, 2], "weights": [1]})


def _members(annotated: object) -> tuple[type, ...]:
    """The model classes of a distribution union (``Annotated[A | B | ..., ...]``)."""
    return get_args(get_args(annotated)[0])


def test_every_distribution_has_exactly_one_sampler() -> None:
    """Each kind of both families (durations and numbers) is drawn by exactly one entry
    of the sampler registry, and every entry serves a kind the schema offers."""
    used = set()
    for member in (*_members(DurationDist), *_members(NumberDist)):
        kinds = [k for k in SAMPLERS if issubclass(member, k)]
        assert len(kinds) == 1, member
        used.update(kinds)
    assert used == set(SAMPLERS)
    tags = {get_args(m.model_fields["dist"].annotation)[0] for m in _members(NumberDist)}
    assert tags == set(DIST_NAMES) == {k.__name__.lower() for k in SAMPLERS}


@pytest.mark.parametrize("spec", [
    {"dist": "constant", "value": 3}, {"dist": "exponential", "mean": 2},
    {"dist": "uniform", "low": 1, "high": 4}, {"dist": "normal", "mean": 0.5, "sd": 2},
    {"dist": "lognormal", "mean": 3, "sd": 1}, {"dist": "gamma", "mean": 3, "sd": 1},
    {"dist": "poisson", "mean": 4}, {"dist": "empirical", "values": [1, 2], "weights": [3, 1]},
])
def test_spec_mean_is_the_samplers(spec: dict[str, object]) -> None:
    """A spec's exact mean is the mean its sampler reports (a normal's is truncated at 0,
    above its ``mean`` parameter), and the spec survives pickling by class name."""
    model = NUM.validate_python(spec)
    assert model.exact_mean == sampler(model).mean
    assert pickle.loads(pickle.dumps(model)) == model
    if spec["dist"] == "normal":
        assert model.exact_mean > 0.5


def test_sampler_refuses_what_is_not_a_distribution() -> None:
    """Only distribution specs can be sampled."""
    with pytest.raises(TypeError, match="not a distribution spec"):
        sampler(Distribution())
