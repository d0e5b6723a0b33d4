"""How a plan names a resource: `type::name`.

Why not the URN: a URN carries the stack's and the project's name, and `--compare` matches a
resource across stacks (a PR's plan against the base branch's, a scratch stack against `dev`);
type and name are unique among a program's resources and the same in every stack.
"""

from __future__ import annotations

from tools.plan.errors import PlanError
from tools.plan.mock_runtime import Recording, Registration


def resource_id(registration: Registration) -> str:
    """Type and name: unique among a program's resources, and the same in every stack."""
    return f"{registration.type}::{registration.name}"


def ids_of(ordered: list[Registration]) -> dict[str, str]:
    """{urn: id} of the program's resources; two that share an id cannot be told apart."""
    ids = {r.urn: resource_id(r) for r in ordered}
    if len(set(ids.values())) != len(ids):
        raise PlanError("two resources share a type and a name; the plan cannot tell them apart")
    return ids


def component_ids(recording: Recording) -> list[str]:
    """The component resources' ids: no cloud object, but `pulumi preview` counts them
    (tools.plan.preview)."""
    return [resource_id(r) for r in recording.registrations if not r.custom]
