"""heldout: disjoint splits, losses and accuracies along a run, and early stopping."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sgdcourse
from sgdcourse import heldout
from sgdcourse.models import Logistic


def test_split_is_disjoint_and_covers_the_requested_rows():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)
    parts = heldout.split(X, y, (3, 5), np.random.default_rng(0))
    assert [len(p[1]) for p in parts] == [3, 5]
    seen = np.concatenate([p[1] for p in parts])
    assert len(set(seen)) == 8  # no row in two parts
    for Xp, yp in parts:  # rows stay with their labels
        assert np.array_equal(Xp[:, 0], 2 * yp)


@pytest.mark.parametrize("sizes, message", [((8, 5), "more than the 10"), ((0, 2), "sizes")])
def test_split_names_bad_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        heldout.split(np.zeros((10, 2)), np.zeros(10), sizes, np.random.default_rng(0))


def test_accuracy_counts_the_sign_of_the_score():
    model = Logistic(np.array([[1.0], [-1.0], [2.0], [-3.0]]), np.array([1.0, 0.0, 0.0, 0.0]))
    assert heldout.accuracy(model, np.array([1.0])) == 0.75  # the third row is wrong
    assert heldout.accuracy(model, np.array([-1.0])) == 0.25  # flipping the sign flips every call


def test_track_evaluates_the_iterates_it_names():
    X, y, _ = sgdcourse.make_logistic(60, 2, np.random.default_rng(1))
    (Xa, ya), (Xb, yb) = heldout.split(X, y, (40, 20), np.random.default_rng(2))
    train, test = Logistic(Xa, ya), Logistic(Xb, yb)
    run = sgdcourse.sgd(train, np.zeros(2), 0.5, m=4, steps=25, rng=np.random.default_rng(3))
    curve = heldout.track(test, run.thetas, every=10)
    assert curve.shape == (4, 2)  # steps 0, 10, 20 and the last, 25
    assert curve[0, 0] == pytest.approx(np.log(2))  # theta_0 = 0: p = 1/2 everywhere
    assert curve[-1, 0] == pytest.approx(test.loss(run.theta))
    assert curve[2, 1] == heldout.accuracy(test, run.thetas[20])


def test_early_stop_without_and_with_patience():
    v = [5.0, 3.0, 4.0, 4.0, 2.0, 6.0]
    assert heldout.early_stop(v) == (4, 5)
    assert heldout.early_stop(v, patience=2) == (1, 3)  # 4.0, 4.0 did not beat 3.0
    assert heldout.early_stop(v, patience=3) == (4, 5)
    with pytest.raises(ValueError, match="patience"):
        heldout.early_stop(v, patience=0)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 10), min_size=1, max_size=30), st.one_of(st.none(), st.integers(1, 5)))
def test_early_stop_picks_the_best_value_it_has_seen(values, patience):
    best, stopped = heldout.early_stop(values, patience)
    assert best <= stopped < len(values)
    assert values[best] == min(values[: stopped + 1])
    assert values.index(values[best]) == best  # the first of equal values
    if patience is None:
        assert stopped == len(values) - 1
