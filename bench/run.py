"""Chapterhouse benchmark suite: one entry point (`make bench`, TIER=S by default).

    .venv/bin/python bench/run.py [--tier S] [--database postgres|sqlite] [--rounds 5]
        [--seconds 3] [--concurrency 4] [--workers 2] [--client wrk|python] [--pin on|off]
        [--only ops,…] [--ci] [--drop] [--timeout 1800] [--strict]
    .venv/bin/python bench/run.py --tier M --ops-only --only chat [--db NAME]
    .venv/bin/python bench/run.py --compare M L        (make bench-compare)

1. Database. PostgreSQL (default): a scratch database `chapterhouse_bench_<tier>` on
   127.0.0.1:5432, generated for the tier by prepare_database (reused when already seeded
   for it; `--drop` drops it at the end). `--database sqlite`: the SQLite default (no
   DATABASE_URL, no Redis) in var/bench-sqlite-<tier>/, seeded with the demo generator.
2. Servers: Chapterhouse with production settings (DEBUG=0, collected static files) under
   gunicorn + uvicorn workers, and the references (bench/reference_app.py) the same way on
   another port. Loopback only; they die with this process (PR_SET_PDEATHSIG).
3. Query counts per page in-process (bench/querycount.py) at two data sizes: must be equal.
4. HTTP load from a second process: `wrk` (bench/wrk/report.lua prints the percentiles)
   or, when wrk is not installed, bench/loadgen.py. Each page and its reference run A, B,
   A, B… (`--rounds` × `--seconds` per side). With `--pin on` the client runs on the last
   CPU and the servers on the others.
5. In-process operations (ballots, tallies, chapter tree, notify…): bench/ops/runner.py
   with the same environment; its rows join the HTTP rows in one table.
6. Writes bench/results/<date>-<commit>-<tier>[-sqlite][-wsgi][-pages][-ops][-ci][-refused][-N]
   .json and .md (-wsgi: --server wsgi; -pages: --no-ops; -ops: --ops-only; -N: the Nth run
   of the same kind that day).

`--ops-only` runs the in-process operations alone (no query counts, no HTTP servers). With
`--db` naming a database that is already migrated and seeded, but not for the tier (an
operation that needs a fraction of the tier: the chat room needs 1,000 members), that
database is used as it is (migrated only) and the report says so; the sizes of the
operations are still the tier's.
   A reference whose round-to-round spread is over 15% refuses the run (rerun on a quieter
   machine).

`--ci` checks correctness only: equal query counts at both sizes, no HTTP errors or non-2xx
responses, every operation's result equal to its reference. Time ratios and the noise
refusal are reported, never failing. Defaults to 5 rounds × 1 s.

Exit status: 0 ok; 1 a correctness check failed (or, with --strict outside --ci, a time
target was missed); 2 the run passed --timeout; 3 refused (noise).
"""

# Every subprocess runs a fixed argv (our venv, manage.py, gunicorn, wrk, git): no user input.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import atexit
import ctypes
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
BIN = ROOT / ".venv" / "bin"
PY = str(BIN / "python")
HOST = "127.0.0.1"
PG = f"postgresql://postgres@{HOST}:5432"
REDIS_URL = f"redis://{HOST}:6379/14"
SEED = 2012
SPREAD_LIMIT = 0.15
SCALING_LIMIT = 1.25
WRK_SCRIPT = BENCH / "wrk" / "report.lua"
WRK_MARK = "BENCH_JSON "

TIERS: dict[str, dict[str, Any]] = {
    # The organisations of issue #5: seed_demo --chapters gives the shape (Zipf-distributed
    # chapter sizes), bench/generate.py the activity. S is what CI runs. No tier runs the
    # demo decisions: at M and L they cast ballots one by one (minutes), and at S their
    # proposals in other stages would make the two chapters compared for query counts
    # show different sections. generate.py's proposals and votes stand in for them.
    "S": {"members": 20_000, "chapters": 2_000, "countries": "GB,FR,ES,DE,US,IT,NL,IE,PT,MX",
          "proposals": 1_200, "posts": 4_000, "local_votes": 20, "demo_decisions": False},
    "M": {"members": 1_000_000, "chapters": 50_000, "countries": "",
          "proposals": 10_000, "posts": 200_000, "local_votes": 1_000, "demo_decisions": False},
    "L": {"members": 3_000_000, "chapters": 150_000, "countries": "",
          "proposals": 30_000, "posts": 600_000, "local_votes": 3_000, "demo_decisions": False},
}

_children: list[subprocess.Popen] = []


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- processes ------------------------------------------------------------------------------


def stop_all() -> None:
    while _children:
        proc = _children.pop()
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # own session: master + its workers
            except ProcessLookupError:
                continue
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


atexit.register(stop_all)


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout("the benchmark ran past --timeout")


def in_child(cpus: set[int] | None) -> Callable[[], None]:
    """What a child runs before exec: die with us (so a killed bench leaves no server
    behind), and keep to `cpus` when pinning."""

    def setup() -> None:
        if sys.platform == "linux":
            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if cpus:
            os.sched_setaffinity(0, cpus)

    return setup


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


# How the servers run (--server): the ASGI app under uvicorn workers, as the README's
# single-command deployment serves it; or the WSGI app under gunicorn's threaded
# workers (THREADS a worker), as the README's "Running at scale" may serve HTTP.
SERVERS = {
    "asgi": ("chapterhouse.config.asgi:application", "bench.reference_app:application",
             ["-k", "uvicorn.workers.UvicornWorker"]),
    "wsgi": ("chapterhouse.config.wsgi:application", "bench.reference_app:wsgi_application",
             ["-k", "gthread", "--threads", "4"]),
}


SERVER_WORKERS = {"asgi": "uvicorn workers",
                  "wsgi": "threaded workers (gthread, 4 threads each; the WSGI app)"}


def serve(
    app: str, port: int, env: dict[str, str], log: Path, workers: int, cpus: set[int] | None,
    kind: list[str] = SERVERS["asgi"][2],
) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), app, *kind, "-w", str(workers),
         "-b", f"{HOST}:{port}", "--log-level", "warning", "--graceful-timeout", "5"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=in_child(cpus),  # noqa: PLW1509 - no threads yet
    )
    _children.append(proc)
    return proc


