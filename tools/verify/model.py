"""What `verify` reports: the hops the stages judged, and the exit status they add up to.

Why a model of its own: each stage judges its own hops (stages/<stage>/verify.py, in the
vocabulary of stages.hop) from facts its readers fetched; verify adds them up into one Report,
rendered twice, as text and as JSON (tools.verify.output), so the renderers can promise that
nothing but these fields ever reaches the output.

The exit status: 0 when every hop holds, 1 when one fails (also when others could not be
checked: something is broken for sure), 2 when none fails but one could not be checked, or the
check could not run at all. A stack without outputs (destroyed, or never deployed) is "Phase 2
absent": exit 1, status `absent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from stages.hop import Hop, Status

ReportStatus = Literal["ok", "fail", "error", "absent"]

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_CANNOT_CHECK = 2
EXIT_ABSENT = EXIT_FAIL

SYMBOLS: dict[str, str] = {"ok": "✔", "fail": "✘", "error": "✘"}


@dataclass(frozen=True)
class Report:
    """Everything one run says: the stack, its verdict, and each hop (none if it could not run)."""

    stack: str
    status: ReportStatus
    headline: str
    hops: tuple[Hop, ...] = ()
    cause: str = ""
    fix: str = ""

    @property
    def exit_status(self) -> int:
        return {
            "ok": EXIT_OK,
            "fail": EXIT_FAIL,
            "absent": EXIT_ABSENT,
            "error": EXIT_CANNOT_CHECK,
        }[self.status]


def overall(hops: tuple[Hop, ...]) -> Status:
    """A failed hop outweighs one that could not be checked: something is broken either way."""
    statuses = {hop.status for hop in hops}
    if "fail" in statuses:
        return "fail"
    if "error" in statuses:
        return "error"
    return "ok"


def headline(hops: tuple[Hop, ...]) -> str:
    failed = [hop.name for hop in hops if hop.status == "fail"]
    unchecked = [hop.name for hop in hops if hop.status == "error"]
    parts = []
    if failed:
        parts.append(f"{len(failed)} of {len(hops)} hops failed: {', '.join(failed)}")
    if unchecked:
        parts.append(f"could not check: {', '.join(unchecked)}")
    return "; ".join(parts) or f"all {len(hops)} hops hold"
