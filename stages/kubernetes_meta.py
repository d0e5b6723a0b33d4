"""Labels and field managers of the Kubernetes objects this stack writes.

Why field managers are named here: the field manager is how an operator (or a GitOps
controller's diff) tells this product's fields from everyone else's in `managedFields`.
"""

from __future__ import annotations

import hashlib

# The one name every stack used to write with; the cron section's writes still use it. The env
# entry used it too, until a second stack on the same Deployment proved that one name for all
# stacks cannot work there: Server-Side Apply takes from a manager whatever its latest apply
# leaves out, so each stack's apply removed the other stack's entry.
FIELD_MANAGER = "openclaw-cron-webhook"

# The manager of destroy's one write that is not the stack's own: giving back a `cron` section
# it had adopted (stages.section.adoption). Those bytes are someone else's again, so a later
# create must not read them as written by this program (stages.section.cluster.authorship).
GIVE_BACK_FIELD_MANAGER = "openclaw-cron-webhook-give-back"

# What the API server accepts as a fieldManager (apimachinery's ValidateFieldManager).
FIELD_MANAGER_MAX_LENGTH = 128


def stack_field_manager(project: str, stack: str) -> str:
    """The env entry's field manager of one stack: `<project>/<stack>`, Pulumi's own spelling
    of a stack within its project (`openclaw-cron-webhook/prod` for this project).

    Why per stack: two stacks on one Deployment then each own exactly their entry. Why this
    spelling: neither name can hold a `/`, so no two stacks share it, and this project's begin
    with the legacy name, so `managedFields` shows which managers are this product's. Past the
    API server's 128 characters, a name keeps its first 119 and ends in a digest of the whole.
    """
    name = f"{project}/{stack}"
    if len(name) <= FIELD_MANAGER_MAX_LENGTH:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: FIELD_MANAGER_MAX_LENGTH - len(digest) - 1]}-{digest}"


LABELS = {
    "app.kubernetes.io/name": "openclaw",
    "app.kubernetes.io/component": "cron-webhook",
    "app.kubernetes.io/managed-by": "pulumi",
}
