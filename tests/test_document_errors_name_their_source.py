"""Every refusal of the document names where it came from, whichever edit found the problem.

The caller passes a `context` ("ConfigMap openclaw/openclaw-config key openclaw.json"); an
operator reading `pulumi up`'s output must learn from the message alone which object to fix,
whether the create-time edit, the update, the destroy, the drift check or the Phase 1 check
was the one that refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stages.section.document import (
    DocumentError,
    InvalidDocumentError,
    LossyDocumentError,
    add_section,
    read_section,
    remove_section,
    require_otel_diagnostics,
    section_drift,
    section_span,
    set_section,
)

CONTEXT = "ConfigMap gateway/gw-config key config.json"
INVALID = '{"gateway": {'
TOP_LEVEL_ARRAY = "[]"
DUPLICATES = '{"cron": {}, "cron": {}}'
JSON5 = (Path(__file__).parent / "fixtures" / "openclaw-comments.json5").read_text()
JSON5_WITH_SECTION = JSON5.replace(
    "\n  /* Phase 1", "\n  cron: {enabled: false}, // by hand\n  /* Phase 1"
)
VALUE = {"enabled": True}

Edit = Callable[[str], object]
EDITS: dict[str, Edit] = {
    "read_section": lambda text: read_section(text, "cron", context=CONTEXT),
    "section_drift": lambda text: section_drift(text, "cron", VALUE, context=CONTEXT),
    "set_section": lambda text: set_section(text, "cron", VALUE, context=CONTEXT),
    "add_section": lambda text: add_section(text, "cron", VALUE, context=CONTEXT),
    "remove_section": lambda text: remove_section(text, "cron", context=CONTEXT),
    "require_otel_diagnostics": lambda text: require_otel_diagnostics(text, context=CONTEXT),
    "section_span": lambda text: section_span(text, "cron", context=CONTEXT),  # adoption's
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
@pytest.mark.parametrize(
    "text", [INVALID, TOP_LEVEL_ARRAY, DUPLICATES], ids=["invalid", "array", "duplicates"]
)
def test_an_unusable_document_is_refused_naming_its_source(edit: Edit, text: str) -> None:
    with pytest.raises(InvalidDocumentError) as raised:
        edit(text)

    assert str(raised.value).startswith(CONTEXT + " ")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("set_section", JSON5),
        ("add_section", JSON5),
        ("set_section", JSON5_WITH_SECTION),
        ("remove_section", JSON5_WITH_SECTION),
        ("section_span", JSON5_WITH_SECTION),
    ],
)
def test_an_edit_a_json5_document_cannot_take_is_refused_naming_its_source(
    name: str, text: str
) -> None:
    with pytest.raises(LossyDocumentError) as raised:
        EDITS[name](text)

    assert str(raised.value).startswith(CONTEXT + " contains JSON5-only syntax")


def test_every_refusal_is_a_document_error() -> None:
    """One base class, so callers (the provider, the plan) can catch every refusal at once."""
    for error in (InvalidDocumentError, LossyDocumentError):
        assert issubclass(error, DocumentError)
        assert issubclass(error, ValueError)
