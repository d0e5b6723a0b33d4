"""CI split by trust (issue 29): no job that runs a pull request's code holds a credential or a
write permission, only the comment job writes (pull requests), and every credential lives in an
environment that only main's code reaches. tests/workflow_rules.py states the rules; these run
them over .github/workflows/ and over broken workflows, so a rule that cannot fail is caught too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from workflow_rules import findings, load, runs_pr_code

from e2e.harness.pr_preview import WORKFLOWS

ROOT = WORKFLOWS.parents[1]
FILES = sorted(WORKFLOWS.glob("*.yml"))
DEPLOY_KEY_STEP = "Load the GitOps deploy key into an ssh agent"


def jobs(name: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = load(WORKFLOWS / name)["jobs"]
    return found


def test_the_workflows_are_the_four_of_the_split() -> None:
    assert [p.name for p in FILES] == [
        "deploy.yml",
        "drift.yml",
        "plan-comment.yml",
        "pull-request.yml",
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_workflow_follows_the_trust_rules(path: Path) -> None:
    assert findings(path) == []


def test_the_pull_request_jobs_run_its_code_and_hold_only_a_read_token() -> None:
    pr = jobs("pull-request.yml")
    assert load(WORKFLOWS / "pull-request.yml")["on"] == {"pull_request": None}
    assert {name: bool(runs_pr_code(job)) for name, job in pr.items()} == {
        "test": True,
        "plan": True,
    }
    assert {name: job["permissions"] for name, job in pr.items()} == {
        "test": {"contents": "read"},
        "plan": {"contents": "read"},
    }
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert "secrets." not in text
    assert "id-token" not in text.split("\nname:")[1]  # the header may explain, no job holds it


def test_the_comment_job_writes_pull_requests_and_runs_nothing_of_the_pull_request() -> None:
    document = load(WORKFLOWS / "plan-comment.yml")
    pr_workflow = load(WORKFLOWS / "pull-request.yml")["name"]
    assert document["on"] == {"workflow_run": {"workflows": [pr_workflow], "types": ["completed"]}}
    (job,) = document["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert job["if"] == "github.event.workflow_run.event == 'pull_request'"
    (step,) = job["steps"]
    assert "uses" not in step
    assert runs_pr_code(job) == []
    script = step["run"]
    # The artifact's size is checked before the download and again on it; one file is read to
    # stdout, never extracted; the body goes to the API as a file's content.
    assert '[ "$size" -gt "$MAX_ZIP_BYTES" ]' in script
    assert script.index('"$size" -gt') < script.index("/zip")
    assert '(unzip -p "$zip" comment.md || true) | head -c "$((MAX_BODY_BYTES + 1))"' in script
    assert re.findall(r"unzip [^|]*", script) == ['unzip -p "$zip" comment.md ']
    assert script.count('-F "body=@$body"') == 2
    # The pull request comes from GitHub's event (the run's head), not from the artifact.
    assert step["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    assert 'select(.user.login == \\"github-actions[bot]\\")' in script


def test_the_comment_is_the_artifact_the_plan_job_uploads() -> None:
    (upload,) = [
        s
        for s in jobs("pull-request.yml")["plan"]["steps"]
        if s.get("with", {}).get("name") == "plan-comment"
    ]
    assert upload["with"]["path"] == "${{ runner.temp }}/comment/comment.md"
    script = jobs("plan-comment.yml")["comment"]["steps"][0]["run"]
    assert "-f name=plan-comment" in script


def test_each_credential_is_held_in_its_environment_on_mains_code_only() -> None:
    held = {
        (path.name, name): job.get("environment")
        for path in FILES
        for name, job in load(path)["jobs"].items()
        if "id-token" in (job.get("permissions") or {}) or "secrets." in yaml.safe_dump(job)
    }
    assert held == {
        ("deploy.yml", "preview"): "preview",
        ("deploy.yml", "up"): "production",
        ("drift.yml", "preview"): "preview",
        ("drift.yml", "verify"): "verify",
    }
    assert load(WORKFLOWS / "deploy.yml")["on"] == {"push": {"branches": ["main"]}}
    assert set(load(WORKFLOWS / "drift.yml")["on"]) == {"schedule", "workflow_dispatch"}
    # Production's reviewers approve after the read-only preview of the same commit.
    deploy = jobs("deploy.yml")
    assert (deploy["preview"]["needs"], deploy["up"]["needs"]) == ("test", "preview")


def test_the_deploy_key_reaches_only_an_ssh_agent() -> None:
    steps = [
        step
        for path in FILES
        for job in load(path)["jobs"].values()
        for step in job.get("steps", [])
        if "secrets.GITOPS_DEPLOY_KEY" in yaml.safe_dump(step)
    ]
    assert len(steps) == 4
    assert all(step == steps[0] for step in steps)
    assert steps[0]["name"] == DEPLOY_KEY_STEP
    assert steps[0]["env"]["DEPLOY_KEY"] == "${{ secrets.GITOPS_DEPLOY_KEY }}"
    lines = [line.strip() for line in steps[0]["run"].splitlines() if "$DEPLOY_KEY" in line]
    assert lines == ['if [ -z "$DEPLOY_KEY" ]; then', "printf '%s\\n' \"$DEPLOY_KEY\" | ssh-add -"]
    assert 'echo "SSH_AUTH_SOCK=$SSH_AUTH_SOCK" >> "$GITHUB_ENV"' in steps[0]["run"]


def test_the_drift_jobs_fail_on_any_change_and_on_a_failing_hop() -> None:
    drift = jobs("drift.yml")
    (verify,) = [s for s in drift["verify"]["steps"] if s.get("name") == "Verify every hop"]
    assert './bin/verify --stack "$PULUMI_STACK" --json > "$report" || status=$?' in verify["run"]
    assert verify["run"].rstrip().endswith('exit "$status"')


def test_the_settings_table_names_every_secret_and_variable() -> None:
    used = set()
    for path in FILES:
        used |= set(re.findall(r"\b(?:secrets|vars)\.([A-Z_]+)", path.read_text()))
    assert used == {
        "AWS_REGION",
        "AWS_ROLE_ARN",
        "GITOPS_DEPLOY_KEY",
        "GITOPS_KNOWN_HOSTS",
        "KUBECONFIG",
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_STACK",
    }
    table = (ROOT / "docs" / "ci.md").read_text()
    assert [name for name in sorted(used) if f"`{name}`" not in table] == []


BROKEN = """\
name: pulumi
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  preview:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write
      pull-requests: write
    steps:
      - uses: actions/checkout@v4
      - run: ./bin/test --unit
      - run: echo "${{ github.head_ref }}"
      - uses: pulumi/actions@v6
        with: {command: up}
        env:
          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}
