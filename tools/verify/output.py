"""How a verify Report is printed: lines for a person, one JSON object for a program.

Text, one block per hop in the token's order:

    ✔ ssm             SecureString /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN, version 1, ...
                      · KMS key alias/aws/ssm
    ✘ secret          Secret openclaw/openclaw-cron-webhook-r1's value differs from SSM (...)
                      · key OPENCLAW_CRON_WEBHOOK_TOKEN: 64 bytes, sha256 0a1b2c3d4e5f
                      cause: the Secret was edited by hand after ESO's last sync; ...
                      fix:   kubectl -n openclaw annotate externalsecret ... --overwrite

then one line with the verdict and the exit status.

JSON (`--json`), `schema_version` 1:

    {"schema_version": 1, "stack": "dev", "status": "ok" | "fail" | "error" | "absent",
     "exit": 0 | 1 | 2, "headline": "all 7 hops hold", "seconds": 0.84,
     "failed": ["secret"], "unchecked": [],
     "hops": [{"name": "stack" | "ssm" | "externalSecret" | "secret" | "env" | "config" | "gitops",
               "status": "ok" | "fail" | "error", "summary": "...", "evidence": ["..."],
               "cause": "...", "fix": "..."}],
     "cause": "...", "fix": "..."}

`hops` is empty when the check could not run (status `error`) or Phase 2 is absent (status
`absent`); the top-level `cause` and `fix` then say why and what to do ("" otherwise).
Everything printed passes through the Redactor first (stages.redaction).
"""

from __future__ import annotations

import json
from typing import Any

from stages.redaction import Redactor
from tools.verify.model import SYMBOLS, Report

SCHEMA_VERSION = 1
_NAME_WIDTH = 16


def as_dict(report: Report, seconds: float) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "stack": report.stack,
        "status": report.status,
        "exit": report.exit_status,
        "headline": report.headline,
        "seconds": round(seconds, 2),
        "failed": [hop.name for hop in report.hops if hop.status == "fail"],
        "unchecked": [hop.name for hop in report.hops if hop.status == "error"],
        "hops": [
            {
                "name": hop.name,
                "status": hop.status,
                "summary": hop.summary,
                "evidence": list(hop.evidence),
                "cause": hop.cause,
                "fix": hop.fix,
            }
            for hop in report.hops
        ],
        "cause": report.cause,
        "fix": report.fix,
    }


def as_text(report: Report, seconds: float) -> str:
    indent = " " * (_NAME_WIDTH + 2)
    lines = []
    for hop in report.hops:
        lines.append(f"{SYMBOLS[hop.status]} {hop.name:<{_NAME_WIDTH}}{hop.summary}")
        lines.extend(f"{indent}· {item}" for item in hop.evidence if item)
        if hop.status != "ok":
            lines.append(f"{indent}cause: {hop.cause}")
            lines.append(f"{indent}fix:   {hop.fix}")
    symbol = "✔" if report.status == "ok" else "✘"
    lines.append(
        f"{symbol} {report.headline}  (stack {report.stack}, exit {report.exit_status}, "
        f"{seconds:.1f} s)"
    )
    if report.cause:
        lines.append(f"  cause: {report.cause}")
    if report.fix:
        lines.append(f"  fix:   {report.fix}")
    return "\n".join(lines) + "\n"


def _scrubbed(value: Any, redactor: Redactor) -> Any:
    """Each string scrubbed before JSON escapes could hide a secret's exact spelling."""
    if isinstance(value, str):
        return redactor.scrub(value)
    if isinstance(value, list):
        return [_scrubbed(item, redactor) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, redactor) for key, item in value.items()}
    return value


def render(report: Report, seconds: float, *, as_json: bool, redactor: Redactor) -> str:
    if as_json:
        document = _scrubbed(as_dict(report, seconds), redactor)
        return redactor.scrub(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return redactor.scrub(as_text(report, seconds))
