"""Run the in-process operations of bench/ops/ and print their rows as one JSON document.

    python bench/ops/runner.py --tier S [--rounds 5] [--ci] [--only ballots,tree]

Needs DJANGO_SETTINGS_MODULE (default chapterhouse.config.settings) and DATABASE_URL (the scratch
database). Prints {"rows": [...]} on stdout; logs go to stderr. Each module's
`measure(ctx)` runs in turn; one that raises gives a row with correct=False and the
error, and the others still run. A module not written yet is skipped with a note.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The operations, in the order they run.
MODULES = ("ballots", "tallies", "notify", "notify_roll", "tree", "chat", "feed")


def error_row(name: str, error: BaseException) -> dict[str, Any]:
    """The row of an operation that raised: not correct, with the error's text."""
    text = f"{type(error).__name__}: {error}"
    return {
        "name": name, "reference": "", "ours": None, "reference_stats": None, "ratio": None,
        "target": "", "correct": False, "failures": [f"the operation raised {text}"],
        "pass": False, "notes": text,
    }


def run(names: list[str], ctx: Any) -> list[dict[str, Any]]:
    from django.db import connections

    rows: list[dict[str, Any]] = []
    for name in names:
        try:
            module = importlib.import_module(f"bench.ops.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.ops.{name}":
                raise
            print(f"runner: bench/ops/{name}.py does not exist yet, skipped", file=sys.stderr)
            continue
        print(f"runner: {name}…", file=sys.stderr, flush=True)
        try:
            rows.extend(module.measure(ctx))
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            rows.append(error_row(name, exc))
        finally:
            connections.close_all()  # a failed op must not leave a broken transaction behind
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", default="S", choices=["S", "M", "L"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ci", action="store_true",
                        help="correctness only: smaller sizes, times reported not failed")
    parser.add_argument("--only", default="", help=f"comma-separated, of {', '.join(MODULES)}")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="an operation's option (ctx.options), e.g. notify_skip_sync=1")
    args = parser.parse_args(argv)
    options = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--option wants KEY=VALUE, not {item!r}")
        options[key] = value
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(MODULES)
    unknown = sorted(set(names) - set(MODULES))
    if unknown:
        parser.error(f"unknown operations: {', '.join(unknown)}")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
    # The operations give each thread its own connection (50 concurrent voters); a pool
    # sized for one server process would make them queue for a connection instead.
    os.environ.setdefault("DATABASE_POOL", "0")
    import django

    django.setup()
    from bench.ops.common import Context

    ctx = Context(tier=args.tier, rounds=max(args.rounds, 1), ci=args.ci, options=options)
    rows = run([n for n in MODULES if n in names], ctx)
    json.dump({"rows": rows}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
