"""Data sets: the hand-computed worked example, synthetic sets of any size from an rng, and one
real data set shipped with the package, with the two steps a lesson takes before training on it.

    data = breast_cancer()                                 X (569, 30), y (569,), feature_names
    part = train_test_split(data.X, data.y, 0.25, rng)     stratified, reproducible from the rng
    std  = standardise(part.X_train, part.X_test)          scaled with the training set's mean and std
"""

from __future__ import annotations

import math
from fractions import Fraction
from importlib import resources
from typing import NamedTuple

import numpy as np

from . import _validate as validate
from .models import sigmoid


class WorkedExample(NamedTuple):
    """SGD on y_hat = w x by hand: two points, eta = 1/10, w0 = 0, examples drawn in `order`.

    X has shape (2, 1), y shape (2,); `order` is zero-based (examples 1, 2, 1 -> 0, 1, 0).
    """

    X: np.ndarray
    y: np.ndarray
    eta: object
    w0: object
    order: tuple


def worked_example(number=Fraction) -> WorkedExample:
    """The points (1, 2) and (2, 0) with every number built by `number`.

    number=Fraction (default) or sympy.Rational gives exact arithmetic, number=float
    gives ordinary floating point.
    """
    X = np.array([[number(1)], [number(2)]], dtype=object if number is not float else float)
    y = np.array([number(2), number(0)], dtype=X.dtype)
    return WorkedExample(X, y, number(1) / number(10), number(0), (0, 1, 0))


def make_linear_regression(n, d, rng, noise=0.5, w=None):
    """y = X w + noise * eps with X, eps standard normal.

    Returns X (n, d), y (n,), w (d,); w is drawn from the rng when not given.
    """
    n, d = validate.integer("n", n, lo=1), validate.integer("d", d, lo=1)
    rng = validate.generator("rng", rng)
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    w = rng.standard_normal(d) if w is None else validate.array("w", w, 1, d)
    X = rng.standard_normal((n, d))
    return X, X @ w + noise * rng.standard_normal(n), w


def make_logistic(n, d, rng, w=None, intercept=False):
    """Labels y_i ~ Bernoulli(sigma(w . x_i)) in {0, 1} for standard normal features.

    With intercept=True a last column of ones is appended (so X is (n, d + 1) and
    w has d + 1 entries, the last being the bias). Returns X, y, w.
    """
    n, d = validate.integer("n", n, lo=1), validate.integer("d", d, lo=1)
    rng = validate.generator("rng", rng)
    k = d + bool(intercept)
    w = rng.standard_normal(k) * 2 if w is None else validate.array("w", w, 1, k)
    X = rng.standard_normal((n, d))
    if intercept:
        X = np.hstack([X, np.ones((n, 1))])
    p = sigmoid(X @ w)
    return X, (rng.random(n) < p).astype(float), w


def make_moons(n, rng, noise=0.1):
    """Two interlocking half-moons in the plane, a data set no straight line separates.

    Class 0 lies on the upper arc (cos t, sin t), class 1 on the lower arc
    (1 - cos t, 1/2 - sin t), t ~ Uniform[0, pi], plus Gaussian noise of standard deviation
    `noise` in each coordinate. There are n // 2 examples of class 0 and n - n // 2 of
    class 1, in a random order. Returns X (n, 2) and y (n,) with y in {0.0, 1.0}.
    """
    n = validate.integer("n", n, lo=2)
    rng = validate.generator("rng", rng)
    if validate.real("noise", noise) < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    y = np.zeros(n)
    y[n // 2 :] = 1.0
    t = rng.uniform(0.0, np.pi, n)
    arc = np.column_stack([np.cos(t), np.sin(t)])
    X = np.where(y[:, None] == 0, arc, np.array([1.0, 0.5]) - arc) + noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order], y[order]


BREAST_CANCER_CSV = "datasets/breast_cancer_wisconsin.csv"  # in the package; its README.md beside it


