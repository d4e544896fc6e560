"""glibc malloc settings for the app server: part of keeping a worker under 100 MB.

- Arenas: glibc gives a thread that allocates while another holds the main heap an
  arena of its own, up to 8 per core, and memory freed in an arena stays resident for
  its next use. Django's ASGI handler runs each request's code in a thread of its own,
  so a worker under a few concurrent requests spread its heap over as many arenas:
  15–18 MB more resident memory under 4 connections in the bench, for no speed gained
  (the GIL lets one thread run Python at a time). Two arenas.
- Large blocks: glibc raises its mmap threshold (up to 32 MB) each time a large block
  is freed, so later large blocks (a rendered page, a big query's rows) come from the
  heap, whose freed top it then keeps; fixed thresholds of 128 KB (glibc's starting
  values) return them to the system when freed: 3–4 MB less under load.

Each is what the environment variable `MALLOC_ARENA_MAX=2`, `MALLOC_MMAP_THRESHOLD_`
or `MALLOC_TRIM_THRESHOLD_` would set; one that is set is left to glibc.
"""

from __future__ import annotations

import ctypes
import os
import sys

# glibc's malloc.h: (parameter, value, the environment variable that sets it)
SETTINGS = [
    (-8, 2, "MALLOC_ARENA_MAX"),  # M_ARENA_MAX
    (-3, 128 * 1024, "MALLOC_MMAP_THRESHOLD_"),  # M_MMAP_THRESHOLD
    (-1, 128 * 1024, "MALLOC_TRIM_THRESHOLD_"),  # M_TRIM_THRESHOLD
]


def tune_malloc() -> list[str]:
    """Apply SETTINGS to this process; the variables of those it set (none on another C
    library or system)."""
    if not sys.platform.startswith("linux"):
        return []
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return []
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return [name for parameter, value, name in SETTINGS
            if name not in os.environ and mallopt(parameter, value) == 1]
