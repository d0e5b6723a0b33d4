"""Stage 5: the `cron` section inside openclaw.json.

Why its own stage (and its own provider): `data["openclaw.json"]` is one string owned by
someone else; a ConfigMapPatch would own, and on delete erase, the whole document. The section
provider edits exactly one top-level key. It comes last so OpenClaw never loads a
`${VAR}` placeholder whose variable its pods do not have yet (February 2026 builds reject such
a config; later ones would send the literal placeholder as the bearer token).

Two variants, one per `section.target`: `Section` edits the live ConfigMap; `GitSection`
commits the same edit to the GitOps repo's ConfigMap manifest and waits until
the controller has delivered it, for clusters where a controller with self-heal would revert an
in-cluster edit.
"""

from __future__ import annotations

from typing import Any

import pulumi

from stack.settings import GitSettings, Settings
from stages.options import child_options
from stages.section.cluster.dynamic_resource import SectionResource
from stages.section.git.dynamic_resource import GitSectionResource
from stages.section.identity import CLUSTER_COMPONENT_TYPE, GIT_COMPONENT_TYPE

SECTION = "cron"


class Section(pulumi.ComponentResource):
    """Owns `cron` in the live document; destroy removes exactly that key. The cluster is the
    Kubernetes provider's; `section.writeTrackedConfigMap` writes even when a GitOps controller
    tracks the ConfigMap (see stages.section.tracking)."""

    value: pulumi.Output[dict[str, Any]]

    def __init__(
        self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(CLUSTER_COMPONENT_TYPE, name, None, opts)
        section = SectionResource(
            name,
            namespace=settings.namespace,
            config_map=settings.config.config_map,
            key=settings.config.key,
            section=SECTION,
            value=settings.cron_section(),
            write_tracked_config_map=settings.section.write_tracked_config_map,
            opts=child_options(self, opts),
        )
        self.value = section.value
        self.register_outputs({"value": self.value})


class GitSection(pulumi.ComponentResource):
    """Owns `cron` in the manifest's document; destroy commits exactly its removal.

    `settings.namespace`/`config`'s ConfigMap and key name the live ConfigMap the controller
    applies the manifest to: the manifest must hold that ConfigMap, and the wait reads it
    through the Kubernetes provider's cluster. `git` is `section.git`: the repository file the
    section is committed to, and how its delivery is awaited. Commit messages name the stack
    as `<project>/<stack>`.
    """

    value: pulumi.Output[dict[str, Any]]
    commit: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: Settings,
        git: GitSettings,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(GIT_COMPONENT_TYPE, name, None, opts)
        section = GitSectionResource(
            name,
            repo=git.repo,
            branch=git.branch,
            path=git.path,
            author=git.author,
            namespace=settings.namespace,
            config_map=settings.config.config_map,
            key=settings.config.key,
            section=SECTION,
            value=settings.cron_section(),
            stack=f"{pulumi.get_project()}/{pulumi.get_stack()}",
            delivery_timeout_seconds=git.delivery_timeout_seconds,
            application=git.application,
            application_namespace=git.application_namespace,
            opts=child_options(self, opts),
        )
        self.value = section.value
        self.commit = section.commit
        self.register_outputs({"value": self.value, "commit": self.commit})
