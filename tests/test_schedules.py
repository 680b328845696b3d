import numpy as np
import pytest

from sgdcourse import schedules as S


def test_values_at_chosen_steps():
    assert S.constant(17, 0.3) == 0.3
    assert [S.step_decay(t, 1.0, factor=0.5, every=10) for t in (0, 9, 10, 25)] == [1.0, 1.0, 0.5, 0.25]
    assert S.cosine(0, 1.0, 100) == 1.0
    assert S.cosine(50, 1.0, 100) == pytest.approx(0.5)
    assert S.cosine(100, 1.0, 100, eta_min=0.1) == pytest.approx(0.1)
    assert S.cosine(500, 1.0, 100, eta_min=0.1) == pytest.approx(0.1)
    assert S.cosine(25, 2.0, 100) == pytest.approx(1 + np.cos(np.pi / 4))
    assert [S.warmup_cosine(t, 1.0, 4, 104) for t in (0, 1, 3)] == [0.25, 0.5, 1.0]
    assert S.warmup_cosine(4, 1.0, 4, 104) == 1.0
    assert S.warmup_cosine(54, 1.0, 4, 104) == pytest.approx(0.5)


def test_vectorised_and_monotone():
    t = np.arange(200)
    for eta in (S.step_decay(t, 1.0, 0.1, 50), S.cosine(t, 1.0, 150)):
        assert eta.shape == (200,) and np.all(np.diff(eta) <= 1e-15)
    w = S.warmup_cosine(t, 1.0, 20, 200)
    assert np.all(np.diff(w[:20]) > 0) and np.all(np.diff(w[20:]) <= 1e-15) and w.min() >= 0


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: S.constant(0, 0.0), "eta0"),
        (lambda: S.step_decay(0, 1.0, factor=1.5), "factor"),
        (lambda: S.step_decay(0, 1.0, every=0), "every"),
        (lambda: S.cosine(0, 1.0, 0), "total"),
        (lambda: S.cosine(-1, 1.0, 10), "t"),
        (lambda: S.cosine(0.5, 1.0, 10), "t"),
        (lambda: S.warmup_cosine(0, 1.0, 10, 10), "total"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
