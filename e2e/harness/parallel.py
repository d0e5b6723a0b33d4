"""Three worlds at once: ./bin/e2e runs the scenarios on three pytest-xdist workers.

Why: most of an e2e minute is waiting (rollouts, ESO's sync, Argo CD's sync, a gateway's
start), not computing, so three workers, each with its own control plane, world and stacks,
finish the suite in a fraction of the serial time on the same two cores. Modules that share
state within the session stay on one worker: the canary search reads what the scenarios'
stacks left, so it sits with them. GroupScheduling sends each group whole, in collection order,
to one worker (xdist's own `--dist loadgroup` reads `xdist_group` marks, which pytest 9 leaves
out of the node ids it schedules by: measured, its groups were split). Each worker writes its
part of report.json; the controller merges the parts when all are done.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO

from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

# Module → the worker group it runs in, balanced by the modules' measured minutes (each group
# about a third of the serial run); a module not listed runs in group "b". Group "a" holds the
# scenarios whose stacks the canary search reads (cluster and git mode, verify, two stacks).
GROUPS = {
    "test_control_plane": "a",
    "test_aws_standin": "a",
    "test_random_standin": "a",
    "test_scenarios": "a",
    "test_git_mode": "a",
    "test_two_stacks": "a",
    "test_verify": "a",
    "test_secrets_scan": "a",
    "test_runbook": "b",
    "test_cli": "b",
    "test_least_privilege": "b",
    "test_faults": "c",
    "test_rollback": "c",
}
DEFAULT_GROUP = "b"


def group_of(module: str) -> str:
    return GROUPS.get(module, DEFAULT_GROUP)


def scope_of(nodeid: str) -> str:
    """The group of the module a test id names."""
    path = nodeid.split("::", 1)[0]
    return group_of(path.rsplit("/", 1)[-1].removesuffix(".py"))


class GroupScheduling(LoadScopeScheduling):
    """xdist's scope scheduling with a module's group as its scope."""

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)


def worker() -> str | None:
    """`gw0`, `gw1`, … in an xdist worker; None in a run without workers (e.g. `--keep`)."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def port_range(low: int, high: int) -> tuple[int, int]:
    """This worker's share of [low, high): two workers drawing at random from one range could
    pick the same port between probing it and binding it."""
    name, count = worker(), int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if name is None or count <= 1:
        return low, high
    index = int(name.removeprefix("gw"))
    width = (high - low) // count
    return low + index * width, low + (index + 1) * width


class Prefixed:
    """A worker's stdout: xdist drops it, so each line goes to stderr, marked with the worker."""

    def __init__(self, stream: TextIO, prefix: str) -> None:
        self.stream, self.prefix, self.at_line_start = stream, prefix, True

    def write(self, text: str) -> int:
        for piece in text.splitlines(keepends=True):
            if self.at_line_start:
                self.stream.write(self.prefix)
            self.stream.write(piece)
            self.at_line_start = piece.endswith("\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


def part_path(report: Path, name: str) -> Path:
    return report.with_name(f"{report.stem}.{name}{report.suffix}")


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from the workers' parts: lists joined, mappings joined, a value once."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif merged.get(key) is None:
                merged[key] = value
    return merged


def merge_parts(report: Path) -> None:
    """Write `report` from the parts the workers wrote beside it, and remove the parts."""
    paths = sorted(report.parent.glob(f"{report.stem}.gw*{report.suffix}"))
    if not paths:
        return
    parts = [json.loads(path.read_text()) for path in paths]
    report.write_text(json.dumps(merge(parts), indent=2, sort_keys=True) + "\n")
    for path in paths:
        path.unlink()
