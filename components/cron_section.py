"""Stage 5: the `cron` section inside openclaw.json.

Why its own stage (and its own provider): `data["openclaw.json"]` is one string owned by
someone else; a ConfigMapPatch would own, and on delete erase, the whole document. The section
provider edits exactly one top-level key. It comes last so OpenClaw never loads a
`${VAR}` placeholder whose variable its pods do not have yet (February 2026 builds reject such
a config; later ones would send the literal placeholder as the bearer token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.configmap_section_provider import OpenClawJsonSection
from components.options import child_options

SECTION = "cron"


@dataclass(frozen=True)
class CronConfigSectionArgs:
    """Where the section goes and what it holds; the cluster is the Kubernetes provider's."""

    namespace: str
    config_map: str
    key: str
    value: dict[str, Any]
    # Write even when a GitOps controller tracks the ConfigMap (see components.gitops_tracking).
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
