"""The voting package must stay importable and usable with no Django at all."""

import ast
import pathlib
import subprocess
import sys

PACKAGE = pathlib.Path(__file__).resolve().parents[1]


def test_importing_the_package_in_a_fresh_interpreter_loads_no_django():
    code = (
        "import sys\n"
        "import chapterhouse.voting, chapterhouse.voting.arrays, chapterhouse.voting.__main__\n"
        "from chapterhouse.voting import count\n"
        "r = count(method='irv', options=['a', 'b'], ballots=[(1, {'ranking': ['a']})],"
        " params={}, eligible_weight=1)\n"
        "assert r.winners == ['a']\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not loaded, loaded\n"
        "print('ok')\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parents[1],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PACKAGE.parents[1])},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_no_module_of_the_package_imports_django():
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("django", "rest_framework"), f"{path}: {name}"
