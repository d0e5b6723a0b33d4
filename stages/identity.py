"""How a stage names what it registers: the one spelling of Pulumi's type strings.

Why here: a type string is what the state, the plan, the policy pack and the tests all key on,
and a hand-copied one drifts (the policy pack once missed `GitJsonSection`). Each stage's
`identity` module builds its type with these functions and nothing else spells one. Types that
are already in users' states (every one below, today) never change: a new type is a new
resource to Pulumi, and for a component every child's URN changes with it.
"""

from __future__ import annotations

# Pulumi's Python SDK types a dynamic resource `pulumi-python:dynamic/<module>:<name>` from
# the class keywords `module=` and `name=` (pulumi.dynamic.Resource.__init_subclass__).
DYNAMIC_MODULE = "openclaw"
# This project's package, the first part of its component types (Pulumi.yaml's `name`).
PACKAGE = "openclaw-cron-webhook"


def dynamic_type(name: str) -> str:
    """The type of a dynamic resource declared with `module=DYNAMIC_MODULE, name=name`."""
    return f"pulumi-python:dynamic/{DYNAMIC_MODULE}:{name}"


def component_type(name: str) -> str:
    return f"{PACKAGE}:index:{name}"
