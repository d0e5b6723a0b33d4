"""The splice, for any strict-JSON object in any layout: only the owned member's bytes change.

The example-based tests (test_openclaw_document.py) pin the exact text for the layouts we know
of; these generate the layouts nobody wrote a fixture for — minified (`{"a":1,"b":2}`), spaces
around the colon, tabs, a single line, nested objects, unicode and escaped keys, a lone member,
no member at all, the section first, in the middle or last — and check what must hold for all:

- every edit gives strict JSON with exactly the intended members, in their order;
- no byte of any other member (key, colon, value) is touched: the edit is one contiguous change
  that lies outside every other member's span;
- adding then removing the section gives back the original bytes;
- an edit that changes nothing returns the very same text.

Documents are built from known pieces, so each member's span in the original is known without
asking the code under test. Examples are derandomized: the suite and every mutation run see the
same documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stages.section.document import (
    PreconditionError,
    add_section,
    read_section,
    remove_section,
    set_section,
)

SECTION = "cron"
CONTEXT = "ConfigMap openclaw/openclaw-config key openclaw.json"
PHASE1 = {"entries": {"diagnostics-otel": {"enabled": True}}}
FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None)

# Keys: the section's own name (also nested, where it must stay untouched), near misses, unicode.
keys = st.sampled_from([SECTION, "Cron", "cron ", "crons", "gateway", "日本語", 'a"b', "é"]) | (
    st.text(st.characters(codec="utf-8"), max_size=6)
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8"), max_size=8)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)


@dataclass(frozen=True)
class Layout:
    """How one document is written: separators, indentation, escaping."""

    open: str  # after "{"
    item: str  # between members, comma included
    colon: str
    close: str  # before "}"
    value_indent: int | None  # json.dumps indent for values; None is one line
    ascii_only: bool
    compact_values: bool


layouts = st.builds(
    Layout,
    open=st.sampled_from(["", " ", "\n  ", "\n    ", "\n\t", "\r\n  ", "\n\r  "]),
    item=st.sampled_from(
        [",", ", ", ",\n  ", ",\n    ", ",\n\t", " ,", "\n,", ",\r\n  ", ",\n\r  "]
    ),
    colon=st.sampled_from([":", ": ", " : ", " :", ":\n    "]),
    close=st.sampled_from(["", " ", "\n", "\n\n", "\r\n"]),
    value_indent=st.sampled_from([None, 2, 4]),
    ascii_only=st.booleans(),
    compact_values=st.booleans(),
)


@dataclass(frozen=True)
class Document:
    text: str
    members: dict[str, Any]
    spans: dict[str, tuple[int, int]]  # key -> [start of key, end of value) in `text`


def write(
    members: dict[str, Any], layout: Layout, *, before: str = "", after: str = ""
) -> Document:
    text, spans = before + "{" + (layout.open if members else ""), {}
    separators = (",", ":") if layout.compact_values else None
    for index, (key, value) in enumerate(members.items()):
        if index:
            text += layout.item
        start = len(text)
        text += json.dumps(key, ensure_ascii=layout.ascii_only) + layout.colon
        text += json.dumps(
            value,
            ensure_ascii=layout.ascii_only,
            indent=layout.value_indent,
            separators=separators if layout.value_indent is None else None,
        )
        spans[key] = (start, len(text))
    text += (layout.close if members else "") + "}" + after
    return Document(text, members, spans)


@st.composite
def documents(draw: st.DrawFn, *, with_section: bool | None = None) -> Document:
    """A strict-JSON object; with_section None lets the section be there or not."""
    members = draw(st.dictionaries(keys.filter(lambda k: k != SECTION), json_values, max_size=4))
    if with_section is None:
        with_section = draw(st.booleans())
    if with_section:
        position = draw(st.integers(0, len(members)))
        items = list(members.items())
        items.insert(position, (SECTION, draw(json_values)))
        members = dict(items)
    before, after = draw(st.sampled_from([("", ""), ("", "\n"), ("\n", "\n"), ("  ", "")]))
    return write(members, draw(layouts), before=before, after=after)


def ordered_members(text: str) -> list[tuple[str, Any]]:
    """The top-level members in document order, as strict JSON reads them."""
    pairs: list[tuple[str, Any]] = []

    def hook(items: list[tuple[str, Any]]) -> dict[str, Any]:
        pairs[:] = items
        return dict(items)

    json.loads(text, object_pairs_hook=hook)
    return pairs


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON (so `true` is not `1`), by comparing canonical serialisations."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def assert_one_change_outside_other_members(before: Document, after: str) -> None:
    """`after` is `before` with one contiguous stretch replaced, touching no other member.

    Where such a change starts is ambiguous when bytes repeat (`"cron":[],` removed from
    `{"Cron":[],"cron":[],"":null}`), so every split of the unchanged bytes into a kept prefix
    and a kept suffix is tried; one must leave all the other members whole.
    """
    original = before.text
    shorter = min(len(original), len(after))
    prefix = next((i for i in range(shorter) if original[i] != after[i]), shorter)
    suffix = next((i for i in range(shorter) if original[-1 - i] != after[-1 - i]), shorter)
    others = [span for key, span in before.spans.items() if key != SECTION]
    for kept_prefix in range(prefix + 1):
        changed = (kept_prefix, len(original) - min(suffix, shorter - kept_prefix))
        if all(changed[1] <= start or changed[0] >= end for start, end in others):
            return
    raise AssertionError(f"another member changed: {before.text!r} -> {after!r}")


@FAST
@given(documents(), json_values)
def test_set_gives_strict_json_with_every_other_member_untouched(
    document: Document, value: Any
) -> None:
    updated = set_section(document.text, SECTION, value, context=CONTEXT)

    members = ordered_members(updated)
    expected = list(document.members.items())
    if SECTION in document.members:
        expected = [(k, value if k == SECTION else v) for k, v in expected]
    else:
        expected.append((SECTION, value))
    assert [k for k, _ in members] == [k for k, _ in expected]
    assert all(same_json(got, want) for (_, got), (_, want) in zip(members, expected, strict=True))
    assert_one_change_outside_other_members(document, updated)
    # New lines are indented with spaces and tabs only, never with a stray carriage return.
    assert updated.count("\r") == document.text.count("\r")
    present, live = read_section(updated, SECTION, context=CONTEXT)
    assert present
    assert same_json(live, value)


@FAST
@given(documents(with_section=False), json_values)
def test_set_then_remove_gives_back_the_original_bytes(document: Document, value: Any) -> None:
    updated = set_section(document.text, SECTION, value, context=CONTEXT)

    assert updated != document.text
    assert remove_section(updated, SECTION, context=CONTEXT) == document.text


@FAST
@given(documents(with_section=True))
def test_remove_takes_exactly_the_section(document: Document) -> None:
    updated = remove_section(document.text, SECTION, context=CONTEXT)

    members = ordered_members(updated)
    expected = [(k, v) for k, v in document.members.items() if k != SECTION]
    assert [k for k, _ in members] == [k for k, _ in expected]
    assert all(same_json(got, want) for (_, got), (_, want) in zip(members, expected, strict=True))
    assert_one_change_outside_other_members(document, updated)


@FAST
@given(documents(), json_values)
def test_an_edit_that_changes_nothing_returns_the_same_text(document: Document, value: Any) -> None:
    updated = set_section(document.text, SECTION, value, context=CONTEXT)

    assert set_section(updated, SECTION, value, context=CONTEXT) is updated
    assert remove_section(document.text, "no such section", context=CONTEXT) is document.text


@FAST
@given(documents(), st.dictionaries(keys, json_values, max_size=3))
def test_add_writes_an_absent_section_adopts_an_equal_one_and_refuses_another(
    document: Document, value: dict[str, Any]
) -> None:
    members = {k: v for k, v in document.members.items() if k != "plugins"}
    pretty = Layout("\n  ", ",\n  ", ": ", "\n", 2, ascii_only=False, compact_values=False)
    text = write({"plugins": PHASE1, **members}, pretty).text
    present, live = read_section(text, SECTION, context=CONTEXT)

    if not present:
        assert add_section(text, SECTION, value, context=CONTEXT) == set_section(
            text, SECTION, value, context=CONTEXT
        )
    elif same_json(live, value):
        assert add_section(text, SECTION, value, context=CONTEXT) is text
    else:
        with pytest.raises(PreconditionError, match="does not own"):
            add_section(text, SECTION, value, context=CONTEXT)
        assert add_section(text, SECTION, live, context=CONTEXT) is text


@pytest.mark.parametrize(
    ("original", "without_section"),
    [
        ('{"a":1,"b":2}', '{"a":1,"b":2}'),
        ('{"cron":0,"a":1,"b":2}', '{"a":1,"b":2}'),
        ('{"a":1,"cron":0,"b":2}', '{"a":1,"b":2}'),
        ('{"a":1,"b":2,"cron":0}', '{"a":1,"b":2}'),
        ('{"cron":0}', "{}"),
    ],
    ids=["absent", "first", "middle", "last", "lone"],
)
def test_minified_documents(original: str, without_section: str) -> None:
    """The shape the issue named: no space after `:` or `,` anywhere, nothing to indent by."""
    assert remove_section(original, SECTION, context=CONTEXT) == without_section

    updated = set_section(without_section, SECTION, {"enabled": True}, context=CONTEXT)

    assert json.loads(updated) == {**json.loads(without_section), SECTION: {"enabled": True}}
    assert updated.startswith(without_section[:-1])
    assert remove_section(updated, SECTION, context=CONTEXT) == without_section
