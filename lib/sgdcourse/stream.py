"""A data stream for online learning: examples arrive one at a time and are seen once.

    X, y, W = linear_stream(T, d, rng, noise=0.5, drift=0.0)

x_t ~ N(0, I_d) and y_t = x_t . w*_t + noise * eps_t for t = 0..T-1. The true weights start at a
random unit-free w*_0 ~ N(0, I_d) and, with drift > 0, take a random-walk step of standard
deviation `drift` per coordinate after every example: w*_{t+1} = w*_t + drift * xi_t.
Shapes: X (T, d), y (T,), W (T, d) with W[t] the weights that generated example t.
"""

from __future__ import annotations

import numpy as np

from . import _validate as validate


def linear_stream(T, d, rng, noise=0.5, drift=0.0):
    """Examples of a linear model whose weights may drift; see the module docstring."""
    T, d = validate.integer("T", T, lo=1), validate.integer("d", d, lo=1)
    rng = validate.generator("rng", rng)
    if validate.real("noise", noise) < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    if validate.real("drift", drift) < 0:
        raise ValueError(f"drift must be >= 0, got {drift!r}")
    steps = drift * rng.standard_normal((T, d))
    steps[0] = rng.standard_normal(d)  # w*_0
    W = np.cumsum(steps, axis=0)
    X = rng.standard_normal((T, d))
    y = np.einsum("td,td->t", X, W) + noise * rng.standard_normal(T)
    return X, y, W