"""


def test_the_single_job_workflow_it_replaces_breaks_each_rule(tmp_path: Path) -> None:
    path = tmp_path / "preview.yml"
    path.write_text(BROKEN)
    code = "uses actions/checkout@v4, runs ./bin/, uses pulumi/actions@v6"
    assert findings(path) == [
        "preview.yml: grants {'contents': 'read'} to every job: use permissions: {}",
        "preview.yml: job preview splices an expression into a run script: pass it in env",
        f"preview.yml: job preview runs the pull request's code ({code}) with permissions "
        "{'contents': 'read', 'id-token': 'write', 'pull-requests': 'write'}, "
        "not only contents: read",
        f"preview.yml: job preview runs the pull request's code ({code}) "
        "and holds id-token: write, secrets.PULUMI_ACCESS_TOKEN",
        "preview.yml: job preview writes {'pull-requests': 'write'}: only the comment job "
        "writes, pull requests",
        "preview.yml: job preview holds id-token: write, secrets.PULUMI_ACCESS_TOKEN on "
        "['pull_request', 'push']",
        "preview.yml: job preview holds id-token: write, secrets.PULUMI_ACCESS_TOKEN outside "
        "the environments ['preview', 'production', 'verify']",
        "preview.yml: job preview runs pulumi up outside production",
    ]


def test_a_comment_job_that_checks_out_or_holds_more_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(
        "on: {workflow_run: {workflows: [x], types: [completed]}}\n"
        "permissions: {}\n"
        "jobs:\n"
        "  comment:\n"
        "    permissions: {contents: write, pull-requests: write}\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: ./bin/plan\n"
        "  quiet:\n"
        "    steps:\n"
        "      - run: gh api --method POST x -F body=@y\n"
    )
    assert findings(path) == [
        "c.yml: job comment reads a pull request's output and uses ['actions/checkout@v4']",
        "c.yml: job comment reads a pull request's output and holds "
        "{'contents': 'write', 'pull-requests': 'write'}: "
        "only {'actions': 'read', 'pull-requests': 'write'}",
        "c.yml: job quiet does not say its permissions",
    ]


def test_pull_request_target_and_an_unscoped_push_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "t.yml"
    path.write_text(
        "on: {pull_request_target: null, push: null}\n"
        "permissions: {}\n"
        "jobs:\n"
        "  up:\n"
        "    environment: production\n"
        "    permissions: {contents: read, id-token: write}\n"
        "    steps:\n"
        "      - run: echo hi\n"
    )
    assert findings(path) == [
        "t.yml: triggers on pull_request_target",
        "t.yml: job up holds id-token: write on ['pull_request_target', 'push']",
    ]
