import numpy as np
import pytest

import sgdcourse as sc
from sgdcourse.gradcheck import check_gradient, check_model, numerical_grad


def test_numerical_gradient_of_a_known_function():
    def f(th):
        return th[0] ** 3 + 2 * th[0] * th[1]

    np.testing.assert_allclose(numerical_grad(f, np.array([1.0, 2.0])), [3 + 4, 2], rtol=1e-7)


def test_check_accepts_right_and_rejects_wrong_gradients():
    def f(th):
        return np.sum(th**2)

    theta = np.array([1.0, -2.0, 0.5])
    assert check_gradient(f, lambda th: 2 * th, theta).ok
    assert not check_gradient(f, lambda th: -2 * th, theta).ok
    assert not check_gradient(f, lambda th: th, theta).ok


class SignFlipped(sc.LeastSquares):
    def per_example_grads(self, theta, idx=None):
        return -super().per_example_grads(theta, idx)


class MeanDropped(sc.LeastSquares):
    def grad(self, theta, idx=None):
        return super().grad(theta, idx) * (self.n if idx is None else len(idx))


def test_check_model_catches_a_flipped_sign_and_a_dropped_mean():
    X, y, _ = sc.make_linear_regression(20, 3, np.random.default_rng(0))
    theta = np.ones(3)
    assert check_model(sc.LeastSquares(X, y), theta).ok
    assert not check_model(SignFlipped(X, y), theta).ok
    assert not check_model(MeanDropped(X, y), theta).ok


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="eps"):
        numerical_grad(np.sum, np.ones(2), eps=0)
    with pytest.raises(ValueError, match="theta"):
        numerical_grad(np.sum, np.ones((2, 2)))
