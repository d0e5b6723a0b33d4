"""The rules of the stack config that no JSON Schema can state, each naming its decision.

stack_config_schema.json says what each key may hold on its own; these rules need another
key's value (a name and the rotation that suffixes it, the section's target and its git
settings), a grammar only OpenClaw's own parser defines (`sessionRetention`), or a rule the
git provider applies too (`repo_url.url_problem`: one rule, before any resource and after).
They run on values the schema accepted, so a key is never reported twice, and speak through
the same `ConfigIssue` as the schema's translator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from stack.config_issues import (
    ConfigIssue,
    ConfigPath,
    Found,
    config_path,
    given,
    issue_at,
    rm_command,
    set_command,
)
from stack.config_schema import example, stack_schema
from stages.section.git.repo_url import url_problem

# OpenClaw's duration grammar (`parseDurationMs`): one number with an optional unit (a bare
# number is hours for `sessionRetention`), or number+unit parts written together (`1h30m`).
_DURATION_SINGLE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)?")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_DURATION_MS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
# Go's duration grammar (`time.ParseDuration`, which ESO reads refreshInterval with), on a value
# the schema's pattern accepted; a time.Duration is an int64 of nanoseconds.
_GO_PART = re.compile(r"([0-9.]+)(ns|us|µs|μs|ms|s|m|h)")
_GO_NS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9}
_GO_NS |= {"m": 60 * _GO_NS["s"], "h": 3600 * _GO_NS["s"]}
_GO_MAX_NS = 2**63 - 1
# Decision: the section is written into openclaw.json, in a ConfigMap that holds at most 1 MiB
# of data in all (shared with the rest of the document), and shown in every diff, plan, commit
# and the state; its keys need a few hundred bytes, so 64 KiB leaves room for any real list of
# hosts while a runaway value fails here, not halfway through a rollout.
CRON_SECTION_LIMIT = 64 * 1024


def rule_issues(
    config: Mapping[str, Any], found: Found
) -> Iterator[tuple[ConfigPath, ConfigIssue]]:
    """The rules a schema cannot state, each on a value the schema accepted."""
    # A bad rotation is reported once, as itself, not again through the names it suffixes.
    rotation = "1" if "token.rotation" in found else given(config, ("token", "rotation"), "1")
    for key in ("name", "secretName"):
        parts: ConfigPath = ("externalSecret", key)
        name = given(config, parts)  # the defaults are short enough for any rotation
        # Decision: a name with its rotation suffix must still be a DNS name (253 at most).
        too_long = name is not None and len(f"{name}-r{rotation}") > 253
        if too_long and config_path(parts) not in found:
            problem = stack_schema()["$defs"]["rotatedName"]["errorMessage"]
            yield issue_at(parts, name, problem, set_command(parts, example(parts, {})))
    retention = given(config, ("cron", "sessionRetention"))
    if isinstance(retention, str) and not _is_openclaw_duration(retention):
        # Decision: fail here, before any resource, rather than at the gateway's next config
        # reload. OpenClaw's schema types `sessionRetention` only as a string; its loader
        # refines it with its duration parser, which tests/real_openclaw cross-checks.
        problem = (
            "is not an OpenClaw duration: a number with a unit (ms, s, m, h, d), or several "
            "written together such as 1h30m; a bare number means hours"
        )
        fix = (
            set_command(("cron", "sessionRetention"), "7d")
            + "   (or `false` to keep sessions forever)"
        )
        yield issue_at(("cron", "sessionRetention"), retention, problem, fix)
    target = given(config, ("section", "target"), "cluster")
    git = given(config, ("section", "git"))
    if target == "cluster" and git is not None:
        # Decision: git settings with target `cluster` are a half-done switch: say so.
        problem = "is only read when section.target is git: set section.target git, or remove it"
        fix = f"{rm_command(('section', 'git'))}   (or {set_command(('section', 'target'), 'git')})"
        yield issue_at(("section", "git"), git, problem, fix)
    if target == "git" and isinstance(git or {}, Mapping):
        for key in ("repo", "path"):
            parts = ("section", "git", key)
            # Decision: only the operator can name the repository and the manifest in it.
            if given(config, parts) is None:
                problem = "is required when section.target is git"
                yield issue_at(parts, None, problem, set_command(parts, example(parts, {})))
        repo = given(config, ("section", "git", "repo"))
        problem = url_problem(repo) if isinstance(repo, str) else None
        if problem is not None and "section.git.repo" not in found:
            parts = ("section", "git", "repo")
            yield issue_at(parts, repo, problem, set_command(parts, example(parts, {})))
    yield from _limit_issues(config, found)


def _limit_issues(
    config: Mapping[str, Any], found: Found
) -> Iterator[tuple[ConfigPath, ConfigIssue]]:
    """Values past a limit downstream: a refresh interval no Go duration holds, a `cron`
    section over its cap (`CRON_SECTION_LIMIT`)."""
    parts: ConfigPath = ("externalSecret", "refreshInterval")
    interval = given(config, parts)
    if isinstance(interval, str) and config_path(parts) not in found:
        nanoseconds = sum(
            int(Fraction(number) * _GO_NS[unit]) for number, unit in _GO_PART.findall(interval)
        )
        if nanoseconds > _GO_MAX_NS:
            problem = (
                "is longer than a Go duration can be (2562047h47m16.854775807s), so ESO cannot "
                "read it and the ExternalSecret would never sync"
            )
            yield issue_at(parts, interval, problem, set_command(parts, example(parts, {})))
    parts = ("cron",)
    compact = json.dumps(config.get("cron", {}), ensure_ascii=False, separators=(",", ":"))
    size = len(compact.encode())
    if size > CRON_SECTION_LIMIT:
        problem = (
            f"is more than {CRON_SECTION_LIMIT:,} bytes (64 KiB) as JSON, the most the stack "
            "writes into openclaw.json (a ConfigMap holds 1 MiB in all, and the section shows "
            "in every diff, plan and commit)"
        )
        fix = rm_command(parts) + "   (then set again the keys you need, with --path)"
        yield issue_at(parts, f"<{size:,} bytes of JSON>", problem, fix)


def _is_openclaw_duration(value: str) -> bool:
    """Mirrors OpenClaw's `parseDurationMs`: trimmed, case-insensitive, non-negative, at most
    2**53 - 1 ms."""
    text = value.strip().lower()
    single = _DURATION_SINGLE.fullmatch(text)
    if single:
        parts = [(single.group(1), single.group(2) or "h")]
    elif text and re.fullmatch(f"(?:{_DURATION_PART.pattern})+", text):
        parts = [(m.group(1), m.group(2)) for m in _DURATION_PART.finditer(text)]
    else:
        return False
    total = sum(float(number) * _DURATION_MS[unit] for number, unit in parts)
    return round(total) <= 2**53 - 1
