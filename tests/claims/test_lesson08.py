"""Claims of lesson 08 (the same loop trains a network), re-run over seeds; see claimkit.

Each experiment is the lesson's own, drawn from a fresh generator per seed: new moons, a new
initial theta and new batch orders (and, in section 7, a new split and five new runs, ten new
splits of the breast cancer data with their runs, and a new logistic data set with five batch
orders). A run that several claims read is made once per seed (functools.lru_cache), so a claim
and its Breaks: change often share their runs.
"""

import functools

import numpy as np

import sgdcourse
from claimkit import at_least, breaks_tests, claim, every
from sgdcourse import heldout
from sgdcourse.data import breast_cancer, make_moons, standardise, train_test_split
from sgdcourse.gradcheck import numerical_grad
from sgdcourse.models import Logistic
from sgdcourse.network import MLP

LOG2 = float(np.log(2))
N, ETA, M, EPOCHS = 400, 0.5, 8, 40  # the lesson's moons and its training run
PER_EPOCH = -(-N // M)  # 50 steps an epoch
S5, S6, S7 = "5. Training the network", "6. Shuffling matters", "7. Held-out data: training for too long"
S8 = "8. A stability checklist: "
S9 = "9. Where the same estimator reappears"


def moons(seed):
    """The lesson's data and tanh network from a fresh generator: (rng, X, y, net, theta0)."""
    rng = np.random.default_rng(seed)
    X, y = make_moons(N, rng, noise=0.15)
    net = MLP(X, y, hidden=(16,), activation="tanh")
    return rng, X, y, net, net.init(rng)


def last_epoch(model, run):
    """(mean loss, mean accuracy) over the last epoch's iterates, as the lesson's last_epoch;
    (inf, 0) for a run the driver stopped as diverged."""
    if run.diverged:
        return np.inf, 0.0
    thetas = run.thetas[-PER_EPOCH:]
    with np.errstate(all="ignore"):  # eta = 500 leaves huge but finite weights
        return (float(np.mean([model.loss(t) for t in thetas])), float(np.mean([model.accuracy(t) for t in thetas])))


# 5. Training the network -------------------------------------------------------------------------
def section5(seed, hidden=(16,), eta=ETA, epochs=EPOCHS):
    """The straight line and the network, both eta = 0.5, m = 8: (line loss, line accuracy,
    network loss after one epoch, network accuracy at the end)."""
    return _section5(seed, hidden, eta, epochs)


@functools.lru_cache(maxsize=None)
def _section5(seed, hidden, eta, epochs):
    rng, X, y, _, _ = moons(seed)
    net = MLP(X, y, hidden=hidden)
    theta0 = net.init(rng)
    X_line = np.column_stack([X, np.ones(N)])
    line = sgdcourse.Logistic(X_line, y)
    line_run = sgdcourse.sgd(line, np.zeros(3), ETA, m=M, epochs=EPOCHS, rng=rng, track_loss=False)
    line_accuracy = float(np.mean((line.probabilities(line_run.theta) >= 0.5) == y))
    run = sgdcourse.sgd(net, theta0, eta, m=M, epochs=epochs, rng=rng, track_loss=False)
    return (
        float(line.loss(line_run.theta)),
        line_accuracy,
        float(net.loss(run.thetas[PER_EPOCH])),
        float(net.accuracy(run.theta)),
        float(net.loss(run.theta)),
    )


@claim(
    "08", S5, "The loss drops within the first epoch to about the level the straight line reached in section 1.", every
)
def test_first_epoch_reaches_the_lines_loss(seed, broken):
    """The network's loss after one epoch (50 steps) is within 0.8 to 1.25 times the loss the
    straight line ends at after 40 epochs. Breaks: the network trained at eta = 0.05 instead of 0.5."""
    line_loss, _, first_epoch_loss, *_ = section5(seed, eta=0.05, epochs=1) if broken else section5(seed)
    return 0.8 <= first_epoch_loss / line_loss <= 1.25


@claim("08", S5, "The boundary bends around both tips, which a single line cannot do", every)
def test_network_beats_the_straight_line(seed, broken):
    """After the same 40 epochs the network's training accuracy is at least 5 points above the
    straight line's. Breaks: no hidden layer (hidden=(), logistic regression with an intercept)."""
    _, line_accuracy, _, net_accuracy, _ = section5(seed, hidden=() if broken else (16,))
    return net_accuracy >= line_accuracy + 0.05


@claim("08", S5, "It ends far below that level", every)
def test_network_ends_far_below_the_lines_loss(seed, broken):
    """After 40 epochs the network's training loss is below a third of the loss the straight line
    ends at. Breaks: no hidden layer (hidden=(), logistic regression with an intercept)."""
    line_loss, *_, net_loss = section5(seed, hidden=() if broken else (16,))
    return net_loss < line_loss / 3


# 6. Shuffling matters ----------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def section6(seed):
    """The moons sorted by class; a shuffled run, an ordered run and a second shuffled run (with
    its own permutations), all from the same theta0: (model, {name: run})."""
    rng, X, y, _, theta0 = moons(seed)
    order = np.argsort(y, kind="stable")
    net = MLP(X[order], y[order], hidden=(16,))
    runs = {
        "shuffle": sgdcourse.sgd(net, theta0, ETA, m=M, epochs=EPOCHS, rng=rng, track_loss=False),
        "ordered": sgdcourse.sgd(net, theta0, ETA, m=M, epochs=EPOCHS, sampling="ordered", track_loss=False),
        "shuffle again": sgdcourse.sgd(net, theta0, ETA, m=M, epochs=EPOCHS, rng=rng, track_loss=False),
    }
    return net, runs


def half_and_end(run):
    """theta after the class-0 half of the last epoch, and at the end of it."""
    return run.thetas[run.steps - PER_EPOCH // 2], run.thetas[run.steps]


@claim("08", S6, "With shuffling, a one-class batch is rare.", every)
def test_one_class_batches_are_rare_when_shuffled(seed, broken):
    """In the shuffled run at most 5 % of the 2000 batches hold a single class. Breaks: the batches of
    the ordered run counted instead."""
    net, runs = section6(seed)
    run = runs["ordered" if broken else "shuffle"]
    return np.mean([len(np.unique(net.y[b])) == 1 for b in run.batches]) <= 0.05


@claim(
    "08",
    S6,
    "during the shaded half $L_0$ falls and $L_1$ climbs, then the reverse.",
    every,
)
def test_class_losses_swing_within_an_epoch(seed, broken):
    """In each of the ordered run's last three epochs, over the class-0 half L_0 falls and L_1 rises,
    and over the class-1 half L_1 falls and L_0 rises. Breaks: measured on the shuffled run."""
    net, runs = section6(seed)
    run = runs["shuffle" if broken else "ordered"]
    idx0, idx1 = np.flatnonzero(net.y == 0), np.flatnonzero(net.y == 1)
    for start in range(run.steps - 3 * PER_EPOCH, run.steps, PER_EPOCH):
        a, b, c = (run.thetas[t] for t in (start, start + PER_EPOCH // 2, start + PER_EPOCH))
        L0 = [net.loss(t, idx0) for t in (a, b, c)]
        L1 = [net.loss(t, idx1) for t in (a, b, c)]
        if not (L0[1] < L0[0] and L1[1] > L1[0] and L1[2] < L1[1] and L0[2] > L0[1]):
            return False
    return True


@claim(
    "08",
    S6,
    "With the stored order, *every* batch holds a single class, and over the last epoch the mean "
    "loss is higher by the printed factor and the accuracy is lower.",
    every,
)
def test_ordered_run_ends_worse(seed, broken):
    """Over the last epoch the ordered run's mean training loss is higher and its mean accuracy
    lower than the shuffled run's. Breaks: the "ordered" run shuffled too (fresh permutations)."""
    net, runs = section6(seed)
    loss_s, accuracy_s = last_epoch(net, runs["shuffle"])
    loss_o, accuracy_o = last_epoch(net, runs["shuffle again" if broken else "ordered"])
    return loss_o > loss_s and accuracy_o < accuracy_s


@claim(
    "08",
    S6,
    "Each half-epoch drives the gradient of the class just seen close to zero, while the other "
    "class's gradient is left large",
    every,
)
def test_class_just_seen_has_a_small_gradient(seed, broken):
    """In the ordered run's last epoch, after the class-0 batches |grad L_0| < |grad L_1| / 4, and
    after the class-1 batches |grad L_1| < |grad L_0| / 4. Breaks: measured on the shuffled run."""
    net, runs = section6(seed)
    idx0, idx1 = np.flatnonzero(net.y == 0), np.flatnonzero(net.y == 1)
    (half, end) = half_and_end(runs["shuffle" if broken else "ordered"])

    def size(theta, idx):
        return np.linalg.norm(net.grad(theta, idx))

    return size(half, idx0) < size(half, idx1) / 4 and size(end, idx1) < size(end, idx0) / 4


@claim("08", S6, "the cosine shows the two pulling in nearly opposite directions", every)
def test_class_gradients_point_apart(seed, broken):
    """At both points of the ordered run's last epoch the cosine between grad L_0 and grad L_1 is
    below -0.5. Breaks: the 400 points split into two random halves instead of the two classes."""
    net, runs = section6(seed)
    if broken:
        order = np.random.default_rng([seed, 1]).permutation(N)
        idx0, idx1 = order[: N // 2], order[N // 2 :]
    else:
        idx0, idx1 = np.flatnonzero(net.y == 0), np.flatnonzero(net.y == 1)
    cosines = []
    for theta in half_and_end(runs["ordered"]):
        g0, g1 = net.grad(theta, idx0), net.grad(theta, idx1)
        cosines.append(g0 @ g1 / (np.linalg.norm(g0) * np.linalg.norm(g1)))
    return max(cosines) < -0.5


@claim(
    "08",
    S6,
    "The share labelled $1$ follows: below one half after the class-$0$ batches, above it after the class-$1$ batches.",
    every,
)
def test_share_labelled_one_swings(seed, broken):
    """The share of the 400 points the network labels 1 is below 1/2 after the class-0 half of the
    ordered run's last epoch and above 1/2 at its end. Breaks: measured on the shuffled run."""
    net, runs = section6(seed)
    half, end = half_and_end(runs["shuffle" if broken else "ordered"])
    return net.predict(half).mean() < 0.5 < net.predict(end).mean()


@claim(
    "08",
    S6,
    "watch the dark region (class $0$) of the ordered map grow and then shrink back, while the shuffled map "
    "barely moves",
    every,
)
def test_ordered_map_swings_and_shuffled_does_not(seed, broken):
    """Over the 51 iterates of the last epoch, the share labelled 1 is lowest near mid-epoch (after
    batch 15 to 35) in the ordered run, and its range (max - min) is larger than in the shuffled run.
    Breaks: the "ordered" run shuffled too (fresh permutations)."""
    net, runs = section6(seed)
    share = {
        name: np.array([net.predict(theta).mean() for theta in run.thetas[-PER_EPOCH - 1 :]])
        for name, run in runs.items()
    }
    swinging = share["shuffle again" if broken else "ordered"]
    return 15 <= np.argmin(swinging) <= 35 and np.ptp(swinging) > np.ptp(share["shuffle"])


# 7. Held-out data --------------------------------------------------------------------------------
EPOCHS_LONG, EVERY_EPOCHS = 600, 10


@functools.lru_cache(maxsize=None)
def section7(seed):
    """The lesson's experiment: 1240 noisy moons split 40 / 200 / 1000, five runs of MLP(32) with
    their own start and batch order, eta = 0.5, m = 8, 600 epochs, each scored every 10 epochs.
    Returns scored (run, train/validation/test, evaluation, loss/accuracy)."""
    rng = np.random.default_rng(seed)
    X, y = make_moons(1240, rng, noise=0.35)
    parts = heldout.split(X, y, (40, 200, 1000), rng)
    small, val, held = (MLP(X_part, y_part, hidden=(32,)) for X_part, y_part in parts)
    every_steps = EVERY_EPOCHS * -(-small.n // M)
    scored = []
    for run_seed in rng.integers(2**32, size=5):
        run_rng = np.random.default_rng(run_seed)
        run = sgdcourse.sgd(small, small.init(run_rng), ETA, m=M, epochs=EPOCHS_LONG, rng=run_rng, track_loss=False)
        scored.append([heldout.track(part, run.thetas, every=every_steps) for part in (small, val, held)])
    return np.array(scored)


def stops(scored, on=1):
    """Each run's chosen evaluation by heldout.early_stop(patience=5) on set `on` (1: validation)."""
    return np.array([heldout.early_stop(scored[r, on, :, 0], patience=5)[0] for r in range(len(scored))])


@claim("08", S7, "The validation and test losses fall with it at first, then turn and climb", every, slow=True)
def test_heldout_losses_turn_and_climb(seed, broken):
    """Mean curves over the five runs: the training loss falls from each third of the run to the next;
    the validation and the test loss each reach their lowest value in the first half of the run and
    end at least 10 % above it. Breaks: the training set scored in place of the validation and test sets."""
    scored = section7(seed)
    curves = scored.mean(axis=0)[:, :, 0]  # (set, evaluation)
    train = curves[0]
    heldout_curves = [train, train] if broken else [curves[1], curves[2]]
    thirds = [part.mean() for part in np.array_split(train[1:], 3)]
    falls = thirds[0] > thirds[1] > thirds[2]
    turns = all(np.argmin(c) <= len(c) // 2 and c[-1] >= 1.1 * c.min() for c in heldout_curves)
    return bool(falls and turns)


@claim(
    "08",
    S7,
    "Validation and test curves move together in shape, which is what makes the validation set useful",
    every,
    slow=True,
)
def test_validation_and_test_move_together(seed, broken):
    """The mean validation-loss curve and the mean test-loss curve (five runs, 61 evaluations)
    correlate above 0.5. Breaks: the training set scored in place of the validation set."""
    curves = section7(seed).mean(axis=0)[:, :, 0]
    return np.corrcoef(curves[0 if broken else 1], curves[2])[0, 1] > 0.5


@claim("08", S7, "Stopping early gives a much lower test loss, at a fraction of the compute", every, slow=True)
def test_early_stopping_lowers_the_test_loss(seed, broken):
    """The mean test loss at the epochs early stopping chooses is at most 0.8 times the mean test
    loss after all 600 epochs. Breaks: the stopping point chosen on the training loss."""
    scored = section7(seed)
    best = stops(scored, on=0 if broken else 1)
    runs = np.arange(len(scored))
    return scored[runs, 2, best, 0].mean() <= 0.8 * scored[:, 2, -1, 0].mean()


@claim("08", S7, "The test accuracy moves far less, in relative terms", every, slow=True)
def test_accuracy_moves_less_than_loss(seed, broken):
    """Between the early-stopping point and the end of the run, the relative change of the mean
    test accuracy is below a third of the relative change of the mean test loss. Breaks: the
    initial weights in place of the end of the run (the comparison made while the network learns)."""
    scored = section7(seed)
    at_stop = scored[np.arange(len(scored)), 2, stops(scored)].mean(axis=0)  # (loss, accuracy)
    other = scored[:, 2, 0 if broken else -1].mean(axis=0)
    loss_change = abs(other[0] - at_stop[0]) / other[0]
    accuracy_change = abs(other[1] - at_stop[1]) / other[1]
    return accuracy_change < loss_change / 3


def both_signs(results):
    """Some results are negative and some positive (a change that goes either way over seeds)."""
    return min(results) < 0 < max(results)


@claim("08", S7, "and not always the same way", both_signs, slow=True)
def test_accuracy_change_goes_either_way(seed, broken):
    """The mean test accuracy after all 600 epochs minus that at the early-stopping point: its sign
    differs between seeds. Breaks: the initial weights in place of the end of the run (accuracy
    then always rises from chance to the early-stopping point)."""
    scored = section7(seed)
    at_stop = scored[np.arange(len(scored)), 2, stops(scored), 1].mean()
    return float(scored[:, 2, 0 if broken else -1, 1].mean() - at_stop)


# 7, on real data: the breast cancer set ---------------------------------------------------------
CANCER_RUNS, CANCER_EPOCHS, CANCER_PATIENCE = 10, 200, 10


@functools.lru_cache(maxsize=None)
def cancer(seed):
    """The lesson's real-data experiment: 10 runs, each a new stratified split (a quarter of the 569
    tumours for testing, a quarter of the rest for validation), standardised with the training rows'
    statistics, and logistic regression with an intercept trained by SGD from 0, eta = 0.5, m = 8,
    200 epochs, scored every epoch; one child generator (rng.spawn) per run. Returns scored
    (run, train/validation/test, epoch, loss/accuracy)."""
    rng = np.random.default_rng(seed)
    data = breast_cancer()
    scored = []
    for run_rng in rng.spawn(CANCER_RUNS):
        outer = train_test_split(data.X, data.y, 0.25, run_rng)
        inner = train_test_split(outer.X_train, outer.y_train, 0.25, run_rng)
        scale = standardise(inner.X_train)
        sets = [
            Logistic(np.column_stack([(X_part - scale.mean) / scale.std, np.ones(len(X_part))]), y_part)
            for X_part, y_part in (
                (inner.X_train, inner.y_train),
                (inner.X_test, inner.y_test),
                (outer.X_test, outer.y_test),
            )
        ]
        run = sgdcourse.sgd(
            sets[0], np.zeros(sets[0].dim), ETA, m=M, epochs=CANCER_EPOCHS, rng=run_rng, track_loss=False
        )
        scored.append([heldout.track(part, run.thetas, every=-(-sets[0].n // M)) for part in sets])
    return np.array(scored)


@claim(
    "08",
    S7,
    "The training loss falls all the way. The mean test loss is lowest within the first few epochs (the "
    "dotted line) and by epoch 200 has about doubled",
    every,
    slow=True,
)
def test_cancer_test_loss_turns_and_doubles(seed, broken):
    """Mean curves over the ten runs: the training loss is lowest in the last 10 epochs; the test loss
    is lowest at an epoch <= 20 and ends 1.7 to 3 times that lowest value. Breaks: the training set
    scored in place of the test set."""
    curves = cancer(seed).mean(axis=0)[:, :, 0]  # (set, epoch)
    train, test = curves[0], curves[0 if broken else 2]
    low = int(np.argmin(test))
    return bool(np.argmin(train) >= CANCER_EPOCHS - 10 and low <= 20 and 1.7 <= test[-1] / test[low] <= 3)


@claim("08", S7, "Nearly every training tumour ends on the right side of the boundary", every, slow=True)
def test_cancer_training_tumours_end_right(seed, broken):
    """The mean training accuracy at epoch 200 is at least 98 %. Breaks: the test set scored in place
    of the training set."""
    return bool(cancer(seed)[:, 2 if broken else 0, -1, 1].mean() >= 0.98)


@claim("08", S7, "while the mean test accuracy loses only one or two points", every, slow=True)
def test_cancer_accuracy_barely_moves(seed, broken):
    """The mean test accuracy at the epoch of the lowest mean test loss is 0.5 to 2.5 percentage points
    above the mean test accuracy at epoch 200. Breaks: epoch 0 (theta = 0, every tumour called
    malignant) in place of the epoch of the lowest test loss."""
    curves = cancer(seed).mean(axis=0)[2]  # (epoch, loss/accuracy) on the test set
    low = 0 if broken else int(np.argmin(curves[:, 0]))
    return bool(0.005 <= curves[low, 1] - curves[-1, 1] <= 0.025)


@claim(
    "08",
    S7,
    "Early stopping on the validation loss stops after about 20 epochs on average and keeps the test loss "
    "at about half its value at epoch 200.",
    every,
    slow=True,
)
def test_cancer_early_stopping_halves_the_test_loss(seed, broken):
    """heldout.early_stop(patience=10) on each run's validation loss: the mean epoch where the runs stop
    is 12 to 30, and the mean test loss at the chosen epochs is 0.35 to 0.65 times the mean test loss
    at epoch 200. Breaks: the stopping point chosen on the training loss."""
    scored = cancer(seed)
    chosen = [heldout.early_stop(r[0 if broken else 1, :, 0], patience=CANCER_PATIENCE) for r in scored]
    best = np.array([b for b, _ in chosen])
    ratio = scored[np.arange(len(scored)), 2, best, 0].mean() / scored[:, 2, -1, 0].mean()
    return bool(12 <= np.mean([s for _, s in chosen]) <= 30 and 0.35 <= ratio <= 0.65)


# 7, batch size on held-out data (moved from the old lesson 04) -----------------------------------
@functools.lru_cache(maxsize=None)
def _heldout_parts(seed, part=0):
    """The lesson's data: 2200 fresh logistic examples (10 features and an intercept), a random split
    into 200 for training and 2000 held out, and five batch-order seeds. part > 0 draws another split
    of the same 2200 examples."""
    rng = np.random.default_rng(seed)
    X, y, _ = sgdcourse.make_logistic(2200, 10, rng, intercept=True)
    orders = tuple(int(s) for s in rng.integers(2**32, size=5))
    (X_tr, y_tr), (X_te, y_te) = heldout.split(X, y, (200, 2000), np.random.default_rng([seed, part]))
    return Logistic(X_tr, y_tr), Logistic(X_te, y_te), orders


def _heldout_scores(seed, m, epochs=None, steps=None, part=0):
    return _heldout_runs(seed, m, epochs, steps, part)


@functools.lru_cache(maxsize=None)  # positional arguments only, so that equal calls share one entry
def _heldout_runs(seed, m, epochs, steps, part):
    """Array (order, train/test, checkpoint, loss/accuracy) for the five batch orders, eta = 0.1 from
    theta = 0: after every epoch (epochs=) or every 20 steps (steps=), the last iterate included."""
    train, test, orders = _heldout_parts(seed, part)
    every_ = -(-train.n // m) if epochs is not None else 20
    out = []
    for s in orders:
        run = sgdcourse.sgd(
            train,
            np.zeros(train.dim),
            0.1,
            m=m,
            epochs=epochs,
            steps=steps,
            rng=np.random.default_rng(s),
            track_loss=False,
        )
        out.append([heldout.track(p, run.thetas, every=every_) for p in (train, test)])
    return np.array(out)


def _test_loss(seed, m, checkpoint=-1, **budget):
    """The mean test loss over the five orders at one checkpoint of the runs."""
    return float(_heldout_scores(seed, m, **budget)[:, 1, checkpoint, 0].mean())


@claim(
    "08",
    S7,
    "At equal epochs the small batches are far ahead at first, and the full batch, with only 20 steps, is "
    "still far behind after 20 epochs.",
    every,
)
def test_small_batches_ahead_at_equal_epochs(seed, broken):
    """After one epoch the mean test loss of m = 1 is more than 0.1 below that of m = 10, which is more
    than 0.1 below that of m = 200; after 20 epochs the full batch's test loss is more than 0.15 above
    those of m = 1 and m = 10. Breaks: every batch size gets the same steps (one checkpoint of 20
    steps, then 400 steps in all) instead of the same epochs."""
    if broken:
        first = [_test_loss(seed, m, 1, steps=400) for m in (1, 10, 200)]
        end = [_test_loss(seed, m, steps=400) for m in (1, 10, 200)]
    else:
        first = [_test_loss(seed, m, 1, epochs=20) for m in (1, 10, 200)]
        end = [_test_loss(seed, m, epochs=20) for m in (1, 10, 200)]
    ahead = first[1] - first[0] > 0.1 and first[2] - first[1] > 0.1
    return bool(ahead and end[2] - max(end[0], end[1]) > 0.15)


@claim(
    "08",
    S7,
    "At equal steps the three end close together, $m = 1$ with the widest spread because its steps are the noisiest",
    every,
)
def test_equal_steps_end_together(seed, broken):
    """400 steps each: the mean test losses of m = 1, 10, 200 end within 0.02 of each other, and the
    spread of the test loss over the five orders is widest for m = 1. Breaks: the full batch gets
    equal epochs (20 steps) instead of 400."""
    ends = [_heldout_scores(seed, m, steps=400)[:, 1, -1, 0] for m in (1, 10)]
    ends.append(_heldout_scores(seed, 200, **(dict(epochs=20) if broken else dict(steps=400)))[:, 1, -1, 0])
    means, spreads = [e.mean() for e in ends], [e.std() for e in ends]
    return bool(np.ptp(means) < 0.02 and spreads[0] > max(spreads[1], spreads[2]))


@claim(
    "08",
    S7,
    "and with about the same generalisation gap: here the batch size changed how far a run got within its "
    "budget, not how well it generalised after the same number of steps.",
    every,
)
def test_equal_steps_same_gap(seed, broken):
    """400 steps each: the mean gaps L_test - L_train of m = 1, 10, 200 lie within 0.01 of each other.
    Breaks: each batch size trains on its own random 200 of the 2200 examples (and is scored on the
    other 2000), so the gaps differ by the split."""
    gaps = []
    for k, m in enumerate((1, 10, 200)):
        end = _heldout_scores(seed, m, steps=400, part=k if broken else 0)[:, :, -1, 0].mean(axis=0)
        gaps.append(end[1] - end[0])
    return bool(np.ptp(gaps) < 0.01)


@claim("08", S7, "The equal-epochs gaps spread much wider", every)
def test_equal_epochs_gaps_spread_wider(seed, broken):
    """The range (max - min) of the mean gaps L_test - L_train of m = 1, 10, 200 after 20 epochs each
    is more than twice their range after 400 steps each. Breaks: 400 steps each in both arms."""

    def gaps(**budget):
        ends = [_heldout_scores(seed, m, **budget)[:, :, -1, 0].mean(axis=0) for m in (1, 10, 200)]
        return [end[1] - end[0] for end in ends]

    return bool(np.ptp(gaps(**(dict(steps=400) if broken else dict(epochs=20)))) > 2 * np.ptp(gaps(steps=400)))


# 8. A stability checklist ------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def section8(seed):
    """The tanh network, the ReLU network (its own start), and the batches every run shares."""
    rng, X, y, net, theta0 = moons(seed)
    net_relu = MLP(X, y, hidden=(16,), activation="relu")
    theta0_relu = net_relu.init(rng)
    batches = sgdcourse.sample_batches(N, M, EPOCHS * PER_EPOCH, rng)
    return {"tanh": (net, theta0), "relu": (net_relu, theta0_relu)}, batches


def run8(seed, activation, eta, nudge=False, momentum=0.0):
    """(diverged, last-epoch mean loss rounded to 3 decimals as the lesson prints it) of one run;
    nudge: the start scaled by 1 + 1e-12, as the lesson's outcome() does."""
    return _run8(seed, activation, float(eta), bool(nudge), float(momentum))


@functools.lru_cache(maxsize=None)
def _run8(seed, activation, eta, nudge, momentum):
    nets, batches = section8(seed)
    model, start = nets[activation]
    run = sgdcourse.sgd(
        model, start * (1 + 1e-12) if nudge else start, eta, batches=batches, momentum=momentum, track_loss=False
    )
    return bool(run.diverged), round(last_epoch(model, run)[0], 3)


def chaotic(seed, activation, eta):
    """A nudge of the start by one part in 10^12 changes the printed last-epoch loss."""
    return run8(seed, activation, eta) != run8(seed, activation, eta, nudge=True)


@claim("08", S8 + "Learning rate too large", "At the smallest rate both networks train well.", every, slow=True)
def test_both_networks_train_well_at_eta_half(seed, broken):
    """At eta = 0.5 both networks stay finite and end their last epoch below a loss of 0.1.
    Breaks: eta = 50 in place of 0.5."""
    eta = 50.0 if broken else 0.5
    return all(not run8(seed, a, eta)[0] and run8(seed, a, eta)[1] < 0.1 for a in ("tanh", "relu"))


@claim("08", S8 + "Learning rate too large", "Ten times larger, the runs are already chaotic", at_least(8), slow=True)
def test_eta_5_is_chaotic(seed, broken):
    """At eta = 5 a nudge of the start by 1e-12 changes the printed last-epoch loss of both networks,
    in at least 8 of 10 seeds. Breaks: eta = 0.5 in place of 5."""
    eta = 0.5 if broken else 5.0
    return chaotic(seed, "tanh", eta) and chaotic(seed, "relu", eta)


@claim(
    "08",
    S8 + "Learning rate too large",
    "most runs at this rate still end below $\\log 2$",
    at_least(11),
    seeds=range(100, 120),
    slow=True,
)
def test_most_runs_at_eta_5_end_below_log_2(seed, broken):
    """At eta = 5 both networks end their last epoch below log 2 in most runs (at least 11 of 20
    seeds). Breaks: eta = 50 in place of 5."""
    eta = 50.0 if broken else 5.0
    return all(not run8(seed, a, eta)[0] and run8(seed, a, eta)[1] < LOG2 for a in ("tanh", "relu"))


@claim("08", S8 + "Learning rate too large", "At $\\eta = 50$ both end above $\\log 2$", every, slow=True)
def test_eta_50_ends_above_log_2(seed, broken):
    """At eta = 50 both networks end above log 2 (or diverge). Breaks: eta = 0.5 in place of 50."""
    eta = 0.5 if broken else 50.0
    return all(
        run8(seed, activation, eta)[0] or run8(seed, activation, eta)[1] > LOG2 for activation in ("tanh", "relu")
    )


@claim("08", S8 + "Learning rate too large", "the $\\tanh$ network is stuck at a huge loss", every, slow=True)
def test_tanh_at_eta_500_stalls_at_a_huge_loss(seed, broken):
    """At eta = 500 the tanh network does not diverge and ends above 10 log 2. Breaks: the ReLU
    network in place of the tanh one."""
    diverged, loss = run8(seed, "relu" if broken else "tanh", 500.0)
    return not diverged and loss > 10 * LOG2


@claim(
    "08",
    S8 + "Learning rate too large",
    "the unbounded ReLU units let the weights grow until the driver stops the run",
    at_least(11),
    seeds=range(100, 120),
    slow=True,
)
def test_most_relu_runs_at_eta_500_diverge(seed, broken):
    """At eta = 500 the ReLU network diverges in most runs (at least 11 of 20 seeds). Breaks: the
    tanh network in place of the ReLU one."""
    return run8(seed, "tanh" if broken else "relu", 500.0)[0]


@functools.lru_cache(maxsize=None)
def unscaled(seed, standardise_raw):
    """The lesson's raw (feature 1's numbers times 100) and standardised moons, ReLU networks from
    one start: (lambda_max raw, lambda_max standardised, raw run at eta = 0.5, standardised run,
    standardised model)."""
    nets, batches = section8(seed)
    model, start = nets["relu"]
    X_raw = model.X * np.array([100.0, 1.0])
    X_std = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)
    raw = MLP(X_std if standardise_raw else X_raw, model.y, hidden=(16,), activation="relu")
    std = MLP(X_std, model.y, hidden=(16,), activation="relu")

    def largest_curvature(m_):
        H = numerical_grad(m_.grad, start, eps=1e-5)
        return float(np.linalg.eigvalsh((H + H.T) / 2).max())

    run_raw = sgdcourse.sgd(raw, start, ETA, batches=batches, track_loss=False)
    run_std = sgdcourse.sgd(std, start, ETA, batches=batches, track_loss=False)
    return largest_curvature(raw), largest_curvature(std), run_raw, run_std, std


@claim(
    "08",
    S8 + "Unscaled inputs",
    "On the raw data the largest curvature is many times that of the standardised data",
    every,
)
def test_raw_features_make_the_loss_far_more_curved(seed, broken):
    """lambda_max of the Hessian at the start is more than 5 times larger on the raw data than on
    the standardised data (over seeds 100 to 109 the ratio ran from 7 to 39). Breaks: the raw data
    standardised too."""
    lam_raw, lam_std, *_ = unscaled(seed, standardise_raw=broken)
    return lam_raw > 5 * lam_std


@claim(
    "08",
    S8 + "Unscaled inputs",
    "$\\eta = 0.5$, which is fine after standardising, diverges within its first epoch",
    every,
)
def test_raw_run_at_eta_half_diverges_fast(seed, broken):
    """At eta = 0.5 the raw run diverges within its first epoch (50 steps), while the standardised
    run stays finite and ends its last epoch below a loss of 0.1. Breaks: the raw data standardised too."""
    _, _, run_raw, run_std, std = unscaled(seed, standardise_raw=broken)
    fast = run_raw.diverged and run_raw.diverged_at <= PER_EPOCH
    return bool(fast and last_epoch(std, run_std)[0] < 0.1)


@functools.lru_cache(maxsize=None)
def raw_at_a_small_rate(seed, eta):
    """The ReLU network on the raw moons (feature 1 times 100) at a rate eta, the lesson's batches:
    (diverged, last-epoch mean loss)."""
    nets, batches = section8(seed)
    model, start = nets["relu"]
    raw = MLP(model.X * np.array([100.0, 1.0]), model.y, hidden=(16,), activation="relu")
    run = sgdcourse.sgd(raw, start, eta, batches=batches, track_loss=False)
    return bool(run.diverged), last_epoch(raw, run)[0]


@claim(
    "08",
    S8 + "Unscaled inputs",
    "stays finite but is too small for the other directions, and after $40$ epochs the network is far behind",
    every,
    slow=True,
)
def test_raw_run_at_a_small_rate_is_far_behind(seed, broken):
    """On the raw data at eta = 0.01 the run stays finite and its last-epoch loss is more than 3 times
    that of the standardised run at eta = 0.5. Breaks: the raw run at eta = 0.5, not lowered."""
    diverged, loss = raw_at_a_small_rate(seed, 0.5 if broken else 0.01)
    _, _, _, run_std, std = unscaled(seed, standardise_raw=False)
    return not diverged and loss > 3 * last_epoch(std, run_std)[0]


# 9. Where the same estimator reappears -------------------------------------------------------------
def policy_gradient_estimates(seed, broken):
    """A softmax policy over 3 actions with random parameters and rewards; 4000 estimates of the
    policy gradient for m = 1, 4, 16 sampled actions. Returns (exact gradient, {m: estimates})."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(3)
    reward = rng.uniform(0.0, 3.0, size=3)
    pi = np.exp(theta) / np.exp(theta).sum()
    score = np.eye(3) - pi  # row a: grad log pi(a)
    exact = pi * (reward - pi @ reward)
    estimates = {}
    for m in (1, 4, 16):
        actions = rng.choice(3, p=pi, size=(4000, m))
        terms = reward[actions][..., None] * score[actions]  # (4000, m, 3)
        estimates[m] = terms.sum(axis=1) if broken else terms.mean(axis=1)
    return exact, estimates


@claim("08", S9, "The estimate is right on average", every)
def test_policy_gradient_estimate_is_unbiased(seed, broken):
    """For m = 1, 4, 16 the mean of 4000 estimates lies within 4 standard errors of the exact
    gradient in every component. Breaks: the 1/m dropped (a sum over the m actions)."""
    exact, estimates = policy_gradient_estimates(seed, broken)
    return all(
        np.all(np.abs(e.mean(axis=0) - exact) <= 4 * e.std(axis=0) / np.sqrt(len(e)) + 1e-12)
        for e in estimates.values()
    )


@claim("08", S9, "its total variance times $m$ stays put", every)
def test_policy_gradient_variance_times_m_stays_put(seed, broken):
    """Total variance times m at m = 4 and m = 16 is within 15 % of its value at m = 1. Breaks: the
    1/m dropped (a sum over the m actions)."""
    _, estimates = policy_gradient_estimates(seed, broken)
    scaled = {m: e.var(axis=0).sum() * m for m, e in estimates.items()}
    return all(0.85 <= scaled[m] / scaled[1] <= 1.15 for m in (4, 16))


test_breaks = breaks_tests(globals())
