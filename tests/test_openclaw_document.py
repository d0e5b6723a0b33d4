"""The splice edits of openclaw.json: only the owned member changes, down to the byte.

A GitOps controller compares the document with Git, and `pulumi destroy` must hand back what
was there; so these tests compare exact text, not just parsed values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stages.section.document import (
    InvalidDocumentError,
    LossyDocumentError,
    PreconditionError,
    json_equal,
    read_section,
    remove_section,
    require_otel_diagnostics,
    section_drift,
    set_section,
)

FIXTURES = Path(__file__).parent / "fixtures"
CONTEXT = "ConfigMap openclaw/openclaw-config key openclaw.json"
CRON = {
    "enabled": True,
    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
    "sessionRetention": "24h",
}
# What set_section appends to a document whose members are indented by two spaces.
CRON_MEMBER = (
    ',\n  "cron": {\n'
    '    "enabled": true,\n'
    '    "sessionRetention": "24h",\n'
    '    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n'
    "  }"
)
FOREIGN_CRON_MEMBER = (
    '  "cron": {\n'
    '    "enabled": true,\n'
    '    "webhookToken": "hand-written-token-do-not-print",\n'
    '    "sessionRetention": "12h"\n'
    "  },\n"
)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


def test_set_appends_the_section_as_last_member() -> None:
    original = fixture("openclaw.json")

    updated = set_section(original, "cron", CRON, context=CONTEXT)

    assert updated == original.removesuffix("\n}\n") + CRON_MEMBER + "\n}\n"
    assert list(json.loads(updated)) == [*json.loads(original), "cron"]


def test_set_leaves_every_other_section_semantically_identical() -> None:
    original = fixture("openclaw.json")

    updated = json.loads(set_section(original, "cron", CRON, context=CONTEXT))

    assert updated.pop("cron") == CRON
    assert updated == json.loads(original)


def test_set_replaces_only_the_value_of_an_existing_section() -> None:
    original = fixture("openclaw-foreign-cron.json")
    old_value = FOREIGN_CRON_MEMBER.removeprefix('  "cron": ').removesuffix(",\n")
    assert original.count(old_value) == 1

    updated = set_section(original, "cron", {"enabled": False}, context=CONTEXT)

    assert updated == original.replace(old_value, '{\n    "enabled": false\n  }')


def test_set_sorts_keys_whatever_their_order_and_writes_json_false() -> None:
    """The value crosses Pulumi's wire format, which does not keep order: bytes must not care."""
    value = {"sessionRetention": False, "enabled": False, "webhookToken": "t"}
    document = fixture("openclaw.json")

    updated = set_section(document, "cron", value, context=CONTEXT)

    assert updated.endswith(
        '  "cron": {\n'
        '    "enabled": false,\n'
        '    "sessionRetention": false,\n'
        '    "webhookToken": "t"\n'
        "  }\n}\n"
    )
    assert set_section(document, "cron", dict(reversed(value.items())), context=CONTEXT) == updated
    assert json.loads(updated)["cron"]["enabled"] is False


def test_placeholder_is_written_literally_for_openclaw_to_substitute() -> None:
    updated = set_section(fixture("openclaw.json"), "cron", CRON, context=CONTEXT)

    assert '    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n' in updated
    assert read_section(updated, "cron", context=CONTEXT) == (True, CRON)


def test_second_set_returns_the_same_text() -> None:
    once = set_section(fixture("openclaw.json"), "cron", CRON, context=CONTEXT)
    reordered = dict(reversed(CRON.items()))

    assert set_section(once, "cron", CRON, context=CONTEXT) is once
    assert set_section(once, "cron", reordered, context=CONTEXT) is once


@pytest.mark.parametrize(
    "original",
    [
        fixture("openclaw.json"),
        fixture("openclaw-without-phase1.json"),
        "{}",
        "{}\n",
        "{\n}\n",
        '{"gateway": {"port": 18789}}',
    ],
    ids=["reference-like", "without-phase1", "empty", "empty-newline", "empty-lines", "one-line"],
)
def test_set_then_remove_gives_back_the_original_bytes(original: str) -> None:
    updated = set_section(original, "cron", CRON, context=CONTEXT)

    assert updated != original
    assert remove_section(updated, "cron", context=CONTEXT) == original


def test_set_on_an_empty_object_puts_the_member_on_its_own_lines() -> None:
    assert set_section("{}\n", "cron", {"enabled": True}, context=CONTEXT) == (
        '{\n  "cron": {\n    "enabled": true\n  }\n}\n'
    )


def test_new_member_follows_the_document_indentation() -> None:
    original = '{\n    "gateway": {\n        "port": 18789\n    }\n}'

    updated = set_section(original, "cron", {"enabled": True}, context=CONTEXT)

    assert updated == (
        '{\n    "gateway": {\n        "port": 18789\n    },\n'
        '    "cron": {\n      "enabled": true\n    }\n}'
    )


