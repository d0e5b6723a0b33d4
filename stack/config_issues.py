"""A stack config problem in words, and how this stack spells a config key and its fix.

Why words of our own: a refused `pulumi up` prints these lines and nothing else, so they are
the interface. Each names the key as `pulumi config --path` spells it, the value as given,
what is wrong, and one command that fixes it; the fix commands are built here, and nowhere
else, so every message (the config's, the providers', verify's) spells them alike. What is
wrong comes from the schema's translator (`stack.config_schema`) or a rule no schema can state
(`stack.config_rules`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from stages.section.git.repo_url import hide_credentials

PROJECT = "openclaw-cron-webhook"
# A config path segment Pulumi's `--path` syntax takes bare; anything else goes in ["..."].
_PATH_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

ConfigPath = tuple[str | int, ...]
Found = dict[str, tuple[ConfigPath, "ConfigIssue"]]


@dataclass(frozen=True)
class ConfigIssue:
    """One bad config value: which key, what value, what is wrong, how to fix it."""

    key: str
    value: Any
    problem: str
    fix: str

    def render(self) -> str:
        return (
            f"{PROJECT}:{self.key} = {json.dumps(self.value)}: {self.problem}.\n    fix: {self.fix}"
        )


class ConfigError(pulumi.RunError):
    """Raised before any resource exists; `pulumi.RunError` prints without a traceback."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        lines = "\n  - ".join(issue.render() for issue in issues)
        super().__init__(
            f"invalid stack configuration ({len(issues)} problem(s)); "
            f"nothing was registered or changed:\n  - {lines}"
        )


def given(config: Any, parts: ConfigPath, default: Any = None) -> Any:
    """The value at a config path, or `default` where a level is missing or not an object."""
    value: Any = config
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return default
        value = value[part]
    return value


def config_path(parts: ConfigPath) -> str:
    """`cron.webhookSsrfPolicy.allowedHostnames[0]`, `token.tags["aws:owner"]`: the key as
    `pulumi config --path` takes it."""
    path = str(parts[0])
    for part in parts[1:]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PATH_SEGMENT.fullmatch(part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(part)}]"
    return path


def config_parts(path: str) -> ConfigPath:
    """`cron.webhookSsrfPolicy.allowedHostnames[0]` as its parts: the inverse of `config_path`
    for the keys and indexes this stack has (no quoted segments)."""
    parts: list[str | int] = []
    for segment in path.split("."):
        name, *indexes = re.split(r"\[(\d+)\]", segment)
        parts += [name, *(int(index) for index in indexes if index)]
    return tuple(parts)


def set_command(parts: ConfigPath, value: str) -> str:
    return f"pulumi config set --path '{PROJECT}:{config_path(parts)}' {value}"


def rm_command(parts: ConfigPath) -> str:
    if len(parts) == 1:
        return f"pulumi config rm '{PROJECT}:{parts[0]}'"
    return f"pulumi config rm --path '{PROJECT}:{config_path(parts)}'"


def issue_at(
    parts: ConfigPath, value: Any, problem: str, fix: str
) -> tuple[ConfigPath, ConfigIssue]:
    return parts, ConfigIssue(config_path(parts), hide_credentials(value), problem, fix)
