"""What the stack writes, produced the way a user sees it: by the offline plan's CLI.

Why the CLI and not a function call: the real-gateway tests judge the document a user would
review (`python -m tools.plan --stack-file ... --base-config ...`), stack file to
openclaw.json, through every layer the plan goes through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
# A document valid for OpenClaw 2026.9.6 with Phase 1 done (diagnostics-otel enabled).
BASE_DOCUMENT = ROOT / "tests" / "fixtures" / "openclaw-2026.9.6.json"
# The variable the stack injects and its placeholder names (the default deployment.envName).
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"


def plan_document(workdir: Path, case: str, cron: dict[str, Any] | None) -> str:
    """The openclaw.json the OFFLINE PLAN produces for a stack whose `cron` config is `cron`
    (None: not set at all), applied to the 2026.9.6 base document."""
    workdir.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {"aws:region": "ap-northeast-1"}
    if cron is not None:
        config["openclaw-cron-webhook:cron"] = cron
    stack_file = workdir / f"Pulumi.{case}.yaml"
    stack_file.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    out = workdir / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.plan",
            "--stack-file",
            str(stack_file),
            "--base-config",
            str(BASE_DOCUMENT),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"the offline plan failed for case {case} (exit {result.returncode}):\n"
            f"{result.stderr[-3000:]}"
        )
    return (out / "openclaw.json").read_text()


def cron_of(document: str) -> Any:
    return json.loads(document).get("cron")
