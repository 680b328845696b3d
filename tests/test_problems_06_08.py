"""Lessons 06-08 in the bank: the reference answers agree with simulations, the library and finite
differences, and typical ways of writing them are accepted. (Every problem's reference, mistakes and
placeholder are already covered for the whole bank by tests/test_problems.py.)"""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import sgdcourse as sc
from sgdcourse import dynamics, practice, schedules
from sgdcourse.gradcheck import numerical_grad
from sgdcourse.problems import get, select
from sgdcourse.problems import lesson06 as L5
from sgdcourse.problems import lesson07 as L6
from sgdcourse.problems import lesson08 as L7


def test_lessons_have_enough_problems_of_every_kind():
    for lesson in (6, 7, 8):
        assert len(select(lesson)) >= 4
    assert {p.kind for lesson in (6, 7, 8) for p in select(lesson)} >= {"number", "expression", "function", "choice"}


# ---- lesson 06 ------------------------------------------------------------------------------------


def test_threshold_separates_convergence_from_divergence_on_the_bowl():
    eta_max = float(get("06-threshold").answer)
    bowl = sc.QuadraticBowl([float(c) for c in L5.CURVATURES])
    assert not sc.sgd(bowl, np.ones(2), 0.98 * eta_max, steps=2000).diverged
    assert sc.sgd(bowl, np.ones(2), 1.02 * eta_max, steps=2000).diverged
    assert sc.sgd(bowl, np.ones(2), 2 / float(L5.LAM_MIN) * 0.9, steps=2000).diverged  # the flat-axis bound fails


def test_error_after_t_matches_a_run():
    eta, lam = Fraction(3, 20), Fraction(10)
    bowl = sc.QuadraticBowl([lam], center=[L5.MIN_C])
    run = sc.sgd(bowl, np.array([Fraction(L5.THETA0)], dtype=object), eta, batches=[[0]] * 6)
    for t, theta in enumerate(run.thetas[:, 0]):
        value = get("06-error-after-t").answer.subs({L5.eta: sp.Rational(3, 20), L5.lam: 10, L5.t: t})
        assert abs(float(value) - float(theta - L5.MIN_C)) < 1e-12


def test_crawl_count_and_regime_by_simulation():
    run = sc.sgd(sc.QuadraticBowl([float(L5.CRAWL_LAM)]), np.array([1.0]), float(L5.CRAWL_ETA), steps=300)
    first = int(np.argmax(np.abs(run.thetas[:, 0]) <= float(L5.CRAWL_TARGET) + 1e-12))
    assert first == get("06-crawl-steps").answer == L5.CRAWL_STEPS
    bowl = sc.QuadraticBowl([float(L5.REGIME_LAM)])
    path = sc.sgd(bowl, np.array([1.0]), float(L5.REGIME_ETA), steps=10).thetas[:, 0]
    # (b): the sign flips at every step and the size shrinks at every step
    assert (np.sign(path[1:]) != np.sign(path[:-1])).all() and (np.diff(np.abs(path)) < 0).all()
    assert get("06-regime").answer == "b"


@pytest.mark.parametrize(
    "eta, lam, s2",
    [
        (Fraction(1, 10), Fraction(3), Fraction(4)),
        (Fraction(1, 2), Fraction(1), Fraction(1)),
        (Fraction(3, 2), Fraction(1, 2), Fraction(9)),
    ],
)
def test_noise_ball_is_the_library_closed_form(eta, lam, s2):
    value = get("06-noise-ball").answer.subs(
        {
            L5.eta: sp.Rational(eta.numerator, eta.denominator),
            L5.lam: sp.Rational(lam.numerator, lam.denominator),
            L5.s: sp.sqrt(s2),
        }
    )
    assert Fraction(str(sp.nsimplify(value))) == dynamics.noise_ball_variance(eta, lam, s2 / L5.NOISE_M)


def test_schedule_values_follow_the_stated_formula():
    a, b = get("06-warmup-cosine").answer
    first, second = L5.STEPS_ASKED
    assert a == pytest.approx(L5.ETA0 * (first + 1) / L5.WARMUP)
    assert b == pytest.approx(L5.ETA0 * (1 + np.cos(np.pi * (second - L5.WARMUP) / (L5.TOTAL - L5.WARMUP))) / 2)
    assert (a, b) == tuple(schedules.warmup_cosine(np.array([first, second]), L5.ETA0, L5.WARMUP, L5.TOTAL))


@pytest.mark.parametrize(
    "pid, answer",
    [
        ("06-threshold", 0.25),
        ("06-error-after-t", "3*(1 - eta*lam)^t"),
        ("06-error-after-t", "(1-eta lam)**t (4 - 1)"),
        ("06-noise-ball", "eta*s**2/(4*lam*(2 - eta*lam))"),
        ("06-noise-ball", "eta s^2 / (8 lam - 4 eta lam^2)"),
        ("06-warmup-cosine", [0.28, 0.0585786438]),
        ("06-warmup-cosine", np.array([0.28, 0.0585786438])),
    ],
)
def test_lesson05_answers_in_other_forms(pid, answer):
    assert practice.check(pid, answer).ok


def test_lambda_as_a_name_is_unreadable_with_the_right_symbols():
    r = practice.check("06-noise-ball", "eta*s**2/(l*(2 - eta*l))")
    assert r.status == "unreadable" and "eta, lam, s" in r.feedback
    assert practice.check("06-noise-ball", "eta^2*s^2/(4*lam*(2 - eta*lam))").mistake == "eta-squared"


# ---- lesson 07 ------------------------------------------------------------------------------------


