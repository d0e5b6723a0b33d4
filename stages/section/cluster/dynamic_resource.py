"""The cluster-mode section as Pulumi registers it: the dynamic resource `JsonSection`.

Why a module of its own: the resource's default provider is the pinned
`components.configmap_section_provider.JsonSectionProvider`, which imports this stage's logic
(stages/section/cluster/provider.py), so the resource cannot live beside that logic. Unlike the
provider it is not pickled; its type string is what the state holds (`identity.CLUSTER_TYPE`).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.configmap_section_provider import JsonSectionProvider
from stages.identity import DYNAMIC_MODULE
from stages.section.cluster.provider import WRITE_TRACKED
from stages.section.identity import CLUSTER_NAME

_PYTHON_NAMES = {"configMap": "config_map", WRITE_TRACKED: "write_tracked_config_map"}
_PULUMI_NAMES = {python: pulumi for pulumi, python in _PYTHON_NAMES.items()}


class SectionResource(Resource, module=DYNAMIC_MODULE, name=CLUSTER_NAME):
    """One top-level section of a JSON document in a ConfigMap, owned by this stack.

    Python attributes are snake_case; the provider and the state see the camelCase name
    `configMap`, translated both ways below. States written before the connection moved to
    `configure` also hold a `kubeContext`; it is ignored (diff compares target and value only).
    """

    namespace: pulumi.Output[str]
    config_map: pulumi.Output[str]
    key: pulumi.Output[str]
    section: pulumi.Output[str]
    value: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        name: str,
        *,
        namespace: pulumi.Input[str],
        config_map: pulumi.Input[str],
        key: pulumi.Input[str],
        section: pulumi.Input[str],
        value: pulumi.Input[dict[str, Any]],
        write_tracked_config_map: bool = False,
        opts: pulumi.ResourceOptions | None = None,
        provider: JsonSectionProvider | None = None,
    ) -> None:
        props = {
            "namespace": namespace,
            "config_map": config_map,
            "key": key,
            "section": section,
            "value": value,
            "write_tracked_config_map": write_tracked_config_map,
        }
        super().__init__(provider or JsonSectionProvider(), name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return _PULUMI_NAMES.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _PYTHON_NAMES.get(prop, prop)
