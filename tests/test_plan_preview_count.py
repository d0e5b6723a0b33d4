"""The plan's count beside `pulumi preview`'s: the stack and the component resources.

The preview counts what the plan counts plus the stack's own resource and every component
resource (e2e/scenarios/test_random_standin.py holds the engine to it: one RandomBytes is
`{"create": 2}`). These pin plan.json's `components` and the count plan.txt derives from them:
against an empty stack, after a rotation, when `section.target` swaps a stage's component, and
against a plan.json written before components were recorded. Stacks are written out in their
mode, so the repository's `dev` stack may be in either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stack.delivery import COMPONENT_TYPE as DELIVERY
from stages.env_entry.identity import COMPONENT_TYPE as ENV_ENTRY
from stages.external_secret.identity import COMPONENT_TYPE as EXTERNAL_SECRET
from stages.parameter.identity import COMPONENT_TYPE as PARAMETER
from stages.section.identity import CLUSTER_COMPONENT_TYPE, GIT_COMPONENT_TYPE
from stages.token.identity import COMPONENT_TYPE as TOKEN
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.preview import OLD_PLAN_NOTE
from tools.plan.schema import schema_errors

pytestmark = pytest.mark.usefixtures("shared_program_runs")

CLUSTER = """\
config:
  openclaw-cron-webhook:section:
    target: cluster
"""
GIT = """\
config:
  openclaw-cron-webhook:section:
    target: git
    git:
      repo: https://git.example.com/org/lolice.git
      path: argoproj/openclaw/configmap-openclaw.yaml
"""
KEPT = [
    f"{DELIVERY}::openclaw-cron-webhook",
    f"{TOKEN}::cron-webhook-token",
    f"{PARAMETER}::cron-webhook-token",
    f"{EXTERNAL_SECRET}::cron-webhook",
    f"{ENV_ENTRY}::openclaw-cron-webhook-env",
]
CLUSTER_SECTION = f"{CLUSTER_COMPONENT_TYPE}::openclaw-cron-section"
GIT_SECTION = f"{GIT_COMPONENT_TYPE}::openclaw-cron-section"


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)


def planned(tmp_path: Path, name: str, text: str, *args: str) -> tuple[dict[str, Any], str]:
    """plan.json (checked against the schema) and plan.txt's preview line."""
    stack_file = tmp_path / f"Pulumi.{name}.yaml"
    stack_file.write_text(text)
    out = tmp_path / name
    assert plan.main(["--stack-file", str(stack_file), *args, "--out", str(out)]) == 0
    data = json.loads((out / "plan.json").read_text())
    assert schema_errors(data) == []
    summary = (out / "plan.txt").read_text().split("\nSummary: ", 1)[1]
    return data, summary.split("\n")[1]


def components(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["id"], c["action"]) for c in data["components"]]


def test_against_an_empty_stack_the_preview_creates_the_stack_and_every_component(
    tmp_path: Path,
) -> None:
    data, line = planned(tmp_path, "c", CLUSTER)

    assert components(data) == [(c, "create") for c in [*KEPT, CLUSTER_SECTION]]
    assert data["summary"]["create"] == 6
    assert line == (
        "  pulumi preview: + 13 to create, 0 unchanged; 7 more than this plan: the stack "
        "itself (pulumi:pulumi:Stack) and the program's 6 component resources, none of them a "
        "cloud object (to create: the stack, CronWebhookDelivery, WebhookToken, TokenParameter, "
        "TokenExternalSecret, TokenEnvPatch, CronConfigSection)"
    )


def test_a_rotation_leaves_the_stack_and_the_components_unchanged(tmp_path: Path) -> None:
    first, _ = planned(tmp_path, "c", CLUSTER)
    rotated = CLUSTER + '  openclaw-cron-webhook:token:\n    rotation: "2"\n'
    data, line = planned(tmp_path, "r", rotated, "--compare", str(tmp_path / "c"))

    assert components(data) == [(c, "same") for c in [*KEPT, CLUSTER_SECTION]]
    assert first["notes"] == data["notes"] == []
    assert line.startswith(
        "  pulumi preview: ~ 3 to update, +- 2 to replace, 8 unchanged; 7 more than this plan: "
    )
    assert line.endswith(
        "(unchanged: the stack, CronWebhookDelivery, WebhookToken, TokenParameter, "
        "TokenExternalSecret, TokenEnvPatch, CronConfigSection)"
    )


def test_a_new_section_target_swaps_a_component_as_the_preview_counts_it(
    tmp_path: Path,
) -> None:
    planned(tmp_path, "c", CLUSTER)
    data, line = planned(tmp_path, "g", GIT, "--compare", str(tmp_path / "c"))

    assert components(data) == [
        *[(c, "same") for c in KEPT],
        (GIT_SECTION, "create"),
        (CLUSTER_SECTION, "delete"),
    ]
    assert line == (
        "  pulumi preview: + 2 to create, - 2 to delete, 11 unchanged; 8 more than this plan: "
        "the stack itself (pulumi:pulumi:Stack) and the program's 7 component resources, none "
        "of them a cloud object (to create: CronGitSection; to delete: CronConfigSection; "
        "unchanged: the stack, CronWebhookDelivery, WebhookToken, TokenParameter, "
        "TokenExternalSecret, TokenEnvPatch)"
    )

    # Compared with that plan (the same stack), the component it deleted is gone, as is the
    # resource: neither is deleted again.
    (tmp_path / "again").mkdir()
    again, line = planned(tmp_path / "again", "g", GIT, "--compare", str(tmp_path / "g"))
    assert components(again) == [(c, "same") for c in [*KEPT, GIT_SECTION]]
    assert line.startswith("  pulumi preview: 13 unchanged; 7 more than this plan: ")


def test_a_plan_json_without_components_is_taken_as_having_these(tmp_path: Path) -> None:
    """The first pull request after this field exists compares with a base branch's plan.json
    that lacks it: the count assumes the components did not change, and says so."""
    planned(tmp_path, "c", CLUSTER)
    previous = json.loads((tmp_path / "c" / "plan.json").read_text())
    del previous["components"]
    (tmp_path / "c" / "plan.json").write_text(json.dumps(previous))

    data, line = planned(tmp_path, "next", CLUSTER, "--compare", str(tmp_path / "c"))

    assert components(data) == [(c, "same") for c in [*KEPT, CLUSTER_SECTION]]
    assert data["notes"] == [OLD_PLAN_NOTE]
    assert line.startswith("  pulumi preview: 13 unchanged; 7 more than this plan: ")
