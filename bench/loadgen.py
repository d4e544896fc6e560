"""Bounded HTTP load client for bench/run.py (runs in its own process, loopback only).

The fallback when `wrk` is not installed. Reads a JSON plan on stdin:
    {"rounds": 5, "seconds": 3, "concurrency": 8, "warmup": 20, "timeout": 10,
     "pairs": [{"name": "chapter page", "a": {"port": 1, "path": "/c/", "headers": {}},
                "b": {"port": 2, "path": "/hello"}}, ...]}
and, for each pair, runs A then B then A then B… (`rounds` times each), every run being
GET requests for `seconds` seconds (time-boxed, so a fast reference gets as many samples
as it can serve) from `concurrency` threads, each thread keeping one HTTP/1.1 keep-alive
connection; the warm-up is `warmup` requests per side, not recorded.
Prints one JSON document on stdout:
    {"pairs": [{"name", "a": [run, ...], "b": [run, ...]}]}
with run = the same summary as bench/wrk/report.lua writes: {"seconds": wall time,
"requests", "errors" (socket errors), "non2xx", "statuses": {...}, "mean_ms", "p50_ms",
"p95_ms", "p99_ms", "max_ms"}.
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import threading
import time
from typing import Any

HOST = "127.0.0.1"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(seconds: float, latencies: list[float], errors: int, statuses: dict) -> dict:
    ms = [x * 1000 for x in latencies]
    return {
        "seconds": seconds, "requests": len(ms), "errors": errors, "statuses": statuses,
        "non2xx": sum(n for k, n in statuses.items() if not k.startswith("2")),
        "mean_ms": round(statistics.fmean(ms), 3) if ms else float("nan"),
        **{f"p{q}_ms": round(pct(ms, q), 3) for q in (50, 95, 99)},
        "max_ms": round(max(ms), 3) if ms else float("nan"),
    }


def _one_run(
    port: int, path: str, concurrency: int, timeout: float,
    *, requests: int = 0, seconds: float = 0.0, headers: dict[str, str] | None = None,
) -> dict:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.perf_counter() + seconds

    def take() -> bool:
        if seconds:
            return time.perf_counter() < deadline
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        mine: list[float] = []
        mine_status: dict[str, int] = {}
        mine_errors = 0
        while take():
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": HOST, "Connection": "keep-alive",
                                                   **(headers or {})})
                resp = conn.getresponse()
                resp.read()
                status = str(resp.status)
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
            except (OSError, http.client.HTTPException):
                mine_errors += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
                continue
            mine.append(time.perf_counter() - start)
            mine_status[status] = mine_status.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += mine_errors
            for key, value in mine_status.items():
                statuses[key] = statuses.get(key, 0) + value

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout if seconds else timeout * requests)
    return summary(time.perf_counter() - started, latencies, errors, statuses)


def main() -> None:
    plan: dict[str, Any] = json.load(sys.stdin)
    rounds, seconds = plan["rounds"], plan["seconds"]
    concurrency, timeout = plan["concurrency"], plan.get("timeout", 10)
    warmup = plan.get("warmup", 20)
    out = []
    for pair in plan["pairs"]:
        a, b = pair["a"], pair["b"]
        for side in (a, b):  # warm caches, connections and workers; not recorded
            _one_run(side["port"], side["path"], concurrency, timeout, requests=warmup,
                     headers=side.get("headers"))
        runs: dict[str, list[dict]] = {"a": [], "b": []}
        for _ in range(rounds):
            for key, side in (("a", a), ("b", b)):
                runs[key].append(
                    _one_run(side["port"], side["path"], concurrency, timeout, seconds=seconds,
                             headers=side.get("headers"))
                )
        out.append({"name": pair["name"], **runs})
    json.dump({"pairs": out}, sys.stdout)


if __name__ == "__main__":
    main()
