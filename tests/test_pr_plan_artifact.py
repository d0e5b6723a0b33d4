"""The PR workflow uploads the plan's folder under the name plan.md's footer gives, and tells
the plan the address of the run that holds it.

Why: the comment's footer is the reviewer's only way to plan.txt and plan.json, and nothing
here runs the workflow. These fail when .github/workflows/pull-request.yml names the artifact
otherwise, uploads another folder than the one the plan writes, or stops passing the run's
address.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from e2e.harness.pr_preview import WORKFLOWS
from tools.plan.markdown import ARTIFACT_NAME

RUN_URL = "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"


def preview_steps() -> list[dict[str, Any]]:
    document = yaml.safe_load((WORKFLOWS / "pull-request.yml").read_text())
    steps: list[dict[str, Any]] = document["jobs"]["plan"]["steps"]
    return steps


def test_the_plan_is_told_the_runs_address_and_writes_the_uploaded_folder() -> None:
    (step,) = [s for s in preview_steps() if s.get("id") == "plan"]
    assert step["env"]["RUN_URL"] == RUN_URL
    (command,) = re.findall(r"^\s*\./bin/plan .*\n.*$", step["run"], re.M)
    assert ' --artifact-url "$RUN_URL" ' in command
    assert ' --out "$RUNNER_TEMP/plan" ' in command


def test_the_folder_is_uploaded_after_a_plan_under_the_footers_name() -> None:
    steps = preview_steps()
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert uploads[:1] == [
        {
            "uses": "actions/upload-artifact@v4",
            "if": "steps.plan.outputs.status == '0'",
            "with": {
                "name": ARTIFACT_NAME,
                "path": "${{ runner.temp }}/plan/",
                "if-no-files-found": "error",
            },
        }
    ]
    ids = [s.get("id") for s in steps]
    assert ids.index("plan") < steps.index(uploads[0])
