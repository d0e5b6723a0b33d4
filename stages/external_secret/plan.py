"""How the offline plan explains the ExternalSecret (pulumi-kubernetes: a new metadata.name or
namespace is a new object, so the identity's replace rule is also what names it)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from stages.explanation import NO_RESTART, Inputs, Kind
from stages.external_secret.identity import REPLACE_ON, TYPE


def _meta(inputs: Inputs) -> tuple[str, str]:
    meta = inputs.get("metadata") or {}
    return str(meta.get("namespace")), str(meta.get("name"))


def _target(inputs: Inputs) -> str:
    namespace, name = _meta(inputs)
    return f"{inputs.get('apiVersion')} {inputs.get('kind')} {namespace}/{name}"


def _pods(_: Inputs) -> str:
    return f"{NO_RESTART} (pods read a Secret only when they start; the env entry rolls them)"


def _destroy(inputs: Inputs, _: bool) -> str:
    namespace, name = _meta(inputs)
    target = (inputs.get("spec") or {}).get("target") or {}
    secret = f"Secret {namespace}/{target.get('name', name)}"
    if target.get("creationPolicy", "Owner") == "Owner":
        gone = f"Kubernetes garbage-collects its {secret} (ESO's ownerReference)"
    else:
        gone = f"its {secret} stays (creationPolicy {target.get('creationPolicy')})"
    return f"deletes ExternalSecret {namespace}/{name}; {gone}"


def describe_wait(annotations: Mapping[str, Any], what: str) -> str | None:
    """pulumi-kubernetes' `pulumi.com/waitFor` annotation, in words.

    `condition=Ready` → "is Ready"; a jsonpath on the Ready condition's reason → "with reason
    X"; anything else is quoted. The default timeout of a custom resource is 10 minutes.
    """
    raw = annotations.get("pulumi.com/waitFor")
    if not raw:
        return None
    try:
        conditions = json.loads(raw) if str(raw).startswith("[") else [raw]
    except ValueError:
        conditions = [raw]
    words: list[str] = []
    for condition in map(str, conditions):
        reason = re.fullmatch(
            r'jsonpath=\{\.status\.conditions\[\?\(@\.type=="(\w+)"\)\]\.reason\}=(\S+)',
            condition,
        )
        if condition.startswith("condition="):
            words.append(f"is {condition.removeprefix('condition=')}")
        elif reason:
            words.append(f"with reason {reason[2]}")
        else:
            words.append(f"matches {condition}")
    timeout = annotations.get("pulumi.com/timeoutSeconds", "600")
    return f"waits until {what} {' '.join(words)}, up to {timeout} s"


def _waits(inputs: Inputs) -> str | None:
    namespace, name = _meta(inputs)
    annotations = (inputs.get("metadata") or {}).get("annotations") or {}
    return describe_wait(annotations, f"{inputs.get('kind')} {namespace}/{name}")


def _as_declared(inputs: Inputs) -> dict[str, Any]:
    return dict(inputs)


def _hop(inputs: Inputs, _: str) -> str:
    meta = inputs.get("metadata") or {}
    target = ((inputs.get("spec") or {}).get("target") or {}).get("name")
    where = f"{meta.get('namespace')}/{meta.get('name')}"
    return f"ExternalSecret {where} makes Secret {meta.get('namespace')}/{target}"


KINDS = {
    TYPE: Kind(
        target=_target,
        pods=_pods,
        on_destroy=_destroy,
        hop=_hop,
        waits=_waits,
        replace_on=REPLACE_ON,
        names=REPLACE_ON,
        manifest=_as_declared,
    ),
}
