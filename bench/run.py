"""Chapterhouse benchmark suite: one entry point (`make bench`, TIER=S by default).

    .venv/bin/python bench/run.py [--tier S] [--rounds 5] [--seconds 3]
        [--concurrency 8] [--drop] [--timeout 900] [--strict]

1. Creates (or reuses) a scratch PostgreSQL database `chapterhouse_bench_<tier>` on
   127.0.0.1:5432 (user postgres), migrates it, loads the gazetteer for a fixed set of
   countries and seeds the organisation with the demo generator (fixed seed). A database
   already seeded for the same tier (table bench_meta) is reused; `--drop` drops it at the
   end instead of keeping it.
2. Starts Chapterhouse with production settings (DEBUG=0, collected static files,
   PostgreSQL, Redis db 14) under gunicorn + uvicorn workers, and the references
   (bench/reference_app.py) the same way on another port. Loopback only.
3. Counts SQL queries per request in-process (bench/querycount.py) for each page at two
   data sizes (a large and a small chapter): the counts must be equal.
4. Drives each page and its reference A, B, A, B… from a second process
   (bench/loadgen.py): median, p50/p95/p99, throughput, ratio ours/reference.
5. Counts Schulze and IRV with ours and with votelib / pyrankvote on the same ballots
   (interleaved), checks the winners agree, and reports the speed ratio.
6. Writes bench/results/<date>-<commit>.json and .md. Refuses the run (exit 3) when a
   reference's round-to-round throughput spread exceeds 15%: rerun on a quieter machine.
Exit status: 0 ok, 1 a correctness check failed (query counts differ between sizes, a
tally disagrees, HTTP errors; with --strict also any time target), 3 refused (noise).
Servers are always stopped (try/finally + atexit + an overall --timeout).
"""

# Every subprocess runs a fixed argv (our venv, manage.py, gunicorn, git): no user input.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = ROOT / ".venv" / "bin"
PY = str(BIN / "python")
HOST = "127.0.0.1"
PG = f"postgresql://postgres@{HOST}:5432"
REDIS_URL = f"redis://{HOST}:6379/14"
SEED = 2012
SPREAD_LIMIT = 0.15

