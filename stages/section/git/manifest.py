"""The `openclaw.json` document inside a GitOps repo's ConfigMap manifest, edited in place.

In git mode the stack commits its `cron` section to the manifest a GitOps controller applies.
That file is someone else's: reviewers read its diff, and `pulumi destroy` must hand it back
exactly as it was. Loading the YAML and dumping it again would re-flow every line, drop
comments and re-quote strings. So the document is found with PyYAML's composer (whose node
marks say where the block scalar's lines sit), edited with `stages.section.document`'s
splice like the live one, and only the lines that changed inside the block are rewritten
(stages.section.git.embedded_document); every other byte of the file stays.

Folded, quoted and plain scalars do not map document lines one to one onto file lines, so they
are refused with the way out rather than re-styled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from stack.config_issues import set_command
from stack.yaml_input import YamlRefused, refuse_duplicate_keys, refuse_references
from stages.section.adoption import GiveBack, give_back
from stages.section.document import (
    add_section,
    require_otel_diagnostics,
    set_section,
)
from stages.section.git.embedded_document import EmbeddedDocument, ManifestError, locate

_STR_TAG = "tag:yaml.org,2002:str"
_STYLE_NAMES = {
    None: "plain scalar",
    "": "plain scalar",
    "'": "single-quoted string",
    '"': "double-quoted string",
    ">": "folded block scalar (`>`)",
}


@dataclass(frozen=True)
class ManifestTarget:
    """The ConfigMap and data key the stack's section lives in (the stack's own settings)."""

    namespace: str
    config_map: str
    key: str


def find_document(manifest: str, target: ManifestTarget, *, source: str) -> EmbeddedDocument:
    """Locate the target's data key in a manifest, refusing anything a splice could damage.

    `source` names the file (path, branch, repository) in every message. The file must hold
    exactly one ConfigMap with the target's name; a namespace in it must be the target's (a
    manifest without one gets it from the controller's destination, so it is accepted).
    """
    nodes = _compose_all(manifest, source)
    configmaps = [
        (index, node) for index, node in enumerate(nodes) if _scalar(node, "kind") == "ConfigMap"
    ]
    named = [
        (index, node)
        for index, node in configmaps
        if _scalar(_get(node, "metadata"), "name") == target.config_map
    ]
    if not named:
        raise ManifestError(_not_found(nodes, configmaps, target, source))
    if len(named) > 1:
        raise ManifestError(
            f"{source} holds {len(named)} ConfigMaps named {target.config_map}; the stack cannot "
            "tell which one the controller applies. Keep one per file, then run `pulumi up` again."
        )
    index, node = named[0]
    namespace = _scalar(_get(node, "metadata"), "namespace")
    if namespace is not None and namespace != target.namespace:
        raise ManifestError(
            f"ConfigMap {target.config_map} in {source} is in namespace {namespace}, but the "
            f"stack's namespace is {target.namespace}. Point the stack at the right file "
            f"(`{set_command(('section', 'git', 'path'), '<path>')}`) or namespace "
            f"(`{set_command(('namespace',), namespace)}`)."
        )
    context = f"{target.key} of ConfigMap {target.namespace}/{target.config_map} in {source}"
    value = _data_value(node, target, source)
    return locate(manifest, value, _get(node, "data"), index, target.key, context)


def add_section_to_manifest(
    manifest: str, target: ManifestTarget, section: str, value: object, *, source: str
) -> str:
    """The create-time edit of the file (Phase 1 checked, someone else's section refused)."""
    embedded = find_document(manifest, target, source=source)
    document = add_section(embedded.document, section, value, context=embedded.context)
    return embedded.replace(document)


def set_section_in_manifest(
    manifest: str, target: ManifestTarget, section: str, value: object, *, source: str
) -> str:
    """The update-time edit: our section gets the new value, whatever it holds now."""
    embedded = find_document(manifest, target, source=source)
    require_otel_diagnostics(embedded.document, context=embedded.context)
    document = set_section(embedded.document, section, value, context=embedded.context)
    return embedded.replace(document)


def give_back_in_manifest(
    manifest: str, target: ManifestTarget, section: str, props: Mapping[str, Any], *, source: str
) -> GiveBack:
    """The delete-time edit: exactly our section goes (so set-then-remove is the same file),
    or the one the stack adopted comes back as it was (stages.section.adoption)."""
    embedded = find_document(manifest, target, source=source)
    given = give_back(embedded.document, section, props, context=embedded.context)
    return GiveBack(embedded.replace(given.text), given.finding)


def _compose_all(manifest: str, source: str) -> list[yaml.Node]:
    """The file's nodes, refused with an alias, a merge key or a repeated key; every other
    reading of it (`_load_all`) is of this text or of our splice into its literal block."""
    try:
        refuse_references(manifest)
        nodes = list(yaml.compose_all(manifest, Loader=yaml.SafeLoader))
        refuse_duplicate_keys(nodes)
    except YamlRefused as error:
        raise ManifestError(f"{source}: {error}, then run `pulumi up` again.") from error
    except yaml.YAMLError as error:
        raise ManifestError(
            f"{source} is not valid YAML ({error}), so no controller can apply it either. Fix "
            "the file in the repository, then run `pulumi up` again."
        ) from error
    return nodes


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """A mapping's value for `key`, or None (keys are unique: `_compose_all`)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )


def _scalar(node: yaml.Node | None, key: str) -> str | None:
    value = _get(node, key)
    return value.value if isinstance(value, yaml.ScalarNode) else None


def _not_found(
    nodes: list[yaml.Node],
    configmaps: list[tuple[int, yaml.Node]],
    target: ManifestTarget,
    source: str,
) -> str:
    fix = (
        "Point the stack at the file that holds it "
        f"(`{set_command(('section', 'git', 'path'), '<path>')}`), or fix `config.configMap`."
    )
    if not configmaps:
        kinds = [
            f"{_scalar(node, 'kind') or '?'} {_scalar(_get(node, 'metadata'), 'name') or '?'}"
            for node in nodes
            if isinstance(node, yaml.MappingNode)
        ]
        return (
            f"{source} is not a ConfigMap manifest (it holds: {', '.join(kinds) or 'nothing'}), "
            f"so it cannot carry ConfigMap {target.namespace}/{target.config_map}. {fix}"
        )
    names = [str(_scalar(_get(node, "metadata"), "name")) for _, node in configmaps]
    return (
        f"{source} holds ConfigMap {', '.join(names)}, not {target.config_map} (the stack's "
        f"`config.configMap`). {fix}"
    )


def _data_value(node: yaml.Node, target: ManifestTarget, source: str) -> yaml.ScalarNode:
    """The key's value node, which must be a literal block scalar holding a string."""
    where = f"ConfigMap {target.namespace}/{target.config_map} in {source}"
    data = _get(node, "data")
    value = _get(data, target.key)
    if value is None:
        keys = [k.value for k, _ in data.value] if isinstance(data, yaml.MappingNode) else []
        raise ManifestError(
            f"{where} has no data key {target.key} (its keys: {', '.join(keys) or 'none'}). "
            "Check the stack's `config.key`, or commit the application's configuration first, "
            "then run `pulumi up` again."
        )
    if not isinstance(value, yaml.ScalarNode) or value.tag != _STR_TAG:
        raise ManifestError(f"{where}: data key {target.key} is not a string.")
    if value.style != "|":
        raise ManifestError(
            f"{where}: data key {target.key} is written as a {_STYLE_NAMES[value.style]}. The "
            "stack edits the document by rewriting only the changed lines of a literal block "
            f"scalar, which this style does not have. Rewrite the value once as a literal block "
            f"(`{target.key}: |` followed by the JSON, each line indented below the key), "
            "commit that, then run `pulumi up` again."
        )
    return value
