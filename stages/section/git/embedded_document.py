"""The `openclaw.json` document in a ConfigMap manifest's literal block, rewritten line by line.

Only a literal block scalar (`openclaw.json: |`, any indentation indicator or chomping) maps
document lines one to one onto file lines, so only such a block is located (`locate`), and an
edit rewrites only the lines that changed inside it, with the block's own indentation and line
breaks; every other byte of the file stays. After each edit the new file is parsed again and
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

from stages.section.document import DocumentError

# An anchor or tag may precede the block indicator; the indicator's optional indentation and
# chomping indicators follow it, in either order.
_BLOCK_HEADER = re.compile(r"(?:[&!]\S*\s+)*\|(?:([1-9])[+-]?|[+-]([1-9])?)?")
# What YAML cannot carry as itself: characters YAML 1.1 reads as line breaks (NEL, U+2028,
# U+2029) and those it refuses in a stream (DEL, C1 controls, surrogates, U+FFFE/U+FFFF). JSON
# escapes all C0 controls itself, so these can only stand inside JSON strings.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


class ManifestError(DocumentError):
    """The manifest is not the ConfigMap the stack edits, or its document cannot be spliced
    without changing other bytes of the file; the message says which and how to fix it."""


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


def _load_all(manifest: str, context: str) -> list[Any]:
    try:
        return list(yaml.load_all(manifest, Loader=yaml.CSafeLoader))
    except yaml.YAMLError as error:
        raise ManifestError(
            f"{context}: the file cannot be read as plain YAML ({error})."
        ) from error


def locate(
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
