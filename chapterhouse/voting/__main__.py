"""``python -m chapterhouse.voting recount FILE``: recount a published ballot file.

Prints the result and its explanation. Exit status: 0 when the recount equals the
file's published result, 1 when it does not, 2 when the file is malformed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .ballot_file import FORMAT_V1, differences, load_ballot_file, recount
from .describe import describe
from .errors import InvalidBallot, InvalidBallotFile, InvalidParams


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chapterhouse.voting",
        description="Recount a Chapterhouse ballot file without any database.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser(
        "recount", help="recount a ballot file and compare with its published result"
    )
    rec.add_argument("file", help="the ballot file (JSON); - reads standard input")
    rec.add_argument("--json", action="store_true", help="print the recounted result as JSON")
    args = parser.parse_args(argv)

    try:
        ballot_file = load_ballot_file(sys.stdin if args.file == "-" else args.file)
        result = recount(ballot_file)
    except (InvalidBallotFile, InvalidBallot, InvalidParams) as error:
        print(f"Malformed ballot file: {error}", file=sys.stderr)
        return 2

    if args.json:
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        labels = ballot_file.labels
        winners = ", ".join(labels.get(w, w) for w in result.winners)
        print(f"Outcome: {result.outcome}" + (f" — {winners}" if winners else ""))
        for line in describe(result, labels):
            print(line)
    diff = differences(result, ballot_file.result, legacy=ballot_file.format == FORMAT_V1)
    if diff:
        print(f"The recount DIFFERS from the published result in: {', '.join(diff)}.")
        return 1
    print("The recount matches the published result.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