def wait_ready(
    port: int, path: str, proc: subprocess.Popen, log: Path, seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on :{port} exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=5) as r:
                r.read()
                return
        except OSError:
            time.sleep(0.3)
    tail = log.read_text()[-3000:]
    raise SystemExit(f"server on :{port} not ready after {seconds:.0f} s:\n{tail}")


def worker_peak_rss_mb(master: int) -> float:
    """Largest VmHWM (peak resident memory) among the gunicorn master's children."""
    peak = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master:
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except (OSError, IndexError, ValueError):
            continue
    return round(peak, 1)


def split_cpus(pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """(server CPUs, client CPUs): the client on the last CPU, the servers on the rest."""
    cpus = sorted(os.sched_getaffinity(0))
    if not pin or len(cpus) < 2:
        return None, None
    return set(cpus[:-1]), {cpus[-1]}


# -- database -------------------------------------------------------------------------------


def seed_demo_argv(spec: dict[str, Any]) -> list[str]:
    """seed_demo for a tier, the same on PostgreSQL and SQLite (the tiers' comment says why
    without the demo decisions)."""
    return [PY, "manage.py", "seed_demo", "--members", str(spec["members"]),
            "--chapters", str(spec["chapters"]), "--seed", str(SEED), "-v0",
            *([] if spec["demo_decisions"] else ["--no-decisions"])]


def prepare_database(tier: str, env: dict[str, str]) -> None:
    name = env["BENCH_DB"]
    spec = TIERS[tier]
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        db.execute("CREATE TABLE IF NOT EXISTS bench_meta (tier text, members int, seed int, "
                   "countries text, seeded_at timestamptz DEFAULT now())")
        row = db.execute("SELECT tier, members, seed, countries FROM bench_meta").fetchone()
    if row == (tier, spec["members"], SEED, spec["countries"]) and _generated(name):
        say(f"reusing {name} (already seeded for tier {tier}); migrating only")
        manage(env, "migrate", "--noinput", "-v0")
        with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
            indexed = db.execute("SELECT 1 FROM search_entry LIMIT 1").fetchone()
        if not indexed:  # seeded before search existed
            say(f"indexing {name} for search (manage.py search_index --rebuild)")
            manage(env, "search_index", "--rebuild")
        return
    if row is not None or _has_tables(name):
        say(f"{name} holds another or a partial seed: recreating it")
        drop_database(name)
        return prepare_database(tier, env)
    started = time.monotonic()
    say(f"creating {name}: migrate, load_places, seed_demo --members {spec['members']}")
    manage(env, "migrate", "--noinput", "-v0")
    countries = ["--countries", spec["countries"]] if spec["countries"] else []
    places = ["load_places", "-v0", *countries]
    manage(env, *places)
    seeded = subprocess.run(seed_demo_argv(spec), cwd=ROOT, env=env, capture_output=True,
                            text=True)
    if seeded.returncode != 0:
        # The members are committed before the decisions demo runs; a failing decisions
        # demo must not stop the bench (it adds its own proposals below).
        last = (seeded.stderr.strip().splitlines() or [""])[-1]
        say(f"seed_demo exited non-zero (decisions demo?); continuing if members exist: {last}")
        with psycopg.connect(f"{PG}/{name}") as db:
            members = (db.execute("SELECT count(*) FROM members_member").fetchone() or (0,))[0]
        if members < spec["members"]:
            raise SystemExit(f"seed_demo failed with {members} members:\n{seeded.stderr}")
    # Proposals, posts and votes; what the benchmarks look for is in bench_generated
    # (bench.generate.generated()).
    subprocess.run([PY, str(BENCH / "generate.py"), "--seed", str(SEED),
                    *(f"--{key.replace('_', '-')}={spec[key]}"
                      for key in ("proposals", "posts", "local_votes"))],
                   cwd=ROOT, env=env, check=True)
    # The search index of all that (written in bulk, without the indexing tasks).
    manage(env, "search_index", "--rebuild")
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        db.execute("ANALYZE")
        db.execute(
            "INSERT INTO bench_meta (tier, members, seed, countries) VALUES (%s, %s, %s, %s)",
            (tier, spec["members"], SEED, spec["countries"]),
        )
    say(f"seeded in {time.monotonic() - started:.1f} s")


def settle_database(name: str) -> None:
    """Write out what seeding (of this tier or another, just before) left in PostgreSQL's
    buffers and vacuum what it inserted, before anything is timed: otherwise the
    checkpoint and autovacuum run during the measurement (minutes of writes after a
    tier L seed) and the references' spread refuses the run."""
    say(f"settling {name}: VACUUM (ANALYZE) and CHECKPOINT")
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        db.execute("VACUUM (ANALYZE)")
        db.execute("CHECKPOINT")


def _generated(name: str) -> bool:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        return bool(db.execute("SELECT 1 FROM information_schema.tables "
                               "WHERE table_name = 'bench_generated'").fetchone())


def _seeded_for(name: str, tier: str) -> bool:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        if not db.execute("SELECT 1 FROM information_schema.tables "
                          "WHERE table_name = 'bench_meta'").fetchone():
            return False
        return bool(db.execute("SELECT 1 FROM bench_meta WHERE tier = %s", (tier,)).fetchone())


def _count_members(name: str) -> int:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        return int((db.execute("SELECT count(*) FROM members_member").fetchone() or (0,))[0])


def _has_tables(name: str) -> bool:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        return bool(db.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = 'members_member'"
        ).fetchone())


def drop_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- SQLite default -------------------------------------------------------------------------


def sqlite_dir(tier: str) -> Path:
    return ROOT / "var" / f"bench-sqlite-{tier.lower()}"