class BreastCancer(NamedTuple):
    """The Wisconsin diagnostic breast cancer data: 569 tumours, 30 features of their cell nuclei.

    X has shape (569, 30) (float), y shape (569,) (int, 1 = malignant, 0 = benign: 212 and 357),
    feature_names 30 strings: "mean radius", ..., "radius error", ..., "worst fractal dimension".
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple


def breast_cancer() -> BreastCancer:
    """The data set from the CSV shipped in the package (no download); a fresh copy on every call.

    Source: Wolberg, Mangasarian, Street and Street (1993), UCI Machine Learning Repository,
    CC BY 4.0; the citation, licence and checksum are in sgdcourse/datasets/README.md.
    """
    with resources.files(__package__).joinpath(BREAST_CANCER_CSV).open("r", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
        table = np.loadtxt(f, delimiter=",", ndmin=2)
    if header[-1] != "malignant" or table.shape != (569, 31):
        raise ValueError(f"{BREAST_CANCER_CSV} is damaged: header ends {header[-1]!r}, table shape {table.shape}")
    return BreastCancer(table[:, :-1], table[:, -1].astype(int), tuple(header[:-1]))


class TrainTest(NamedTuple):
    """A split of the rows of X (n, d) and y (n,): X_train (n_train, d), y_train (n_train,),
    X_test (n_test, d), y_test (n_test,), and the row indices train (n_train,), test (n_test,)
    they came from, disjoint, together every row once."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    train: np.ndarray
    test: np.ndarray


def train_test_split(X, y, test_fraction, rng, stratify=True) -> TrainTest:
    """Hold out a random share of the rows for testing, drawn from `rng` alone.

    Stratified (the default): for each label c with n_c rows, floor(test_fraction * n_c + 1/2) of
    them (rounded half up) go to the test part, so both parts keep the data's class shares;
    otherwise floor(test_fraction * n + 1/2) rows are drawn regardless of label. Both parts come in
    a random order. 0 < test_fraction < 1, and each part must receive at least one row.
    """
    X = validate.array("X", X, 2)
    validate.array("y", y, 1, X.shape[0])
    y = np.asarray(y)  # as given: integer labels stay integers
    if not 0 < validate.real("test_fraction", test_fraction) < 1:
        raise ValueError(f"test_fraction must satisfy 0 < test_fraction < 1, got {test_fraction!r}")
    rng = validate.generator("rng", rng)
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratify else [np.arange(len(y))]
    test, train = [], []
    for rows in groups:
        rows = rng.permutation(rows)
        k = math.floor(test_fraction * len(rows) + 0.5)  # round half up
        test.append(rows[:k])
        train.append(rows[k:])
    test, train = rng.permutation(np.concatenate(test)), rng.permutation(np.concatenate(train))
    if len(test) == 0 or len(train) == 0:
        left = f"leaves {len(train)} for training and {len(test)} for testing"
        raise ValueError(f"test_fraction={test_fraction!r} of {len(y)} rows {left}: each part needs a row")
    return TrainTest(X[train], y[train], X[test], y[test], train, test)


class Standardised(NamedTuple):
    """train (n_train, d) and test (n_test, d) or None, scaled by mean (d,) and std (d,) of the training rows."""

    train: np.ndarray
    test: np.ndarray | None
    mean: np.ndarray
    std: np.ndarray


def standardise(X_train, X_test=None) -> Standardised:
    """z_ij = (x_ij - mu_j) / s_j with the training set's statistics, for both parts.

    mu_j = (1/n) sum_i x_ij and s_j = sqrt((1/n) sum_i (x_ij - mu_j)^2) over the n training rows,
    so each training column has mean 0 and standard deviation 1; the test rows are scaled by the
    same mu and s (never by their own), as they would be for a new patient. A constant training
    column (s_j = 0) cannot be scaled and raises.
    """
    X_train = validate.array("X_train", X_train, 2)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    if (std == 0).any():
        raise ValueError(f"X_train column {int(np.flatnonzero(std == 0)[0])} is constant (std 0): it cannot be scaled")
    if X_test is not None:
        X_test = (validate.array("X_test", X_test, 2, cols=X_train.shape[1]) - mean) / std
    return Standardised((X_train - mean) / std, X_test, mean, std)
