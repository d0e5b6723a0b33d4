"""ESO's Ready condition, read in one place: the stage's verify hop and its diagnosis use it.

Why one reader: ESO says whether an ExternalSecret synced, and why a store cannot serve it,
only in the `Ready` condition of their `status.conditions`; verify judges it and the failed
create's diagnosis (stages.external_secret.diagnosis) quotes it, and must agree on which
condition that is. A pod carries its readiness the same way, so the env hop reads it here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def ready_condition(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The object's `Ready` condition; {} when it has none (not reconciled yet)."""
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((cond for cond in conditions if cond.get("type") == "Ready"), {})