def prepare_sqlite(tier: str, env: dict[str, str]) -> list[str]:
    """The SQLite default at `tier`, made as prepare_database makes PostgreSQL's (seed_demo,
    then bench/generate.py, which uses bulk_create where PostgreSQL has COPY); reused when
    already made for the tier. Returns notes for the report."""
    spec = TIERS[tier]
    marker = sqlite_dir(tier) / "seeded.json"
    # "argv": a seed made another way (before --no-decisions was passed here) is remade.
    wanted = {"tier": tier, "seed": SEED, **spec, "argv": seed_demo_argv(spec)[2:]}
    notes: list[str] = []
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        say(f"reusing {marker.parent} (already seeded for tier {tier}); migrating only")
        manage(env, "migrate", "--noinput", "-v0")
        return notes
    shutil.rmtree(marker.parent, ignore_errors=True)
    marker.parent.mkdir(parents=True)
    started = time.monotonic()
    say(f"creating {marker.parent}: migrate, load_places, seed_demo, generate.py")
    manage(env, "migrate", "--noinput", "-v0")
    countries = spec.get("countries", "")
    manage(env, "load_places", "-v0", *(["--countries", countries] if countries else []))
    seeded = subprocess.run(seed_demo_argv(spec), cwd=ROOT, env=env, capture_output=True,
                            text=True)
    if seeded.returncode != 0:  # the members are committed before the decisions demo runs
        last = (seeded.stderr.strip().splitlines() or [""])[-1]
        say(f"seed_demo exited non-zero (decisions demo?); continuing: {last}")
        notes.append(f"seed_demo exited non-zero: {last}")
    subprocess.run([PY, str(BENCH / "generate.py"), "--seed", str(SEED),
                    *(f"--{key.replace('_', '-')}={spec[key]}"
                      for key in ("proposals", "posts", "local_votes") if key in spec)],
                   cwd=ROOT, env=env, check=True)
    marker.write_text(json.dumps(wanted))
    say(f"seeded in {time.monotonic() - started:.1f} s")
    return notes


# -- HTTP load ------------------------------------------------------------------------------


def parse_wrk(stdout: str) -> dict[str, Any]:
    """The summary bench/wrk/report.lua writes in done(): one `BENCH_JSON {...}` line."""
    for line in stdout.splitlines():
        if line.startswith(WRK_MARK):
            return json.loads(line.removeprefix(WRK_MARK))
    raise ValueError(f"wrk wrote no {WRK_MARK.strip()} line:\n{stdout[-2000:]}")


def connections_per_worker(master: int, port: int) -> list[int]:
    """Established connections to `port` held by each worker of the gunicorn `master`,
    fewest first (a worker holding none counts as 0)."""
    counts = []
    for worker in psutil.Process(master).children():
        try:
            conns = worker.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        counts.append(sum(1 for c in conns
                          if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port))
    return sorted(counts)


def balanced(split: list[int], concurrency: int) -> bool:
    """The connections are spread over the workers as evenly as their number allows.

    wrk keeps its connections for the whole round, and a worker's event loop accepts
    every pending connection at once, so they often land unevenly: all of them on one
    worker (the round then measures one worker, half the server on two), or 3 and 1
    (hello-world then loses about 10%). Either varies from round to round with nothing
    in the code measured, and made the references' spread refuse every run."""
    return not split or sum(split) < concurrency or max(split) - min(split) <= 1


def split_once_open(
    proc: subprocess.Popen, master: int, port: int, concurrency: int, seconds: int
) -> list[int]:
    """connections_per_worker() as soon as all `concurrency` connections of the wrk run
    `proc` are open (or what it is after min(1 s, half the round), or when wrk exits)."""
    split: list[int] = []
    deadline = time.monotonic() + min(1.0, seconds / 2)
    while time.monotonic() < deadline and proc.poll() is None:
        split = connections_per_worker(master, port)
        if sum(split) >= concurrency:
            break
        time.sleep(0.02)
    return split


def wrk_run(
    side: dict[str, Any], seconds: int, concurrency: int, cpus: set[int] | None,
    master: int | None = None, retries: int = 30,
) -> dict[str, Any]:
    """One wrk run of `seconds` against `side`, one thread per connection. Given the
    server's gunicorn `master`, it looks at how the connections fell on its workers as
    soon as they are all open (`split`, fewest first) and, when they are uneven, stops
    that run and starts again, up to `retries` times (`reruns`): which worker a
    connection lands on is chosen before any request is timed, never by the result."""
    headers = [arg for k, v in side.get("headers", {}).items() for arg in ("-H", f"{k}: {v}")]
    argv = ["wrk", f"-t{concurrency}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(WRK_SCRIPT), *headers, f"http://{HOST}:{side['port']}{side['path']}"]
    attempt = 0
    while True:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=in_child(cpus))  # noqa: PLW1509
        split = ([] if master is None
                 else split_once_open(proc, master, side["port"], concurrency, seconds))
        if attempt == retries or balanced(split, concurrency):
            break
        proc.kill()
        proc.communicate()
        attempt += 1
    out, err = proc.communicate(timeout=seconds + 60)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, argv, out, err)
    return {**parse_wrk(out), "split": split, "reruns": attempt}


def load(
    pairs: list[dict[str, Any]], *, client: str, rounds: int, seconds: int,
    concurrency: int, cpus: set[int] | None, masters: dict[int, int] | None = None,
) -> list[dict[str, list[dict]]]:
    """For each pair, A then B `rounds` times after a warm-up of each; one summary per run.
    `masters`: the gunicorn master's pid by port, to keep every round balanced (wrk_run)."""
    if client == "python":
        plan = {"rounds": rounds, "seconds": seconds, "concurrency": concurrency,
                "warmup": 3 * concurrency, "timeout": 15, "pairs": pairs}
        done = subprocess.run([PY, str(BENCH / "loadgen.py")], input=json.dumps(plan), cwd=ROOT,
                              check=True, capture_output=True, text=True,
                              preexec_fn=in_child(cpus))  # noqa: PLW1509
        return json.loads(done.stdout)["pairs"]
    masters = masters or {}
    out = []
    for pair in pairs:
        for side in (pair["a"], pair["b"]):  # warm caches, connections and workers
            wrk_run(side, 1, concurrency, cpus)
        runs: dict[str, list[dict]] = {"a": [], "b": []}
        for _ in range(rounds):
            for key in ("a", "b"):
                runs[key].append(wrk_run(pair[key], seconds, concurrency, cpus,
                                         masters.get(pair[key]["port"])))
        out.append(runs)
    return out


