"""The vocabulary of verify's verdicts: one Hop per link of the live path, and CannotRead.

Why in stages: each stage judges its own hop (stages/<stage>/verify.py) from facts its own
readers fetched, and a stage never imports the apps; verify (tools.verify) only walks the
stages and adds the hops up into a Report. Keeping the verdict a plain value is what lets the
tests judge every hop without a cluster, and lets the renderers promise that nothing but these
fields ever reaches the output.

Statuses: `ok` (✔, the hop holds), `fail` (✘, the live system is wrong: `cause` says what is
likely wrong, `fix` is one command), `error` (✘, verify could not check the hop: no
credentials, no access, unreachable; `cause` and `fix` say what verify itself needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "fail", "error"]


@dataclass(frozen=True)
class Hop:
    """The verdict on one hop; `evidence` lines say what was seen, never a secret value."""

    name: str
    status: Status
    summary: str
    evidence: tuple[str, ...] = ()
    cause: str = ""
    fix: str = ""


def ok(name: str, summary: str, *evidence: str) -> Hop:
    return Hop(name, "ok", summary, tuple(evidence))


def fail(name: str, summary: str, cause: str, fix: str, *evidence: str) -> Hop:
    return Hop(name, "fail", summary, tuple(evidence), cause, fix)


def cannot_check(name: str, problem: CannotRead, *evidence: str) -> Hop:
    return Hop(name, "error", problem.summary, tuple(evidence), problem.cause, problem.fix)


class CannotRead(Exception):
    """A read verify needs failed for a reason of verify's own (access, reachability).

    The readers build the message themselves from status codes and names; they never pass on a
    client library's exception text, which may quote requests and responses.
    """

    def __init__(self, summary: str, cause: str, fix: str) -> None:
        super().__init__(summary)
        self.summary = summary
        self.cause = cause
        self.fix = fix
