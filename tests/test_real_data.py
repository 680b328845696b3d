"""The real data set shipped in the package (sgdcourse.data.breast_cancer), the split and the
standardisation the lessons apply to it, and the conditioning facts they state about it.

The conditioning facts, for the least-squares loss L = (1/2n) |X theta - y|^2, whose Hessian is
H = X^T X / n (the logistic loss at theta = 0 has H / 4), measured on all 569 rows:
    raw X:                  kappa = lambda_max / lambda_min = 2.21e12, 2 / lambda_max = 1.20e-6
    raw X and ones column:  kappa = 2.38e12
    standardised X:         kappa = 9.98e4 (the same with a column of ones), 2 / lambda_max = 0.151
The tests assert their orders of magnitude; each is computed, never typed into a lesson.
"""

import hashlib
import re
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sgdcourse
from sgdcourse.data import BREAST_CANCER_CSV, breast_cancer, standardise, train_test_split
from sgdcourse.models import LeastSquares, Logistic

BASE = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity", "concave points"]
BASE += ["symmetry", "fractal dimension"]
# The description's summary table (scikit-learn's breast_cancer.rst, rounded there to 3 decimals
# or 4 figures), (min, max) per feature in the description's order: mean, standard error, worst.
SUMMARY = [
    (6.981, 28.11), (9.71, 39.28), (43.79, 188.5), (143.5, 2501.0), (0.053, 0.163),
    (0.019, 0.345), (0.0, 0.427), (0.0, 0.201), (0.106, 0.304), (0.05, 0.097),
    (0.112, 2.873), (0.36, 4.885), (0.757, 21.98), (6.802, 542.2), (0.002, 0.031),
    (0.002, 0.135), (0.0, 0.396), (0.0, 0.053), (0.008, 0.079), (0.001, 0.03),
    (7.93, 36.04), (12.02, 49.54), (50.41, 251.2), (185.2, 4254.0), (0.071, 0.223),
    (0.027, 1.058), (0.0, 1.252), (0.0, 0.291), (0.156, 0.664), (0.055, 0.208),
]  # fmt: skip


@pytest.fixture(scope="module")
def data():
    return breast_cancer()


def csv_resource(name=BREAST_CANCER_CSV):
    return resources.files("sgdcourse").joinpath(name)


def hessian_eigenvalues(A):
    """Eigenvalues, ascending, of the least-squares Hessian X^T X / n."""
    return np.linalg.eigvalsh(A.T @ A / len(A))


def with_ones(A):
    return np.hstack([A, np.ones((len(A), 1))])


# ---- the data ---------------------------------------------------------------------------------


def test_shape_labels_names_and_no_missing_value(data):
    assert data.X.shape == (569, 30) and data.X.dtype == float
    assert data.y.shape == (569,) and data.y.dtype.kind == "i"
    assert np.bincount(data.y).tolist() == [357, 212]  # 357 benign (0), 212 malignant (1)
    assert np.isfinite(data.X).all()
    names = tuple([f"mean {b}" for b in BASE] + [f"{b} error" for b in BASE] + [f"worst {b}" for b in BASE])
    assert data.feature_names == names
    assert sgdcourse.breast_cancer is breast_cancer


def test_label_one_is_malignant(data):
    # UCI's first row (ID 842302) is diagnosed M, with mean radius 17.99
    assert data.X[0, 0] == 17.99 and data.y[0] == 1
    # and malignant nuclei are larger: mean radius 17.5 against 12.1
    radius = data.X[:, 0]
    assert radius[data.y == 1].mean() > radius[data.y == 0].mean() + 4


def test_columns_match_the_descriptions_summary_table(data):
    table = np.array(SUMMARY)
    np.testing.assert_allclose(data.X.min(axis=0), table[:, 0], rtol=5e-4, atol=6e-4)
    np.testing.assert_allclose(data.X.max(axis=0), table[:, 1], rtol=5e-4, atol=6e-4)


def test_csv_checksum_is_the_one_its_readme_records():
    readme = csv_resource("datasets/README.md").read_text(encoding="utf-8")
    recorded = re.findall(r"\b[0-9a-f]{64}\b", readme)
    assert len(recorded) == 1, recorded
    assert hashlib.sha256(csv_resource().read_bytes()).hexdigest() == recorded[0]


