"""The pure parts of the benchmark orchestrator (bench/run.py): reading wrk's summary,
summarising rounds, judging pages, the exit verdict (with and without --ci) and the
scaling table between tiers."""

import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from bench import loadgen, run

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8000/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
Requests/sec:    900.12
BENCH_JSON {"seconds": 1.0, "requests": 900, "bytes": 1000, "errors": 0, \
"socket_errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0}, "non2xx": 3, \
"mean_ms": 4.1, "p50_ms": 4.0, "p95_ms": 9.5, "p99_ms": 12.25, "max_ms": 20.0}
"""


def a_run(requests: int, p95: float, *, errors: int = 0, non2xx: int = 0) -> dict:
    return {"seconds": 1.0, "requests": requests, "errors": errors, "non2xx": non2xx,
            "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 2}


def side(rps: float, p95: float, *, errors: int = 0, non2xx: int = 0) -> dict:
    return {"throughput_rps": rps, "p95_ms": p95, "errors": errors, "non2xx": non2xx}


def test_it_reads_the_summary_line_among_wrks_own_output():
    summary = run.parse_wrk(WRK_OUTPUT)
    assert summary["requests"] == 900
    assert summary["non2xx"] == 3
    assert summary["p99_ms"] == 12.25


def test_it_refuses_wrk_output_without_the_summary_line():
    with pytest.raises(ValueError, match="BENCH_JSON"):
        run.parse_wrk("Running 1s test @ http://127.0.0.1:8000/\n")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 - the standard library's name
        status = 200 if self.path == "/ok" else 302
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
@pytest.mark.parametrize(("path", "all_non2xx"), [("/ok", False), ("/redirect", True)])
def test_the_wrk_script_counts_requests_and_every_non_2xx_response(path, all_non2xx):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        summary = run.wrk_run({"port": server.server_address[1], "path": path}, 1, 2, None)
    finally:
        server.shutdown()
    assert summary["requests"] > 0
    assert summary["errors"] == 0
    assert summary["non2xx"] == (summary["requests"] if all_non2xx else 0)
    assert summary["statuses"] == ({"302": summary["requests"]} if all_non2xx else {})
    assert 0 < summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]


# A keep-alive HTTP server on the given port, as one "worker".
_WORKER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def _master(port: int, idle_workers: int) -> subprocess.Popen:
    """A stand-in for a gunicorn master: one worker serving `port`, and `idle_workers`
    that hold no connection (as when wrk's connections all land on one worker)."""
    script = (f"{sys.executable} -c '{_WORKER}' {port} & "
              + "sleep 30 & " * idle_workers + "wait")
    master = subprocess.Popen(["/bin/sh", "-c", script])  # noqa: S603 - our own script
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return master
        except OSError:
            time.sleep(0.05)
    master.kill()
    raise AssertionError("the stand-in worker did not start")


def test_a_round_is_balanced_when_the_connections_are_spread_as_evenly_as_they_can_be():
    assert run.balanced([2, 2], 4)
    assert run.balanced([1, 2], 3)
    assert not run.balanced([1, 3], 4)
    assert not run.balanced([0, 4], 4)
    assert run.balanced([0, 1], 1)  # fewer connections than workers: one must be idle
    assert run.balanced([], 4)  # not known (no master given)
    assert run.balanced([1, 2], 4)  # not all open when looked at: nothing to judge


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
@pytest.mark.parametrize("idle_workers", [0, 1])
def test_wrk_starts_a_round_again_while_its_connections_are_uneven(idle_workers):
    port = run.free_port()
    master = _master(port, idle_workers)
    try:
        summary = run.wrk_run({"port": port, "path": "/"}, 1, 2, None, master.pid, retries=2)
    finally:
        for child in psutil.Process(master.pid).children():
            child.kill()
        master.kill()
        master.wait()
    assert summary["requests"] > 0
    assert summary["split"] == [0] * idle_workers + [2]
    assert summary["reruns"] == (2 if idle_workers else 0)


def test_the_wrk_script_is_valid_lua_with_a_done_function():
    script = run.WRK_SCRIPT.read_text()
    assert "function done(summary, latency, requests)" in script
    assert run.WRK_MARK.strip() in script


def test_the_python_fallback_summarises_a_run_like_the_wrk_script():
    summary = loadgen.summary(2.0, [0.001, 0.002, 0.003, 0.010], 1, {"200": 3, "302": 1})
    assert summary["requests"] == 4
    assert summary["non2xx"] == 1
    assert summary["p50_ms"] == 3.0
    assert summary["p99_ms"] == 10.0
    assert set(run.parse_wrk(WRK_OUTPUT)) - {"bytes", "socket_errors"} <= set(summary)


def test_it_summarises_rounds_with_the_median_and_the_throughput_spread():
    summary = run.summarise([a_run(100, 10), a_run(110, 30, errors=1), a_run(90, 20, non2xx=2)])
    assert summary["throughput_rps"] == 100
    assert summary["spread"] == 0.2  # (110 - 90) / 100
    assert summary["p95_ms"] == 20
    assert summary["requests"] == 300
    assert (summary["errors"], summary["non2xx"]) == (1, 2)


def test_a_page_whose_query_count_grows_is_incorrect():
    judged = run.judge_http("proposals_list", side(50, 10), side(100, 5),
                            {"large": 9, "small": 8})
    assert judged["correct"] is False
    assert judged["failures"] == ["queries differ 9≠8"]


def test_errors_or_non_2xx_responses_make_a_page_incorrect():
    ours = {**side(50, 10, non2xx=4), "statuses": {"200": 96, "500": 4}}
    judged = run.judge_http("chapter_member", ours, side(100, 5), {"large": 7, "small": 7})
    assert judged["correct"] is False
    assert "ours: 0 errors, 4 non-2xx {'500': 4}" in judged["failures"]


def test_a_slow_page_is_correct_but_misses_its_targets():
    judged = run.judge_http("chapter_anonymous", side(10, 90), side(100, 5),
                            {"large": 9, "small": 9})
    assert judged["correct"] is True
    assert judged["pass"] is False
    assert judged["ratio"] == 0.1
    assert judged["failures"] == ["9 queries > 8", "ratio 0.100 < 0.45", "p95 90 ms > 15"]


def result_with(*, correct=True, passed=True, refused=None, queries=(3, 3), op_correct=True):
    http = [{"name": "chapter page", "correct": correct, "pass": passed,
             "failures": [] if passed else ["p95 90 ms > 40"]}]
    ops = [{"name": "Schulze", "correct": op_correct, "pass": op_correct,
            "failures": [] if op_correct else ["result differs from the reference"]},
           run.CHAT_ROW]
    pages = [{"name": "chapter page", "large": {"queries": queries[0]},
              "small": {"queries": queries[1]}}]
    return {"http": http, "ops": ops, "query_counts": pages, "refused": refused}


@pytest.mark.parametrize(("result", "ci", "strict", "status"), [
    (result_with(), False, False, 0),
    (result_with(passed=False), False, False, 0),
    (result_with(passed=False), False, True, 1),
    (result_with(passed=False), True, True, 0),  # --ci never fails on time
    (result_with(refused="noisy"), False, False, 3),
    (result_with(refused="noisy"), True, False, 0),  # --ci reports the noise only
    (result_with(op_correct=False), True, False, 1),
    (result_with(correct=False, passed=False), True, False, 1),
    (result_with(queries=(4, 3)), True, False, 1),
    (result_with(op_correct=False, refused="noisy"), False, False, 1),
])
def test_the_verdict(result, ci, strict, status):
    assert run.verdict(result, ci=ci, strict=strict)[0] == status


def test_a_row_not_measured_neither_passes_nor_fails():
    code, why = run.verdict(result_with(), ci=True, strict=True)
    assert run.CHAT_ROW["correct"] is None
    assert (code, why) == (0, ["all targets met"])
    assert "not measured: bench/ops/chat.py did not run" in run._outcome(run.CHAT_ROW)


def http_row(key, p50, p95, queries):
    return {"key": key, "name": key, "ours": {"p50_ms": p50, "p95_ms": p95},
            "queries": {"large": queries, "small": queries}}


def tier_result(tier, rows, **extra):
    return {"tier": tier, "members": 1000, "date": "2026-01-01 00:00 UTC", "commit": "abc",
            "http": rows, **extra}


def test_the_scaling_table_passes_pages_that_grow_at_most_a_quarter():
    m = tier_result("M", [http_row("chapter_anonymous", 10, 20, 3),
                          http_row("proposals_list", 10, 20, 8)])
    big = tier_result("L", [http_row("chapter_anonymous", 12.5, 40, 3),
                            http_row("proposals_list", 13, 20, 8)])
    lines, ok = run.compare(m, big)
    assert ok is False
    chapter, proposals = lines[-2:]
    assert "| 1.25× | 2.00× |" in chapter
    assert chapter.endswith("| PASS |")
    assert "FAIL: p50 grew 1.30×" in proposals


def test_the_scaling_table_fails_a_page_whose_queries_grow():
    lines, ok = run.compare(tier_result("M", [http_row("chapter_member", 10, 20, 7)]),
                            tier_result("L", [http_row("chapter_member", 10, 20, 9)]))
    assert ok is False
    assert "FAIL: queries 7 → 9" in lines[-1]


def test_compare_reads_the_newest_accepted_postgresql_run_of_a_tier(tmp_path: Path):
    def write(name, **fields):
        (tmp_path / f"{name}.json").write_text(json.dumps({"tier": "M", **fields}))

    write("a", date="2026-01-01 10:00 UTC")
    write("b", date="2026-01-02 10:00 UTC")
    write("c", date="2026-01-03 10:00 UTC", refused="noisy")
    write("d", date="2026-01-04 10:00 UTC", backend="sqlite")
    write("e", date="2026-01-05 10:00 UTC", config={"ci": True})
    (tmp_path / "broken.json").write_text("{")
    found = run.newest_result("M", tmp_path)
    assert found is not None
    assert found[0].name == "b.json"
    assert run.newest_result("L", tmp_path) is None


def test_it_reads_the_runners_rows_after_other_output():
    stdout = 'warming up {not json}\n' + json.dumps({"rows": [{"name": "x"}]}, indent=1)
    assert run.parse_rows(stdout) == [{"name": "x"}]
    assert run.parse_rows("Traceback …") is None


def test_the_ci_make_target_is_bounded_in_time():
    ci = (run.ROOT / ".ci" / "run").read_text()
    [bench_line] = [line for line in ci.splitlines()
                    if "make bench" in line and not line.startswith("echo")]
    assert bench_line.startswith("timeout ")
    assert "--ci" in bench_line
    # The check is the script's own syntax too: a typo would break CI.
    subprocess.run(["bash", "-n", str(run.ROOT / ".ci" / "run")], check=True)  # noqa: S603, S607


def test_the_table_has_one_row_per_page_and_operation_with_its_outcome():
    page = {"key": "chapter_anonymous", "name": "chapter page (anonymous)",
            "reference_name": "/hello (reference app)",
            "ours": {"p50_ms": 5, "p95_ms": 9, "p99_ms": 12, "throughput_rps": 300,
                     "throughput_per_core": 150},
            "reference": {"p50_ms": 1, "p95_ms": 2, "p99_ms": 3, "throughput_rps": 1000,
                          "spread": 0.05},
            "ratio": 0.3, "queries": {"large": 3, "small": 3}, "target": "≥ 0.20×",
            "correct": True, "pass": True, "failures": []}
    raised = {"name": "tree", "reference": "", "ours": None, "reference_stats": None,
              "ratio": None, "target": "", "correct": False, "pass": False,
              "failures": ["the operation raised KeyError: 'x'"], "notes": "KeyError: 'x'"}
    result = {
        "tier": "S", "date": "2026-01-01 00:00 UTC", "commit": "abc", "loadavg_at_start": 0.1,
        "machine": {"cpus": 2, "cpu": "EPYC", "kernel": "6", "python": "3.11",
                    "database": "PostgreSQL 15", "wrk": "wrk 4.1", "loadavg_1m_at_end": 0.2},
        "config": {"client": "wrk", "concurrency": 4, "rounds": 5, "seconds": 1, "workers": 2,
                   "ci": True, "server_cpus": [0], "client_cpus": [1]},
        "http": [page], "ops": [raised, run.CHAT_ROW],
        "query_counts": [{"name": "chapter page (anonymous)",
                          "large": {"queries": 3, "url": "/c/us/", "rows": 900},
                          "small": {"queries": 3, "url": "/c/x/", "rows": 1}}],
        "peak_rss_mb": {"ours": 120, "reference": 50}, "notes": [], "refused": None,
    }
    rows = [line for line in run.markdown(result).splitlines() if line.startswith("| ")]
    assert len(rows) == 4  # header, the page, the failed operation, chat
    assert rows[1].endswith("| 0.300 | 5.0% | 3 / 3 | ≥ 0.20× | PASS |")
    assert rows[2].endswith("| FAIL: the operation raised KeyError: 'x' |")
    assert "not measured: bench/ops/chat.py did not run" in rows[3]


def test_a_round_without_a_completed_request_is_a_missed_target_not_a_zero_latency():
    empty = {"seconds": 1.0, "requests": 0, "errors": 0, "non2xx": 0,
             "p50_ms": 0, "p95_ms": 0, "p99_ms": 0}
    ours = run.summarise([empty, a_run(2, 900), empty])
    assert (ours["empty_rounds"], ours["p95_ms"]) == (2, 900)
    judged = run.judge_http("search", ours, run.summarise([a_run(100, 5)] * 3),
                            {"large": 13, "small": 13})
    assert judged["correct"] is True
    assert judged["failures"] == ["2 rounds without a completed request (make --seconds longer)"]
    assert run.summarise([empty])["p95_ms"] is None


def _pair_runs(*reference_rps: float) -> dict:
    return {"a": [a_run(50, 10)] * len(reference_rps),
            "b": [a_run(int(rps), 2) for rps in reference_rps]}


def test_a_page_whose_reference_was_noisy_is_measured_again_and_the_attempt_reported(
    monkeypatch,
):
    pairs = [{"name": "steady page", "b": {"path": "/hello"}},
             {"name": "noisy page", "b": {"path": "/proposals"}}]
    calls = []
    answers = iter([[_pair_runs(100, 101, 99, 100, 100), _pair_runs(100, 150, 100, 100, 100)],
                    [_pair_runs(100, 104, 98, 100, 100)]])

    def fake_load(asked, **kwargs):
        calls.append([p["name"] for p in asked])
        return next(answers)

    monkeypatch.setattr(run, "load", fake_load)
    raw, earlier = run.load_until_steady(pairs, retries=2, rounds=5)
    assert calls == [["steady page", "noisy page"], ["noisy page"]]
    assert earlier == [[], [0.5]]
    assert run.summarise(raw[1]["b"])["spread"] == 0.06


def test_a_page_still_noisy_after_its_retries_keeps_its_spread_and_refuses_the_run(monkeypatch):
    monkeypatch.setattr(run, "load", lambda asked, **kwargs: [_pair_runs(100, 130, 100, 100, 100)])
    raw, earlier = run.load_until_steady([{"name": "page", "b": {"path": "/hello"}}], retries=2)
    assert earlier == [[0.3, 0.3]]
    assert run.summarise(raw[0]["b"])["spread"] == 0.3 > run.SPREAD_LIMIT


@pytest.mark.parametrize("tier", sorted(run.TIERS))
def test_every_tier_seeds_without_the_demo_decisions_on_both_databases(tier):
    # Their proposals in other stages made the query counts of the two chapters compared
    # differ on SQLite (13 vs 15 queries): prepare_database and prepare_sqlite share this.
    argv = run.seed_demo_argv(run.TIERS[tier])
    assert "--no-decisions" in argv
    assert argv[argv.index("--members") + 1] == str(run.TIERS[tier]["members"])


@pytest.mark.parametrize(("args", "message"), [
    (["--rounds", "3"], "--rounds must be at least 5"),
    (["--noise-retries", "-1"], "--noise-retries must be 0 or more"),
])
def test_bad_options_are_refused_before_anything_starts(monkeypatch, capsys, args, message):
    monkeypatch.setattr(sys, "argv", ["run.py", *args])
    monkeypatch.setattr(run, "prepare_database", lambda *a: pytest.fail("it went on"))
    with pytest.raises(SystemExit) as stopped:
        run.main()
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
