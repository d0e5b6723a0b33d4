"""--compare: when the compared plan's stack already owns the section where it goes now.

Owned, `pulumi up` updates the section in place (the provider's update-time edit); not owned,
it creates it. The compared plan's row must be the same resource (its id), not one that plan
deletes, and at the same target (each of the kind's replace-on inputs equal).
"""

from __future__ import annotations

from typing import Any

import pytest

from stages.section.identity import CLUSTER_TYPE
from tools.plan.document import _owned
from tools.plan.mock_runtime import Registration

TARGET = {"namespace": "openclaw", "configMap": "openclaw-config", "key": "openclaw.json"}
INPUTS = {**TARGET, "section": "cron", "value": {"enabled": True}}


def section(inputs: dict[str, Any]) -> Registration:
    return Registration(
        type=CLUSTER_TYPE,
        name="openclaw-cron-section",
        urn="urn:section",
        custom=True,
        parent="",
        inputs=inputs,
        wire_inputs=inputs,
        dependencies=[],
        property_dependencies={},
        retain_on_delete=False,
        delete_before_replace=False,
    )


def previous(action: str, inputs: dict[str, Any], id_: str = "section-id") -> dict[str, Any]:
    return {
        "resources": [
            {"id": "other", "action": "create", "inputs": {}},
            {"id": id_, "action": action, "inputs": inputs},
        ]
    }


IDS = {"urn:section": "section-id"}


@pytest.mark.parametrize("action", ["create", "update", "same"])
def test_the_same_section_at_the_same_target_is_owned(action: str) -> None:
    changed_value = {**INPUTS, "value": {"enabled": False}}
    assert _owned(previous(action, changed_value), section(INPUTS), IDS) is True


def test_a_section_the_compared_plan_deletes_is_not_owned() -> None:
    """Switched off in the compared plan, switched back on now: a create, not an update."""
    assert _owned(previous("delete", INPUTS), section(INPUTS), IDS) is False


@pytest.mark.parametrize("key", ["namespace", "configMap", "key", "section"])
def test_a_section_moved_to_another_target_is_not_owned(key: str) -> None:
    moved = {**INPUTS, key: "elsewhere"}
    assert _owned(previous("create", moved), section(INPUTS), IDS) is False


def test_another_resource_or_no_compared_plan_owns_nothing() -> None:
    assert _owned(previous("create", INPUTS, id_="someone-else"), section(INPUTS), IDS) is False
    assert _owned(None, section(INPUTS), IDS) is False
