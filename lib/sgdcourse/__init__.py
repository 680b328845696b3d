"""sgdcourse: the helper library behind the course's lessons on stochastic gradient descent."""
from . import data, dynamics, gradcheck, heldout, models, plots, schedules, stream, sweep, trajectory
from .data import make_linear_regression, make_logistic, worked_example
from .gradcheck import check_gradient, check_model, numerical_grad
from .models import LeastSquares, Linear1D, Logistic, QuadraticBowl, sigmoid
from .sgd import sample_batches, sgd
from .trajectory import Batches, Trajectory

__all__ = [
    "data", "dynamics", "gradcheck", "heldout", "models", "plots", "schedules", "stream", "sweep", "trajectory",
    "make_linear_regression", "make_logistic", "worked_example",
    "check_gradient", "check_model", "numerical_grad",
    "LeastSquares", "Linear1D", "Logistic", "QuadraticBowl", "sigmoid",
    "Batches", "Trajectory", "sample_batches", "sgd",
]
