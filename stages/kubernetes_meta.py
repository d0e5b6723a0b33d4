"""Labels and annotations shared by the Kubernetes objects this stack writes.

Why shared: the field manager name is how an operator (or a GitOps controller's diff) tells
this stack's fields from everyone else's, so every writer must use the very same string.
"""

from __future__ import annotations

FIELD_MANAGER = "openclaw-cron-webhook"

LABELS = {
    "app.kubernetes.io/name": "openclaw",
    "app.kubernetes.io/component": "cron-webhook",
    "app.kubernetes.io/managed-by": "pulumi",
}
