"""The two tables the plan builds when it is imported: each type's explanation, and the closed
objects of plan.json's schema.

Why their builders are called here again: `tools.plan.kinds.KINDS` and
`tools.plan.schema.PLAN_SCHEMA` are built once, at import, so every other test reads the tables
as they were then; only a call made by a test shows what the builder itself does today.
"""

from __future__ import annotations

from stages.env_entry import plan as env_entry_plan
from stages.env_entry.identity import TYPE as ENV_ENTRY
from stages.external_secret.identity import TYPE as EXTERNAL_SECRET
from stages.parameter.identity import TYPE as PARAMETER
from stages.section.identity import CLUSTER_TYPE as SECTION
from stages.section.identity import GIT_TYPE as GIT_SECTION
from stages.token import plan as token_plan
from stages.token.identity import GUARD_TYPE
from stages.token.identity import TYPE as RANDOM
from tools.plan.kinds import KINDS, _walked
from tools.plan.schema import STRING, _object, schema_errors


def test_every_stage_explains_its_own_types_in_the_order_they_are_registered() -> None:
    """A type left out would still plan, in generic words ("deletes it" for a state-only
    token): the walk must reach every stage in `stages.ORDER` and keep each one's Kind."""
    kinds = _walked()

    assert list(kinds) == [
        GUARD_TYPE,
        RANDOM,
        PARAMETER,
        EXTERNAL_SECRET,
        ENV_ENTRY,
        SECTION,
        GIT_SECTION,
    ]
    assert kinds[RANDOM] is token_plan.KINDS[RANDOM]
    assert kinds[ENV_ENTRY] is env_entry_plan.KINDS[ENV_ENTRY]
    assert kinds == KINDS


def test_an_object_in_plan_json_has_every_property_it_declares_and_no_other() -> None:
    """Readers of plan.json (CI, `--compare`) rely on each documented field being there, and
    a field the schema does not know is a file from another version or tool, not a plan."""
    closed = _object({"file": STRING, "stack": STRING})

    assert closed == {
        "type": "object",
        "required": ["file", "stack"],
        "additionalProperties": False,
        "properties": {"file": STRING, "stack": STRING},
    }
    assert schema_errors({"file": "plan.json", "stack": "dev"}, closed) == []
    assert schema_errors({"file": "plan.json"}, closed) == ["(top): 'stack' is a required property"]
    assert schema_errors({"file": "plan.json", "stack": "dev", "extra": 1}, closed) == [
        "(top): Additional properties are not allowed ('extra' was unexpected)"
    ]
    assert schema_errors(["file", "stack"], closed) == [
        "(top): ['file', 'stack'] is not of type 'object'"
    ]
