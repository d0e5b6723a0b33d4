"""The parameter stage's hop, `ssm`: the SecureString in Parameter Store, as the stack set it.

Facts in (stages.parameter.ssm_reader's ParameterFacts, None when the parameter does not
exist), one Hop out, with the evidence a person would otherwise collect with the AWS CLI and,
for a failure, the likely cause and the one command that fixes it (docs/operations.md). The
value arrives as a SHA-256 digest, never as itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stack.settings import Settings
from stages.fix_commands import Commands
from stages.hop import CannotRead, Hop, cannot_check, fail, ok
from stages.live import Live
from stages.parameter.ssm_reader import ParameterFacts
from stages.redaction import prefix
from stages.timestamps import iso

DEFAULT_KMS_KEY = "alias/aws/ssm"


def _key_kind(key: str) -> str:
    return "alias" if "alias/" in key else "key"


def same_kms_key(live: str | None, wanted: str) -> bool | None:
    """Whether two spellings name one key: an id, an ARN or an alias. None: cannot tell
    without kms:DescribeKey (an alias on one side, a key id on the other)."""
    live = live or DEFAULT_KMS_KEY
    if _key_kind(live) != _key_kind(wanted):
        return None
    return any(
        a == b or a.endswith("/" + b) or a.endswith(":" + b)
        for a, b in ((live, wanted), (wanted, live))
    )


def ssm_hop(
    settings: Settings, facts: ParameterFacts | None, c: Commands, recorded_version: Any = None
) -> Hop:
    """`recorded_version`: the stack output `parameterVersion`, the version the last update
    left (None when the stack does not export it). Pulumi is the only writer of the value, so
    any other version means someone else wrote it, even after ESO has copied their value."""
    name = settings.token.parameter_name
    if facts is None:
        return fail(
            "ssm",
            f"parameter {name} does not exist",
            "deleted outside Pulumi (console, CLI), or the last `pulumi up` failed before it",
            c.up_refresh,
        )
    wanted_key = settings.token.kms_key_id or DEFAULT_KMS_KEY
    tags = ", ".join(f"{k}={v}" for k, v in sorted(facts.tags.items())) or "none"
    evidence = [
        f"{facts.type}, version {facts.version}, last modified {iso(facts.last_modified)}",
        f"KMS key {facts.key_id or DEFAULT_KMS_KEY}",
        f"tags {tags}",
    ]
    problems = []
    if facts.type != "SecureString":
        problems.append(f"its type is {facts.type}, not SecureString")
    same = same_kms_key(facts.key_id, wanted_key)
    if same is False:
        problems.append(f"its KMS key is {facts.key_id}, the stack sets {wanted_key}")
    elif same is None:
        evidence.append(f"KMS key not compared with {wanted_key} (an alias and a key id)")
    if isinstance(recorded_version, int) and recorded_version != facts.version:
        problems.append(
            f"its version is {facts.version}, the stack's last update left version "
            f"{recorded_version}"
        )
    for tag, value in sorted(settings.token.tags.items()):
        if tag not in facts.tags:
            problems.append(f"tag {tag} is missing")
        elif facts.tags[tag] != value:
            problems.append(f"tag {tag} is {facts.tags[tag]!r}, the stack sets {value!r}")
    if problems:
        return fail(
            "ssm",
            f"parameter {name}: " + "; ".join(problems),
            "the parameter was changed outside Pulumi (console, CLI, another tool)",
            c.up_refresh,
            *evidence,
        )
    if facts.digest is None or facts.shape is None:
        problem = facts.value_problem or CannotRead("value unreadable", "unknown", c.permissions)
        return cannot_check("ssm", problem, *evidence)
    evidence.append(f"value: {facts.shape}")
    return ok(
        "ssm",
        f"SecureString {name}, version {facts.version}, sha256 {prefix(facts.digest)}",
        *evidence,
    )


def judge(live: Live, before: Mapping[str, Hop]) -> tuple[Hop, ...]:
    if live.ssm_problem is not None:
        return (cannot_check("ssm", live.ssm_problem),)
    recorded = live.outputs.get("parameterVersion")
    return (ssm_hop(live.settings, live.parameter, live.commands, recorded),)
