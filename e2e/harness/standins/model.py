"""The plain types a stand-in's resource logic speaks, free of gRPC so it is testable alone."""

from __future__ import annotations

from dataclasses import dataclass, field


class StandinError(ValueError):
    """A request the stand-in will not serve; the message names the stand-in and the reason.

    Why one class for all stand-ins: the servicer maps it to FAILED_PRECONDITION (an answer the
    engine prints as the user's problem), unlike a crash, which it maps to INTERNAL.
    """


@dataclass(frozen=True)
class Diff:
    """Changed input keys, split by what they cost; `kinds` says add, delete or update per key."""

    replaces: tuple[str, ...] = ()
    updates: tuple[str, ...] = ()
    kinds: dict[str, str] = field(default_factory=dict)
    delete_before_replace: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.replaces or self.updates)