TIERS: dict[str, dict[str, Any]] = {
    # S: what CI runs. M and L only scale members for now (see issue #5: proposals,
    # posts, 1M-ballot votes and Zipf chapter sizes are still to be generated).
    "S": {"members": 20_000, "countries": "GB,FR,ES,DE,US,IT,NL,IE,PT,MX"},
    "M": {"members": 1_000_000, "countries": ""},
    "L": {"members": 3_000_000, "countries": ""},
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def serve(app: str, port: int, env: dict[str, str], log: Path, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), app, "-k", "uvicorn.workers.UvicornWorker", "-w", str(workers),
         "-b", f"{HOST}:{port}", "--log-level", "warning", "--graceful-timeout", "5"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
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


# -- database -------------------------------------------------------------------------------


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
    if row == (tier, spec["members"], SEED, spec["countries"]):
        say(f"reusing {name} (already seeded for tier {tier}); migrating only")
        manage(env, "migrate", "--noinput", "-v0")
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
    seeded = subprocess.run([PY, "manage.py", "seed_demo", "--members", str(spec["members"]),
                             "--seed", str(SEED), "-v0"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if seeded.returncode != 0:
        # The members are committed before the decisions demo runs; a failing decisions
        # demo must not stop the bench (it adds its own proposals below).
        last = (seeded.stderr.strip().splitlines() or [""])[-1]
        say(f"seed_demo exited non-zero (decisions demo?); continuing if members exist: {last}")
        with psycopg.connect(f"{PG}/{name}") as db:
            members = (db.execute("SELECT count(*) FROM members_member").fetchone() or (0,))[0]
        if members < spec["members"]:
            raise SystemExit(f"seed_demo failed with {members} members:\n{seeded.stderr}")
    subprocess.run([PY, str(BENCH / "seed_proposals.py")], cwd=ROOT, env=env, check=True)
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        db.execute("ANALYZE")
        db.execute(
            "INSERT INTO bench_meta (tier, members, seed, countries) VALUES (%s, %s, %s, %s)",
            (tier, spec["members"], SEED, spec["countries"]),
        )
    say(f"seeded in {time.monotonic() - started:.1f} s")


def _has_tables(name: str) -> bool:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as db:
        return bool(db.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = 'members_member'"
        ).fetchone())


def drop_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- statistics -----------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summarise(runs: list[dict]) -> dict[str, Any]:
    latencies = [x for r in runs for x in r["latencies"]]
    throughputs = [len(r["latencies"]) / r["seconds"] for r in runs if r["seconds"] > 0]
    med = statistics.median(throughputs)
    statuses: dict[str, int] = {}
    for r in runs:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "rounds": len(runs),
        "requests": len(latencies),
        "errors": sum(r["errors"] for r in runs),
        "statuses": statuses,
        "throughput_rps": round(med, 1),
        "throughput_per_round": [round(t, 1) for t in throughputs],
        "spread": round((max(throughputs) - min(throughputs)) / med, 3) if med else None,
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "p50_ms": round(pct(latencies, 50) * 1000, 2),
        "p95_ms": round(pct(latencies, 95) * 1000, 2),
        "p99_ms": round(pct(latencies, 99) * 1000, 2),
    }


# -- tallies --------------------------------------------------------------------------------


def tallies(ballots: int, options: int, rounds: int, seed: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(BENCH / "voting"))
    import numpy as np
    import pyrankvote
    import votelib.convert
    import votelib.evaluate.condorcet
    from bench_tallies import random_ranks, rankings, side_by_side

    from chapterhouse.voting import arrays

    rng = np.random.default_rng(seed)
    names = [f"o{j}" for j in range(options)]
    ranks = random_ranks(rng, ballots, options)
    weights = rng.choice(np.array([0.5, 1.0, 1.0, 1.0, 2.0, 3.0]), ballots)
    ranked = rankings(ranks, names)
    votes: dict[tuple[str, ...], float] = {}
    for ranking, w in zip(ranked, weights.tolist(), strict=True):
        votes[tuple(ranking)] = votes.get(tuple(ranking), 0.0) + w

    def votelib_schulze() -> Any:
        pairs = votelib.convert.RankedToCondorcetVotes().convert(votes)
        return votelib.evaluate.condorcet.Schulze().evaluate(pairs, 1)

    ours_t, ref_t, ours, ref = side_by_side(
        lambda: arrays.schulze(ranks, weights), votelib_schulze, rounds
    )
    ours_w = {names[i] for i in ours.winners}
    ref_w = set(ref[0]) if ref and isinstance(ref[0], tuple) else {str(c) for c in ref}
    schulze = {"name": f"Schulze, {ballots:,} weighted ballots × {options}",
               "reference": "votelib Schulze", "ours_s": ours_t, "reference_s": ref_t,
               "speedup": ref_t / ours_t, "target_speedup": 30,
               "agree": ours_w == ref_w, "ours_winners": sorted(ours_w),
               "reference_winners": sorted(ref_w)}

    candidates = {o: pyrankvote.Candidate(o) for o in names}
    pr_ballots = [pyrankvote.Ballot([candidates[o] for o in r]) for r in ranked]
    ones = np.ones(ballots)
    ours_t, ref_t, ours, ref = side_by_side(
        lambda: arrays.irv(ranks, ones),
        lambda: pyrankvote.instant_runoff_voting(list(candidates.values()), pr_ballots),
        rounds,
    )
    ref_winner = [c.name for c in ref.get_winners()]
    irv = {"name": f"IRV, {ballots:,} ballots × {options} (unweighted)",
           "reference": "pyrankvote", "ours_s": ours_t, "reference_s": ref_t,
           "speedup": ref_t / ours_t, "target_speedup": 10,
           "agree": ours.winner is not None and ref_winner == [names[ours.winner]],
           "ours_winners": [names[ours.winner]] if ours.winner is not None else [],
           "reference_winners": ref_winner}
    return [schulze, irv]


# -- report ---------------------------------------------------------------------------------


def commit_id() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                             capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, text=True, capture_output=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "nocommit"


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with psycopg.connect(f"{PG}/postgres") as db:
        pg = (db.execute("SHOW server_version").fetchone() or ("?",))[0]
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "postgresql": pg, "kernel": platform.release(),
            "loadavg_1m_at_end": round(os.getloadavg()[0], 2)}


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"### Tier {result['tier']} — {result['date']} — commit {result['commit']}",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, PostgreSQL "
        f"{m['postgresql']}, load average at the end {m['loadavg_1m_at_end']}. "
        f"Server: gunicorn + {result['config']['workers']} uvicorn workers; "
        f"client: {result['config']['concurrency']} keep-alive threads in a second process, "
        f"{result['config']['rounds']} interleaved rounds × {result['config']['seconds']} s "
        "per side.",
        "",
        "| operation | reference | ours median / p50 / p95 / p99 (ms) | ours req/s | "
        "ref req/s | ratio ours/ref | ref spread | queries (large / small) | target | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for op in result["http"]:
        o, r = op["ours"], op["reference"]
        q = op.get("queries") or {}
        lines.append(
            f"| {op['name']} | {op['reference_name']} | {o['median_ms']} / {o['p50_ms']} / "
            f"{o['p95_ms']} / {o['p99_ms']} | {o['throughput_rps']} | {r['throughput_rps']} | "
            f"{op['ratio']:.3f} | {r['spread']:.1%} | "
            f"{q.get('large', '?')} / {q.get('small', '?')} | "
            f"{op['target']} | {'PASS' if op['pass'] else 'FAIL: ' + '; '.join(op['failures'])} |"
        )
    for t in result["tallies"]:
        lines.append(
            f"| {t['name']} | {t['reference']} | {t['ours_s'] * 1000:.1f} (median of rounds) | | | "
            f"{t['ours_s'] / t['reference_s']:.4f} ({t['speedup']:,.0f}× faster) | | | "
            f"≥ {t['target_speedup']}× faster, winners agree | "
            f"{'PASS' if t['pass'] else 'FAIL: ' + '; '.join(t['failures'])} |"
        )
    lines += ["", "Query counts at two data sizes (anonymous, in-process):", ""]
    for page in result["query_counts"]:
        lines.append(
            f"- {page['name']}: {page['large']['queries']} queries at {page['large']['url']} "
            f"({page['large']['rows']} rows) vs {page['small']['queries']} at "
            f"{page['small']['url']} ({page['small']['rows']} rows)"
        )
    lines += ["", f"Peak RSS per worker (MB): ours {result['peak_rss_mb']['ours']}, "
              f"reference {result['peak_rss_mb']['reference']}."]
    if result.get("refused"):
        lines += ["", f"**REFUSED**: {result['refused']}"]
    return "\n".join(lines) + "\n"


