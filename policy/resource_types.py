"""The resource types the pack inspects, and where a workload type keeps its pod spec.

Why spelled here and not imported from `stages.*.identity`: the pack is its own program
(Pulumi runs this directory as a script, with policy/requirements.txt), so it cannot import
the stack's packages. The types this stack registers are held equal to the stages' own
spelling by tests/test_policy_rules.py; the others are Kubernetes' own.
"""

from __future__ import annotations

from collections.abc import Mapping

SSM_PARAMETER = "aws:ssm/parameter:Parameter"
CONFIG_MAP_TYPES = frozenset({"kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:ConfigMapPatch"})
JSON_SECTION = "pulumi-python:dynamic/openclaw:JsonSection"
GIT_JSON_SECTION = "pulumi-python:dynamic/openclaw:GitJsonSection"
# This stack's own env entry: it can only express a secretKeyRef, but its Secret must be named.
ENV_ENTRY = "pulumi-python:dynamic/openclaw:EnvEntry"
EXTERNAL_SECRET_TYPES = frozenset(
    f"kubernetes:external-secrets.io/{version}:ExternalSecret" for version in ("v1", "v1beta1")
)

_TEMPLATE = ("spec", "template", "spec")
# Where each workload kind keeps its pod spec; a patch has the same shape as its object.
_POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "apps/v1:Deployment": _TEMPLATE,
    "apps/v1:StatefulSet": _TEMPLATE,
    "apps/v1:DaemonSet": _TEMPLATE,
    "batch/v1:Job": _TEMPLATE,
    "batch/v1:CronJob": ("spec", "jobTemplate", *_TEMPLATE),
    "core/v1:Pod": ("spec",),
}
POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    f"kubernetes:{kind}{suffix}": path
    for kind, path in _POD_SPEC_PATHS.items()
    for suffix in ("", "Patch")
}
