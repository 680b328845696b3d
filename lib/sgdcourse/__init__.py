"""sgdcourse: the helper library behind the course's lessons on stochastic gradient descent.

What a lesson types: `sgdcourse.sgd(model, theta0, eta, m=..., epochs=...)` and the names below
(models, data makers, gradient checks); the submodules for the rest (`sgdcourse.dynamics.regime`,
`sgdcourse.plots.plot_loss`, ...); and the slider views as `from sgdcourse.explorers import ...`.
"""

from . import (
    data,
    dynamics,
    gradcheck,
    heldout,
    landscapes,
    minibatch,
    models,
    network,
    plots,
    schedules,
    stream,
    sweep,
    trajectory,
)
from .data import breast_cancer, make_linear_regression, make_logistic, make_moons, worked_example
from .gradcheck import check_gradient, check_model, numerical_grad
from .landscapes import SharpFlatLandscape, equal_depths
from .models import LeastSquares, Linear1D, Logistic, QuadraticBowl, sigmoid
from .network import MLP
from .sgd import sample_batches, sgd
from .trajectory import Trajectory

__all__ = [
    "data",
    "dynamics",
    "gradcheck",
    "heldout",
    "landscapes",
    "minibatch",
    "models",
    "network",
    "plots",
    "schedules",
    "stream",
    "sweep",
    "trajectory",
    "breast_cancer",
    "make_linear_regression",
    "make_logistic",
    "make_moons",
    "worked_example",
    "check_gradient",
    "check_model",
    "numerical_grad",
    "LeastSquares",
    "Linear1D",
    "Logistic",
    "QuadraticBowl",
    "sigmoid",
    "MLP",
    "SharpFlatLandscape",
    "equal_depths",
    "Trajectory",
    "sample_batches",
    "sgd",
]