# -- main -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", default=os.environ.get("TIER", "S"), choices=sorted(TIERS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each round, per side")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ballots", type=int, default=20_000, help="ballots for the tally check")
    parser.add_argument("--timeout", type=int, default=900, help="overall limit in seconds")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database at the end")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any missed time target")
    args = parser.parse_args()
    if args.rounds < 5:
        parser.error("--rounds must be at least 5")

    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))
    signal.alarm(args.timeout)
    tier = args.tier
    load1 = os.getloadavg()[0]
    if load1 > 0.5 * (os.cpu_count() or 1):
        say(f"warning: load average {load1:.1f} on {os.cpu_count()} CPUs; "
            "the spread check may refuse this run")
    db_name = f"chapterhouse_bench_{tier.lower()}"
    scratch = Path(tempfile.mkdtemp(prefix="chapterhouse-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in {"CHAPTERHOUSE_TESTING", "HTTPS"}}
    env.update(
        BENCH_DB=db_name,
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS", "bench.settings"),
        DEBUG="0",
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"{PG}/{db_name}",
        REDIS_URL=REDIS_URL,
        DATA_DIR=str(scratch),
        SECURE_SSL_REDIRECT="0",
        PYTHONPATH=str(ROOT),
    )
    exit_code = 0
    try:
        prepare_database(tier, env)
        say("collectstatic into a temporary STATIC_ROOT")
        manage(env, "collectstatic", "--noinput", "-v0")

        say("counting queries in-process at two data sizes")
        qc_env = {**env, "ALLOWED_HOSTS": f"{HOST},testserver"}
        qc = json.loads(subprocess.run([PY, str(BENCH / "querycount.py")], cwd=ROOT, env=qc_env,
                                       check=True, capture_output=True, text=True).stdout)

        ours_port, ref_port = free_port(), free_port()
        ours_log, ref_log = scratch / "ours.log", scratch / "reference.log"
        ours = serve("chapterhouse.config.asgi:application", ours_port, env, ours_log, args.workers)
        ref = serve("bench.reference_app:application", ref_port, env, ref_log, args.workers)
        wait_ready(ours_port, qc["load"]["chapter_page"], ours, ours_log)
        wait_ready(ref_port, "/hello", ref, ref_log)
        say(f"servers up: chapterhouse :{ours_port}, reference :{ref_port}")

        load = qc["load"]
        ref_proposals = "/proposals?path=" + urllib.parse.quote(load["proposals_path"])
        plan: dict[str, Any] = {
            "rounds": args.rounds, "seconds": args.seconds, "concurrency": args.concurrency,
            "warmup": 3 * args.concurrency, "timeout": 15,
            "pairs": [
                {"name": "chapter page (anonymous)",
                 "a": {"port": ours_port, "path": load["chapter_page"]},
                 "b": {"port": ref_port, "path": "/hello"}},
                {"name": f"proposals list ({load['proposals_rows']} published, anonymous)",
                 "a": {"port": ours_port, "path": load["proposals_list"]},
                 "b": {"port": ref_port, "path": ref_proposals}},
            ],
        }
        say(f"load: {args.rounds} interleaved rounds × {args.seconds} s per side, "
            f"concurrency {args.concurrency}")
        raw = json.loads(subprocess.run([PY, str(BENCH / "loadgen.py")], input=json.dumps(plan),
                                        cwd=ROOT, check=True, capture_output=True,
                                        text=True).stdout)
        peak = {"ours": worker_peak_rss_mb(ours.pid), "reference": worker_peak_rss_mb(ref.pid)}
        stop_all()

        pages = {p["name"].split(" (")[0]: p for p in qc["pages"]}
        targets: dict[str, dict[str, Any]] = {
            "chapter page": {"ratio": 0.20, "p95": 40, "max_queries": 8,
                             "text": "≥ 0.20× ref throughput, p95 ≤ 40 ms, ≤ 8 queries, equal"},
            "proposals list": {"ratio": None, "p95": 60, "max_queries": None,
                               "text": "p95 ≤ 60 ms, equal query count"},
        }
        http = []
        correctness_failed = time_failed = False
        refused = []
        for pair, spec in zip(raw["pairs"], plan["pairs"], strict=True):
            key = pair["name"].split(" (")[0]
            o, r = summarise(pair["a"]), summarise(pair["b"])
            target, page = targets[key], pages[key]
            q = {"large": page["large"]["queries"], "small": page["small"]["queries"]}
            failures, hard = [], []
            if q["large"] != q["small"]:
                hard.append(f"queries differ {q['large']}≠{q['small']}")
            if target["max_queries"] and q["large"] > target["max_queries"]:
                hard.append(f"{q['large']} queries > {target['max_queries']}")
            bad = {k: v for k, v in o["statuses"].items() if not k.startswith("2")}
            if o["errors"] or bad or r["errors"]:
                hard.append(f"errors {o['errors']}, non-2xx {bad}")
            ratio = o["throughput_rps"] / r["throughput_rps"] if r["throughput_rps"] else 0.0
            if target["ratio"] and ratio < target["ratio"]:
                failures.append(f"ratio {ratio:.3f} < {target['ratio']}")
            if o["p95_ms"] > target["p95"]:
                failures.append(f"p95 {o['p95_ms']} ms > {target['p95']}")
            if r["spread"] is not None and r["spread"] > SPREAD_LIMIT:
                refused.append(f"{spec['b']['path']} spread {r['spread']:.1%} > 15%")
            correctness_failed |= bool(hard)
            time_failed |= bool(failures)
            http.append({"name": pair["name"],
                         "reference_name": f"{spec['b']['path']} (reference app)",
                         "ours_path": spec["a"]["path"], "ours": o, "reference": r,
                         "ratio": ratio, "queries": q, "target": target["text"],
                         "failures": hard + failures, "pass": not (hard or failures)})

        say(f"tallies: {args.ballots:,} ballots, ours vs votelib / pyrankvote")
        tally_rows = tallies(args.ballots, 15, args.rounds, 7)
        for t in tally_rows:
            t["failures"] = ([] if t["agree"] else ["winners disagree"]) + (
                [] if t["speedup"] >= t["target_speedup"]
                else [f"{t['speedup']:.1f}× < {t['target_speedup']}×"])
            t["pass"] = not t["failures"]
            correctness_failed |= not t["agree"]
            time_failed |= t["speedup"] < t["target_speedup"]

        now = dt.datetime.now(dt.UTC)
        result = {
            "tier": tier, "date": now.strftime("%Y-%m-%d %H:%M UTC"), "commit": commit_id(),
            "machine": machine(), "database": db_name, "members": TIERS[tier]["members"],
            "config": {"rounds": args.rounds, "seconds": args.seconds,
                       "concurrency": args.concurrency, "workers": args.workers,
                       "ballots": args.ballots},
            "http": http, "query_counts": qc["pages"], "tallies": tally_rows,
            "peak_rss_mb": peak,
            "refused": ("; ".join(refused) + " — the machine is too noisy, rerun")
            if refused else None,
        }
        out = BENCH / "results"
        out.mkdir(exist_ok=True)
        stem = f"{now.strftime('%Y-%m-%d')}-{result['commit']}" + ("-refused" if refused else "")
        (out / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n")
        table = markdown(result)
        (out / f"{stem}.md").write_text(table)
        print(table)
        say(f"wrote {out / stem}.json and .md")
        if refused:
            say("REFUSED: " + result["refused"])
            exit_code = 3
        elif correctness_failed or (args.strict and time_failed):
            exit_code = 1
    except Timeout as exc:
        say(str(exc))
        exit_code = 2
    finally:
        signal.alarm(0)
        stop_all()
        if args.drop:
            say(f"dropping {db_name}")
            drop_database(db_name)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
