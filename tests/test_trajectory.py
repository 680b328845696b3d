"""Reading a run's loss curve: steps_to_tolerance(losses, tol) is the first step after which every
loss stays below tol (None when the last one is not), checked against its definition written out
by brute force, on a real run, and on bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sgdcourse as sc
from sgdcourse.trajectory import steps_to_tolerance


def settled_by_brute_force(losses, tol):
    """The definition, one t at a time: the first t with losses[s] < tol for every s >= t."""
    for t in range(len(losses)):
        if all(x < tol for x in losses[t:]):  # NaN < tol is False: a NaN counts as above
            return t
    return None


def test_steps_to_tolerance():
    assert steps_to_tolerance([5, 3, 0.5, 2, 0.1, 0.01], 1) == 4
    assert steps_to_tolerance([0.5, 0.1], 1) == 0
    assert steps_to_tolerance([5, 0.5, 3], 1) is None
    assert steps_to_tolerance([5, 0.5, np.nan], 1) is None
    assert steps_to_tolerance([5, np.nan, 0.5], 1) == 2


@given(st.lists(st.one_of(st.floats(-10, 10), st.just(float("nan"))), min_size=1, max_size=30), st.floats(-5, 5))
def test_steps_to_tolerance_is_its_definition(losses, tol):
    assert steps_to_tolerance(losses, tol) == settled_by_brute_force(losses, tol)


def test_on_a_run_it_counts_the_steps_of_gradient_descent():
    # GD on L = (lambda/2) theta^2: L(theta_t) = (lambda/2) (1 - eta lambda)^(2t) theta_0^2 falls every step,
    # so the count is the first t with that below tol, and a Trajectory's losses give the same
    lam, eta, tol = 2.0, 0.1, 1e-6
    run = sc.sgd(sc.QuadraticBowl([lam]), np.array([1.0]), eta, m=1, steps=100)
    closed = lam / 2 * (1 - eta * lam) ** (2 * np.arange(101))
    assert steps_to_tolerance(run.losses, tol) == int(np.argmax(closed < tol)) == 31
    assert steps_to_tolerance(run.losses[:20], tol) is None


@pytest.mark.parametrize(
    "losses, tol, exc, name",
    [
        ([1.0, 0.5], "small", TypeError, "tol"),
        ([1.0, 0.5], float("nan"), ValueError, "tol"),
        ([[1.0, 0.5]], 0.1, ValueError, "losses"),
        ([], 0.1, ValueError, "losses"),
        (["a", "b"], 0.1, TypeError, "losses"),
        (None, 0.1, ValueError, "losses"),  # a run made with track_loss=False has losses None
    ],
)
def test_bad_input_names_the_parameter(losses, tol, exc, name):
    with pytest.raises(exc, match=name):
        steps_to_tolerance(losses, tol)
