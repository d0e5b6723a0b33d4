"""The `openclaw.json` document inside a GitOps repo's ConfigMap manifest, edited in place.

In git mode the stack commits its `cron` section to the manifest a GitOps controller applies.
That file is someone else's: reviewers read its diff, and `pulumi destroy` must hand it back
exactly as it was. Loading the YAML and dumping it again would re-flow every line, drop
comments and re-quote strings. So the document is found with PyYAML's composer (whose node
marks say where the block scalar's lines sit), edited with `stages.section.document`'s
splice like the live one, and only the lines that changed inside the block are rewritten, with
the block's own indentation and line breaks; every other byte of the file stays.

Only a literal block scalar (`openclaw.json: |`, any indentation indicator or chomping) maps
document lines one to one onto file lines. Folded, quoted and plain scalars do not, so they are
refused with the way out rather than re-styled. After each edit the new file is parsed again and
must give exactly the old objects with the new document in that one key, or the edit is refused.

Line breaks: YAML reads CRLF inside a block as LF, so a CRLF manifest is supported: unchanged
lines keep their bytes and new lines get the line break the block's header line uses.
Characters YAML 1.1 also takes as line breaks (lone CR, NEL, U+2028, U+2029) inside the block
make the lines unmappable, and such a document is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from stack.config_issues import set_command
from stack.yaml_input import YamlRefused, refuse_duplicate_keys, refuse_references
from stages.section.document import (
    DocumentError,
    add_section,
    check_phase1,
    remove_section,
    set_section,
)

_STR_TAG = "tag:yaml.org,2002:str"
# An anchor or tag may precede the block indicator; the indicator's optional indentation and
# chomping indicators follow it, in either order.
_BLOCK_HEADER = re.compile(r"(?:[&!]\S*\s+)*\|(?:([1-9])[+-]?|[+-]([1-9])?)?")
# What YAML cannot carry as itself: characters YAML 1.1 reads as line breaks (NEL, U+2028,
# U+2029) and those it refuses in a stream (DEL, C1 controls, surrogates, U+FFFE/U+FFFF). JSON
# escapes all C0 controls itself, so these can only stand inside JSON strings.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_STYLE_NAMES = {
    None: "plain scalar",
    "": "plain scalar",
    "'": "single-quoted string",
    '"': "double-quoted string",
    ">": "folded block scalar (`>`)",
}


class ManifestError(DocumentError):
    """The manifest is not the ConfigMap the stack edits, or its document cannot be spliced
    without changing other bytes of the file; the message says which and how to fix it."""


@dataclass(frozen=True)
class ManifestTarget:
    """The ConfigMap and data key the stack's section lives in (the stack's own settings)."""

    namespace: str
    config_map: str
    key: str


@dataclass(frozen=True)
class _Line:
    text: str  # as in the file, without the line break
    crlf: bool  # the "\n" after it was a "\r\n"
    content: str  # what YAML reads: without the block's indentation


@dataclass(frozen=True)
class EmbeddedDocument:
    """The document found in a manifest, and exactly where its lines sit in the file.

    `document` is the data key's value as YAML reads it: what the controller puts into the live
    ConfigMap. `context` names the key, the ConfigMap and the file for error messages.
    """

    manifest: str
    document: str
    context: str
    _index: int = field(repr=False)  # which YAML document of the stream
    _key: str = field(repr=False)
    _region_start: int = field(repr=False)
    _region_end: int = field(repr=False)
    _lines: tuple[_Line, ...] = field(repr=False)
    _body_lines: int = field(repr=False)  # lines before the trailing line breaks
    _indent: int = field(repr=False)
    _crlf: bool = field(repr=False)

    def replace(self, document: str) -> str:
        """The manifest with `document` in place of the old one, changing only the lines that
        differ; `document` itself gives back `manifest` byte for byte.

        Characters YAML cannot carry as themselves (`_YAML_UNSAFE`) are written as their JSON
        escapes: the same JSON, in a file that stays valid YAML with lines that stay lines.

        Raises ManifestError if the new file would not read back as exactly the old objects
        with the new document in this one key.
        """
        document = _YAML_UNSAFE.sub(lambda found: f"\\u{ord(found[0]):04x}", document)
        trailing = self.document[len(self.document.rstrip("\n")) :]
        body = document[: len(document) - len(trailing)] if document.endswith(trailing) else None
        if body is None or body.endswith("\n"):
            raise ManifestError(
                f"{self.context}: the edit would change the document's final line breaks, which "
                "the block scalar's chomping decides; nothing was changed."
            )
        old = [line.content for line in self._lines[: self._body_lines]]
        new = body.split("\n")
        prefix = 0
        while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < min(len(old), len(new)) - prefix
            and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
        ):
            suffix += 1
        # The file may end right after the document's last line, with no line break to copy.
        ends_file = suffix == 0 and self._body_lines == len(self._lines)
        changed = new[prefix : len(new) - suffix]
        rendered = [
            self._render(text, last=ends_file and offset == len(changed) - 1)
            for offset, text in enumerate(changed)
        ]
        kept_before = [_raw(line) for line in self._lines[:prefix]]
        kept_after = [_raw(line) for line in self._lines[self._body_lines - suffix :]]
        region = "\n".join(kept_before + rendered + kept_after)
        manifest = self.manifest[: self._region_start] + region + self.manifest[self._region_end :]
        self._verify(manifest, document)
        return manifest

    def _render(self, text: str, *, last: bool) -> str:
        """A new line of the block: indented like the others (an empty line stays empty), with
        the block's line break unless it ends the file without one."""
        line = " " * self._indent + text if text else ""
        return line + ("\r" if self._crlf and not last else "")

    def _verify(self, manifest: str, document: str) -> None:
        expected = _load_all(self.manifest, self.context)
        expected[self._index]["data"][self._key] = document
        if _load_all(manifest, self.context) != expected:
            raise ManifestError(
                f"{self.context}: after the edit the file would not read back as the same "
                "objects with only this document changed, so nothing was changed. Rewrite the "
                "value once as a plain literal block (`key: |` and the JSON indented below it), "
                "then run `pulumi up` again."
            )


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
    return _locate(manifest, value, _get(node, "data"), index, target.key, context)


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
    check_phase1(embedded.document, context=embedded.context)
    document = set_section(embedded.document, section, value, context=embedded.context)
    return embedded.replace(document)


