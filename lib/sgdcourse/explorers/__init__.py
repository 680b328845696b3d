"""Slider views for the lessons: each is an Explorer (see base.py), one per lesson, imported as
`from sgdcourse.explorers import LearningRateExplorer`. A view draws; the mathematics it shows
lives in the library (sgdcourse.dynamics, .trajectory, .minibatch, .models), where lessons and
tests use it too.

    lesson 02  WorkedExampleExplorer     worked.py      eta on the two-point example
    lesson 03  LogisticTrainingExplorer  logistic.py    eta and m on logistic regression
               StepPlayer                player.py      an SGD path replayed step by step
    lesson 04  BatchVarianceExplorer     variance.py    the spread of a mini-batch gradient
    lesson 06  LearningRateExplorer      rate.py        eta on a quadratic bowl
               NoiseBallExplorer         noise_ball.py  eta and m: where SGD's runs settle on least squares
    lesson 07  MomentumMapExplorer       momentum_map.py  eta and beta: the heavy ball's rate map
               SharpFlatExplorer         sharp_flat.py  m and steps: the share of runs in the sharp and the flat basin
               MomentumExplorer          momentum.py    beta in a valley (no longer placed: the map replaced it)
    lesson 08  DataOrderExplorer         data_order.py  shuffled against class-ordered batches
"""

from .base import Explorer
from .data_order import DataOrderExplorer
from .logistic import LogisticTrainingExplorer
from .momentum import MomentumExplorer
from .momentum_map import MomentumMapExplorer
from .noise_ball import NoiseBallExplorer
from .player import StepPlayer
from .rate import LearningRateExplorer
from .sharp_flat import SharpFlatExplorer
from .variance import BatchVarianceExplorer
from .worked import WorkedExampleExplorer

__all__ = [
    "Explorer",
    "WorkedExampleExplorer",
    "LogisticTrainingExplorer",
    "StepPlayer",
    "BatchVarianceExplorer",
    "LearningRateExplorer",
    "NoiseBallExplorer",
    "MomentumExplorer",
    "MomentumMapExplorer",
    "SharpFlatExplorer",
    "DataOrderExplorer",
]
