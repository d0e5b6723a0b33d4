"""Each registered resource as plan.json shows it, with the Kubernetes file it writes.

Why in the program's creation order, one pass: a resource's row, its `kubernetes/` file, the
env names the app's container will have (OpenClaw judges the document with them set) and the
image its pods run all come from the same masked inputs and the stage's explanation
(`tools.plan.kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.plan.image import PodImage
from tools.plan.kinds import kind_of
from tools.plan.kubernetes_files import KubernetesFile, configmap_file, resource_file
from tools.plan.masking import shown_inputs
from tools.plan.mock_runtime import Registration
from tools.plan.model import DestroyStep, PlannedResource


@dataclass
class Planned:
    """The resources, the files under `kubernetes/` ({path: text}), the app's variables and the
    pods' image (None without --base-deployment)."""

    resources: list[PlannedResource] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    variables: set[str] = field(default_factory=set)
    pod: PodImage | None = None


def planned_resources(
    ordered: list[Registration],
    ids: Mapping[str, str],
    section: Registration,
    configmap: dict[str, Any],
    base_deployment: Path | None,
) -> Planned:
    """Every resource of `ordered`; the `section` writes `configmap`."""
    planned = Planned()
    for registration in ordered:
        kind, inputs = kind_of(registration.type), shown_inputs(registration)
        written: KubernetesFile | None = None
        if kind.manifest is not None:
            written, image = resource_file(
                registration.type, kind.manifest(inputs), kind.into_deployment, base_deployment
            )
            planned.pod = planned.pod or image
            planned.variables.update(written.variables)
        elif registration is section:
            written = configmap_file(configmap)
        if written is not None:
            planned.files[written.path] = written.text()
        planned.resources.append(_planned(registration, ids, inputs, written))
    return planned


def _planned(
    registration: Registration,
    ids: Mapping[str, str],
    inputs: dict[str, Any],
    written: KubernetesFile | None,
) -> PlannedResource:
    """A registered resource as plan.json shows it; `create` until compared."""
    kind = kind_of(registration.type)
    return PlannedResource(
        id=ids[registration.urn],
        urn=registration.urn,
        type=registration.type,
        name=registration.name,
        action="create",
        replace_mode=None,
        changes=[],
        target=kind.target(inputs),
        inputs=inputs,
        # In creation order: a dependency on a component expands into its children in an
        # order the SDK does not fix, and the plan must read the same on every run.
        depends_on=[
            ids[d] for d in sorted(set(registration.dependencies) & set(ids), key=list(ids).index)
        ],
        retain_on_delete=registration.retain_on_delete,
        waits=kind.waits(inputs),
        pods=kind.pods(inputs),
        kubernetes=({"file": written.path, "validation": written.validation} if written else None),
    )


def destroy_steps(resources: list[PlannedResource]) -> list[DestroyStep]:
    """What `pulumi destroy` does, in the reverse of creation order."""
    return [
        DestroyStep(r.id, kind_of(r.type).on_destroy(r.inputs, r.retain_on_delete))
        for r in reversed(resources)
    ]
