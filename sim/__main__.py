"""``python -m sim`` is the same as ``python run_sim.py``."""

import sys

from sim.cli import main

sys.exit(main())
