"""What `pulumi` prints, read back: the resource rows, the `Resources:` summary, and the first
error of a failed command.

Why parse the text: e2e/scenarios/test_cli.py and e2e/scenarios/test_runbook.py run the CLI as a
person types it,
without `--json`, and assert what that person reads; the fault scenarios
(e2e/scenarios/test_faults.py)
record the first error a user reads. Three shapes are read, all stable in the CLI's
non-interactive display: a step row (` +  aws:ssm:Parameter cron-webhook-token create`), the
summary block (`Resources:` then `+ 5 to create`, `12 unchanged`, …) and the `Diagnostics:`
blocks of a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi import automation as auto

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


# --- a failed command ------------------------------------------------------------------------


@dataclass(frozen=True)
class CliFailure:
    """A failed `pulumi` command as the user sees it."""

    exit: int | None
    text: str
    first_error: str


def cli_failure(error: auto.CommandError) -> CliFailure:
    """Exit code and first error line from the Automation API's error (it keeps only text)."""
    text = str(error)
    code = re.search(r"^ code: (-?\d+)$", text, re.MULTILINE)
    return CliFailure(int(code.group(1)) if code else None, text, first_error(text))


def first_error(text: str) -> str:
    """The first error the output's Diagnostics give for a resource, as the user reads it.

    The stack's own block ("update failed") only sums up, so a resource's error comes first
    when there is one. A dynamic provider's error is a Python traceback (the SDK's provider
    host sends `traceback.format_exc()`), which the user reads from its last line: the
    exception and its message. A header such as "1 error occurred:" is joined to the line after.
    """
    start = text.find("Diagnostics:")
    if start < 0:  # no diagnostics (the CLI refused to start): the first error line
        found = next((line for line in text.splitlines() if "error:" in line), "")
        return found[found.index("error:") :].strip() if found else ""
    blocks: list[tuple[str, list[str]]] = []
    for line in text[start:].splitlines()[1:]:
        if re.match(r"^  \S.*:$", line):
            blocks.append((line.strip(), []))
        elif line.startswith("    ") and blocks:
            blocks[-1][1].append(line[4:])
        elif line.strip() and not line.startswith(" "):
            break
    ordered = [b for b in blocks if not b[0].startswith("pulumi:pulumi:Stack")] + [
        b for b in blocks if b[0].startswith("pulumi:pulumi:Stack")
    ]
    for _, lines in ordered:
        for index, line in enumerate(lines):
            if not line.startswith("error:"):
                continue
            message = line.removeprefix("error:").strip()
            if message.endswith("Traceback (most recent call last):"):  # also "Preview failed: …"
                raised = [
                    later for later in lines[index:] if re.match(r"^[A-Za-z_][\w.]*: ", later)
                ]
                head = message.removesuffix("Traceback (most recent call last):")
                return f"error: {head}{raised[-1]}" if raised else line
            if re.fullmatch(r"\d+ errors? occurred:", message):
                following = next(
                    (later.strip() for later in lines[index + 1 :] if later.strip()), ""
                )
                return f"{line} {following}"
            return line
    return ""
