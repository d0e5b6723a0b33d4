"""Two small pure helpers of the plan, stated by their exact results: the config the plan runs
with both rollback switches on (the section's own settings kept), and which artifact URLs
plan.md may link to (plain http as well as https)."""

from __future__ import annotations

import json

import pytest

from tools.plan.markdown_text import link_target
from tools.plan.switches import switched_on


@pytest.mark.parametrize(
    "section",
    ['{"present": false, "webhookToken": "x"}', {"present": False, "webhookToken": "x"}],
    ids=["json-text", "object"],
)
def test_switching_on_keeps_the_sections_settings(section: object) -> None:
    """The switched-on run must show the section the user configured, only with present on."""
    on = switched_on({"p:enabled": "false", "p:section": section, "p:other": "1"}, "p")
    assert on["p:enabled"] == "true"
    assert on["p:other"] == "1"
    assert json.loads(on["p:section"]) == {"present": True, "webhookToken": "x"}


def test_switching_on_without_a_section_writes_a_present_one() -> None:
    on = switched_on({}, "p")
    assert on == {"p:enabled": "true", "p:section": '{"present": true}'}


def test_an_http_artifact_url_is_a_link_target() -> None:
    assert link_target("http://ci.example/run/1") == "http://ci.example/run/1"
