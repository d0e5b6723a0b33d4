"""The plan judges the change, not the base document: before and after, with the same OpenClaw.

A fake `openclaw` (tests/fake_openclaw.py) answers about the base and the result separately.
Pinned here: an issue the base already has is reported under its own heading and does not
fail the plan; an issue the change adds fails it, listed alone as the change's; both lists
are in plan.txt and plan.json; an adopted section is judged once; the two runs overlap.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_openclaw import answer, calls, install_fake, seen
from stack_files import CLUSTER_STACK_FILE

from openclaw_runtime.verdict import Issue, Judgement, before_and_after
from tools.plan import app as plan
from tools.plan import judging as plan_judging

pytestmark = pytest.mark.process  # a fake openclaw process per judgement

FIXTURES = Path(__file__).parent.parent / "fixtures" / "plan"
BASE = FIXTURES / "configmap-insecure-auth.yaml"
INSECURE = {"path": "gateway.controlUi", "message": 'Unrecognized key: "allowInsecureAuth"'}
RETENTION = {"path": "cron.sessionRetention", "message": "invalid duration (use ms, s, m, h, d)"}
# The cluster-mode dev stack (stack_files.py): for the test that plans a raw openclaw.json.
CLUSTER = ["--stack-file", str(CLUSTER_STACK_FILE)]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake OpenClaw, no installed one, and a verdict cache of this test's own."""
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))
    return install_fake(tmp_path / "bin" / "openclaw")


def invalid(*issues: dict[str, str]) -> dict[str, Any]:
    return {"valid": False, "issues": list(issues)}


def run(fake: Path, out: Path, *args: str) -> int:
    return plan.main(
        ["--openclaw", str(fake), "--base-config", str(BASE), "--out", str(out), *args]
    )


def test_an_issue_already_in_the_base_is_reported_and_passes(tmp_path: Path, fake: Path) -> None:
    answer(fake, invalid(INSECURE), base=invalid(INSECURE), exit=1)
    out = tmp_path / "out"

    assert run(fake, out) == 0

    text = (out / "plan.txt").read_text()
    assert (
        "\nopenclaw.json judged by OpenClaw 2099.1.2: this change adds no issue (the result is "
        "INVALID only by the 1 issue(s) already in the base document)\n"
        "  already in the base document, not caused by this change (1):\n"
        '    gateway.controlUi: Unrecognized key: "allowInsecureAuth"\n'
    ) in text
    verdict = json.loads((out / "plan.json").read_text())["openclaw"]
    assert verdict == {
        "version": "2099.1.2",
        "skipped": False,
        "valid": False,
        "base_valid": False,
        "issues": [],
        "already_in_base": [INSECURE],
        "warnings": [],
        "pod": None,
    }
    assert seen(fake, "base")["document"].startswith('{\n  "agents"')  # the ConfigMap's data
    assert seen(fake, "base")["argv"] == ["config", "validate", "--json"]


def test_an_issue_the_change_adds_fails_the_plan_and_is_listed_alone(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer(fake, invalid(INSECURE, RETENTION), base=invalid(INSECURE), exit=1)
    out = tmp_path / "out"

    assert run(fake, out) == 2

    assert capsys.readouterr().err == (
        "plan failed: openclaw.json judged by OpenClaw 2099.1.2: INVALID, this change adds 1 "
        "issue(s)\n"
        "  cron.sessionRetention: invalid duration (use ms, s, m, h, d)\n"
        "  already in the base document, not caused by this change (1):\n"
        '    gateway.controlUi: Unrecognized key: "allowInsecureAuth"\n'
        f"nothing was written to {out}\n"
    )
    assert not out.exists()


def test_a_valid_base_makes_every_issue_the_changes(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer(fake, invalid(INSECURE), exit=1)
    assert run(fake, tmp_path / "out") == 2
    assert capsys.readouterr().err.startswith(
        "plan failed: openclaw.json judged by OpenClaw 2099.1.2: INVALID, this change adds 1 "
        'issue(s)\n  gateway.controlUi: Unrecognized key: "allowInsecureAuth"\nnothing was'
    )


def test_an_invalid_result_without_issues_fails_unless_the_base_was_invalid_too() -> None:
    silent = Judgement("1", False)
    assert before_and_after(Judgement("1", True), silent).rejects_the_change
    assert not before_and_after(Judgement("1", False), silent).rejects_the_change


def test_issues_are_matched_one_for_one() -> None:
    """The base having an issue once excuses it once: a second copy is the change's."""
    a, b = Issue("x", "bad"), Issue("y", "worse")
    verdict = before_and_after(Judgement("1", False, (a,)), Judgement("1", False, (a, b, a)))
    assert (verdict.added, verdict.already) == ((b, a), (a,))
    assert verdict.rejects_the_change
    same_path = before_and_after(
        Judgement("1", False, (Issue("x", "bad"),)), Judgement("1", False, (Issue("x", "other"),))
    )
    assert same_path.added == (Issue("x", "other"),)


def test_an_adopted_section_is_judged_once(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(fake, {"valid": True})
    first = tmp_path / "first"
    assert plan.main([*CLUSTER, "--openclaw", str(fake), "--out", str(first)]) == 0
    assert sorted(calls(fake)) == ["base", "result"]
    (fake.parent / "calls.log").unlink()
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "empty-cache"))
    adopted = first / "openclaw.json"  # already holds the section: the result is the base
    args = [*CLUSTER, "--openclaw", str(fake), "--base-config", str(adopted)]
    args += ["--out", str(tmp_path / "b")]
    assert plan.main(args) == 0
    assert calls(fake) == ["result"]  # one run answers for both


def test_the_base_and_the_result_are_judged_at_the_same_time(tmp_path: Path, fake: Path) -> None:
    answer(fake, {"valid": True}, sleep=1.0, base_sleep=1.0)
    assert run(fake, tmp_path / "out") == 0
    started = [seen(fake, which)["started"] for which in ("base", "result")]
    assert abs(started[0] - started[1]) < 1.0  # one after the other would be >= 1 s apart
