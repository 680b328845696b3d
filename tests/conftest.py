"""Fixtures shared by the test modules under tests/ (helpers shared as plain functions and data
are in tests/helpers.py; the set-up of the whole run, for notebooks too, in ../conftest.py).

    explorer    every explorer of helpers.BUILDERS in turn (one per parameter, module scope),
                built with warnings as errors: the contract and readability tests run on each
"""

import warnings

import numpy as np
import pytest

from helpers import BUILDERS


@pytest.fixture(params=sorted(BUILDERS), scope="module")
def explorer(request):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return BUILDERS[request.param](np.random.default_rng(0))
