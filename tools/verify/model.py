"""What `verify` reports: one Hop per link of the live path, and the exit status they add up to.

Why a model of its own: the hops are judged by pure functions (tools.verify.hops) from facts
that the readers (tools.verify.aws, tools.verify.kube) fetched, and rendered twice, as text and
as JSON. Keeping the verdict a plain value is what lets the tests judge every hop without a
cluster, and lets the renderers promise that nothing but these fields ever reaches the output.

Statuses: `ok` (✔, the hop holds), `fail` (✘, the live system is wrong: `cause` says what is
likely wrong, `fix` is one command), `error` (✘, verify could not check the hop: no
credentials, no access, unreachable; `cause` and `fix` say what verify itself needs).
The exit status: 0 when every hop holds, 1 when one fails (also when others could not be
checked: something is broken for sure), 2 when none fails but one could not be checked, or the
check could not run at all. A stack without outputs (destroyed, or never deployed) is "Phase 2
absent": exit 1, status `absent`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["ok", "fail", "error"]
ReportStatus = Literal["ok", "fail", "error", "absent"]

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_CANNOT_CHECK = 2
EXIT_ABSENT = EXIT_FAIL

# In the order the token travels; tools.verify.app checks and prints them in this order.
HOPS = ("stack", "ssm", "externalSecret", "secret", "env", "config", "gitops")
SYMBOLS: dict[str, str] = {"ok": "✔", "fail": "✘", "error": "✘"}
DIGEST_PREFIX = 12  # the most of a SHA-256 digest ever printed


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


@dataclass
class Redactor:
    """The last line of defence: every byte verify prints passes through `scrub`.

    The readers register each secret value they touch (the SSM value, the Secret's value, secret
    stack config such as a kubeconfig's contents) together with its base64 forms, the way a
    Kubernetes Secret or a log line might carry it. The verdicts never hold those values; this
    catches what a message might quote anyway. Values shorter than 6 characters are not
    registered: scrubbing them would garble every line and protect nothing.
    """

    replacement: str = "[redacted]"
    _secrets: set[str] = field(default_factory=set)

    def add(self, value: str | bytes) -> None:
        raw = value.encode() if isinstance(value, str) else value
        forms = {
            raw.decode(errors="replace"),
            base64.b64encode(raw).decode(),
            base64.urlsafe_b64encode(raw).decode(),
            base64.b64encode(raw).decode().rstrip("="),
        }
        self._secrets.update(form for form in forms if len(form) >= 6)

    def scrub(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, self.replacement)
        return text
