"""The benchmark's tests (bench/tests/) run in `make test` with the app's fixtures: the
personas and the per-test media folder and cache of chapterhouse/conftest.py."""

from chapterhouse.conftest import (  # noqa: F401 - fixtures, found by name
    _clear_cache,
    _fresh_realtime,
    _media_root,
    _newcomer_limits_off,
    facilitator,
    member,
    outsider,
)
