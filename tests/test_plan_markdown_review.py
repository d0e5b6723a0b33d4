"""plan.md as the reviewer reads it: each changed field, the openclaw.json diff in both modes,
`pulumi preview`'s count beside the plan's, the folded diagram, and where the details are.

Every stack here is written out in its mode (cluster or git), so these hold whatever mode the
repository's `dev` stack is in. The parts of plan.md this pins are compared whole; OpenClaw's
verdict (tested in tests/process/test_plan_markdown.py) is left out by cutting at its heading.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stages.token.identity import TYPE as RANDOM
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.mock_runtime import fake_token

pytestmark = pytest.mark.usefixtures("shared_program_runs")

FIXTURES = Path(__file__).parent / "fixtures" / "plan"
CLUSTER = """\
config:
  openclaw-cron-webhook:token:
    rotation: "1"
  openclaw-cron-webhook:section:
    target: cluster
"""
GIT = """\
config:
  openclaw-cron-webhook:token:
    rotation: "1"
  openclaw-cron-webhook:section:
    target: git
    git:
      repo: ssh://ci-bot@git.example.com/org/lolice.git
      path: argoproj/openclaw/configmap-openclaw.yaml
"""
RUN = "https://github.com/org/repo/actions/runs/42"
VERDICT = "#### OpenClaw's verdict on openclaw.json\n"
DETAILS = "<details><summary>The token's path"
SAMPLE_DIFF = """\
```diff
--- a/examples/openclaw.json
+++ b/openclaw.json
@@ -80,5 +80,10 @@
     "auth": {
       "token": "${OPENCLAW_GATEWAY_TOKEN}"
     }
+  },
+  "cron": {
+    "enabled": true,
+    "sessionRetention": "7d",
+    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"
   }
 }
```
"""


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)


def stack(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(text)
    return str(path)


def plan_md(out: Path, *args: str) -> str:
    assert plan.main([*args, "--out", str(out)]) == 0
    return (out / "plan.md").read_text()


def before_verdict(text: str) -> str:
    return text.split(VERDICT, 1)[0]


def from_diagram(text: str) -> str:
    return text[text.index(DETAILS) :]


def test_a_rotation_in_cluster_mode(tmp_path: Path) -> None:
    first = tmp_path / "first"
    plan_md(first, "--stack-file", stack(tmp_path, "c1", CLUSTER))
    rotated = stack(tmp_path, "c2", CLUSTER.replace('"1"', '"2"'))
    text = plan_md(
        tmp_path / "next", "--stack-file", rotated, "--compare", str(first), "--artifact-url", RUN
    )

    assert before_verdict(text) == (
        "### Offline plan: stack `c2` of `openclaw-cron-webhook`\n\n"
        f"Compared with `{first}` (stack `c1`): "
        "**\\~ 3 to update, +- 2 to replace, 1 unchanged**\n\n"
        "`pulumi preview` counts **\\~ 3 to update, +- 2 to replace, 8 unchanged**, 7 more than "
        "this plan: the stack itself (pulumi:pulumi:Stack) and the program's 6 component "
        "resources, none of them a cloud object (unchanged: the stack, CronWebhookDelivery, "
        "WebhookToken, TokenParameter, TokenExternalSecret, TokenEnvPatch, "
        "CronConfigSection).\n\n"
        "| # | action | resource | acts on | pods |\n"
        "|---|---|---|---|---|\n"
        "| 1 | update | `RotationGuard` `cron-webhook-token-rotation` | the rotation guard at "
        "rotation 2, in Pulumi state only: \\`pulumi preview\\` and \\`pulumi up\\` refuse a "
        "rotation used before or lower, before anything changes | no pod restart |\n"
        "| 2 | replace (create-before-delete) | `RandomBytes` `cron-webhook-token` | a generated "
        "token, in Pulumi state only (no cloud object) | no pod restart |\n"
        "| 3 | update | `Parameter` `cron-webhook-token` | AWS SSM parameter "
        "/lolice/openclaw/OPENCLAW\\_CRON\\_WEBHOOK\\_TOKEN (SecureString) | no pod restart |\n"
        "| 4 | replace (create-before-delete) | `ExternalSecret` `cron-webhook` | "
        "external-secrets.io/v1 ExternalSecret openclaw/openclaw-cron-webhook-r2 | "
        "no pod restart |\n"
        "| 5 | update | `EnvEntry` `openclaw-cron-webhook-env` | env "
        "OPENCLAW\\_CRON\\_WEBHOOK\\_TOKEN of container openclaw in apps/v1 Deployment "
        "openclaw/openclaw (Server-Side Apply, one entry) | restarts pods: one rollout of "
        "Deployment openclaw/openclaw |\n"
        '| 6 | same | `JsonSection` `openclaw-cron-section` | top-level "cron" of '
        'data\\["openclaw.json"\\] in ConfigMap openclaw/openclaw-config | no pod restart |\n\n'
        "**Restarts pods:** `openclaw-cron-webhook-env`: one rollout of Deployment "
        "openclaw/openclaw\n\n"
        "#### What changes, field by field\n\n"
        "- update `RotationGuard` `cron-webhook-token-rotation`:\n"
        '  - `rotation`: `"1"` → `"2"`\n'
        "- replace (create-before-delete) `RandomBytes` `cron-webhook-token`:\n"
        '  - `keepers.rotation`: `"1"` → `"2"`\n'
        "- update `Parameter` `cron-webhook-token`:\n"
        "  - `value`: `[secret]` → `[secret]` (a new value from the replaced "
        f"{RANDOM}::cron-webhook-token)\n"
        "- replace (create-before-delete) `ExternalSecret` `cron-webhook`:\n"
        '  - `metadata.name`: `"openclaw-cron-webhook-r1"` → `"openclaw-cron-webhook-r2"`\n'
        '  - `spec.target.name`: `"openclaw-cron-webhook-r1"` → `"openclaw-cron-webhook-r2"`\n'
        "- update `EnvEntry` `openclaw-cron-webhook-env`:\n"
        '  - `secretName`: `"openclaw-cron-webhook-r1"` → `"openclaw-cron-webhook-r2"`\n\n'
        "#### The change to openclaw.json\n\n"
        '`cron` in `data["openclaw.json"]` of ConfigMap `openclaw/openclaw-config`, against '
        "`examples/openclaw.json`:\n\n"
        "The section resource is unchanged, so `pulumi up` writes nothing: this is the diff of "
        "a base that does not hold the section as the stack has it (a sample, or a document "
        "edited since the last `up`, which `pulumi refresh` finds).\n\n"
        f"{SAMPLE_DIFF}\n"
    )
    assert from_diagram(text) == (
        "<details><summary>The token's path: each hop, its action and whether it restarts pods "
        "(thick border)</summary>\n\n"
        "```mermaid\n"
        'flowchart TD\n  n1["rotation guard (cron-webhook-token-rotation, rotation 2, Pulumi state '
        'only)<br/>update<br/>no pod restart"]\n'
        '  n2["token (RandomBytes cron-webhook-token, Pulumi state only)<br/>'
        'replace (create-before-delete)<br/>no pod restart"]\n'
        '  n3["SSM parameter /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN<br/>update<br/>'
        'no pod restart"]\n'
        '  n4["ExternalSecret openclaw/openclaw-cron-webhook-r2 makes Secret '
        "openclaw/openclaw-cron-webhook-r2<br/>replace (create-before-delete)<br/>"
        'no pod restart"]\n'
        '  n5["env OPENCLAW_CRON_WEBHOOK_TOKEN of Deployment openclaw/openclaw<br/>update<br/>'
        'restarts pods: one rollout of Deployment openclaw/openclaw"]\n'
        '  n6["cron section of openclaw.json in ConfigMap openclaw/openclaw-config<br/>same<br/>'
        'no pod restart"]\n'
        "  n1 --> n2\n  n1 --> n3\n  n2 --> n3\n  n3 --> n4\n  n4 --> n5\n  n5 --> n6\n"
        "  classDef replace fill:#ffe7d1,stroke:#bc4c00,color:#4a1e00\n"
        "  classDef same fill:#f6f8fa,stroke:#8c959f,color:#24292f\n"
        "  classDef update fill:#fff8c5,stroke:#9a6700,color:#3d2a00\n"
        "  class n2,n4 replace\n  class n6 same\n  class n1,n3,n5 update\n"
        "  style n5 stroke-width:4px\n"
        "```\n\n"
        "</details>\n\n"
        "<sub>Written by `./bin/plan` (Pulumi mock runtime: nothing was contacted). Details in "
        "plan.txt, plan.json, `kubernetes/` and openclaw.json: the artifact `offline-plan` of "
        f"[the workflow run]({RUN}).</sub>\n"
    )
    for rotation in ("1", "2"):
        assert fake_token({"rotation": rotation}) not in text


def test_a_first_plan_in_git_mode_shows_the_document_and_the_manifest_diffs(
    tmp_path: Path,
) -> None:
    text = plan_md(
        tmp_path / "out",
        *("--stack-file", stack(tmp_path, "g", GIT)),
        *("--base-config", str(FIXTURES / "git-configmap-openclaw.yaml")),
    )

    assert "#### What changes, field by field" not in text  # a first plan only creates
    document = text.split("#### The change to openclaw.json\n\n", 1)[1]
    assert document.split("#### The commit to the GitOps repository\n\n", 1)[0] == (
        '`cron` in `data["openclaw.json"]` of ConfigMap `openclaw/openclaw-config`, the '
        "document inside `tests/fixtures/plan/git-configmap-openclaw.yaml`: the commit below "
        "carries it to the repository.\n\n"
        "```diff\n"
        "--- a/tests/fixtures/plan/git-configmap-openclaw.yaml\n"
        "+++ b/openclaw.json\n"
        "@@ -8,5 +8,10 @@\n"
        '         "enabled": true\n'
        "       }\n"
        "     }\n"
        "+  },\n"
        '+  "cron": {\n'
        '+    "enabled": true,\n'
        '+    "sessionRetention": "7d",\n'
        '+    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n'
        "   }\n"
        " }\n"
        "```\n\n"
    )
    assert "--- a/argoproj/openclaw/configmap-openclaw.yaml\n" in document  # the commit's
    counted = "`pulumi preview` counts **+ 13 to create, 0 unchanged**, 7 more than this plan: "
    assert counted in text
    assert "(to create: the stack, CronWebhookDelivery, WebhookToken, TokenParameter, " in text
    assert "TokenExternalSecret, TokenEnvPatch, CronGitSection).\n" in text


def test_a_base_holding_the_section_shows_no_diff(tmp_path: Path) -> None:
    first = tmp_path / "first"
    plan_md(first, "--stack-file", stack(tmp_path, "c", CLUSTER))
    text = plan_md(
        tmp_path / "again",
        *("--stack-file", stack(tmp_path, "c", CLUSTER)),
        *("--base-config", str(first / "openclaw.json"), "--compare", str(first)),
    )

    assert text.split("#### The change to openclaw.json\n\n", 1)[1].startswith(
        '`cron` in `data["openclaw.json"]` of ConfigMap `openclaw/openclaw-config`, against '
        f"`{first / 'openclaw.json'}`:\n\n"
        "Nothing is written: the base already holds an equal section (adopted).\n\n" + VERDICT
    )
    assert "**6 unchanged**" in text
    assert "#### What changes, field by field" not in text


def test_added_and_removed_inputs_read_none_and_values_keep_their_pipes(tmp_path: Path) -> None:
    """A field only one plan has is `(none)` on the other side; a value with backticks and a
    `|` is one code span, with no backslash (outside a table GitHub would show it), and its
    non-ASCII letters as written (as plan.txt shows them), not as `\\u` escapes."""
    first = tmp_path / "first"
    cluster = stack(tmp_path, "c", CLUSTER)
    plan_md(first, "--stack-file", cluster)
    previous: dict[str, Any] = json.loads((first / "plan.json").read_text())
    parameter, env = previous["resources"][2], previous["resources"][4]
    parameter["inputs"]["description"] = "était `x` | ü"
    del parameter["inputs"]["tags"]["app"]
    env["inputs"]["legacy"] = 1
    (first / "plan.json").write_text(json.dumps(previous))

    text = plan_md(tmp_path / "next", "--stack-file", cluster, "--compare", str(first))

    changes = text.split("#### What changes, field by field\n\n", 1)[1].split("\n\n", 1)[0]
    assert changes == (
        "- update `Parameter` `cron-webhook-token`:\n"
        '  - `description`: ``"était `x` | ü"`` → `"Bearer token OpenClaw sends to cron webhook '
        'receivers (Pulumi-managed)"`\n'
        '  - `tags.app`: (none) → `"openclaw"`\n'
        "- update `EnvEntry` `openclaw-cron-webhook-env`:\n"
        "  - `legacy`: `1` → (none)"
    )


def test_a_deleted_resource_with_pipes_keeps_to_its_table_row(tmp_path: Path) -> None:
    """Everything plan.md takes from a plan is escaped: a resource only the earlier plan.json
    had (a file anyone can edit) whose type and name hold a `|` is still one row of the change
    table, its type and name each one code span."""
    first = tmp_path / "first"
    cluster = stack(tmp_path, "c", CLUSTER)
    plan_md(first, "--stack-file", cluster)
    previous: dict[str, Any] = json.loads((first / "plan.json").read_text())
    odd = "custom:index:Odd|Type"
    gone = dict(previous["resources"][1], id=f"{odd}::old|token", type=odd, name="old|token")
    previous["resources"].append(gone)
    (first / "plan.json").write_text(json.dumps(previous))

    text = plan_md(tmp_path / "next", "--stack-file", cluster, "--compare", str(first))

    assert (
        '| 6 | same | `JsonSection` `openclaw-cron-section` | top-level "cron" of '
        'data\\["openclaw.json"\\] in ConfigMap openclaw/openclaw-config | no pod restart |\n'
        "| 7 | delete | `Odd\\|Type` `old\\|token` | a generated token, in Pulumi state only (no "
        "cloud object) | no pod restart |\n\n"
    ) in text


def test_an_unjudged_plan_says_nobody_judged_it(tmp_path: Path) -> None:
    """No OpenClaw ran (none installed here): the verdict says so, with no ✅, and the table
    says who judged and what the pod runs as far as the plan knows."""
    text = plan_md(tmp_path / "out", "--stack-file", stack(tmp_path, "c", CLUSTER))

    assert text.split(VERDICT, 1)[1].split(DETAILS, 1)[0] == (
        "\n(not judged) openclaw.json not judged by OpenClaw: skipped (--no-openclaw)\n\n"
        "| judged by | the pod runs |\n"
        "|---|---|\n"
        "| nobody | not known (no `--base-deployment` given) |\n\n"
    )


def test_an_image_with_a_pipe_keeps_to_its_table_cell(tmp_path: Path) -> None:
    """The image is read from the user's --base-deployment as written: a `|` in it (no valid
    reference has one, but the file is the user's) is escaped in the verdict's table, and the
    note on what that means for judging follows as a sentence of its own."""
    deployment = tmp_path / "deployment.yaml"
    build_tag = (FIXTURES / "deployment-build-tag.yaml").read_text()
    deployment.write_text(build_tag.replace(":202602170222", ":2026.2.1|x"))

    text = plan_md(
        tmp_path / "out",
        *("--stack-file", stack(tmp_path, "c", CLUSTER)),
        *("--base-deployment", str(deployment)),
    )

    assert (
        "| nobody | `registry.example.com/team/openclaw:2026.2.1\\|x` (container `openclaw` of "
        "Deployment `openclaw/openclaw`) |\n\n"
        "No OpenClaw judged the document, so nothing was checked for any release.\n\n"
    ) in text


def test_every_hop_that_restarts_pods_is_named(tmp_path: Path) -> None:
    """An env entry the earlier plan had under another name is deleted (one rollout) while
    the rotation updates the current one (another): both are named, in plan order."""
    first = tmp_path / "first"
    plan_md(first, "--stack-file", stack(tmp_path, "c1", CLUSTER))
    previous: dict[str, Any] = json.loads((first / "plan.json").read_text())
    env = previous["resources"][4]
    previous["resources"].append(dict(env, id=f"{env['type']}::old-env", name="old-env"))
    (first / "plan.json").write_text(json.dumps(previous))
    rotated = stack(tmp_path, "c2", CLUSTER.replace('"1"', '"2"'))

    text = plan_md(tmp_path / "next", "--stack-file", rotated, "--compare", str(first))

    assert (
        "\n\n**Restarts pods:** `openclaw-cron-webhook-env`: one rollout of Deployment "
        "openclaw/openclaw; `old-env`: one rollout of Deployment openclaw/openclaw\n\n"
    ) in text


def test_a_rollback_switch_is_said_below_the_counts(tmp_path: Path) -> None:
    """`enabled: false` deletes everything: plan.md says why, as a paragraph of its own between
    the counts and the change table."""
    first = tmp_path / "first"
    plan_md(first, "--stack-file", stack(tmp_path, "c1", CLUSTER))
    off = stack(tmp_path, "c2", CLUSTER + "  openclaw-cron-webhook:enabled: false\n")

    text = plan_md(tmp_path / "next", "--stack-file", off, "--compare", str(first))

    preview, switch = text.split(
        "\n\n**Rollback switch:** Phase 2 switched off (enabled: false): the next \\`pulumi up\\` "
        "removes it, like \\`pulumi destroy\\`, in this order: ",
        1,
    )
    assert preview.rsplit("\n", 1)[1].startswith("`pulumi preview` counts **- 12 to delete")
    assert switch.split("\n", 1)[1].startswith("\n| # | action |")


def test_without_an_artifact_url_the_footer_says_where_the_files_are(tmp_path: Path) -> None:
    text = plan_md(tmp_path / "out", "--stack-file", stack(tmp_path, "c", CLUSTER))

    assert text.endswith(
        "\n</details>\n\n"
        "<sub>Written by `./bin/plan` (Pulumi mock runtime: nothing was contacted). Details in "
        "plan.txt, plan.json, `kubernetes/` and openclaw.json: beside this plan.md (in the "
        "pull-request workflow: the run's artifact `offline-plan`).</sub>\n"
    )


def test_the_artifact_url_cannot_break_the_link(tmp_path: Path) -> None:
    text = plan_md(
        tmp_path / "out",
        *("--stack-file", stack(tmp_path, "c", CLUSTER)),
        *("--artifact-url", 'https://ci.example.com/runs/1 (x)"<b>[y]'),
    )

    assert text.endswith(
        "[the workflow run](https://ci.example.com/runs/1%20%28x%29%22%3Cb%3E%5By%5D).</sub>\n"
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "runs/42", "https://"])
def test_an_artifact_url_that_is_no_http_link_is_refused(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        plan.main(["--artifact-url", url, "--out", str(tmp_path / "out")])

    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(
        f"error: argument --artifact-url: {url!r} is not an http(s) URL\n"
    )
    assert not (tmp_path / "out").exists()


def test_the_diagram_keeps_blank_lines_around_its_fence_inside_details(tmp_path: Path) -> None:
    """GitHub renders a fenced block inside <details> only with a blank line on each side."""
    text = plan_md(tmp_path / "out", "--stack-file", stack(tmp_path, "g", GIT))

    assert re.search(r"</summary>\n\n```mermaid\n.*?\n```\n\n</details>\n", text, re.S)
    assert text.count("```mermaid") == 1
