#!/usr/bin/env python3
"""Run the omnichannel fulfilment simulator: ``python run_sim.py run scenarios/hema_city.yaml``.

A thin entry point; everything lives in :mod:`sim.cli`.
"""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