def test_heavy_ball_by_a_float_loop():
    theta, v = 1.0, 0.0
    for _ in range(2):
        v = 0.9 * v + 2 * theta
        theta = theta - 0.1 * v
    answer = get("07-heavy-ball").answer
    assert theta == pytest.approx(float(answer)) and answer == Fraction(23, 50)


def test_gains_by_simulation():
    beta = float(get("07-gain").params["beta"])
    v = 0.0
    for _ in range(400):
        v = beta * v + 1.0
    assert v == pytest.approx(float(get("07-gain").answer))
    beta = 0.9
    v = 0.0
    for t in range(401):
        v = beta * v + (-1.0) ** t
    assert abs(v) == pytest.approx(float(get("07-alternating").answer.subs(L6.beta, sp.Rational(9, 10))))


def test_momentum_threshold_by_simulation():
    eta_max = float(get("07-momentum-threshold").answer)
    bowl = sc.QuadraticBowl([float(L6.TH_LAM)])
    beta = float(L6.TH_BETA)
    assert not sc.sgd(bowl, np.array([1.0]), 0.97 * eta_max, steps=5000, momentum=beta).diverged
    assert sc.sgd(bowl, np.array([1.0]), 1.03 * eta_max, steps=5000, momentum=beta).diverged


def test_momentum_step_reference_matches_the_library_loop():
    bowl = sc.QuadraticBowl([2.0, 5.0])
    run = sc.sgd(bowl, np.array([1.0, -1.0]), 0.05, steps=5, momentum=0.8)
    theta, v = run.thetas[0], np.zeros(2)
    for g in run.grads:
        theta, v = L6.momentum_step(theta, v, g, 0.05, 0.8)
    assert np.allclose(theta, run.theta)


def test_momentum_step_learner_forms():
    def momentum_step(theta, v, g, eta, beta):
        v = beta * v + g
        return [theta - eta * v, v]

    assert practice.check("07-momentum-step", momentum_step).ok

    def swapped(theta, v, g, eta, beta):
        v = beta * v + g
        return v, theta - eta * v

    assert practice.check("07-momentum-step", swapped).status == "incorrect"


def test_newton_lands_on_the_minimum():
    assert sp.solve(sp.diff(L6.NEWTON_L, L6.th), L6.th) == [get("07-newton-step").answer]


# ---- lesson 08 ------------------------------------------------------------------------------------


def test_backprop_matches_finite_differences():
    net = get("08-backprop").params
    x, y = float(net["x"]), float(net["y"])

    def loss(p):
        return 0.5 * (p[1] * max(p[0] * x, 0.0) - y) ** 2

    numeric = numerical_grad(loss, np.array([float(net["w"]), float(net["v"])]))
    assert np.allclose(numeric, [float(g) for g in get("08-backprop").answer], atol=1e-6)


def test_tanh_derivative_matches_finite_differences():
    point = {L7.x: 0.7, L7.y: -0.4, L7.v: 1.3}
    f = sp.lambdify(L7.w, L7.TANH_LOSS.subs(point))
    numeric = numerical_grad(lambda p: f(p[0]), np.array([0.9]))[0]
    assert float(get("08-tanh-derivative").answer.subs({**point, L7.w: 0.9})) == pytest.approx(numeric, abs=1e-6)
    assert practice.check("08-tanh-derivative", "(v*tanh(w*x) - y)*v*(1 - tanh(w*x)**2)*x").ok
    assert practice.check("08-tanh-derivative", "(v*tanh(w*x) - y)*v*x/cosh(w*x)**2").ok


def test_output_grad_matches_finite_differences_of_the_batch_loss():
    z, y = np.array([1.5, -0.3, 0.2, 2.0]), np.array([1.0, 0.0, 0.0, 1.0])

    def batch_loss(zz):
        return np.mean(np.logaddexp(0.0, zz) - y * zz)

    assert np.allclose(L7.output_grad(z, y), numerical_grad(batch_loss, z), atol=1e-8)


def test_steps_match_the_library_epochs():
    rng = np.random.default_rng(0)
    n, m, epochs = (get("08-steps").params[k] for k in ("N", "m", "epochs"))
    model = sc.Linear1D(rng.normal(size=n), rng.normal(size=n))
    run = sc.sgd(model, np.zeros(1), 0.01, m=m, epochs=epochs, rng=rng, track_loss=False)
    assert run.steps == get("08-steps").answer == 55
    per_epoch = run.steps // epochs
    assert sorted(len(b) for b in run.batches[:per_epoch])[0] == n - (per_epoch - 1) * m


def test_sorted_data_tilt_the_model_towards_the_last_class():
    """Supports answer (b) of 08-shuffle: one epoch over sorted data against a shuffled one."""
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(-1, 1, 500), rng.normal(1, 1, 500)])
    X, y = np.column_stack([x, np.ones(1000)]), np.repeat([0.0, 1.0], 500)
    model = sc.Logistic(X, y)
    ordered = [np.arange(k, k + 10) for k in range(0, 1000, 10)]
    shuffled = sc.sample_batches(1000, 10, 100, rng)
    p_sorted = model.probabilities(sc.sgd(model, np.zeros(2), 0.5, batches=ordered).theta).mean()
    p_shuffled = model.probabilities(sc.sgd(model, np.zeros(2), 0.5, batches=shuffled).theta).mean()
    assert p_sorted > 0.7 and abs(p_shuffled - 0.5) < 0.1


def test_central_difference_of_a_cube_is_off_by_h_squared():
    w0, h = (get("08-central-difference").params[k] for k in ("w0", "h"))
    assert get("08-central-difference").answer == 3 * w0**2 + h**2
