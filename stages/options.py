"""Resource options every stage component gives its children.

Why this exists: Pulumi does not pass a component's `depends_on` down to the resources inside
it; dependents of a component wait for its children, but the children themselves start as
soon as their own inputs resolve. The path's order (section only after the env rollout, env
only after the Secret is synced) is about cluster state, not data flow, so each child must
carry the component's `depends_on` itself.
"""

from __future__ import annotations

import pulumi


def child_options(
    parent: pulumi.Resource, opts: pulumi.ResourceOptions | None, *, retain_on_delete: bool = False
) -> pulumi.ResourceOptions:
    """Options for a component's child: parented, and ordered like the component."""
    depends_on = opts.depends_on if opts is not None else None
    return pulumi.ResourceOptions(
        parent=parent, depends_on=depends_on, retain_on_delete=retain_on_delete
    )