def load_until_steady(
    pairs: list[dict[str, Any]], *, retries: int, **kwargs: Any
) -> tuple[list[dict[str, list[dict]]], list[list[float]]]:
    """load(), then each pair whose reference spread is over SPREAD_LIMIT measured again,
    both sides and every round, up to `retries` times: the rerun the refusal asks for,
    done at once for that page alone. A burst of noise from outside (this is a shared
    VM) usually hits one page's rounds. Returns the runs kept and, per pair, the spreads
    of the attempts set aside (reported, never hidden)."""
    raw = load(pairs, **kwargs)
    earlier: list[list[float]] = [[] for _ in pairs]
    for i, pair in enumerate(pairs):
        while len(earlier[i]) < retries:
            spread = summarise(raw[i]["b"])["spread"]
            if spread is None or spread <= SPREAD_LIMIT:
                break
            earlier[i].append(spread)
            say(f"{pair['b']['path']}: reference spread {spread:.1%} > 15%; "
                f"measuring {pair['name']} again ({len(earlier[i])} of {retries})")
            raw[i] = load([pair], **kwargs)[0]
    return raw, earlier


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Throughput per round (median and spread) and latency percentiles (median over the
    rounds of each round's percentile) of one side's runs."""
    throughputs = [r["requests"] / r["seconds"] for r in runs if r["seconds"] > 0]
    answered = [r for r in runs if r["requests"]]
    med = statistics.median(throughputs) if throughputs else 0.0
    statuses: dict[str, int] = {}
    for r in runs:
        for k, v in r.get("statuses", {}).items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "rounds": len(runs),
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "empty_rounds": len(runs) - len(answered),
        **({"statuses": statuses} if statuses else {}),
        "throughput_rps": round(med, 1),
        "throughput_per_round": [round(t, 1) for t in throughputs],
        "spread": round((max(throughputs) - min(throughputs)) / med, 3) if med else None,
        # How wrk's connections fell on the server's workers, per round, and how many
        # times a round was started again because they fell unevenly (wrk_run).
        "splits": [r["split"] for r in runs if r.get("split")],
        "reruns": sum(r.get("reruns", 0) for r in runs),
        # A round in which no request completed has no latencies (wrk reports 0).
        **{f"p{q}_ms": round(statistics.median(r[f"p{q}_ms"] for r in answered), 2)
           if answered else None for q in (50, 95, 99)},
    }


# What each page must meet (QUALITY.md "Performance"); the keys are querycount.py's.
HTTP_TARGETS: dict[str, dict[str, Any]] = {
    "chapter_anonymous": {"ratio": 0.45, "p95": 15, "max_queries": 8,
                          "text": "≥ 0.45× ref throughput, p95 ≤ 15 ms, ≤ 8 queries, equal"},
    "chapter_member": {"ratio": 0.25, "p95": 30, "max_queries": 8,
                       "text": "≥ 0.25× ref throughput, p95 ≤ 30 ms, ≤ 8 queries, equal"},
    "member_home": {"ratio": 0.15, "p95": 50, "max_queries": None,
                    "text": "≥ 0.15× ref throughput, p95 ≤ 50 ms, equal query count"},
    "proposals_list": {"ratio": None, "p95": 40, "max_queries": None,
                       "text": "p95 ≤ 40 ms, equal query count"},
    "proposal_page": {"ratio": None, "p95": 60, "max_queries": None,
                      "text": "p95 ≤ 60 ms, equal query count"},
    # Signed-out visitors get both from the page cache; what a member's render costs
    # (no target of its own: the targets above were set when every visit rendered).
    "proposals_list_member": {"ratio": None, "p95": None, "max_queries": None,
                              "text": "equal query count (reported: rendered per member)"},
    "proposal_page_member": {"ratio": None, "p95": None, "max_queries": None,
                             "text": "equal query count (reported: rendered per member)"},
    "search": {"ratio": None, "p95": None, "max_queries": None,
               "text": "equal query count (no time target set yet)"},
}


def judge_http(
    key: str, ours: dict[str, Any], ref: dict[str, Any], queries: dict[str, int]
) -> dict[str, Any]:
    """`correct` (equal query counts, no errors, only 2xx) and the missed time targets."""
    target = HTTP_TARGETS[key]
    broken, missed = [], []
    if queries["large"] != queries["small"]:
        broken.append(f"queries differ {queries['large']}≠{queries['small']}")
    for side, s in (("ours", ours), ("reference", ref)):
        if s["errors"] or s["non2xx"]:
            bad = {k: v for k, v in s.get("statuses", {}).items() if not k.startswith("2")}
            broken.append(f"{side}: {s['errors']} errors, {s['non2xx']} non-2xx"
                          + (f" {bad}" if bad else ""))
    if target["max_queries"] and queries["large"] > target["max_queries"]:
        missed.append(f"{queries['large']} queries > {target['max_queries']}")
    ratio = ours["throughput_rps"] / ref["throughput_rps"] if ref["throughput_rps"] else 0.0
    if ours.get("empty_rounds"):
        missed.append(f"{ours['empty_rounds']} rounds without a completed request "
                      "(make --seconds longer)")
    if target["ratio"] and ratio < target["ratio"]:
        missed.append(f"ratio {ratio:.3f} < {target['ratio']}")
    if target["p95"] and (ours["p95_ms"] or 0) > target["p95"]:
        missed.append(f"p95 {ours['p95_ms']} ms > {target['p95']}")
    return {"ratio": round(ratio, 4), "target": target["text"], "correct": not broken,
            "failures": broken + missed, "pass": not (broken or missed)}


def http_pairs(load: dict[str, Any], ours: int, ref: int) -> list[dict[str, Any]]:
    """The page / reference pairs, from querycount.py's `load` section."""
    path = urllib.parse.quote(load["proposals_path"])
    pairs = [
        {"key": "chapter_anonymous", "name": "chapter page (anonymous)",
         "a": {"port": ours, "path": load["chapter_page"]}, "b": {"port": ref, "path": "/hello"}},
        {"key": "chapter_member", "name": "chapter page (member)",
         "a": {"port": ours, "path": load["chapter_page"],
               "headers": {"Cookie": load["member_cookie"]}},
         "b": {"port": ref, "path": "/hello"}},
        {"key": "member_home", "name": "member home with activity feed",
         "a": {"port": ours, "path": load["member_home"],
               "headers": {"Cookie": load["member_cookie"]}},
         "b": {"port": ref, "path": "/hello"}},
        {"key": "proposals_list",
         "name": f"proposals list ({load['proposals_rows']} published, anonymous)",
         "a": {"port": ours, "path": load["proposals_list"]},
         "b": {"port": ref, "path": f"/proposals?path={path}"}},
    ]
    member = {"Cookie": load["member_cookie"]}
    pairs.append(
        {"key": "proposals_list_member",
         "name": f"proposals list ({load['proposals_rows']} published, member)",
         "a": {"port": ours, "path": load["proposals_list"], "headers": member},
         "b": {"port": ref, "path": f"/proposals?path={path}"}})
    if "proposal_page" in load:
        pairs.append(
            {"key": "proposal_page",
             "name": f"proposal page ({load['proposal_posts']} comments, anonymous)",
             "a": {"port": ours, "path": load["proposal_page"]},
             "b": {"port": ref, "path": f"/posts?proposal={load['proposal_id']}"}})
        pairs.append(
            {"key": "proposal_page_member",
             "name": f"proposal page ({load['proposal_posts']} comments, member)",
             "a": {"port": ours, "path": load["proposal_page"], "headers": member},
             "b": {"port": ref, "path": f"/posts?proposal={load['proposal_id']}"}})
    if "search_page" in load:
        words = urllib.parse.quote(load["search_query"])
        pairs.append(
            {"key": "search",
             "name": f"search ({load['search_rows']} found, anonymous)",
             "a": {"port": ours, "path": load["search_page"]},
             "b": {"port": ref, "path": f"/search?q={words}"}})
    return pairs


# -- in-process operations ------------------------------------------------------------------


def not_measured(name: str, reference: str, target: str, why: str) -> dict[str, Any]:
    return {"name": name, "reference": reference, "target": target, "correct": None,
            "pass": None, "failures": [], "not_measured": why}


CHAT_ROW = not_measured(
    "chat room, 1,000 connected members at 10 msg/s", "raw channel-layer group send",
    "p95 ≤ 100 ms, 0 drops", "bench/ops/chat.py did not run (--only, or --no-ops)",
)


def run_ops(env: dict[str, str], tier: str, rounds: int, ci: bool, only: str,
            options: Sequence[str] = ()) -> list[dict]:
    """bench/ops/runner.py's rows (it prints {"rows": [...]}; its log goes to stderr)."""
    runner = BENCH / "ops" / "runner.py"
    name, ref = "in-process operations (bench/ops/runner.py)", "their references"
    if not runner.exists():
        return [not_measured(name, ref, "see QUALITY.md", "bench/ops/runner.py does not exist")]
    args = [PY, str(runner), "--tier", tier, "--rounds", str(rounds)]
    args += (["--ci"] if ci else []) + (["--only", only] if only else [])
    args += [f"--option={option}" for option in options]
    done = subprocess.run(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    rows = parse_rows(done.stdout)
    if done.returncode != 0 or rows is None:
        return [{"name": name, "reference": ref, "target": "runs", "correct": False,
                 "pass": False, "failures": [f"runner exited {done.returncode}"],
                 "notes": done.stdout[-500:]}]
    return rows


def parse_rows(stdout: str) -> list[dict[str, Any]] | None:
    """The rows of the runner's last {"rows": [...]} document on stdout, or None."""
    starts = [m.start() for m in re.finditer(r'\{\s*"rows"\s*:', stdout)]
    for start in reversed(starts):
        try:
            return json.JSONDecoder().raw_decode(stdout, start)[0]["rows"]
        except ValueError:
            continue
    return None


# -- verdict and report ---------------------------------------------------------------------


def verdict(result: dict[str, Any], *, ci: bool, strict: bool) -> tuple[int, list[str]]:
    """Exit status and what decided it. Correctness failures always fail; the noise refusal
    fails (3) outside --ci; missed time targets fail only with --strict outside --ci."""
    rows = result["http"] + result["ops"]
    broken = [f"{r['name']}: {'; '.join(r['failures']) or 'incorrect'}"
              for r in rows if r.get("correct") is False]
    broken += [f"{p['name']}: queries differ between sizes "
               f"({p['large']['queries']} vs {p['small']['queries']})"
               for p in result["query_counts"] if p["large"]["queries"] != p["small"]["queries"]]
    missed = [f"{r['name']}: {'; '.join(r['failures'])}"
              for r in rows if r.get("correct") and r.get("pass") is False]
    if broken:
        return 1, ["correctness failed:", *broken]
    if result.get("refused"):
        return (0 if ci else 3), [f"{'noise (reported only)' if ci else 'REFUSED'}: "
                                  f"{result['refused']}"]
    if missed and strict and not ci:
        return 1, ["time targets missed (--strict):", *missed]
    return 0, (["time targets missed (reported):", *missed] if missed else ["all targets met"])


def commit_id() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                             capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, text=True, capture_output=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "nocommit"


def machine(backend: str) -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if backend == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        with psycopg.connect(f"{PG}/postgres") as db:
            database = f"PostgreSQL {(db.execute('SHOW server_version').fetchone() or ('?',))[0]}"
    try:
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0]
    except OSError:
        wrk = ""
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "database": database, "kernel": platform.release(), "wrk": wrk,
            "loadavg_1m_at_end": round(os.getloadavg()[0], 2)}


