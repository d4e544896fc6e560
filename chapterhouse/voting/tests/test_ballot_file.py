import io
import json
import subprocess
import sys
from typing import Any

import pytest

from chapterhouse.voting import (
    InvalidBallotFile,
    ballot_file_json,
    count,
    dump_ballot_file,
    load_ballot_file,
    loads_ballot_file,
    make_ballot_file,
    recount,
)
from chapterhouse.voting.__main__ import main

OPTIONS = ["park", "library", "pool"]
BALLOTS = [
    ("R-3", 1.0, {"ranking": ["park", "library"]}),
    ("R-1", 3.0, {"ranking": ["library"]}),
    (None, 1.0, {}),
    ("R-2", 2.0, {"ranking": ["pool", "library", "park"]}),
]


def published(**overrides):
    kwargs: dict[str, Any] = {
        "method": "irv",
        "options": OPTIONS,
        "params": {"quorum": 0.5},
        "eligible_weight": 10.0,
        "ballots": BALLOTS,
        "labels": {"park": "A new park", "library": "The library", "pool": "A pool"},
        "meta": {"proposal": "5f1c"},
    }
    kwargs.update(overrides)
    result = count(
        method=kwargs["method"],
        options=kwargs["options"],
        ballots=[(w, b) for _, w, b in kwargs["ballots"]],
        params=kwargs["params"],
        eligible_weight=kwargs["eligible_weight"],
    )
    return make_ballot_file(**kwargs, result=result)


def test_a_ballot_file_stores_complete_params_and_sorts_ballots_by_receipt():
    data = published()
    assert data["format"] == "chapterhouse-ballots/2"
    assert data["params"] == {"quorum": 0.5, "tie_break": "no_decision", "seed": ""}
    assert [row["receipt"] for row in data["ballots"]] == [None, "R-1", "R-2", "R-3"]
    assert data["result"]["winners"] == ["library"]


def test_dump_and_load_round_trip_and_the_recount_matches(tmp_path):
    path = tmp_path / "ballots.json"
    data = dump_ballot_file(
        path,
        method="plurality",
        options=OPTIONS,
        params={},
        eligible_weight=5,
        ballots=[("x", 2, {"option": "pool"}), ("y", 1, {"option": "park"})],
        result=count(
            method="plurality",
            options=OPTIONS,
            ballots=[(2, {"option": "pool"}), (1, {"option": "park"})],
            params={},
            eligible_weight=5,
        ),
    )
    loaded = load_ballot_file(path)
    assert loaded.ballots == data["ballots"]
    assert recount(loaded).to_dict() == loaded.result
    # One ballot per line, so a member can find their receipt with grep.
    assert sum('"receipt": "x"' in line for line in path.read_text().splitlines()) == 1


def test_ballot_file_json_is_valid_json_even_with_no_ballots():
    data = published(ballots=[], eligible_weight=1.0)
    assert json.loads(ballot_file_json(data)) == json.loads(json.dumps(data))


def run_cli(data_or_text, tmp_path, *extra):
    path = tmp_path / "file.json"
    path.write_text(
        data_or_text if isinstance(data_or_text, str) else ballot_file_json(data_or_text)
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "chapterhouse.voting", "recount", str(path), *extra],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_recount_command_exits_0_when_the_published_result_is_reproduced(tmp_path):
    done = run_cli(published(), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Outcome: elected — The library" in done.stdout
    assert "Round 1: A new park 1 (16.7%), The library 3 (50%), A pool 2 (33.3%)." in done.stdout
    assert "The recount matches the published result." in done.stdout


def test_the_recount_command_exits_1_when_the_result_was_altered(tmp_path):
    data = published()
    data["result"]["winners"] = ["pool"]
    data["result"]["explanation"]["rounds"][0]["counts"]["pool"] = 4.0
    done = run_cli(data, tmp_path)
    assert done.returncode == 1
    assert "DIFFERS from the published result in: explanation.rounds, winners" in done.stdout


def test_the_recount_command_exits_1_when_a_ballot_was_altered(tmp_path):
    data = published()
    data["ballots"][1]["ballot"] = {"ranking": ["pool"]}
    assert run_cli(data, tmp_path).returncode == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"format": "other/1"}', "format must be 'chapterhouse-ballots/2'"),
        ('{"format": "chapterhouse-ballots/2"}', "lacks: method"),
    ],
)
def test_the_recount_command_exits_2_for_a_malformed_file(tmp_path, text, message):
    done = run_cli(text, tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.startswith("Malformed ballot file:")


def test_a_file_whose_ballot_is_invalid_is_malformed(tmp_path, capsys):
    data = published()
    data["ballots"][0]["ballot"] = {"ranking": ["park", "park"]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert main(["recount", str(path)]) == 2
    assert "Ballot 1: Option 'park' is ranked more than once." in capsys.readouterr().err


def test_the_recount_command_reads_standard_input_and_prints_json(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(ballot_file_json(published())))
    assert main(["recount", "-", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[: out.rindex("}") + 1])["winners"] == ["library"]


def mutate(change):
    data = published()
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), "unknown field(s): extra"),
        (lambda d: d["ballots"][0].update(member="ada"), "exactly: receipt, weight, ballot"),
        (lambda d: d["ballots"][0].update(weight=-1), "weight must be a number of at least 0"),
        (lambda d: d["ballots"][0].update(weight=True), "weight must be a number of at least 0"),
        (lambda d: d["ballots"][0].update(receipt=5), "receipt must be a string or null"),
        (lambda d: d["ballots"][0].update(ballot=[]), "'ballot' must be an object"),
        (lambda d: d.update(ballots={}), "'ballots' must be a list"),
        (lambda d: d.update(eligible_weight=10), "'eligible_weight' must be a number"),
        (lambda d: d.update(options="park"), "'options' must be a list"),
        (lambda d: d.update(params=[]), "'params' must be an object"),
        (lambda d: d.update(labels=[]), "'labels' must be an object"),
        (lambda d: d["result"].pop("winners"), "'result' must be an object with"),
        (lambda d: d["result"].update(outcome="won"), "unknown outcome 'won'"),
    ],
)
def test_loading_refuses_a_malformed_file_with_a_clear_message(change, message):
    with pytest.raises(InvalidBallotFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        loads_ballot_file(mutate(change))


def test_loading_refuses_nan_weights():
    with pytest.raises(InvalidBallotFile, match="NaN"):
        loads_ballot_file(mutate(lambda d: None).replace('"weight": "3"', '"weight": NaN'))
