"""Fewer malloc arenas in the app server (glibc): part of keeping a worker under 100 MB.

glibc gives a thread that allocates while another holds the main heap an arena of its
own, up to 8 per core, and memory freed in an arena stays resident for its next use.
Django's ASGI handler runs each request's code in a thread of its own, so a worker
under a few concurrent requests spreads its heap over as many arenas: 15–18 MB more
resident memory under 4 connections in the bench, for no speed gained (the GIL lets
one thread run Python at a time). Two arenas is what `MALLOC_ARENA_MAX=2` gives;
when that variable is set, glibc reads it and this leaves it alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # glibc's malloc.h


def limit_arenas(count: int = 2) -> bool:
    """Cap the arenas of this process at `count`; whether it did (not on another C
    library or system, nor when MALLOC_ARENA_MAX is set)."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, count))
