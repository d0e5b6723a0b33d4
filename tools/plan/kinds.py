"""What the offline plan knows about each resource type the program registers: every stage's
explanation, collected by walking `stages.ORDER`.

Why each stage explains itself (`stages/<stage>/plan.py`): the answers a reviewer needs per
type are read from the provider that handles it, and the replace rule is that provider's own
declaration (the stage's `identity`); stating them beside the stage keeps each fact once, and a
new stage is one small module. A type no stage explains still plans, with honest, generic
words, instead of crashing.
"""

from __future__ import annotations

import importlib

import stages
from stages.explanation import NO_RESTART, Kind


def _walked() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for stage in stages.ORDER:
        kinds.update(importlib.import_module(f"stages.{stage}.plan").KINDS)
    return kinds


KINDS = _walked()


def kind_of(type_: str) -> Kind:
    """The kind for `type_`; a type the plan was not taught gets plain, generic words."""
    known = KINDS.get(type_)
    if known is not None:
        return known
    return Kind(
        target=lambda _: type_,
        pods=lambda _: f"{NO_RESTART} known to the plan",
        on_destroy=lambda _, retained: "kept (retainOnDelete)" if retained else "deletes it",
        hop=lambda _, name: f"{type_.rsplit(':', 1)[-1]} {name}",
    )