def remove_section_from_manifest(
    manifest: str, target: ManifestTarget, section: str, *, source: str
) -> str:
    """The delete-time edit: exactly our section goes, so set-then-remove is the same file."""
    embedded = find_document(manifest, target, source=source)
    document = remove_section(embedded.document, section, context=embedded.context)
    return embedded.replace(document)


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


def _load_all(manifest: str, context: str) -> list[Any]:
    try:
        return list(yaml.load_all(manifest, Loader=yaml.CSafeLoader))
    except yaml.YAMLError as error:
        raise ManifestError(
            f"{context}: the file cannot be read as plain YAML ({error})."
        ) from error


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


def _locate(
    manifest: str,
    value: yaml.ScalarNode,
    data: yaml.Node | None,
    index: int,
    key: str,
    context: str,
) -> EmbeddedDocument:
    """Map the block's file lines onto the document's lines, or refuse.

    The block's lines run from the line after its header to the node's end mark, which PyYAML
    puts after the trailing line breaks. Their indentation is the header's indicator added to
    the enclosing mapping's (as PyYAML computes it), else the deepest indentation up to the first
    non-blank line (YAML's auto-detection). The mapping is then checked line by line against
    what the parser read, so any shape this does not understand is refused, never misedited.
    """
    header = _BLOCK_HEADER.match(manifest, value.start_mark.index)
    header_end = manifest.find("\n", header.end()) if header else -1
    if header is None or header_end < 0:
        raise ManifestError(f"{context}: cannot find the block's header line; nothing changed.")
    region_start, region_end = header_end + 1, value.end_mark.index
    crlf = manifest[header_end - 1 : header_end] == "\r"
    raw_lines = manifest[region_start:region_end].split("\n") if region_end > region_start else []
    texts = [raw.removesuffix("\r") for raw in raw_lines]
    indicator = header.group(1) or header.group(2)
    if indicator and data is not None:
        indent = data.start_mark.column + int(indicator)
    else:
        indent = 0
        for text in texts:
            indent = max(indent, len(text) - len(text.lstrip(" ")))
            if text.strip(" "):
                break
    contents = [_dedent(text, indent) for text in texts]
    body = value.value.rstrip("\n")
    if not body.strip():
        raise ManifestError(
            f"{context} is empty, so there is no document to add a section to. Commit the "
            "application's configuration first, then run `pulumi up` again."
        )
    body_lines = body.count("\n") + 1
    if None in contents or "\n".join(map(str, contents)).rstrip("\n") != body:
        raise ManifestError(
            f"{context}: the block's lines do not map one to one onto the document's lines "
            "(it holds characters YAML reads as line breaks, such as a lone carriage return, "
            "NEL, U+2028 or U+2029, or uses an unusual layout), so a splice could change other "
            "bytes. Rewrite the value as a plain literal block (`key: |` and the JSON indented "
            "below it, those characters escaped as \\u2028 etc.), then run `pulumi up` again."
        )
    return EmbeddedDocument(
        manifest=manifest,
        document=value.value,
        context=context,
        _index=index,
        _key=key,
        _region_start=region_start,
        _region_end=region_end,
        _lines=tuple(
            _Line(text, raw.endswith("\r"), str(content))
            for raw, text, content in zip(raw_lines, texts, contents, strict=True)
        ),
        _body_lines=body_lines,
        _indent=indent,
        _crlf=crlf,
    )


def _dedent(text: str, indent: int) -> str | None:
    """A block line's content: without its indentation; a shorter blank line is empty."""
    if text[:indent] == " " * indent:
        return text[indent:]
    return "" if text.strip(" ") == "" else None


def _raw(line: _Line) -> str:
    return line.text + ("\r" if line.crlf else "")
