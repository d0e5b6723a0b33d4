"""Moments as verify reads and prints them: RFC 3339 from Kubernetes, whole seconds out.

Why shared: the parameter's last modification (SSM) and ESO's last sync (Kubernetes) are
compared and printed side by side, so both sides are read and written the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_time(text: Any) -> datetime | None:
    """An RFC 3339 timestamp as Kubernetes writes it (`2026-11-30T08:51:55Z`)."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
