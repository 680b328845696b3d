"""python -m sgdcourse.grading {grade,manifest} ...: see grading.cli."""

import sys

from .cli import main

sys.exit(main())
