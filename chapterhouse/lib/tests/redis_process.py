"""Real Redis processes for the fault drills: started, killed, hung and cut off with
real signals. Never the machine's own Redis: each drill starts its own on a port of
6391–6399 (`REDIS_DRILL_PORTS`), and the tests that need one skip when no
`redis-server` binary is installed (CI installs it).

A cut is made with a TCP proxy in its own process (tcp_proxy.py): killing the proxy
cuts the network between the app and Redis while Redis keeps its data, as a real
network partition does.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

PORTS = range(6391, 6400)
REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="the Redis fault drills need a redis-server binary (apt-get install redis-server)",
)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 6391-6399 for a drill's Redis")


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on port {port}")


class Process:
    """A child process on a port, stopped with real signals."""

    def __init__(self, argv: list[str], port: int, what: str) -> None:
        self.argv = argv
        self.port = port
        self.what = what
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own argv)
            self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_port(self.port, self.process, self.what)

    def signal(self, signum: int) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL, and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.signal(signal.SIGCONT)  # a stopped process dies only once continued
            self.signal(signal.SIGKILL)
            self.process.wait(5)


class RedisServer(Process):
    def __init__(self) -> None:
        port = _free_port()
        assert REDIS_SERVER is not None
        super().__init__(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning"],
            port,
            "redis-server",
        )

    def url(self, port: int | None = None) -> str:
        return f"redis://127.0.0.1:{port or self.port}/3"

    def hang(self) -> None:
        """SIGSTOP: the kernel still accepts connections; nothing answers."""
        self.signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.signal(signal.SIGCONT)

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url(), socket_timeout=2)


class Proxy(Process):
    """A TCP proxy to `target` in its own process: kill it to cut the network."""

    def __init__(self, target: int) -> None:
        port = _free_port()
        super().__init__(
            [sys.executable, str(Path(__file__).with_name("tcp_proxy.py")), str(port), str(target)],
            port,
            "the proxy",
        )


def drill_settings(settings: Any, url: str, *, retry_after: float = 1.0) -> None:
    """The production cache and session settings (config/settings.py with REDIS_URL),
    pointed at a drill's Redis, with short timeouts."""
    from chapterhouse.lib import cache as lib_cache

    settings.CACHES = {
        "default": {
            "BACKEND": "chapterhouse.lib.cache.ForgivingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
            "RETRY_AFTER": retry_after,
            "FALLBACK": "fallback",
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "members_fallback_cache",
        },
    }
    settings.SESSION_ENGINE = "chapterhouse.members.sessions"
    settings.REDIS_URL = url
    settings.REDIS_TIMEOUT = 0.25
    settings.REDIS_RETRY_AFTER = retry_after
    lib_cache._breakers.clear()  # a new process, as far as the breakers know
