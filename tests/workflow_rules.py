"""The trust rules .github/workflows/ is held to (docs/ci.md), read from the parsed YAML.

Why a checker: one added line (`./bin/plan` in the comment job, a `secrets.` in the pull request
workflow, `id-token: write` beside the tests) undoes the split, and the YAML still lints clean.
`findings()` names each broken rule with the file, the job and the evidence, so the test that
runs it over the real workflows says what to fix.

The rules:
- every workflow grants nothing at its top (`permissions: {}`) and every job says what it needs;
- nothing triggers on `pull_request_target` (the base's token beside the pull request's code);
- no `run:` script holds a `${{ }}` expression: values come in through `env`, so a branch name
  or an artifact's text is never spliced into a shell;
- a job that runs the pull request's code (in a `pull_request` workflow: it checks out, runs
  ./bin/*, pulumi or python, or uses a Pulumi or local action) reads the repository and holds
  nothing else: no `id-token`, no secret, no environment;
- a job that reads what a pull request produced (`workflow_run`) checks out nothing, uses no
  action and runs nothing of the repository, and may write pull requests only: the comment job;
- a job that holds a credential (`id-token: write` or a secret) runs only on a push to main, on
  the schedule or by hand, in one of `ENVIRONMENTS`, and `pulumi up` only in `production`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

PR_CODE_EVENTS = {"pull_request", "pull_request_target"}
PR_DATA_EVENTS = {"workflow_run"}
TRUSTED_EVENTS = {"push", "schedule", "workflow_dispatch"}
ENVIRONMENTS = {"preview", "verify", "production"}
COMMENT_PERMISSIONS = {"actions": "read", "pull-requests": "write"}
_RUNS_CODE = re.compile(r"(^|[\s;&|(])(\./bin/|pulumi\b|python|\.venv/|source\b)", re.M)


def load(path: Path) -> dict[str, Any]:
    parsed: dict[Any, Any] = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    parsed["on"] = parsed.pop(True, parsed.get("on"))
    document: dict[str, Any] = parsed
    return document


def events(document: dict[str, Any]) -> set[str]:
    on = document["on"]
    return {on} if isinstance(on, str) else set(on)


def runs_pr_code(job: dict[str, Any]) -> list[str]:
    """What in `job` runs the checked-out code (empty: nothing), as evidence for a finding."""
    found = []
    for step in job.get("steps", []):
        uses = str(step.get("uses", ""))
        if uses.startswith(("actions/checkout@", "pulumi/actions@", "./")):
            found.append(f"uses {uses}")
        if match := _RUNS_CODE.search(str(step.get("run", ""))):
            found.append(f"runs {match.group(2).strip()}")
    return found


def _credentials(job: dict[str, Any]) -> list[str]:
    held = []
    if (job.get("permissions") or {}).get("id-token") == "write":
        held.append("id-token: write")
    held += sorted(set(re.findall(r"secrets\.[A-Za-z_0-9]+", yaml.safe_dump(job))))
    return held


def _writes(job: dict[str, Any]) -> dict[str, str]:
    permissions = job.get("permissions") or {}
    return {k: v for k, v in permissions.items() if v == "write" and k != "id-token"}


def job_findings(name: str, document: dict[str, Any], job: dict[str, Any]) -> list[str]:
    found: list[str] = []
    on = events(document)
    if "permissions" not in job:
        found.append(f"job {name} does not say its permissions")
    for step in job.get("steps", []):
        if "${{" in str(step.get("run", "")):
            found.append(f"job {name} splices an expression into a run script: pass it in env")
    held = _credentials(job)
    if on & PR_CODE_EVENTS and (code := runs_pr_code(job)):
        if job.get("permissions") != {"contents": "read"}:
            found.append(
                f"job {name} runs the pull request's code ({', '.join(code)}) "
                f"with permissions {job.get('permissions')}, not only contents: read"
            )
        if held:
            found.append(
                f"job {name} runs the pull request's code ({', '.join(code)}) "
                f"and holds {', '.join(held)}"
            )
        if "environment" in job:
            found.append(f"job {name} runs the pull request's code in an environment")
    if on & PR_DATA_EVENTS:
        uses = [str(s["uses"]) for s in job.get("steps", []) if "uses" in s]
        if uses or (code := runs_pr_code(job)):
            found.append(f"job {name} reads a pull request's output and uses {uses or code}")
        if held or not set((job.get("permissions") or {}).items()) <= COMMENT_PERMISSIONS.items():
            found.append(
                f"job {name} reads a pull request's output and holds "
                f"{held or job.get('permissions')}: only {COMMENT_PERMISSIONS}"
            )
    elif writes := _writes(job):
        found.append(f"job {name} writes {writes}: only the comment job writes, pull requests")
    if held:
        push = document["on"].get("push", {}) if isinstance(document["on"], dict) else None
        if not on <= TRUSTED_EVENTS or push not in ({}, {"branches": ["main"]}):
            found.append(f"job {name} holds {', '.join(held)} on {sorted(on)}")
        if job.get("environment") not in ENVIRONMENTS:
            found.append(
                f"job {name} holds {', '.join(held)} "
                f"outside the environments {sorted(ENVIRONMENTS)}"
            )
    for step in job.get("steps", []):
        if (step.get("with") or {}).get("command") == "up" and job.get(
            "environment"
        ) != "production":
            found.append(f"job {name} runs pulumi up outside production")
    return found


def findings(path: Path) -> list[str]:
    """Each rule `path` breaks, as `<file>: <what, where, and the evidence>`."""
    document = load(path)
    found = []
    if document.get("permissions") != {}:
        found.append(f"grants {document.get('permissions')} to every job: use permissions: {{}}")
    if "pull_request_target" in events(document):
        found.append("triggers on pull_request_target")
    for name, job in document["jobs"].items():
        found += job_findings(name, document, job)
    return [f"{path.name}: {f}" for f in found]
