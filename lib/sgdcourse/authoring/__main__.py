"""python -m sgdcourse.authoring {release,export} ...: see authoring.cli."""

import sys

from .cli import main

sys.exit(main())