def _ms(s: dict[str, Any]) -> str:
    return " / ".join(str(s.get(k, "?")) for k in ("p50_ms", "p95_ms", "p99_ms"))


def _spread(s: dict[str, Any]) -> str:
    """A side's round-to-round spread, or "–" when no round completed a request."""
    return "–" if s.get("spread") is None else f"{s['spread']:.1%}"


def _outcome(r: dict[str, Any]) -> str:
    if r.get("not_measured"):
        return f"not measured: {r['not_measured']}"
    return "PASS" if r["pass"] else "FAIL: " + "; ".join(r["failures"])


def markdown(result: dict[str, Any]) -> str:
    m, c = result["machine"], result["config"]
    client = (f"wrk ({m['wrk']}, a thread per connection)" if c["client"] == "wrk"
              else "bench/loadgen.py (Python threads)")
    http = result["http"]
    restarts = sum(s[side].get("reruns", 0) for s in http for side in ("ours", "reference"))
    again = [f"{h['name']} ({', '.join(f'{x:.0%}' for x in h['reference']['earlier_spreads'])})"
             for h in http if h["reference"].get("earlier_spreads")]
    remeasured = (" Measured again after a reference spread over 15%, the earlier spreads "
                  "in brackets: " + "; ".join(again) + "." if again else "")
    balance = (f" Each round began with the connections spread evenly over the workers "
               f"({restarts} uneven starts stopped and begun again)." if c["client"] == "wrk"
               and any(s["ours"].get("splits") for s in http) else "")
    pin = (f"servers on CPUs {c['server_cpus']}, client on {c['client_cpus']}"
           if c["server_cpus"] else "not pinned")
    lines = [
        f"### Tier {result['tier']} on {m['database']} — {result['date']} — "
        f"commit {result['commit']}{' — CI mode' if c['ci'] else ''}",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), Linux {m['kernel']}, Python {m['python']}, "
        f"{m['database']}; load average {result['loadavg_at_start']} at the start, "
        f"{m['loadavg_1m_at_end']} at the end. Server: gunicorn + {c['workers']} "
        f"{SERVER_WORKERS[c.get('server', 'asgi')]}; client: {client}, "
        f"{c['concurrency']} keep-alive connections; "
        f"{c['rounds']} interleaved rounds × {c['seconds']} s per side; CPU pinning: {pin}."
        f"{balance}{remeasured}",
        "",
        "HTTP ratio = our throughput / the reference's (higher is better); operation ratio = "
        "our median time / the reference's (lower is better). Latencies: median over the "
        "rounds of each round's percentile.",
        "",
        "| operation | reference | ours p50 / p95 / p99 (ms) | reference p50 / p95 / p99 (ms) "
        "| ours req/s (per core) | ref req/s | ratio | ref spread | queries (large / small) "
        "| target | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for op in result["http"]:
        o, r, q = op["ours"], op["reference"], op["queries"]
        lines.append(
            f"| {op['name']} | {op['reference_name']} | {_ms(o)} | {_ms(r)} | "
            f"{o['throughput_rps']} ({o['throughput_per_core']}) | {r['throughput_rps']} | "
            f"{op['ratio']:.3f} | {_spread(r)} | {q['large']} / {q['small']} | "
            f"{op['target']} | {_outcome(op)} |"
        )
    for op in result["ops"]:
        if op.get("not_measured"):
            lines.append(f"| {op['name']} | {op['reference']} | | | | | | | | {op['target']} "
                         f"| {_outcome(op)} |")
            continue
        o, r = op.get("ours") or {}, op.get("reference_stats") or {}
        ratio = f"{op['ratio']:.4g}× time" if op.get("ratio") is not None else ""
        spread = f"{r['spread']:.1%}" if r.get("spread") is not None else ""
        lines.append(f"| {op['name']} | {op['reference']} | {_ms(o) if o else ''} | "
                     f"{_ms(r) if r else ''} | | | {ratio} | {spread} | | {op['target']} | "
                     f"{_outcome(op)} |")
    lines += ["", "Query counts at two data sizes (in-process):", ""]
    for page in result["query_counts"]:
        lines.append(
            f"- {page['name']}: {page['large']['queries']} queries at {page['large']['url']} "
            f"({page['large']['rows']} rows) vs {page['small']['queries']} at "
            f"{page['small']['url']} ({page['small']['rows']} rows)"
        )
    notes = [f"- {op['name']}: {op['notes']}" for op in result["ops"] if op.get("notes")]
    notes += [f"- {n}" for n in result.get("notes", [])]
    if notes:
        lines += ["", "Notes:", "", *notes]
    if result["peak_rss_mb"]:  # none with --ops-only: no servers ran
        lines += ["", f"Peak RSS per worker (MB): ours {result['peak_rss_mb']['ours']}, "
                  f"reference {result['peak_rss_mb']['reference']}."]
    if result.get("refused"):
        lines += ["", f"**REFUSED**: {result['refused']}"]
    return "\n".join(lines) + "\n"


