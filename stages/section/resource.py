"""Stage 5: the `cron` section inside openclaw.json.

Why its own stage (and its own provider): `data["openclaw.json"]` is one string owned by
someone else; a ConfigMapPatch would own, and on delete erase, the whole document. The section
provider edits exactly one top-level key. It comes last so OpenClaw never loads a
`${VAR}` placeholder whose variable its pods do not have yet (February 2026 builds reject such
a config; later ones would send the literal placeholder as the bearer token).

Two variants, one per `section.target`: `CronConfigSection` edits the live ConfigMap;
`CronGitSection` commits the same edit to the GitOps repo's ConfigMap manifest and waits until
the controller has delivered it, for clusters where a controller with self-heal would revert an
in-cluster edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.configmap_section_provider import OpenClawJsonSection
from components.git_section_provider import OpenClawGitJsonSection
from stages.options import child_options

SECTION = "cron"


@dataclass(frozen=True)
class CronConfigSectionArgs:
    """Where the section goes and what it holds; the cluster is the Kubernetes provider's."""

    namespace: str
    config_map: str
    key: str
    value: dict[str, Any]
    # Write even when a GitOps controller tracks the ConfigMap (see stages.section.tracking).
    write_tracked_config_map: bool = False


class CronConfigSection(pulumi.ComponentResource):
    """Owns `cron` in the document; destroy removes exactly that key."""

    value: pulumi.Output[dict[str, Any]]

    def __init__(
        self, name: str, args: CronConfigSectionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("openclaw-cron-webhook:index:CronConfigSection", name, None, opts)
        section = OpenClawJsonSection(
            name,
            namespace=args.namespace,
            config_map=args.config_map,
            key=args.key,
            section=SECTION,
            value=args.value,
            write_tracked_config_map=args.write_tracked_config_map,
            opts=child_options(self, opts),
        )
        self.value = section.value
        self.register_outputs({"value": self.value})


@dataclass(frozen=True)
class CronGitSectionArgs:
    """The section, the GitOps repo file it is committed to, and how its delivery is awaited.

    `namespace`/`config_map`/`key` name the live ConfigMap the controller applies the manifest
    to: the manifest must hold that ConfigMap, and the wait reads it through the Kubernetes
    provider's cluster. `stack` names the stack in commit messages (default
    `<project>/<stack>`). The rest mirrors `section.git.*` in the stack config.
    """

    namespace: str
    config_map: str
    key: str
    value: dict[str, Any]
    repo: str
    path: str
    branch: str = "main"
    author: str = "openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>"
    delivery_timeout_seconds: int = 600
    application: str = ""
    application_namespace: str = "argocd"
    stack: str | None = None


class CronGitSection(pulumi.ComponentResource):
    """Owns `cron` in the manifest's document; destroy commits exactly its removal."""

    value: pulumi.Output[dict[str, Any]]
    commit: pulumi.Output[str]

    def __init__(
        self, name: str, args: CronGitSectionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("openclaw-cron-webhook:index:CronGitSection", name, None, opts)
        section = OpenClawGitJsonSection(
            name,
            repo=args.repo,
            branch=args.branch,
            path=args.path,
            author=args.author,
            namespace=args.namespace,
            config_map=args.config_map,
            key=args.key,
            section=SECTION,
            value=args.value,
            stack=args.stack or f"{pulumi.get_project()}/{pulumi.get_stack()}",
            delivery_timeout_seconds=args.delivery_timeout_seconds,
            application=args.application,
            application_namespace=args.application_namespace,
            opts=child_options(self, opts),
        )
        self.value = section.value
        self.commit = section.commit
        self.register_outputs({"value": self.value, "commit": self.commit})
