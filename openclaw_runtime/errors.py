"""The one exception the OpenClaw judge raises: no verdict could be had.

Why its own type: two apps use the judge and each says it in its own terms — the plan fails
(`plan failed: …`, exit 2), verify reports the live document as not judged and goes on — so
the judge names the problem (a launcher that cannot run, a release that cannot judge, an
install that failed, a run that gave no verdict) and leaves the consequence to its caller.
"""

from __future__ import annotations


class OpenClawError(Exception):
    """OpenClaw could not be chosen, installed or run, or it gave no verdict."""
