"""CI's pulumi/actions steps use the options the e2e's CLI preview runs with.

e2e/scenarios/test_cli.py runs `pulumi preview` with `e2e.harness.pr_preview.PR_PREVIEW` (the real
analyzer on the policy pack); these tests fail when .github/workflows/deploy.yml previews or
applies, or drift.yml checks for drift, with anything else, so CI cannot drift from what is
tested. No pull request's code runs pulumi (tests/test_workflow_trust.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.harness.pr_preview import DRIFT, PR_PREVIEW, WORKFLOWS, pulumi_action_steps


def test_the_preview_step_uses_the_e2e_options() -> None:
    step = pulumi_action_steps()["preview"]
    assert step["command"] == "preview"
    assert {key: step.get(key) for key in ("stack-name", "work-dir", "policyPacks")} == (
        PR_PREVIEW.action_inputs()
    )


def test_the_up_step_applies_the_same_stack_folder_and_pack() -> None:
    step = pulumi_action_steps()["up"]
    assert step["command"] == "up"
    assert {key: step.get(key) for key in ("stack-name", "work-dir", "policyPacks")} == (
        PR_PREVIEW.action_inputs()
    )


def test_only_those_two_jobs_run_pulumi() -> None:
    assert sorted(pulumi_action_steps()) == ["preview", "up"]


def test_the_drift_preview_is_the_same_preview_refreshed_expecting_no_changes() -> None:
    steps = pulumi_action_steps(DRIFT)
    assert steps == {
        "preview": {
            "command": "preview",
            **PR_PREVIEW.action_inputs(),
            "refresh": True,
            "expect-no-changes": True,
        },
        "verify": {},  # the CLI only, for ./bin/verify
    }


def test_no_pull_request_workflow_runs_pulumi() -> None:
    for name in ("pull-request.yml", "plan-comment.yml"):
        assert pulumi_action_steps(WORKFLOWS / name) == {}


def test_the_e2e_types_what_the_action_runs() -> None:
    assert PR_PREVIEW.argv("e2e-cli") == [
        "preview",
        "--stack",
        "e2e-cli",
        "--policy-pack",
        "policy",
    ]
    assert PR_PREVIEW.argv("v", packs_in=Path("/p")) == [
        "preview",
        "--stack",
        "v",
        "--policy-pack",
        "/p/policy",
    ]


def test_a_drifted_workflow_is_caught(tmp_path: Path) -> None:
    """The reader sees a changed pack, and a second pulumi step in one job is an error."""
    workflow = tmp_path / "preview.yml"
    workflow.write_text(
        "jobs:\n"
        "  preview:\n"
        "    steps:\n"
        "      - uses: pulumi/actions@v6\n"
        "        with: {command: preview, stack-name: x, work-dir: ., policyPacks: other}\n"
    )
    assert pulumi_action_steps(workflow)["preview"]["policyPacks"] == "other"
    workflow.write_text(
        "jobs:\n"
        "  preview:\n"
        "    steps:\n"
        "      - uses: pulumi/actions@v6\n"
        "      - uses: pulumi/actions@v5\n"
    )
    with pytest.raises(ValueError, match=r"job preview of .* has 2 pulumi/actions steps"):
        pulumi_action_steps(workflow)