# -- tier comparison ------------------------------------------------------------------------


def newest_result(tier: str, directory: Path = RESULTS) -> tuple[Path, dict[str, Any]] | None:
    """The newest PostgreSQL, non-CI result of `tier`, preferring runs not refused."""
    found = []
    for f in directory.glob("*.json"):
        try:
            r = json.loads(f.read_text())
        except (OSError, ValueError):
            continue
        if r.get("tier") == tier and r.get("backend", "postgresql") == "postgresql" and not r.get(
            "config", {}
        ).get("ci"):
            found.append((not r.get("refused"), r.get("date", ""), f.name, f, r))
    if not found:
        return None
    *_, path, result = max(found, key=lambda x: x[:3])
    return path, result


def compare(small: dict[str, Any], large: dict[str, Any]) -> tuple[list[str], bool]:
    """The scaling table: each HTTP page's latency at the larger tier / the smaller's."""
    t1, t2 = small["tier"], large["tier"]
    lines = [
        f"### Scaling: tier {t2} ({large.get('members', '?'):,} members, {large['date']}, "
        f"{large['commit']}) vs tier {t1} ({small.get('members', '?'):,} members, "
        f"{small['date']}, {small['commit']})",
        "",
        f"| operation | {t1} p50 / p95 (ms) | {t2} p50 / p95 (ms) | {t2}/{t1} p50 | {t2}/{t1} p95 "
        f"| queries {t1} / {t2} | target | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    ok = True
    before = {r.get("key", r["name"]): r for r in small["http"]}
    for r in large["http"]:
        s = before.get(r.get("key", r["name"]))
        if s is None:
            continue
        p50 = r["ours"]["p50_ms"] / s["ours"]["p50_ms"]
        p95 = r["ours"]["p95_ms"] / s["ours"]["p95_ms"]
        q1, q2 = s.get("queries", {}).get("large", "?"), r.get("queries", {}).get("large", "?")
        fails = ([f"p50 grew {p50:.2f}×"] if p50 > SCALING_LIMIT else []) + (
            [f"queries {q1} → {q2}"] if q1 != q2 else [])
        ok &= not fails
        lines.append(
            f"| {r['name']} | {s['ours']['p50_ms']} / {s['ours']['p95_ms']} | "
            f"{r['ours']['p50_ms']} / {r['ours']['p95_ms']} | {p50:.2f}× | {p95:.2f}× | "
            f"{q1} / {q2} | grows ≤ {SCALING_LIMIT}×, same queries | "
            f"{'PASS' if not fails else 'FAIL: ' + '; '.join(fails)} |"
        )
    for res in (small, large):
        if res.get("refused"):
            lines.append(f"\nNote: the tier {res['tier']} run was refused ({res['refused']}).")
    return lines, ok


def main_compare(tiers: list[str]) -> int:
    picked = [newest_result(t) for t in tiers]
    missing = [t for t, p in zip(tiers, picked, strict=True) if p is None]
    if missing:
        print(f"no results for tier {', '.join(missing)} in {RESULTS}", file=sys.stderr)
        return 2
    (p1, r1), (p2, r2) = picked  # type: ignore[misc]
    lines, ok = compare(r1, r2)
    print(f"{p1.name} vs {p2.name}\n")
    print("\n".join(lines))
    return 0 if ok else 1


# -- main -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", default=os.environ.get("TIER", "S"), choices=sorted(TIERS))
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, help="length of each round, per side "
                        "(default 3; 1 with --ci)")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", choices=sorted(SERVERS), default="asgi",
                        help="asgi: uvicorn workers (default); wsgi: gunicorn's threaded "
                             "workers, 4 threads each (both sides)")
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--pin", choices=("on", "off"), default="off",
                        help="client on the last CPU, servers on the others")
    parser.add_argument("--only", default="", help="only these bench/ops operations (a,b)")
    parser.add_argument("--no-ops", action="store_true", help="skip bench/ops/runner.py")
    parser.add_argument("--ops-only", action="store_true",
                        help="only bench/ops/runner.py: no query counts, no HTTP load")
    parser.add_argument("--op-option", action="append", default=[], metavar="KEY=VALUE",
                        help="passed to bench/ops/runner.py --option (e.g. notify_skip_sync=1)")
    parser.add_argument("--ci", action="store_true", help="correctness only (see above)")
    parser.add_argument("--timeout", type=int, default=1800, help="overall limit in seconds")
    parser.add_argument("--db", help="scratch PostgreSQL database (chapterhouse_bench_<tier>)")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database at the end")
    parser.add_argument("--seed-only", action="store_true",
                        help="seed (or reuse) the tier's database and stop: measure later, "
                        "on a quiet machine")
    parser.add_argument("--noise-retries", type=int, default=2,
                        help="measure a page again (both sides) when its reference's spread "
                        "is over 15%%, up to this many times, before refusing the run")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any missed time target")
    parser.add_argument("--compare", nargs=2, metavar=("TIER", "TIER"),
                        help="print the scaling table of the newest results of two tiers")
    args = parser.parse_args()
    if args.compare:
        return main_compare(args.compare)
    if args.rounds < 5:
        parser.error("--rounds must be at least 5")
    if args.noise_retries < 0:
        parser.error("--noise-retries must be 0 or more")
    seconds = args.seconds or (1 if args.ci else 3)

    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))
    signal.alarm(args.timeout)
    started = time.monotonic()
    tier, sqlite = args.tier, args.database == "sqlite"
    load1 = round(os.getloadavg()[0], 2)
    if load1 > 0.5 * (os.cpu_count() or 1):
        say(f"warning: load average {load1:.1f} on {os.cpu_count()} CPUs; "
            "the spread check may refuse this run")
    db_name = args.db or f"chapterhouse_bench_{tier.lower()}"
    scratch = Path(tempfile.mkdtemp(prefix="chapterhouse-bench-"))
    data_dir = sqlite_dir(tier) if sqlite else scratch
    env = {k: v for k, v in os.environ.items()
           if k not in {"CHAPTERHOUSE_TESTING", "HTTPS", "DATABASE_URL", "REDIS_URL"}}
    env.update(
        BENCH_DB=db_name,
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS", "chapterhouse.config.settings"),
        DEBUG="0",
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        ALLOWED_HOSTS=HOST,
        # The SQLite default is what DATA_DIR alone gives; spelled out for the reference app.
        DATABASE_URL=f"sqlite:///{data_dir / 'chapterhouse.sqlite3'}" if sqlite
        else f"{PG}/{db_name}",
        DATA_DIR=str(data_dir),
        SECURE_SSL_REDIRECT="0",
        PYTHONPATH=str(ROOT),
    )
    if not sqlite:
        env["REDIS_URL"] = REDIS_URL
    server_cpus, client_cpus = split_cpus(args.pin == "on")
    exit_code = 0
    try:
        notes = prepare_sqlite(tier, env) if sqlite else []
        if not sqlite and args.ops_only and args.db and _has_tables(db_name) \
                and not _seeded_for(db_name, tier):
            members = _count_members(db_name)
            say(f"--ops-only on {db_name} as it is ({members:,} members), migrating only")
            notes.append(f"operations only, on {db_name} as seeded ({members:,} members), "
                         f"not the tier's {TIERS[tier]['members']:,}; sizes of tier {tier}")
            manage(env, "migrate", "--noinput", "-v0")
        elif not sqlite:
            prepare_database(tier, env)
        seeded_s = round(time.monotonic() - started, 1)
        if args.seed_only:
            say(f"seeded {db_name} in {seeded_s} s; measure with the same --tier")
            return 0
        if not sqlite:
            settle_database(db_name)
        http: list[dict[str, Any]] = []
        refused: list[str] = []
        qc: dict[str, Any] = {"pages": []}
        peak: dict[str, Any] = {}
        if not args.ops_only:  # the query counts and the HTTP pages
            say("collectstatic into DATA_DIR/static")
            manage(env, "collectstatic", "--noinput", "-v0")

            say("counting queries in-process at two data sizes")
            # Counted as rendered: the anonymous chapter page is otherwise served from the
            # page cache (lib/pagecache.py) with no query at all after the first visit.
            qc_env = {**env, "ALLOWED_HOSTS": f"{HOST},testserver",
                      "ANONYMOUS_PAGE_CACHE_SECONDS": "0"}
            qc = json.loads(subprocess.run([PY, str(BENCH / "querycount.py")], cwd=ROOT, env=qc_env,
                                           check=True, capture_output=True, text=True).stdout)
            if "proposal_page" not in qc["load"]:
                notes.append("proposal page not measured: no published proposal")

            ours_port, ref_port = free_port(), free_port()
            ours_log, ref_log = scratch / "ours.log", scratch / "reference.log"
            app, ref_app, kind = SERVERS[args.server]
            ours = serve(app, ours_port, env, ours_log, args.workers, server_cpus, kind)
            ref = serve(ref_app, ref_port, env, ref_log, args.workers, server_cpus, kind)
            wait_ready(ours_port, qc["load"]["chapter_page"], ours, ours_log)
            wait_ready(ref_port, "/hello", ref, ref_log)
            say(f"servers up: chapterhouse :{ours_port}, reference :{ref_port}")

            pairs = http_pairs(qc["load"], ours_port, ref_port)
            say(f"HTTP load with {args.client}: {len(pairs)} pairs × {args.rounds} interleaved "
                f"rounds × {seconds} s per side, {args.concurrency} connections")
            raw, earlier = load_until_steady(
                pairs, retries=0 if args.ci else args.noise_retries, client=args.client,
                rounds=args.rounds, seconds=seconds, concurrency=args.concurrency,
                cpus=client_cpus, masters={ours_port: ours.pid, ref_port: ref.pid})
            peak = {"ours": worker_peak_rss_mb(ours.pid), "reference": worker_peak_rss_mb(ref.pid)}
            stop_all()

            cores = len(server_cpus or os.sched_getaffinity(0))
            queries = {p["key"]: {"large": p["large"]["queries"], "small": p["small"]["queries"]}
                       for p in qc["pages"]}
            for pair, runs, before in zip(pairs, raw, earlier, strict=True):
                o, r = summarise(runs["a"]), summarise(runs["b"])
                r["earlier_spreads"] = before
                o["throughput_per_core"] = round(o["throughput_rps"] / cores, 1)
                if r["spread"] is not None and r["spread"] > SPREAD_LIMIT:
                    refused.append(f"{pair['b']['path']} spread {r['spread']:.1%} > 15%")
                q = queries[pair["key"]]
                http.append({"key": pair["key"], "name": pair["name"],
                             "reference_name": f"{pair['b']['path']} (reference app)",
                             "ours_path": pair["a"]["path"], "ours": o, "reference": r,
                             "queries": q, **judge_http(pair["key"], o, r, q)})

            for row, log in ((r, ours_log) for r in http if not r["correct"]):
                say(f"{row['name']}: {'; '.join(row['failures'])}; server log:\n"
                    + log.read_text()[-3000:])
        ops: list[dict[str, Any]] = []
        if not args.no_ops:
            say("in-process operations: bench/ops/runner.py")
            ops = run_ops(env, tier, args.rounds, args.ci, args.only, args.op_option)
        if not any(op["name"].startswith("chat room") for op in ops):
            ops.append(CHAT_ROW)

        now = dt.datetime.now(dt.UTC)
        result = {
            "tier": tier, "backend": "sqlite" if sqlite else "postgresql",
            "date": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": commit_id(),
            "machine": machine(args.database), "loadavg_at_start": load1,
            "database": env["DATABASE_URL"], "members": TIERS[tier]["members"],
            "config": {"rounds": args.rounds, "seconds": seconds, "client": args.client,
                       "concurrency": args.concurrency, "workers": args.workers, "ci": args.ci,
                       "server": args.server,
                       "server_cpus": sorted(server_cpus or []),
                       "client_cpus": sorted(client_cpus or [])},
            "http": http, "query_counts": qc["pages"], "ops": ops, "peak_rss_mb": peak,
            "notes": notes, "seeding_s": seeded_s,
            "refused": ("; ".join(refused) + " — the machine is too noisy, rerun")
            if refused else None,
        }
        exit_code, why = verdict(result, ci=args.ci, strict=args.strict)
        result["duration_s"] = round(time.monotonic() - started, 1)
        RESULTS.mkdir(exist_ok=True)
        stem = "-".join([now.strftime("%Y-%m-%d"), result["commit"], tier]
                        + ["sqlite"] * sqlite + ["wsgi"] * (args.server == "wsgi")
                        + ["pages"] * args.no_ops
                        + ["ops"] * args.ops_only + ["ci"] * args.ci
                        + ["refused"] * bool(refused))
        # A second run of the same commit and kind the same day keeps the first.
        stem = next(f"{stem}{suffix}" for suffix in ["", *(f"-{n}" for n in range(2, 1000))]
                    if not (RESULTS / f"{stem}{suffix}.json").exists())
        (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n")
        table = markdown(result)
        (RESULTS / f"{stem}.md").write_text(table)
        print(table)
        say(f"wrote {RESULTS / stem}.json and .md in {result['duration_s']} s "
            f"(seeding {seeded_s} s)")
        for line in why:
            say(line)
    except Timeout as exc:
        say(str(exc))
        exit_code = 2
    finally:
        signal.alarm(0)
        stop_all()
        shutil.rmtree(scratch, ignore_errors=True)
        if args.drop:
            say(f"dropping {sqlite_dir(tier) if sqlite else db_name}")
            if sqlite:
                shutil.rmtree(sqlite_dir(tier), ignore_errors=True)
            else:
                drop_database(db_name)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
