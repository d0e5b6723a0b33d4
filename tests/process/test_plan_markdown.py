"""plan.md: the pull-request comment — change table, OpenClaw's verdict, the token's path.

The diagram is checked here for structure (every node defined once, every edge and class on a
defined node, labels that cannot close their quotes or open markup); tests/real_plan/ checks
the same diagrams with Mermaid's own parser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fake_openclaw import answer, install_fake
from stack_files import CLUSTER_STACK_FILE

from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.markdown import mermaid_label

pytestmark = pytest.mark.process  # a fake openclaw process per judgement

FIXTURES = Path(__file__).parent.parent / "fixtures" / "plan"
DEV = CLUSTER_STACK_FILE.read_text()
MERMAID_BLOCK = re.compile(r"^```mermaid\n(.*?)^```$", re.S | re.M)
NODE = re.compile(r'^  (n\d+)\["([^"]*)"\]$')
EDGE = re.compile(r"^  (n\d+) (-->|-\.->) (n\d+)$")
CLASS_DEF = re.compile(r"^  classDef (\w+) [\w#:,-]+$")
CLASS = re.compile(r"^  class ((?:n\d+,)*n\d+) (\w+)$")
STYLE = re.compile(r"^  style (n\d+) [\w#:,-]+$")


def check_flowchart(diagram: str) -> dict[str, str]:
    """Structural rules of a Mermaid flowchart as plan.md writes it; returns node → label."""
    lines = diagram.rstrip("\n").split("\n")
    assert lines[0] == "flowchart TD"
    nodes: dict[str, str] = {}
    classes: set[str] = set()
    for line in lines[1:]:
        if node := NODE.match(line):
            assert node[1] not in nodes, f"{node[1]} defined twice"
            label = node[2]
            assert "<" not in label.replace("<br/>", ""), label
            assert ">" not in label.replace("<br/>", ""), label
            assert re.fullmatch(r"([^#]|#(35|quot|lt|gt|96);)*", label), label
            nodes[node[1]] = label
        elif edge := EDGE.match(line):
            assert {edge[1], edge[3]} <= set(nodes), line
        elif class_def := CLASS_DEF.match(line):
            classes.add(class_def[1])
        elif assigned := CLASS.match(line):
            assert set(assigned[1].split(",")) <= set(nodes), line
            assert assigned[2] in classes, line
        elif style := STYLE.match(line):
            assert style[1] in nodes, line
        else:
            pytest.fail(f"not a line plan.md writes: {line!r}")
    return nodes


def diagram_of(markdown_text: str) -> str:
    blocks = MERMAID_BLOCK.findall(markdown_text)
    assert len(blocks) == 1
    return str(blocks[0])


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))


def test_plan_md_for_a_first_rollout_with_an_issue_already_in_the_base(tmp_path: Path) -> None:
    fake = install_fake(tmp_path / "bin" / "openclaw")
    issue = {"path": "gateway.controlUi", "message": 'Unrecognized key: "allowInsecureAuth"'}
    # A warning about the whole document has no path: plan.md names the document instead.
    warning = {"path": "", "message": "no $schema: the editor cannot check this file"}
    answer(
        fake,
        {"valid": False, "issues": [issue], "warnings": [warning]},
        base={"valid": False, "issues": [issue]},
    )
    out = tmp_path / "out"
    args = [
        *("--openclaw", str(fake), "--out", str(out)),
        *("--stack-file", str(CLUSTER_STACK_FILE)),
        *("--base-config", str(FIXTURES / "configmap-insecure-auth.yaml")),
        *("--base-deployment", str(FIXTURES / "deployment-build-tag.yaml")),
    ]
    assert plan.main(args) == 0

    text = (out / "plan.md").read_text()
    assert text.startswith(
        "### Offline plan: stack `dev` of `openclaw-cron-webhook`\n\n"
        "Against an empty stack (no `--compare`): everything is created: "
        "**+ 6 to create, 0 unchanged**\n\n"
        "`pulumi preview` counts **+ 13 to create, 0 unchanged**, 7 more than this plan: the "
        "stack itself (pulumi:pulumi:Stack) and the program's 6 component resources, none of "
        "them a cloud object (to create: the stack, CronWebhookDelivery, WebhookToken, "
        "TokenParameter, TokenExternalSecret, TokenEnvPatch, CronConfigSection).\n\n"
        "| # | action | resource | acts on | pods |\n|---|---|---|---|---|\n"
        "| 1 | create | `RotationGuard` `cron-webhook-token-rotation` | the rotation guard at "
        "rotation 1, in Pulumi state only: \\`pulumi preview\\` and \\`pulumi up\\` refuse a "
        "rotation used before or lower, before anything changes | no pod restart |\n"
        "| 2 | create | `RandomBytes` `cron-webhook-token` | a generated token, in Pulumi state "
        "only (no cloud object) | no pod restart |\n"
    )
    assert (
        "| 5 | create | `EnvEntry` `openclaw-cron-webhook-env` | env "
        "OPENCLAW\\_CRON\\_WEBHOOK\\_TOKEN of container openclaw in apps/v1 Deployment "
        "openclaw/openclaw (Server-Side Apply, one entry) | restarts pods: one rollout of "
        "Deployment openclaw/openclaw |\n"
    ) in text
    assert (
        "**Restarts pods:** `openclaw-cron-webhook-env`: one rollout of Deployment "
        "openclaw/openclaw\n"
    ) in text
    assert (
        "#### OpenClaw's verdict on openclaw.json\n\n"
        "✅ openclaw.json judged by OpenClaw 2099.1.2: this change adds no issue (the result is "
        "INVALID only by the 1 issue(s) already in the base document)\n\n"
        "**Already in the base document, not caused by this change (1):**\n\n"
        '- `gateway.controlUi`: Unrecognized key: "allowInsecureAuth"\n\n'
        "Warnings:\n\n"
        "- `(document)`: no $schema: the editor cannot check this file\n\n"
        "| judged by | the pod runs |\n|---|---|\n"
        "| OpenClaw `2099.1.2` | `registry.example.com/team/openclaw:202602170222` (container "
        "`openclaw` of Deployment `openclaw/openclaw`) |\n\n"
        "Its tag 202602170222 is not an OpenClaw release (it reads as a build time"
    ) in text
    nodes = check_flowchart(diagram_of(text))
    assert nodes == {
        "n1": "rotation guard (cron-webhook-token-rotation, rotation 1, Pulumi state only)<br/>"
        "create<br/>no pod restart",
        "n2": "token (RandomBytes cron-webhook-token, Pulumi state only)<br/>create<br/>"
        "no pod restart",
        "n3": "SSM parameter /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN<br/>create<br/>"
        "no pod restart",
        "n4": "ExternalSecret openclaw/openclaw-cron-webhook-r1 makes Secret "
        "openclaw/openclaw-cron-webhook-r1<br/>create<br/>no pod restart",
        "n5": "env OPENCLAW_CRON_WEBHOOK_TOKEN of Deployment openclaw/openclaw<br/>create<br/>"
        "restarts pods: one rollout of Deployment openclaw/openclaw",
        "n6": "cron section of openclaw.json in ConfigMap openclaw/openclaw-config<br/>create<br/>"
        "no pod restart",
    }


def compared_plan(tmp_path: Path, stack_text: str) -> str:
    base = tmp_path / "base"
    assert plan.main(["--stack-file", str(CLUSTER_STACK_FILE), "--out", str(base)]) == 0
    stack_file = tmp_path / "Pulumi.next.yaml"
    stack_file.write_text(stack_text)
    out = tmp_path / "next"
    args = ["--stack-file", str(stack_file), "--compare", str(base), "--out", str(out)]
    assert plan.main(args) == 0
    return (out / "plan.md").read_text()


def test_a_rotation_marks_each_hop_and_the_one_rollout(tmp_path: Path) -> None:
    text = compared_plan(tmp_path, DEV.replace('rotation: "1"', 'rotation: "2"'))
    diagram = diagram_of(text)
    check_flowchart(diagram)
    assert diagram.endswith(
        "  n1 --> n2\n  n1 --> n3\n  n2 --> n3\n  n3 --> n4\n  n4 --> n5\n  n5 --> n6\n"
        "  classDef replace fill:#ffe7d1,stroke:#bc4c00,color:#4a1e00\n"
        "  classDef same fill:#f6f8fa,stroke:#8c959f,color:#24292f\n"
        "  classDef update fill:#fff8c5,stroke:#9a6700,color:#3d2a00\n"
        "  class n2,n4 replace\n  class n6 same\n  class n1,n3,n5 update\n"
        "  style n5 stroke-width:4px\n"
    )
    assert "<br/>replace (create-before-delete)<br/>no pod restart" in diagram
    assert "**\\~ 3 to update, +- 2 to replace, 1 unchanged**" in text


def test_an_unchanged_env_entry_restarts_nothing(tmp_path: Path) -> None:
    text = compared_plan(tmp_path, DEV)
    assert "**Restarts pods:** nothing\n" in text
    assert "  style " not in diagram_of(text)


def test_a_deleted_resource_is_a_dashed_hop(tmp_path: Path) -> None:
    base = tmp_path / "base"
    assert plan.main(["--out", str(base)]) == 0
    previous = json.loads((base / "plan.json").read_text())
    token = previous["resources"][0]
    gone = dict(token, id="t::old-token", name="old-token", type="t", depends_on=[token["id"]])
    previous["resources"].append(gone)
    (base / "plan.json").write_text(json.dumps(previous))
    out = tmp_path / "next"
    assert plan.main(["--compare", str(base), "--out", str(out)]) == 0
    diagram = diagram_of((out / "plan.md").read_text())
    nodes = check_flowchart(diagram)
    assert nodes["n7"] == "t old-token<br/>delete<br/>no pod restart"
    assert "  n1 -.-> n7\n" in diagram
    assert "  class n7 delete\n" in diagram


def test_labels_are_escaped_for_mermaid() -> None:
    assert mermaid_label('a "b" <c> #d `e`\n f') == "a #quot;b#quot; #lt;c#gt; #35;d #96;e#96; f"
