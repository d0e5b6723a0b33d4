"""`--compare` refuses what is not an earlier plan.json with one exact message each.

Why exact: the message is all a person gets when a CI job's `--compare` points at the wrong
artifact; it names the flag, the file and what to do, and stops the plan before it writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from stack_files import CLUSTER_STACK_FILE

from tools.plan import app as plan

REQUIRED = "(top): '{}' is a required property"


def refused(tmp_path: Path, previous: Path, capsys: pytest.CaptureFixture[str]) -> str:
    out = tmp_path / "out"
    argv = ["--stack-file", str(CLUSTER_STACK_FILE), "--compare", str(previous), "--out", str(out)]
    assert plan.main(argv) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "[]",
            "written by an older plan (a bare list); re-run that plan with this version to "
            "compare against it",
        ),
        ("42", "not a plan.json: (top): 42 is not of type 'object'"),
        (
            '{"schema_version": 2}',
            "not a plan.json: "
            + "; ".join(REQUIRED.format(key) for key in ("stack", "project", "stack_file")),
        ),
    ],
)
def test_a_file_that_is_not_a_plan_is_refused_by_one_exact_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    previous = tmp_path / "plan.json"
    previous.write_text(content)
    assert refused(tmp_path, previous, capsys).splitlines()[0] == (
        f"plan failed: --compare {previous}: {expected}"
    )


def test_a_missing_plan_names_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    previous = tmp_path / "gone.json"
    assert refused(tmp_path, previous, capsys).splitlines()[0] == (
        f"plan failed: --compare {previous}: no such file"
    )


def test_a_file_too_large_for_a_plan_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = tmp_path / "plan.json"
    previous.write_bytes(b" " * (3 * 1024 * 1024 + 1))
    assert refused(tmp_path, previous, capsys).splitlines()[0] == (
        f"plan failed: --compare {previous} is 3,145,729 bytes: too large to be a plan.json"
    )
