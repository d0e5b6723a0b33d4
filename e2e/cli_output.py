"""What `pulumi` prints, read back: the resource rows and the `Resources:` summary.

Why parse the text: e2e/test_cli.py and e2e/test_runbook.py run the CLI as a person types it,
without `--json`, and assert what that person reads. Only two shapes are read, both stable
in the CLI's non-interactive display: a step row (` +  aws:ssm:Parameter cron-webhook-token
create`) and the summary block (`Resources:` then `+ 5 to create`, `12 unchanged`, …).
"""

from __future__ import annotations

import re

# The summary's words, by the step kind they count (a preview says "to create", an update
# "created").
_KINDS = {
    "to create": "create",
    "created": "create",
    "to update": "update",
    "updated": "update",
    "to delete": "delete",
    "deleted": "delete",
    "to replace": "replace",
    "replaced": "replace",
    "to import": "import",
    "imported": "import",
    "unchanged": "same",
    "errored": "errored",
}
_SUMMARY_LINE = re.compile(r"^\s+(?:[-+~=<>]+\s+)?(\d+) (" + "|".join(_KINDS) + r")\b")
_ROW = re.compile(
    r"^ ([-+~=<>]{1,2})\s+(\S+) (\S+) (create|update|delete|replace|create-replacement|"
    r"delete-replaced|import|read|refresh)\b"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def summary(output: str) -> dict[str, int]:
    """{kind: count} of the last `Resources:` block (kinds: create, update, delete, replace,
    import, same, errored)."""
    lines = _ANSI.sub("", output).splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == "Resources:"]
    if not starts:
        raise ValueError(f"no 'Resources:' summary in the output:\n{output[-2000:]}")
    counts: dict[str, int] = {}
    for line in lines[starts[-1] + 1 :]:
        match = _SUMMARY_LINE.match(line)
        if match is None:
            if line.strip():
                continue
            break
        kind = _KINDS[match.group(2)]
        counts[kind] = counts.get(kind, 0) + int(match.group(1))
    return counts


def steps(output: str) -> set[tuple[str, str, str]]:
    """(step, type as displayed, name) of every step row: what the CLI says it does to what."""
    rows = set()
    for line in _ANSI.sub("", output).splitlines():
        match = _ROW.match(line)
        if match is not None:
            rows.add((match.group(4), match.group(2), match.group(3)))
    return rows


def changes(output: str) -> int:
    """Everything the summary counts but `same` (and errors): what a reviewer looks at."""
    return sum(n for kind, n in summary(output).items() if kind not in ("same", "errored"))