def test_every_call_returns_a_fresh_copy(data):
    first = breast_cancer()
    first.X[0, 0], first.y[0] = -1.0, 0
    again = breast_cancer()
    assert again.X[0, 0] == data.X[0, 0] == 17.99 and again.y[0] == 1


# ---- the split --------------------------------------------------------------------------------


def test_split_is_disjoint_covers_every_row_and_keeps_rows_with_labels(data):
    part = train_test_split(data.X, data.y, 0.25, np.random.default_rng(0))
    assert len(np.intersect1d(part.train, part.test)) == 0
    assert np.array_equal(np.sort(np.concatenate([part.train, part.test])), np.arange(569))
    np.testing.assert_array_equal(part.X_train, data.X[part.train])
    np.testing.assert_array_equal(part.y_test, data.y[part.test])
    # the rows themselves: all 569 are distinct, and the two parts hold them all once
    rows = np.vstack([part.X_train, part.X_test])
    assert len(np.unique(rows, axis=0)) == 569
    assert part.y_train.dtype == data.y.dtype


def test_stratified_split_keeps_the_class_shares(data):
    part = train_test_split(data.X, data.y, 0.25, np.random.default_rng(1))
    # round(0.25 * 357) = 89 benign and round(0.25 * 212) = 53 malignant rows held out
    assert np.bincount(part.y_test).tolist() == [round(0.25 * 357), round(0.25 * 212)]
    assert np.bincount(part.y_train).tolist() == [357 - 89, 212 - 53]
    # each part comes shuffled, not sorted by label
    assert np.any(np.diff(part.y_test) < 0) and np.any(np.diff(part.y_test) > 0)
    assert np.any(np.diff(part.test) < 0) and np.any(np.diff(part.train) < 0)


def test_split_is_reproducible_from_the_rng_alone(data):
    a = train_test_split(data.X, data.y, 0.25, np.random.default_rng(7))
    b = train_test_split(data.X, data.y, 0.25, np.random.default_rng(7))
    c = train_test_split(data.X, data.y, 0.25, np.random.default_rng(8))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.test, c.test)


def test_plain_split_draws_regardless_of_label(data):
    counts = {
        tuple(np.bincount(train_test_split(data.X, data.y, 0.25, np.random.default_rng(s), stratify=False).y_test))
        for s in range(20)
    }
    assert all(sum(c) == 142 for c in counts)  # round(0.25 * 569)
    assert len(counts) > 3  # the class counts vary from seed to seed


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 2), min_size=4, max_size=60),
    st.floats(0.05, 0.95),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_any_split_partitions_the_rows(labels, fraction, seed, stratify):
    y = np.array(labels)
    X = np.arange(2 * len(y), dtype=float).reshape(-1, 2)
    try:
        part = train_test_split(X, y, fraction, np.random.default_rng(seed), stratify=stratify)
    except ValueError as err:  # only when a part would be empty
        assert "each part needs a row" in str(err)
        return
    assert sorted(np.concatenate([part.train, part.test]).tolist()) == list(range(len(y)))
    np.testing.assert_array_equal(part.X_test[:, 0], 2 * part.test)
    if stratify:
        for c in np.unique(y):
            n_c = int(np.sum(y == c))
            assert np.sum(part.y_test == c) == np.floor(fraction * n_c + 0.5)


# ---- standardisation --------------------------------------------------------------------------


