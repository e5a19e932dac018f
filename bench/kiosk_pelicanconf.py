"""Kiosk's development settings (``invoke livereload``), with every cache moved
into the benchmark's folder (bench/kiosk_caches.py); bench/preview.py uses it.
"""

import os
import sys

sys.path.append(os.curdir)
from bench.kiosk_caches import moved_caches  # noqa: E402
from pelicanconf import *  # noqa: E402,F403

globals().update(moved_caches(globals()))
