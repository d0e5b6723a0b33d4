"""The real OpenClaw judges the change, not the base document.

The base (tests/fixtures/plan/configmap-insecure-auth.yaml) carries
`gateway.controlUi.allowInsecureAuth`, which the February 2026 builds accepted and 2026.9.6
rejects: with the pinned release it is reported as already in the base and the plan passes;
with 2026.3.2 (the oldest release that can judge) it is no issue at all. A section 2026.3.2
does not know fails the plan, and is the only issue blamed on the change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from stack_files import CLUSTER_STACK_FILE

from openclaw_runtime.install import OpenClawInstall
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.mock_runtime import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "plan"
BASE = FIXTURES / "configmap-insecure-auth.yaml"
DEPLOYMENT = FIXTURES / "deployment-build-tag.yaml"
IMAGE = "registry.example.com/team/openclaw:202602170222"
INSECURE = {"path": "gateway.controlUi", "message": 'Unrecognized key: "allowInsecureAuth"'}


@pytest.fixture(autouse=True)
def fresh_verdicts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every verdict here comes from OpenClaw itself, not from an earlier run's cache."""
    monkeypatch.setattr(plan_judging, "verdict_cache", lambda: tmp_path / "verdicts")


def planned(out: Path, *args: str) -> dict[str, Any]:
    arguments = ["--base-config", str(BASE), "--base-deployment", str(DEPLOYMENT)]
    assert plan.main([*arguments, "--out", str(out), *args]) == 0
    verdict: dict[str, Any] = json.loads((out / "plan.json").read_text())["openclaw"]
    return verdict


def test_the_pinned_release_reports_the_bases_key_and_passes(
    pinned_openclaw: OpenClawInstall, tmp_path: Path
) -> None:
    verdict = planned(tmp_path / "out")

    version = pinned_openclaw.openclaw_version
    assert {k: v for k, v in verdict.items() if k != "pod"} == {
        "version": version,
        "skipped": False,
        "valid": False,
        "base_valid": False,
        "issues": [],
        "already_in_base": [INSECURE],
        "warnings": [],
    }
    assert (verdict["pod"]["image"], verdict["pod"]["same_release"]) == (IMAGE, None)
    assert (tmp_path / "out" / "plan.txt").read_text().count(
        "  already in the base document, not caused by this change (1):\n"
        '    gateway.controlUi: Unrecognized key: "allowInsecureAuth"\n'
        f"  judged by OpenClaw {version}; the pod runs {IMAGE} (container openclaw of "
        "Deployment openclaw/openclaw):\n"
    ) == 1


def test_the_oldest_release_that_judges_accepts_the_key(
    oldest_openclaw: OpenClawInstall, tmp_path: Path
) -> None:
    verdict = planned(tmp_path / "out", "--openclaw-version", oldest_openclaw.openclaw_version)

    assert {k: v for k, v in verdict.items() if k != "pod"} == {
        "version": "2026.3.2",
        "skipped": False,
        "valid": True,
        "base_valid": True,
        "issues": [],
        "already_in_base": [],
        "warnings": [],
    }


def test_a_section_key_the_release_does_not_know_is_the_only_issue_blamed_on_the_change(
    oldest_openclaw: OpenClawInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = tmp_path / "Pulumi.receiver.yaml"
    stack.write_text(
        CLUSTER_STACK_FILE.read_text()
        + "    webhookSsrfPolicy:\n      allowedHostnames: [cron-receiver.monitoring.svc]\n"
    )
    base = tmp_path / "configmap.yaml"  # a key no release knows, beside the February one
    base.write_text(
        BASE.read_text().replace(
            '"allowInsecureAuth": true',
            '"allowInsecureAuth": true,\n          "legacyTheme": "dark"',
        )
    )
    out = tmp_path / "out"
    args = [
        *("--stack-file", str(stack), "--base-config", str(base)),
        *("--base-deployment", str(DEPLOYMENT), "--out", str(out)),
        *("--openclaw-version", oldest_openclaw.openclaw_version),
    ]

    assert plan.main(args) == 2

    cached = oldest_openclaw  # the release judges from the cache, and says so once
    assert capsys.readouterr().err.startswith(
        f"openclaw 2026.3.2 (node {cached.node_version}): cached at {cached.root}\n"
        "plan failed: openclaw.json judged by OpenClaw 2026.3.2: INVALID, this change adds 1 "
        "issue(s)\n"
        '  cron: Unrecognized key: "webhookSsrfPolicy"\n'
        "  already in the base document, not caused by this change (1):\n"
        '    gateway.controlUi: Unrecognized key: "legacyTheme"\n'
        f"  judged by OpenClaw 2026.3.2; the pod runs {IMAGE} (container openclaw of "
        "Deployment openclaw/openclaw):\n"
    )
    assert not out.exists()
