"""The one exception the offline plan turns into `exit 2` and a single line on stderr.

Why one type: every input problem (a stack file, a base document, a Deployment manifest, an
output folder, a previous plan) must reach the user as one clear message naming the file or
key, never as a traceback; anything else escaping is a bug in the plan itself.
"""

from __future__ import annotations


class PlanError(Exception):
    """A problem the plan reports and exits 2 on: bad input, an invalid object, a refusal."""
