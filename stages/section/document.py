"""Edit one top-level section of OpenClaw's `openclaw.json` without touching any other byte.

The document belongs to someone else (a GitOps controller applies it from Git); this stack owns
exactly one top-level key of it. Parsing and re-serialising the document would re-indent,
re-order and re-escape everything its owner wrote, show up as a diff in every section, and make
it impossible for `pulumi destroy` to hand back what was there. So every edit is a text splice
of exactly one member, located with the standard library's own JSON scanner, and setting then
removing a section gives back the original bytes.

OpenClaw parses the document as JSON5, so JSON5 decides whether a document is valid at all.
A splice is only lossless in strict JSON (a comment or a trailing comma next to the member would
be cut or orphaned), so edits refuse JSON5-only documents rather than rewrite them, while reads
accept them. Nothing here does I/O: the caller passes the text and a context string naming where
it came from, which every error message repeats.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import json5

_JSON_WHITESPACE = " \t\n\r"
_DEFAULT_INDENT = "  "
_OTEL_PATH = ("plugins", "entries", "diagnostics-otel", "enabled")
_MISSING = object()


class DocumentError(ValueError):
    """The document cannot be read or edited safely; the message says why and how to fix it."""


class InvalidDocumentError(DocumentError):
    """OpenClaw itself could not use the document, or which value it uses is ambiguous."""


class LossyDocumentError(DocumentError):
    """OpenClaw accepts the document, but a splice could not keep its JSON5-only syntax intact."""


class PreconditionError(DocumentError):
    """The document is fine, but the state it describes does not allow this edit yet."""


@dataclass(frozen=True)
class _Parsed:
    document: dict[str, object]
    lossy_reason: str | None  # why strict JSON rejected it; None when a splice is lossless


@dataclass(frozen=True)
class _Member:
    key_start: int
    value_start: int
    value_end: int


def _parse(text: str, context: str) -> _Parsed:
    """Validate once, the way OpenClaw would, and remember whether splicing is safe.

    Strict JSON is tried first because every document it accepts is also JSON5 (NaN and
    Infinity included), and the pure-Python JSON5 parser is a hundred times slower; JSON5 only
    decides between "invalid" and "lossy". Duplicate top-level keys are refused because JSON5
    silently keeps the last one, so a splice of the first would change nothing OpenClaw sees.
    """
    top_level_keys: list[str] = []

    def build_object(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
        # Objects are built inside-out, so the last call is the top-level object's.
        members = list(pairs)
        top_level_keys[:] = [name for name, _ in members]
        return dict(members)

    lossy_reason: str | None = None
    try:
        document = json.loads(text, object_pairs_hook=build_object)
    except json.JSONDecodeError as strict_error:
        lossy_reason = str(strict_error)
        try:
            document = json5.loads(text, object_pairs_hook=build_object)
        except ValueError as error:
            raise InvalidDocumentError(
                f"{context} is not valid JSON5 ({error}), so OpenClaw cannot load it either. "
                "Fix the document in its source, then run `pulumi up` again."
            ) from error
    if not isinstance(document, dict):
        raise InvalidDocumentError(
            f"{context} must be a JSON object at the top level, but it is a "
            f"{type(document).__name__}. Fix the document in its source, then run `pulumi up` "
            "again."
        )
    duplicates = sorted({name for name in top_level_keys if top_level_keys.count(name) > 1})
    if duplicates:
        raise InvalidDocumentError(
            f"{context} has duplicate top-level keys {', '.join(map(json.dumps, duplicates))}: "
            "OpenClaw silently uses the last one, so an edit would be ambiguous. Keep one of each "
            "in the document's source, then run `pulumi up` again."
        )
    return _Parsed(document, lossy_reason)


def _members(text: str, parsed: _Parsed, context: str) -> tuple[int, dict[str, _Member]]:
    """Find where each top-level member sits, refusing documents a splice would damage.

    Returns the index of the opening brace and each member's spans, in document order. Keys
    (JSON strings) and values are scanned with the standard library's decoder, so the spans are
    exactly what a JSON parser consumes; only the whitespace, colons and commas between them
    are stepped over here, which strict JSON (checked by `_parse`) guarantees to be all there is.
    """
    if parsed.lossy_reason is not None:
        raise LossyDocumentError(
            f"{context} contains JSON5-only syntax, such as comments or trailing commas, that a "
            f"rewrite would lose (it is not strict JSON: {parsed.lossy_reason}). OpenClaw accepts "
            "it, but this stack edits the document by splicing strict JSON and will not drop "
            "anything its owner wrote. Convert the document to strict JSON in its source (for "
            "example the Git repository the ConfigMap is applied from), then run `pulumi up` again."
        )
    decoder = json.JSONDecoder()
    open_brace = _skip_whitespace(text, 0)
    position = _skip_whitespace(text, open_brace + 1)
    members: dict[str, _Member] = {}
    while text[position] == '"':
        key, after_key = decoder.raw_decode(text, position)
        value_start = _skip_whitespace(text, _skip_whitespace(text, after_key) + 1)
        _, value_end = decoder.raw_decode(text, value_start)
        members[key] = _Member(position, value_start, value_end)
        position = _skip_whitespace(text, value_end)
        if text[position] == ",":
            position = _skip_whitespace(text, position + 1)
    return open_brace, members


def _skip_whitespace(text: str, position: int) -> int:
    while position < len(text) and text[position] in _JSON_WHITESPACE:
        position += 1
    return position


def _line_indent(text: str, position: int) -> str:
    """Indent new text like its neighbour, unless the neighbour does not start its own line."""
    indent = text[text.rfind("\n", 0, position) + 1 : position]
    return indent if indent.strip(" \t") == "" else _DEFAULT_INDENT


def _render(value: object, indent: str) -> str:
    """Lay out a value the same way every time, whatever order its keys arrived in.

    Keys are sorted because the value reaches the provider through Pulumi's wire format (a
    protobuf Struct), which does not keep member order: rendering in arrival order would make
    the written bytes depend on the transport. json.dumps escapes newlines inside strings, so
    every "\n" here starts a line of layout.
    """
    rendered = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False, sort_keys=True)
    return rendered.replace("\n", "\n" + indent)


def json_equal(left: object, right: object) -> bool:
    """Compare parsed JSON as JSON does, since Python's `==` makes `true` equal `1`.

    Object member order is not significant, so a section that only differs in key order is
    not drift and is not rewritten.
    """
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return left == right


def read_section(text: str, key: str, *, context: str) -> tuple[bool, object]:
    """Report the live section, accepting JSON5, because reading loses nothing.

    Returns whether the key is present (a present `null` is not absent) and its parsed value.
    """
    document = _parse(text, context).document
    return key in document, document.get(key)


def section_span(text: str, key: str, *, context: str) -> tuple[int, int] | None:
    """Where the value of `key` is spelled in `text` (start, end), or None when it is absent;
    refuses a JSON5-only document like every splice (LossyDocumentError)."""
    parsed = _parse(text, context)
    if key not in parsed.document:
        return None
    member = _members(text, parsed, context)[1][key]
    return member.value_start, member.value_end


def section_drift(text: str, key: str, desired: object, *, context: str) -> bool:
    """Tell whether writing `desired` would change what OpenClaw sees."""
    present, live = read_section(text, key, context=context)
    return not present or not json_equal(live, desired)


def set_section(text: str, key: str, value: object, *, context: str) -> str:
    """Make `key` hold `value` while every byte outside that member stays as it was.

    An equal section (by JSON semantics) returns `text` itself, so repeated applies write
    nothing, even in a JSON5 document that could not be spliced. A new member goes last, with
    the indentation of the existing members and the keys of `value` sorted.
    """
    parsed = _parse(text, context)
    if key in parsed.document and json_equal(parsed.document[key], value):
        return text
    open_brace, members = _members(text, parsed, context)
    if key in members:
        member = members[key]
        rendered = _render(value, _line_indent(text, member.key_start))
        return text[: member.value_start] + rendered + text[member.value_end :]
    if not members:
        # Own line for the member and for the closing brace; remove_section takes both back.
        insert_at = open_brace + 1
        new_member = _new_member(key, value, _DEFAULT_INDENT)
        return text[:insert_at] + "\n" + new_member + "\n" + text[insert_at:]
    indent = _line_indent(text, next(iter(members.values())).key_start)
    insert_at = list(members.values())[-1].value_end
    return text[:insert_at] + ",\n" + _new_member(key, value, indent) + text[insert_at:]


def add_section(text: str, key: str, value: object, *, context: str) -> str:
    """The create-time edit: the section is ours only if nobody else's is in the way.

    Phase 1 must be complete; an equal section is adopted as it stands (same bytes back), and a
    differing one written by someone else is refused rather than overwritten. The provider's
    create and the offline plan both apply this, so the plan previews exactly what `pulumi up`
    would write or refuse.
    """
    require_otel_diagnostics(text, context=context)
    present, _ = read_section(text, key, context=context)
    if present and section_drift(text, key, value, context=context):
        # The live value is not quoted: it may hold a real token.
        raise PreconditionError(
            f'{context} already has a top-level "{key}" section that this stack does not own, '
            "and it differs from the section this stack would write. The stack will not "
            "overwrite someone else's settings: remove the section from the document's source, "
            "or make it equal to the desired section (the stack then adopts it), then run "
            "`pulumi up` again."
        )
    return set_section(text, key, value, context=context)


def _new_member(key: str, value: object, indent: str) -> str:
    return indent + json.dumps(key, ensure_ascii=False) + ": " + _render(value, indent)


def remove_section(text: str, key: str, *, context: str) -> str:
    """Remove exactly the member `set_section` would have added, and one adjoining comma.

    A last member goes from the end of the previous value, any other member through the comma
    and whitespace before the next key, so that removing an added section gives back the
    original bytes. An absent key returns `text` itself: there is nothing left to remove.
    """
    parsed = _parse(text, context)
    if key not in parsed.document:
        return text
    open_brace, members = _members(text, parsed, context)
    spans = list(members.values())
    index = list(members).index(key)
    member = spans[index]
    if index + 1 < len(spans):
        return text[: member.key_start] + text[spans[index + 1].key_start :]
    if index > 0:
        return text[: spans[index - 1].value_end] + text[member.value_end :]
    # The only member: also its line break, which set_section put before the closing brace.
    end = member.value_end + (1 if text.startswith("\n", member.value_end) else 0)
    return text[: open_brace + 1] + text[end:]


def require_otel_diagnostics(text: str, *, context: str) -> None:
    """Refuse to configure cron webhooks before the OpenTelemetry diagnostics plugin is on.

    Phase 2 relies on the OpenTelemetry diagnostics plugin that Phase 1 enables. Only the JSON
    boolean `true` passes, so a string "true" or a 1 is not mistaken for an enabled plugin.
    """
    node: object = _parse(text, context).document
    for name in _OTEL_PATH:
        node = node.get(name, _MISSING) if isinstance(node, dict) else _MISSING
    if node is not True:
        found = "missing" if node is _MISSING else json.dumps(node)
        raise PreconditionError(
            f"{context}: Phase 1 is not complete: {'.'.join(_OTEL_PATH)} must be true, but it "
            f"is {found}. Phase 2 cron webhook delivery needs the OpenTelemetry diagnostics "
            "plugin (diagnostics-otel) enabled first. Complete Phase 1 in the document's source, "
            "let it sync to the cluster, then run `pulumi up` again."
        )
