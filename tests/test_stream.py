"""linear_stream: the examples follow y_t = x_t . w*_t + noise, with w*_t a random walk."""

import numpy as np
import pytest

from sgdcourse.stream import linear_stream


def test_a_stream_without_drift_has_fixed_weights_and_the_stated_noise():
    X, y, W = linear_stream(20000, 3, np.random.default_rng(0), noise=0.5)
    assert X.shape == (20000, 3) and y.shape == (20000,) and W.shape == (20000, 3)
    assert np.all(W == W[0])
    residual = y - X @ W[0]
    assert abs(residual.std() - 0.5) < 0.01 and abs(residual.mean()) < 0.01
    w_fit = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.allclose(w_fit, W[0], atol=0.02)


def test_drift_is_a_random_walk_of_the_stated_step():
    _, _, W = linear_stream(50000, 2, np.random.default_rng(1), noise=0.0, drift=0.01)
    steps = np.diff(W, axis=0)
    assert abs(steps.std() - 0.01) < 0.0002 and abs(steps.mean()) < 0.0002


def test_noise_free_labels_are_exact():
    X, y, W = linear_stream(10, 4, np.random.default_rng(2), noise=0.0, drift=0.3)
    assert np.allclose(y, np.sum(X * W, axis=1))


@pytest.mark.parametrize("kwargs, name", [(dict(T=0), "T"), (dict(noise=-1.0), "noise"), (dict(drift=-0.1), "drift")])
def test_bad_input_names_the_parameter(kwargs, name):
    args = dict(T=5, d=2, rng=np.random.default_rng(0))
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        linear_stream(**args)