def test_standardised_training_columns_have_mean_0_and_std_1(data):
    part = train_test_split(data.X, data.y, 0.25, np.random.default_rng(2))
    std = standardise(part.X_train, part.X_test)
    np.testing.assert_allclose(std.train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(std.train.std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(std.mean, part.X_train.mean(axis=0))
    np.testing.assert_allclose(std.std, np.sqrt(((part.X_train - std.mean) ** 2).mean(axis=0)))


def test_test_rows_are_scaled_by_the_training_statistics(data):
    part = train_test_split(data.X, data.y, 0.25, np.random.default_rng(3))
    std = standardise(part.X_train, part.X_test)
    back = std.test * part.X_train.std(axis=0) + part.X_train.mean(axis=0)
    np.testing.assert_allclose(back, part.X_test, rtol=1e-12, atol=1e-12)
    # not by their own: the test columns' means are near 0 but not 0
    assert np.abs(std.test.mean(axis=0)).max() > 0.01
    assert standardise(part.X_train).test is None


# ---- conditioning: what the lessons will state --------------------------------------------------


def test_least_squares_hessian_is_xtx_over_n(data):
    # the gradient of LeastSquares is linear in theta, so its columns at the unit vectors are H
    model = LeastSquares(data.X, data.y.astype(float))
    g0 = model.grad(np.zeros(30))
    H = np.column_stack([model.grad(e) - g0 for e in np.eye(30)])
    np.testing.assert_allclose(H, data.X.T @ data.X / 569, rtol=1e-9, atol=1e-9 * np.abs(H).max())


def test_logistic_hessian_at_zero_is_a_quarter_of_it(data):
    Z = standardise(data.X).train
    model = Logistic(Z, data.y.astype(float))
    h = 1e-5
    H = np.column_stack([(model.grad(h * e) - model.grad(-h * e)) / (2 * h) for e in np.eye(30)])
    np.testing.assert_allclose(H, Z.T @ Z / (4 * 569), rtol=1e-6, atol=1e-8)


def test_raw_features_are_conditioned_like_2e12(data):
    for A in (data.X, with_ones(data.X)):
        lam = hessian_eigenvalues(A)
        assert 1e12 < lam[-1] / lam[0] < 1e13  # 2.21e12 without the ones column, 2.38e12 with it
    # the same figure from the singular values of X: lambda_k = sigma_k^2 / n
    sigma = np.linalg.svd(data.X, compute_uv=False)
    lam = hessian_eigenvalues(data.X)
    np.testing.assert_allclose([lam[-1], lam[0]], sigma[[0, -1]] ** 2 / 569, rtol=1e-3)


def test_standardised_features_are_conditioned_like_1e5(data):
    Z = standardise(data.X).train
    lam = hessian_eigenvalues(Z)
    kappa = lam[-1] / lam[0]
    assert 5e4 < kappa < 2e5  # 9.98e4
    # a column of ones adds the eigenvalue 1 (Z's columns are centred), inside [lambda_min, lambda_max]
    lam_1 = hessian_eigenvalues(with_ones(Z))
    assert lam_1[-1] / lam_1[0] == pytest.approx(kappa, rel=1e-6)
    assert np.min(np.abs(lam_1 - 1)) < 1e-9
    raw = hessian_eigenvalues(data.X)
    assert (raw[-1] / raw[0]) / kappa > 1e7


@pytest.mark.parametrize("scaled, order", [(False, 1e-6), (True, 0.1)])
def test_gradient_descent_is_stable_below_2_over_lambda_max_and_not_above(data, scaled, order):
    X = standardise(data.X).train if scaled else data.X
    model = LeastSquares(X, data.y.astype(float))
    lam_max = hessian_eigenvalues(X)[-1]
    assert order < 2 / lam_max < 10 * order  # 1.20e-6 raw, 0.151 standardised
    start = model.loss(np.zeros(30))
    for factor, stable in ((0.99, True), (1.01, False)):
        theta = np.zeros(30)
        for _ in range(1500):
            theta = theta - factor * 2 / lam_max * model.grad(theta)
        loss = model.loss(theta)
        assert (loss < start) if stable else (loss > 1e6 * start), (factor, loss, start)


# ---- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda X, y: train_test_split(X, y, 0.0, np.random.default_rng(0)), "test_fraction"),
        (lambda X, y: train_test_split(X, y, 1.0, np.random.default_rng(0)), "test_fraction"),
        (lambda X, y: train_test_split(X, y, "a", np.random.default_rng(0)), "test_fraction"),
        (lambda X, y: train_test_split(X, y, 0.25, 0), "rng"),
        (lambda X, y: train_test_split(X, y[:-1], 0.25, np.random.default_rng(0)), "y"),
        (lambda X, y: train_test_split(X[0], y, 0.25, np.random.default_rng(0)), "X"),
        (lambda X, y: train_test_split(X[:3], y[:3], 0.1, np.random.default_rng(0)), "test_fraction"),
        (lambda X, y: standardise(np.ones((5, 2))), "X_train column 0"),
        (lambda X, y: standardise(X, X[:, :3]), "X_test"),
        (lambda X, y: standardise(X[0]), "X_train"),
    ],
)
def test_bad_arguments_are_named(data, call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call(data.X, data.y)