def test_remove_a_middle_member_takes_its_comma_and_nothing_else() -> None:
    original = fixture("openclaw-foreign-cron.json")
    assert original.count(FOREIGN_CRON_MEMBER) == 1

    updated = remove_section(original, "cron", context=CONTEXT)

    assert updated == original.replace(FOREIGN_CRON_MEMBER, "")


def test_remove_the_first_member() -> None:
    original = '{\n  "cron": {"enabled": true},\n  "gateway": {}\n}\n'

    assert remove_section(original, "cron", context=CONTEXT) == '{\n  "gateway": {}\n}\n'


def test_remove_an_absent_section_returns_the_same_text() -> None:
    original = fixture("openclaw.json")

    assert remove_section(original, "cron", context=CONTEXT) is original


def test_phase1_is_satisfied_by_the_reference_like_document() -> None:
    require_otel_diagnostics(fixture("openclaw.json"), context=CONTEXT)


def test_phase1_missing_names_phase1_and_the_path() -> None:
    with pytest.raises(PreconditionError) as raised:
        require_otel_diagnostics(fixture("openclaw-without-phase1.json"), context=CONTEXT)

    assert str(raised.value) == (
        "ConfigMap openclaw/openclaw-config key openclaw.json: Phase 1 is not complete: "
        "plugins.entries.diagnostics-otel.enabled must be true, but it is missing. Phase 2 cron "
        "webhook delivery needs the OpenTelemetry diagnostics plugin (diagnostics-otel) enabled "
        "first. Complete Phase 1 in the document's source, let it sync to the cluster, then run "
        "`pulumi up` again."
    )


@pytest.mark.parametrize(("enabled", "found"), [(False, "false"), ("true", '"true"'), (1, "1")])
def test_phase1_needs_the_json_boolean_true(enabled: object, found: str) -> None:
    text = json.dumps({"plugins": {"entries": {"diagnostics-otel": {"enabled": enabled}}}})

    with pytest.raises(PreconditionError, match=f"but it is {found}\\. Phase 2 "):
        require_otel_diagnostics(text, context=CONTEXT)


def test_invalid_json5_is_refused() -> None:
    with pytest.raises(InvalidDocumentError) as raised:
        set_section('{"gateway": {', "cron", CRON, context=CONTEXT)

    assert str(raised.value) == (
        f"{CONTEXT} is not valid JSON5 (<string>:1 Unexpected end of input at column 14), so "
        "OpenClaw cannot load it either. Fix the document in its source, then run `pulumi up` "
        "again."
    )


def test_a_top_level_array_is_refused() -> None:
    with pytest.raises(InvalidDocumentError) as raised:
        read_section('[{"cron": {}}]', "cron", context=CONTEXT)

    assert str(raised.value) == (
        f"{CONTEXT} must be a JSON object at the top level, but it is a list. Fix the document "
        "in its source, then run `pulumi up` again."
    )


@pytest.mark.parametrize(
    "text",
    ['{"cron": {}, "gateway": {}, "cron": {"enabled": true}}', "{cron: {}, gateway: {}, cron: 1}"],
    ids=["json", "json5"],
)
def test_duplicate_top_level_keys_are_refused(text: str) -> None:
    with pytest.raises(InvalidDocumentError) as raised:
        remove_section(text, "cron", context=CONTEXT)

    assert str(raised.value) == (
        f'{CONTEXT} has duplicate top-level keys "cron": OpenClaw silently uses the last one, '
        "so an edit would be ambiguous. Keep one of each in the document's source, then run "
        "`pulumi up` again."
    )


def test_duplicate_nested_keys_do_not_block_the_edit() -> None:
    original = '{"gateway": {"port": 1, "port": 2}}'

    updated = set_section(original, "cron", {"enabled": True}, context=CONTEXT)

    assert updated.startswith('{"gateway": {"port": 1, "port": 2},\n')


def test_json5_with_comments_is_refused_not_rewritten() -> None:
    original = fixture("openclaw-comments.json5")

    with pytest.raises(LossyDocumentError) as raised:
        set_section(original, "cron", CRON, context=CONTEXT)

    assert str(raised.value) == (
        f"{CONTEXT} contains JSON5-only syntax, such as comments or trailing commas, that a "
        "rewrite would lose (it is not strict JSON: Expecting property name enclosed in double "
        "quotes: line 2 column 3 (char 4)). OpenClaw accepts it, but this stack edits the "
        "document by splicing strict JSON and will not drop anything its owner wrote. Convert "
        "the document to strict JSON in its source (for example the Git repository the "
        "ConfigMap is applied from), then run `pulumi up` again."
    )
    assert original == fixture("openclaw-comments.json5")


