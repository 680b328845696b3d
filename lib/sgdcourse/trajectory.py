"""What an SGD run did: the iterates, the gradients, the step sizes and the batches.

Batches are stored compactly: one index array `order` and, per step t, a slice
B_t = order[starts[t]:stops[t]]. Shuffled epochs concatenate their permutations into order;
full-batch steps all share a single range(N) (starts 0, stops N), so T steps of GD hold N
indices, not T N.

Losses are never computed during the run. Trajectory.losses evaluates L(theta_t) for every
iterate the first time it is read (then keeps it), with the model's own loss, so the numbers
are the ones an in-loop record would have held; loss_curve(every=k) evaluates every k-th
iterate only, and batch_losses gives L_{B_t}(theta_t), which costs one batch forward pass a step.
steps_to_tolerance(losses, tol) reads a loss curve (Trajectory.losses, or any array of losses):
after how many steps it stays below tol.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import numpy as np

from . import _validate as validate


class Batches(Sequence):
    """T index arrays B_t = order[starts[t]:stops[t]] (views, never copies); len() is T.

    order: 1-D int array; starts, stops: int arrays of shape (T,). Indexing with an int gives
    one batch, with a slice a list of batches.
    """

    def __init__(self, order, starts, stops, full=False):
        self.order, self.starts, self.stops = order, np.asarray(starts, np.intp), np.asarray(stops, np.intp)
        self.full = full  # every batch is the whole data set range(N), in order

    @classmethod
    def contiguous(cls, order, sizes):
        """Consecutive batches of the given sizes (shape (T,)) cut from order."""
        offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.intp)])
        return cls(order, offsets[:-1], offsets[1:])

    @classmethod
    def whole(cls, n, steps):
        """`steps` full batches sharing one range(n)."""
        return cls(np.arange(n), np.zeros(steps, np.intp), np.full(steps, n, np.intp), full=True)

    def __len__(self):
        return len(self.starts)

    def __getitem__(self, t):
        if isinstance(t, slice):
            return [self[k] for k in range(*t.indices(len(self)))]
        return self.order[self.starts[t] : self.stops[t]]

    def head(self, steps):
        """The first `steps` batches, sharing the same order array."""
        return Batches(self.order, self.starts[:steps], self.stops[:steps], self.full)

    @property
    def sizes(self):
        return self.stops - self.starts

    @property
    def nbytes(self):
        return self.order.nbytes + self.starts.nbytes + self.stops.nbytes

    def __repr__(self):
        low, high = (self.sizes.min(), self.sizes.max()) if len(self) else (0, 0)
        return f"Batches({len(self)} batches, sizes {low}..{high})"


class Trajectory:
    """What a run did: T steps taken, T + 1 iterates.

    thetas (T+1, d), grads (T, d) the g_hat_t used, etas (T,), batches: the T index arrays
    (a Batches), diverged_at: the step after which the iterate stopped being finite or grew
    past the blow-up bound (the run stops there), else None. losses (T+1,): L(theta_t),
    computed from the model when first read (None when the run was told track_loss=False).
    """

    def __init__(self, thetas, grads, etas, batches, diverged_at=None, model=None, losses=None):
        self.thetas, self.grads, self.etas, self.batches = thetas, grads, etas, batches
        self.diverged_at, self.model, self._losses = diverged_at, model, losses

    def _evaluate(self, ts, batches=None):
        """model.loss at the iterates ts (and batches), unchecked: the run has checked them."""
        model = self.model
        unchecked = model.unchecked() if hasattr(model, "unchecked") else contextlib.nullcontext()
        with unchecked, np.errstate(all="ignore"):  # a diverged run's last iterate may overflow
            if batches is None:
                return np.array([model.loss(self.thetas[t]) for t in ts])
            return np.array([model.loss(self.thetas[t], b) for t, b in zip(ts, batches)])

    @property
    def losses(self):
        if self._losses is None and self.model is not None:
            self._losses = self._evaluate(range(len(self.thetas)))
        return self._losses

    def loss_curve(self, every=1):
        """(t, L(theta_t)) for t = 0, every, 2 every, ..., and always the last step T: k + 1 full
        losses instead of T + 1, for long runs on large data."""
        if self.model is None:
            raise ValueError("this Trajectory has no model to evaluate the loss with")
        if not isinstance(every, (int, np.integer)) or isinstance(every, bool) or every < 1:
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        t = np.unique(np.append(np.arange(0, self.steps + 1, every), self.steps))
        if self._losses is not None:
            return t, self._losses[t]
        return t, self._evaluate(t)

    @property
    def batch_losses(self):
        """L_{B_t}(theta_t) = (1/|B_t|) sum_{i in B_t} l_i(theta_t) for t < T, shape (T,): the loss
        the step saw, as cheap as the gradient's forward pass (noisy; average it over a window)."""
        if self.model is None:
            return None
        full = getattr(self.batches, "full", False)
        return self._evaluate(range(self.steps), [None] * self.steps if full else self.batches)

    @property
    def steps(self):
        return len(self.batches)

    @property
    def evaluations(self):
        """Per-example gradients computed: the sum of the batch sizes."""
        sizes = getattr(self.batches, "sizes", None)
        return int(sizes.sum() if sizes is not None else sum(len(b) for b in self.batches))

    @property
    def theta(self):
        return self.thetas[-1]

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def nbytes(self):
        """Bytes held by the record's arrays (thetas, grads, etas, batches; losses once read)."""
        parts = [self.thetas.nbytes, self.grads.nbytes, self.etas.nbytes, getattr(self.batches, "nbytes", 0)]
        return sum(parts) + (0 if self._losses is None else self._losses.nbytes)

    def __repr__(self):
        end = f"diverged at step {self.diverged_at}" if self.diverged else "finite"
        loss = ""
        if not self.diverged and (self._losses is not None or self.model is not None):
            final = self._losses[-1] if self._losses is not None else self.model.loss(self.theta)
            loss = f", final loss {float(final):.4g}"
        return f"Trajectory({self.steps} steps, {end}{loss})"


def steps_to_tolerance(losses, tol):
    """The first t with losses[s] < tol for every s >= t (the run has settled below tol), or None
    when the last loss is not below tol. losses: shape (T+1,), losses[t] = L(theta_t), e.g. a
    Trajectory's .losses; NaN (a diverged step) counts as above tol."""
    tol = validate.real("tol", tol)
    try:
        losses = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"losses must be an array of numbers, got {losses!r}") from None
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"losses must be a non-empty 1-D array of losses L(theta_t), got shape {losses.shape}")
    above = np.nonzero(~(losses < tol))[0]  # NaN counts as above
    if above.size == 0:
        return 0
    t = int(above[-1]) + 1
    return t if t < losses.size else None
