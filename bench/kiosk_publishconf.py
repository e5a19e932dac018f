"""Kiosk's production settings, with every cache moved into the benchmark's folder.

Identical to publishconf.py except where caches live (bench/kiosk_caches.py).
"""

import os
import sys

sys.path.append(os.curdir)
from bench.kiosk_caches import moved_caches  # noqa: E402
from publishconf import *  # noqa: E402,F403

globals().update(moved_caches(globals()))
