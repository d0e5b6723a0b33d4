"""CI's `pulumi preview`, in one place: what .github/workflows/deploy.yml (and drift.yml) give
pulumi/actions, and what the e2e types.

Why: the workflows run on GitHub, where no test of this repository runs them; what can drift is
their options. tests/test_pr_preview.py holds every pulumi/actions step of the workflows equal to
`PR_PREVIEW`, and e2e/scenarios/test_cli.py runs `pulumi preview` with exactly these options (the
real analyzer on the copied project), so CI previews what the e2e tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "deploy.yml"
DRIFT = WORKFLOWS / "drift.yml"
PULUMI_ACTION = "pulumi/actions@"


@dataclass(frozen=True)
class PreviewOptions:
    """`stack` is the workflow's expression for it (a repository variable, documented as
    `org/openclaw-cron-webhook/dev`); the e2e passes its own stack there, as a file backend has
    no organisation. `work_dir` is relative to the repository, each pack to `work_dir`."""

    stack: str
    work_dir: str
    policy_packs: tuple[str, ...]

    def action_inputs(self) -> dict[str, str]:
        """pulumi/actions' inputs for these options (`policyPacks` is a comma list)."""
        return {
            "stack-name": self.stack,
            "work-dir": self.work_dir,
            "policyPacks": ",".join(self.policy_packs),
        }

    def argv(self, stack: str, packs_in: Path | None = None) -> list[str]:
        """`pulumi preview` as the action runs it, on `stack`; with `packs_in`, each pack by
        its path under that folder (for a project elsewhere, e.g. the violation fixture)."""
        argv = ["preview", "--stack", stack]
        for pack in self.policy_packs:
            argv += ["--policy-pack", str(packs_in / pack) if packs_in else pack]
        return argv


PR_PREVIEW = PreviewOptions(
    stack="${{ vars.PULUMI_STACK }}", work_dir=".", policy_packs=("policy",)
)
# drift.yml's preview adds these (its `refresh` and `expect-no-changes` inputs): the refresh goes
# into the preview only, and any change it then proposes fails the run (issue 29, item 5).
DRIFT_OPTIONS = ("--refresh", "--expect-no-changes")


def drift_argv(stack: str) -> list[str]:
    """drift.yml's `pulumi preview`, as pulumi/actions runs it, on `stack`."""
    return [*PR_PREVIEW.argv(stack), *DRIFT_OPTIONS]


def pulumi_action_steps(workflow: Path = WORKFLOW) -> dict[str, dict[str, Any]]:
    """{job name: the `with` of its pulumi/actions step} (a job has at most one)."""
    document = yaml.safe_load(workflow.read_text())
    steps: dict[str, dict[str, Any]] = {}
    for job_name, job in document["jobs"].items():
        found = [
            s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(PULUMI_ACTION)
        ]
        if len(found) > 1:
            raise ValueError(f"job {job_name} of {workflow} has {len(found)} pulumi/actions steps")
        if found:
            steps[job_name] = dict(found[0].get("with") or {})
    return steps
