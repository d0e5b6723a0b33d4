"""The git-mode section as Pulumi registers it: the dynamic resource `GitJsonSection`.

Why a module of its own: the resource's default provider is the pinned
`components.git_section_provider.GitJsonSectionProvider`, which imports this stage's logic
(stages/section/git/provider.py), so the resource cannot live beside that logic. Unlike the
provider it is not pickled; its type string is what the state holds (`identity.GIT_TYPE`).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.git_section_provider import GitJsonSectionProvider
from stages.identity import DYNAMIC_MODULE
from stages.section.identity import GIT_NAME

_PYTHON_NAMES = {
    "configMap": "config_map",
    "deliveryTimeoutSeconds": "delivery_timeout_seconds",
    "applicationNamespace": "application_namespace",
}
_PULUMI_NAMES = {python: pulumi for pulumi, python in _PYTHON_NAMES.items()}


class GitSectionResource(Resource, module=DYNAMIC_MODULE, name=GIT_NAME):
    """One top-level section of `openclaw.json`, committed to the GitOps repo's manifest.

    Python attributes are snake_case; the provider and the state see camelCase names,
    translated both ways below. `commit` is the commit that carries the section as written
    last (ours, or the head an equal section was adopted at).
    """

    repo: pulumi.Output[str]
    branch: pulumi.Output[str]
    path: pulumi.Output[str]
    namespace: pulumi.Output[str]
    config_map: pulumi.Output[str]
    key: pulumi.Output[str]
    section: pulumi.Output[str]
    value: pulumi.Output[dict[str, Any]]
    commit: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        repo: pulumi.Input[str],
        branch: pulumi.Input[str],
        path: pulumi.Input[str],
        author: pulumi.Input[str],
        namespace: pulumi.Input[str],
        config_map: pulumi.Input[str],
        key: pulumi.Input[str],
        section: pulumi.Input[str],
        value: pulumi.Input[dict[str, Any]],
        stack: pulumi.Input[str],
        delivery_timeout_seconds: pulumi.Input[int],
        application: pulumi.Input[str] = "",
        application_namespace: pulumi.Input[str] = "argocd",
        opts: pulumi.ResourceOptions | None = None,
        provider: GitJsonSectionProvider | None = None,
    ) -> None:
        props = {
            "repo": repo,
            "branch": branch,
            "path": path,
            "author": author,
            "namespace": namespace,
            "config_map": config_map,
            "key": key,
            "section": section,
            "value": value,
            "stack": stack,
            "delivery_timeout_seconds": delivery_timeout_seconds,
            "application": application,
            "application_namespace": application_namespace,
            "commit": None,
        }
        super().__init__(provider or GitJsonSectionProvider(), name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return _PULUMI_NAMES.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _PYTHON_NAMES.get(prop, prop)
