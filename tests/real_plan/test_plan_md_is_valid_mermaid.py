"""plan.md's diagram is valid Mermaid, by Mermaid's own parser (the one GitHub renders with).

The diagrams come from real plans — a first rollout, a token rotation, a resource only the
previous plan had, the section moved to the GitOps repository — and from one plan whose names
and words carry every character Mermaid or Markdown would take for syntax. A broken diagram is
refused, so the parser is really asked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stack_files import CLUSTER_STACK_FILE

from devtools.mermaid_parser import MermaidParser, blocks
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.markdown import flowchart
from tools.plan.model import DocumentPlan, Plan, PlannedResource

DEV = CLUSTER_STACK_FILE.read_text()
NASTY = 'a "quoted" <b>bold</b> #1; `tick` [x](y) | pipe & amp; %% comment'


@pytest.fixture(autouse=True)
def unjudged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The diagram does not depend on the verdict: no OpenClaw here."""
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)


def plan_md(out: Path, *args: str) -> str:
    assert plan.main(["--out", str(out), *args]) == 0
    return (out / "plan.md").read_text()


def real_diagrams(tmp_path: Path) -> list[str]:
    first = tmp_path / "first"
    texts = [plan_md(first)]
    rotated = tmp_path / "Pulumi.rotated.yaml"
    rotated.write_text(DEV.replace('rotation: "1"', 'rotation: "2"'))
    texts.append(
        plan_md(tmp_path / "rotated", "--stack-file", str(rotated), "--compare", str(first))
    )
    previous = json.loads((first / "plan.json").read_text())
    token = previous["resources"][0]
    previous["resources"].append(
        dict(token, id="t::old", name="old", type="t", depends_on=[token["id"]])
    )
    (first / "plan.json").write_text(json.dumps(previous))
    texts.append(plan_md(tmp_path / "deleted", "--compare", str(first)))
    git = tmp_path / "Pulumi.git.yaml"  # the section moves to the GitOps repo: its own hop
    git.write_text(
        DEV
        + "  openclaw-cron-webhook:section:\n    target: git\n    git:\n"
        + "      repo: ssh://ci@git.example.com/o/r.git\n"
        + "      path: argoproj/openclaw/configmap-openclaw.yaml\n"
    )
    texts.append(plan_md(tmp_path / "git", "--stack-file", str(git), "--compare", str(first)))
    return [diagram for text in texts for diagram in blocks(text)]


def nasty_plan() -> Plan:
    """Every field the diagram shows, full of characters Mermaid and Markdown treat as syntax."""

    def resource(number: int, action: str, depends_on: list[str]) -> PlannedResource:
        return PlannedResource(
            id=f"t::{number}",
            urn=None,
            type=f"pkg:mod:{NASTY}",
            name=NASTY,
            action=action,
            replace_mode="delete-before-create" if action == "replace" else None,
            changes=[],
            target=NASTY,
            inputs={},
            depends_on=depends_on,
            retain_on_delete=False,
            waits=None,
            pods=f"restarts pods: {NASTY}",
            kubernetes=None,
        )

    actions = ["create", "update", "replace", "delete", "same"]
    resources = [resource(i, a, [f"t::{i - 1}"] if i else []) for i, a in enumerate(actions)]
    document = DocumentPlan("b", "ns/cm", "k", "cron", "written", "openclaw.json", "")
    summary = dict.fromkeys(actions, 1)
    return Plan("s", "p", "f", None, summary, resources, [], [], {}, document, {})


def test_every_diagram_the_plan_writes_parses(mermaid: MermaidParser, tmp_path: Path) -> None:
    diagrams = [*real_diagrams(tmp_path), flowchart(nasty_plan())]
    assert len(diagrams) == 5

    assert mermaid.parse(diagrams) == [None] * 5


def test_a_broken_diagram_is_refused(mermaid: MermaidParser) -> None:
    broken = flowchart(nasty_plan()).replace("#quot;", '"', 1)
    (error,) = mermaid.parse([broken])
    assert error is not None
    assert error.startswith("Parse error on line 2:")