def test_json5_with_trailing_commas_only_is_refused_too() -> None:
    with pytest.raises(LossyDocumentError, match=r"line 8 column 85 \(char 269\)"):
        set_section(fixture("openclaw-trailing-commas.json5"), "cron", CRON, context=CONTEXT)


def test_json5_documents_can_still_be_read() -> None:
    text = fixture("openclaw-comments.json5")

    require_otel_diagnostics(text, context=CONTEXT)
    assert read_section(text, "cron", context=CONTEXT) == (False, None)
    assert remove_section(text, "cron", context=CONTEXT) is text


def test_json5_document_already_holding_the_section_needs_no_write() -> None:
    original = fixture("openclaw-comments.json5").replace(
        "\n  /* Phase 1", '\n  cron: {enabled: true, webhookToken: "${X}"}, // ours\n  /* Phase 1'
    )

    assert (
        set_section(original, "cron", {"webhookToken": "${X}", "enabled": True}, context=CONTEXT)
        is original
    )
    with pytest.raises(LossyDocumentError):
        set_section(original, "cron", {"enabled": False}, context=CONTEXT)


def test_read_section_tells_a_present_null_from_absence() -> None:
    assert read_section('{"cron": null}', "cron", context=CONTEXT) == (True, None)
    assert read_section("{}", "cron", context=CONTEXT) == (False, None)


def test_section_drift() -> None:
    written = set_section(fixture("openclaw.json"), "cron", CRON, context=CONTEXT)

    assert section_drift(fixture("openclaw.json"), "cron", CRON, context=CONTEXT)
    assert not section_drift(written, "cron", CRON, context=CONTEXT)
    assert section_drift(written, "cron", {**CRON, "sessionRetention": "48h"}, context=CONTEXT)
    assert section_drift('{"cron": {"enabled": 1}}', "cron", {"enabled": True}, context=CONTEXT)


def test_json_equal_compares_as_json_not_as_python() -> None:
    assert not json_equal({"enabled": True}, {"enabled": 1})
    assert not json_equal([0], [False])
    assert json_equal({"a": 1, "b": [1.0, None]}, {"b": [1, None], "a": 1.0})
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})
    assert not json_equal([1, 2], [1])


def test_duplicate_top_level_keys_are_all_named() -> None:
    text = '{"gateway": {}, "cron": {}, "gateway": {}, "cron": 1, "models": {}}'

    with pytest.raises(InvalidDocumentError, match=r'duplicate top-level keys "cron", "gateway": '):
        read_section(text, "cron", context=CONTEXT)


def test_phase1_tells_an_absent_flag_from_a_null_one() -> None:
    """The operator fixes a missing key and a null value differently, so the message differs."""
    absent = '{"plugins": {"entries": {"diagnostics-otel": {}}}}'
    null = '{"plugins": {"entries": {"diagnostics-otel": {"enabled": null}}}}'

    with pytest.raises(PreconditionError, match=r"but it is missing\. "):
        require_otel_diagnostics(absent, context=CONTEXT)
    with pytest.raises(PreconditionError, match=r"but it is null\. "):
        require_otel_diagnostics(null, context=CONTEXT)


def test_non_ascii_text_is_written_as_utf8_like_the_rest_of_the_document() -> None:
    """No `\\u` escapes: the owner's diff shows the text they would have written themselves."""
    original = '{\n  "gateway": {"name": "ゲートウェイ"}\n}\n'

    updated = set_section(original, "通知", {"宛先": "チーム", "enabled": True}, context=CONTEXT)

    assert updated == (
        '{\n  "gateway": {"name": "ゲートウェイ"},\n'
        '  "通知": {\n    "enabled": true,\n    "宛先": "チーム"\n  }\n}\n'
    )


def test_a_replaced_section_keeps_the_indentation_of_its_own_line() -> None:
    """A section in the middle of a 4-space document: its lines follow that member's indent."""
    original = (
        '{\n    "gateway": {\n        "port": 18789\n    },\n'
        '    "cron": {"enabled": false},\n    "models": {}\n}\n'
    )

    updated = set_section(original, "cron", {"enabled": True, "x": 1}, context=CONTEXT)

    assert updated == original.replace(
        '{"enabled": false}', '{\n      "enabled": true,\n      "x": 1\n    }'
    )


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_a_value_that_json_cannot_hold_is_refused_not_written(number: float) -> None:
    """NaN and Infinity are not JSON: writing them would break the document for OpenClaw."""
    with pytest.raises(ValueError, match="not JSON compliant"):
        set_section("{}", "cron", {"sessionRetention": number}, context=CONTEXT)
