"""A small multi-layer perceptron for binary labels, as a model like those in models.py.

Layers k = 1..K with weights W_k (n_k, n_{k-1}) and biases b_k (n_k,); n_0 = d inputs,
n_1..n_{K-1} the hidden widths, n_K = 1 output. For a batch of rows A_0 = X_B (|B|, d):

    forward    Z_k = A_{k-1} W_k^T + b_k  (|B|, n_k),   A_k = phi(Z_k) for k < K,
               z = Z_K[:, 0]  (|B|,),   p = sigma(z),   l_i = log(1 + e^{z_i}) - y_i z_i
    backward   D_K = dl/dZ_K = p - y  (as a column (|B|, 1)),
               D_{k-1} = (D_k W_k) * phi'(Z_{k-1})   (|B|, n_{k-1}),
               dl_i/dW_k = outer(D_k[i], A_{k-1}[i])  (n_k, n_{k-1}),   dl_i/db_k = D_k[i]

phi is tanh (phi' = 1 - A^2) or relu (phi' = [Z > 0]). All parameters live in one vector
theta of length P = sum_k n_k (n_{k-1} + 1), layer by layer, each W_k row-major then b_k,
so sgdcourse.sgd trains an MLP exactly as it trains Logistic. With hidden=() the network
is logistic regression with an intercept.
"""

from __future__ import annotations

import numpy as np

from . import _validate as validate
from .models import Model, sigmoid

ACTIVATIONS = ("tanh", "relu")


