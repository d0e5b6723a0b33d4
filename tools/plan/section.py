"""The openclaw.json the section resource would leave behind, shown as a diff of the base.

Why the provider's own create-time edit (`add_section`): the plan must refuse what `pulumi up`
refuses (Phase 1 missing, a foreign `cron`) and adopt what it adopts (an equal section: then
nothing is written). When the compared plan's stack already owns the section at the same
target, `pulumi up` updates it instead, so the plan applies the update-time edit (Phase 1
checked, our section rewritten whatever it holds). Why a diff: the document is large and owned
by someone else; a reviewer needs to see that exactly one member changes. Why the ConfigMap
keeps the base's name and every other key: it is the object `pulumi up` would leave, not a new
one.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from typing import Any

from stages.section.document import (
    DocumentError,
    add_section,
    require_otel_diagnostics,
    set_section,
)
from stages.section.token_placeholder import LITERAL_MARKER, literal_spellings, without_literals
from tools.plan.bases import CONFIGMAP_LIMIT, BaseConfig
from tools.plan.errors import PlanError
from tools.plan.kubernetes_files import validate

# Fields the API server sets: a manifest from `kubectl get -o yaml` carries them, an applied
# object must not.
_SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields")


@dataclass(frozen=True)
class SectionResult:
    """The resulting document, whether it differs from the base, and the ConfigMap with it."""

    document: str
    adopted: bool
    diff: str
    configmap: dict[str, Any]
    notes: tuple[str, ...]


def unified_diff(before: str, after: str, before_name: str, after_name: str) -> str:
    """`diff -u` text; a last line without newline is marked as diff marks it."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), before_name, after_name
    )
    return "".join(
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    )


def masked_diff(diff: str, base: str) -> str:
    """`diff` without the literal webhookTokens of `base` (stages.section.token_placeholder): the
    plan is posted to a pull request, and a pasted token must not be published there."""
    return without_literals(diff, literal_spellings(base))


def _configmap_size(configmap: dict[str, Any]) -> int:
    """Bytes Kubernetes counts against the 1 MiB limit: every key and value of both maps."""
    data = configmap.get("data") or {}
    binary = configmap.get("binaryData") or {}
    return sum(len(k) + len(str(v).encode()) for k, v in data.items()) + sum(
        len(k) + len(str(v)) * 3 // 4 for k, v in binary.items()
    )


def _configmap(section: dict[str, Any], base: BaseConfig, document: str) -> dict[str, Any]:
    if base.manifest is None:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": section["configMap"], "namespace": section["namespace"]},
            "data": {section["key"]: document},
        }
    configmap = copy.deepcopy(base.manifest)
    configmap.pop("status", None)
    meta = configmap["metadata"]
    for field in _SERVER_FIELDS:
        meta.pop(field, None)
    meta.setdefault("namespace", section["namespace"])
    configmap["data"][section["key"]] = document
    return configmap


def apply_section(
    section: dict[str, Any], base: BaseConfig, base_name: str, *, owned: bool = False
) -> SectionResult:
    """Apply the section resource's inputs to the base, as its provider's create does (or,
    `owned` by the stack already, its update).

    `base_name` is how the diff names the base (a path relative to the repository, if inside).
    """
    key = section["key"]
    context = f"{base.path} ({key})"
    try:
        if owned:
            require_otel_diagnostics(base.document, context=context)
            document = set_section(
                base.document, section["section"], section["value"], context=context
            )
        else:
            document = add_section(
                base.document, section["section"], section["value"], context=context
            )
    except DocumentError as exc:
        raise PlanError(str(exc)) from None
    configmap = _configmap(section, base, document)
    validate(configmap, "the resulting ConfigMap")
    size = _configmap_size(configmap)
    if size > CONFIGMAP_LIMIT:
        raise PlanError(
            f"the resulting ConfigMap would hold {size:,} bytes; Kubernetes allows at most "
            f"1 MiB ({CONFIGMAP_LIMIT:,} bytes) in a ConfigMap"
        )
    meta = configmap["metadata"]
    notes: list[str] = []
    planned = (section["namespace"], section["configMap"])
    if (meta.get("namespace"), meta.get("name")) != planned:
        notes.append(
            f"the base ConfigMap is {meta.get('namespace')}/{meta.get('name')}, but the stack "
            f"edits {'/'.join(planned)} (config.configMap, namespace)"
        )
    diff = unified_diff(base.document, document, f"a/{base_name}", f"b/{key}")
    masked = masked_diff(diff, base.document)
    if masked != diff:
        notes.append(
            f"{base_name} has a webhookToken that is not a ${{VAR}} placeholder (a literal value, "
            f"perhaps a token): the diff shows it as {LITERAL_MARKER}"
        )
    diff = masked
    return SectionResult(document, document == base.document, diff, configmap, tuple(notes))