class MLP(Model):
    """MLP(X, y, hidden=(16,), activation="tanh"): X (N, d), y (N,) in {0, 1}; theta has shape (P,).

    losses / loss / per_example_grads / grad take (theta, idx=None) like every model;
    per_example_grads has shape (|B|, P) and grad is (1/|B|) times their sum, computed
    by a separate batch backward pass.
    """

    def __init__(self, X, y, hidden=(16,), activation="tanh"):
        super().__init__(X, y)
        if self.X.dtype == object:
            raise TypeError("X must hold floats (an MLP does not compute exactly)")
        if not np.isin(self.y, (0, 1)).all():
            raise ValueError("y must contain only the labels 0 and 1")
        if isinstance(hidden, (int, np.integer)) or not isinstance(hidden, (tuple, list)):
            raise TypeError(f"hidden must be a tuple of layer widths such as (16,), got {hidden!r}")
        hidden = tuple(validate.integer(f"hidden[{k}]", h, lo=1) for k, h in enumerate(hidden))
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        self.features, self.hidden, self.activation = self.dim, hidden, activation
        self.widths = (self.features, *hidden, 1)  # n_0, ..., n_K
        self.shapes = [(o, i) for i, o in zip(self.widths[:-1], self.widths[1:])]
        self.dim = sum(o * (i + 1) for o, i in self.shapes)  # P: what theta0 must have

    def __repr__(self):
        return f"MLP({' -> '.join(map(str, self.widths))}, activation={self.activation!r}, P={self.dim})"

    # parameters ---------------------------------------------------------------
    def unpack(self, theta):
        """[(W_1, b_1), ..., (W_K, b_K)] as views into theta (P,); W_k (n_k, n_{k-1}), b_k (n_k,)."""
        return self._split(validate.array("theta", theta, 1, self.dim))

    def _split(self, theta):  # unpack without the check, for a theta already validated
        layers, at = [], 0
        for o, i in self.shapes:
            W, b = theta[at : at + o * i].reshape(o, i), theta[at + o * i : at + o * (i + 1)]
            layers.append((W, b))
            at += o * (i + 1)
        return layers

    @staticmethod
    def pack(layers):
        """The inverse of unpack: concatenate W_1.ravel(), b_1, ..., W_K.ravel(), b_K."""
        return np.concatenate([np.concatenate([np.ravel(W), np.ravel(b)]) for W, b in layers])

    def init(self, rng, scale=1.0):
        """A random theta (P,): W_k ~ N(0, gain^2 scale^2 / n_{k-1}), b_k = 0.

        gain = 1 for tanh, sqrt(2) for relu, so the scores Z_k start with variance near 1
        whatever the width. Uses only `rng`.
        """
        rng = validate.generator("rng", rng)
        validate.positive("scale", scale)
        gain = 1.0 if self.activation == "tanh" else np.sqrt(2.0)
        return self.pack(
            [(rng.standard_normal((o, i)) * gain * scale / np.sqrt(i), np.zeros(o)) for o, i in self.shapes]
        )

    # forward and backward -----------------------------------------------------
    def _phi(self, Z):
        return np.tanh(Z) if self.activation == "tanh" else np.maximum(Z, 0.0)

    def _dphi(self, Z, A):
        return 1.0 - A * A if self.activation == "tanh" else (Z > 0).astype(float)

    def _forward(self, layers, A):
        """Scores z (|B|,) for rows A (|B|, d), and the lists Zs, As (Z_1..Z_K and A_0..A_{K-1})."""
        Zs, As = [], [A]
        for k, (W, b) in enumerate(layers):
            Zs.append(As[-1] @ W.T + b)
            if k < len(layers) - 1:
                As.append(self._phi(Zs[-1]))
        return Zs[-1][:, 0], Zs, As

    def _backward(self, layers, Zs, As, top):
        """D_1..D_K from D_K = top (|B|, 1) by D_{k-1} = (D_k W_k) * phi'(Z_{k-1})."""
        Ds = [top]
        for k in range(len(layers) - 1, 0, -1):
            Ds.insert(0, (Ds[0] @ layers[k][0]) * self._dphi(Zs[k - 1], As[k]))
        return Ds

    # the model interface -------------------------------------------------------
    def scores(self, theta, idx=None, points=None):
        """Output scores z (|B|,) for training rows idx, or for new inputs `points` (k, d)."""
        if points is None:
            theta, A, _ = self._rows(theta, idx)
        elif idx is not None:
            raise ValueError("give idx (training rows) or points (new inputs), not both")
        else:
            theta = validate.array("theta", theta, 1, self.dim)
            A = validate.array("points", points, 2, cols=self.features)
        return self._forward(self._split(theta), A)[0]

    def probabilities(self, theta, idx=None, points=None):
        """p = sigma(z), the network's probability of label 1 (training rows or `points`)."""
        return sigmoid(self.scores(theta, idx, points))

    def predict(self, theta, idx=None, points=None):
        """Labels 1.0 where p >= 1/2 (that is z >= 0), else 0.0."""
        return (self.scores(theta, idx, points) >= 0).astype(float)

    def accuracy(self, theta, idx=None):
        """Fraction of the rows idx (default: all) whose predicted label is right."""
        _, _, y = self._rows(theta, idx)
        return float(np.mean(self.predict(theta, idx) == y))

    def losses(self, theta, idx=None):
        """l_i = log(1 + e^{z_i}) - y_i z_i  (|B|,), the cross-entropy without overflow."""
        theta, X, y = self._rows(theta, idx)
        z = self._forward(self._split(theta), X)[0]
        return np.logaddexp(0.0, z) - y * z

    def per_example_grads(self, theta, idx=None):
        """Rows grad l_i (|B|, P): for every layer the outer products D_k[i] A_{k-1}[i]^T by einsum."""
        theta, X, y = self._rows(theta, idx)
        layers = self._split(theta)
        z, Zs, As = self._forward(layers, X)
        Ds = self._backward(layers, Zs, As, (sigmoid(z) - y)[:, None])
        parts = []
        for D, A in zip(Ds, As):
            parts += [np.einsum("bo,bi->boi", D, A).reshape(len(D), -1), D]
        return np.concatenate(parts, axis=1)

    def grad(self, theta, idx=None):
        """grad L_B (P,): backprop of the batch mean, D_K = (p - y) / |B|, then dW_k = D_k^T A_{k-1}."""
        theta, X, y = self._rows(theta, idx)
        layers = self._split(theta)
        z, Zs, As = self._forward(layers, X)
        Ds = self._backward(layers, Zs, As, ((sigmoid(z) - y) / len(y))[:, None])
        return self.pack([(D.T @ A, D.sum(axis=0)) for D, A in zip(Ds, As)])
