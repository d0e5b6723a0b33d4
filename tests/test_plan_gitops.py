"""The offline plan under GitOps: git mode's commit, and a base a GitOps controller tracks.

Pinned here: in git mode (`section.target: git`) the plan shows the commit `pulumi up` would
push — redacted repository, branch, file, the provider's message, the unified diff of the
manifest given with --base-config (only the section's lines change), the wait — in plan.txt,
plan.json and plan.md, and refuses what the provider refuses with its message; in cluster mode
a tracked base manifest is the preview's refusal (exit 2), or a warning with the stanza when
the stack chose `section.writeTrackedConfigMap`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from stack_files import CLUSTER_STACK_FILE

from stages.section.git.manifest import ManifestTarget, find_document
from stages.section.identity import GIT_TYPE
from stages.section.tracking import ignore_differences_stanza, refusal
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.gitops import sample_manifest
from tools.plan.schema import schema_errors

pytestmark = pytest.mark.usefixtures("shared_program_runs")

FIXTURES = Path(__file__).parent / "fixtures" / "plan"
REPO_MANIFEST = FIXTURES / "git-configmap-openclaw.yaml"
TRACKED = FIXTURES / "live-configmap-tracked.yaml"
SHOWN_MANIFEST = "tests/fixtures/plan/git-configmap-openclaw.yaml"
FILE = "argoproj/openclaw/configmap-openclaw.yaml"
GIT_STACK = f"""\
config:
  openclaw-cron-webhook:section:
    target: git
    git:
      repo: ssh://ci-bot@git.example.com/org/lolice.git
      path: {FILE}
      application: openclaw
"""
WAITS = (
    "waits until the live ConfigMap openclaw/openclaw-config carries the section (the "
    "controller has synced the commit), up to 600 s; asks Argo CD Application argocd/openclaw "
    "to refresh"
)
MESSAGE = (
    "openclaw-cron-webhook/git: set cron section in openclaw.json (Phase 2)\n\n"
    'Pulumi stack openclaw-cron-webhook/git owns the top-level "cron" section of openclaw.json '
    "in ConfigMap\nopenclaw/openclaw-config; nothing else in this file was changed.\n"
    "Change or remove it through the stack (pulumi up / pulumi destroy).\n"
)
DIFF = f"""\
--- a/{FILE}
+++ b/{FILE}
@@ -18,6 +18,11 @@
             "enabled": true
           }}
         }}
+      }},
+      "cron": {{
+        "enabled": true,
+        "sessionRetention": "7d",
+        "webhookToken": "${{OPENCLAW_CRON_WEBHOOK_TOKEN}}"
       }}
     }}
   # kept as it is
"""
SECTION_LINES = (
    '  },\n  "cron": {\n    "enabled": true,\n    "sessionRetention": "7d",\n'
    '    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n  }\n}\n'
)

# The cluster-mode dev stack (stack_files.py): the tracked-base tests plan a live ConfigMap.
CLUSTER = ["--stack-file", str(CLUSTER_STACK_FILE)]


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)


def stack(tmp_path: Path, text: str, name: str = "git") -> str:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(text)
    return str(path)


def planned(tmp_path: Path, *args: str) -> tuple[str, dict[str, Any], str]:
    """plan.txt, plan.json and plan.md of a successful run."""
    out = tmp_path / "out"
    assert plan.main([*args, "--out", str(out)]) == 0
    data = json.loads((out / "plan.json").read_text())
    assert schema_errors(data) == []
    return (out / "plan.txt").read_text(), data, (out / "plan.md").read_text()


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The message of a run that must fail with exit 2 and write nothing."""
    out = tmp_path / "refused"
    assert plan.main([*args, "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("plan failed: ")
    assert err.endswith(f"\nnothing was written to {out}\n")
    return err.removeprefix("plan failed: ").removesuffix(f"\nnothing was written to {out}\n")


def test_git_mode_shows_the_commit_with_the_manifests_diff(tmp_path: Path) -> None:
    text, _, _ = planned(
        tmp_path, "--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(REPO_MANIFEST)
    )
    # The commit is a part of its own, one blank line after the Kubernetes files.
    kubernetes, commit = text.split("\n\nCommit (section.target git)", 1)
    assert len(kubernetes.split("\n\nKubernetes objects written:\n", 1)[1].splitlines()) == 3
    commit = commit.split("\n\nopenclaw.json: ")[0]
    message = "".join(f"    {line}\n" if line else "\n" for line in MESSAGE.splitlines())
    assert commit == (
        ": `pulumi up` pushes this commit after the env rollout\n"
        "  repository: ssh://***@git.example.com/org/lolice.git\n"
        "  branch:     main\n"
        f"  file:       {FILE}\n"
        f"  base:       {SHOWN_MANIFEST}\n"
        "  author:     openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>\n"
        f"  then:       {WAITS}\n"
        f"  message:\n{message}{DIFF.rstrip()}"
    )
    assert (
        'openclaw.json: "cron" in data["openclaw.json"] of ConfigMap openclaw/openclaw-config '
        f"(base: {SHOWN_MANIFEST}; result in openclaw.json)\n"
        "  the document inside the manifest: its change is the commit's diff above\n"
    ) in text
    assert "ci-bot" not in text
    assert f"   waits:  {WAITS}\n" in text
    assert '     repo = "ssh://***@git.example.com/org/lolice.git"\n' in text
    assert "Notes:" not in text


@pytest.mark.parametrize(
    ("tail", "last"),
    [("  os: LINUX\n", "   os: LINUX"), ("\n", " ")],
    ids=["a-key-after-the-document", "a-blank-line-at-the-end"],
)
def test_plan_txt_shows_the_commits_diff_to_its_last_line(
    tmp_path: Path, tail: str, last: str
) -> None:
    """Whatever the manifest holds after the document (another key, a blank line), the diff's
    last context line is shown whole, as plan.json has it: the commit is reviewed from it."""
    manifest = tmp_path / "configmap.yaml"
    manifest.write_text(REPO_MANIFEST.read_text().split("  # kept as it is\n")[0] + tail)
    text, data, _ = planned(
        tmp_path, "--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(manifest)
    )
    diff = data["commit"]["diff"]
    assert diff.endswith(f"\n     }}\n{last}\n")
    assert f"(pulumi up / pulumi destroy).\n{diff}\nopenclaw.json: " in text


def test_the_diff_applies_to_the_file_and_changes_nothing_else(tmp_path: Path) -> None:
    """The committed file is the base with the section's lines added: what `git apply` of
    the diff gives, and its document is the plan's openclaw.json."""
    _, data, _ = planned(
        tmp_path, "--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(REPO_MANIFEST)
    )
    before = REPO_MANIFEST.read_text()
    after = before.replace(
        "          }\n        }\n      }\n    }\n",
        '          }\n        }\n      },\n      "cron": {\n        "enabled": true,\n'
        '        "sessionRetention": "7d",\n'
        '        "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n      }\n    }\n',
    )
    assert data["commit"]["diff"] == DIFF
    target = ManifestTarget("openclaw", "openclaw-config", "openclaw.json")
    document = (tmp_path / "out" / "openclaw.json").read_text()
    assert find_document(after, target, source="the committed file").document == document
    assert document.endswith(SECTION_LINES)


def test_plan_json_holds_the_commit(tmp_path: Path) -> None:
    _, data, _ = planned(
        tmp_path, "--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(REPO_MANIFEST)
    )
    assert data["schema_version"] == 2
    assert data["commit"] == {
        "repo": "ssh://***@git.example.com/org/lolice.git",
        "branch": "main",
        "file": FILE,
        "base": SHOWN_MANIFEST,
        "sample": False,
        "author": "openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>",
        "message": MESSAGE,
        "result": "commit",
        "diff": DIFF,
        "waits": WAITS,
    }
    assert data["tracked"] is None
    section = data["resources"][5]
    assert section["id"] == f"{GIT_TYPE}::openclaw-cron-section"
    assert section["inputs"]["repo"] == "ssh://***@git.example.com/org/lolice.git"
    assert section["waits"] == WAITS
    assert section["pods"] == (
        "no pod restart: OpenClaw hot-reloads the section once the controller has synced the "
        "commit and the pod's file changes"
    )
    assert data["document"]["base"] == SHOWN_MANIFEST
    assert data["document"]["configmap"] == "openclaw/openclaw-config"
    assert data["document"]["result"] == "written"
    assert data["document"]["diff"].endswith(
        '+  },\n+  "cron": {\n+    "enabled": true,\n+    "sessionRetention": "7d",\n'
        '+    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n   }\n }\n'
    )
    assert data["destroy"][0]["does"] == (
        'commits the removal of top-level "cron" from data["openclaw.json"] to '
        f"{FILE} (branch main of ssh://***@git.example.com/org/lolice.git) (every other "
        "byte of the file stays) and waits until the live ConfigMap openclaw/openclaw-config is "
        "the document at that commit, up to 600 s: hot reload, no pod restart"
    )


def test_the_wait_names_the_application_in_the_namespace_the_stack_sets(tmp_path: Path) -> None:
    """An Argo CD installed outside `argocd`: the plan says which Application `pulumi up` asks
    to refresh, in the namespace `section.git.applicationNamespace` gives."""
    elsewhere = GIT_STACK + "      applicationNamespace: gitops-system\n"
    _, data, _ = planned(
        tmp_path, "--stack-file", stack(tmp_path, elsewhere), "--base-config", str(REPO_MANIFEST)
    )
    assert data["commit"]["waits"] == WAITS.replace("argocd/openclaw", "gitops-system/openclaw")


def test_plan_md_has_the_commit_section(tmp_path: Path) -> None:
    _, _, markdown = planned(
        tmp_path, "--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(REPO_MANIFEST)
    )
    section = markdown.split("#### The commit to the GitOps repository\n\n", 1)[1]
    section = section.split("#### OpenClaw's verdict")[0]
    assert section == (
        f"`pulumi up` pushes it after the env rollout, then {WAITS}.\n\n"
        "| repository | branch | file | author |\n"
        "|---|---|---|---|\n"
        f"| `ssh://***@git.example.com/org/lolice.git` | `main` | `{FILE}` | "
        "`openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>` |\n\n"
        f"Diff against `{SHOWN_MANIFEST}`:\n\n"
        f"```diff\n{DIFF}```\n\n"
        "<details><summary>Commit message</summary>\n\n"
        f"```text\n{MESSAGE}```\n\n"
        "</details>\n\n"
    )
    assert "committed to argoproj/openclaw/configmap-openclaw.yaml (branch main)" in markdown


def test_without_base_config_a_sample_manifest_stands_in_and_the_plan_says_so(
    tmp_path: Path,
) -> None:
    text, data, markdown = planned(tmp_path, "--stack-file", stack(tmp_path, GIT_STACK))
    base = (
        "a sample manifest of ConfigMap openclaw/openclaw-config built from examples/openclaw.json"
    )
    assert (data["commit"]["sample"], data["commit"]["base"]) == (True, base)
    assert data["commit"]["diff"].startswith(f"--- a/{FILE}\n+++ b/{FILE}\n@@ ")
    assert data["notes"] == [
        f"no --base-config: the commit's diff is against {base}, not the repository's {FILE}. "
        f"Give that file: `git show main:{FILE} > configmap.yaml`, then --base-config "
        "configmap.yaml"
    ]
    assert f"  base:       {base}\n" in text
    assert f"⚠️ Against {base}, not the repository's file" in markdown


def test_the_commits_table_holds_pipes_and_a_sample_base_is_flagged(tmp_path: Path) -> None:
    """A git branch, a path, an author and a URL may all hold a `|`: each stays in its cell of
    plan.md's commit table. Without --base-config the diff is against a sample, and plan.md
    says so in place of the base's name, before the diff."""
    piped = """\
config:
  openclaw-cron-webhook:section:
    target: git
    git:
      repo: ssh://ci-bot@git.example.com/org/lo|lice.git
      path: apps/a|b/configmap.yaml
      branch: release|1
      author: Ops | Bot <ops@example.com>
"""
    _, _, markdown = planned(tmp_path, "--stack-file", stack(tmp_path, piped))
    commit = markdown.split("#### The commit to the GitOps repository\n\n", 1)[1]
    assert commit.split("```diff\n", 1)[0].split("\n\n", 1)[1] == (
        "| repository | branch | file | author |\n"
        "|---|---|---|---|\n"
        "| `ssh://***@git.example.com/org/lo\\|lice.git` | `release\\|1` | "
        "`apps/a\\|b/configmap.yaml` | `Ops \\| Bot <ops@example.com>` |\n\n"
        "⚠️ Against a sample manifest of ConfigMap openclaw/openclaw-config built from "
        "examples/openclaw.json, not the repository's file: give that with `--base-config` for "
        "the real diff.\n\n"
    )


@pytest.mark.parametrize(
    ("document", "header"),
    [('{\n  "a": 1\n}\n', "|"), ('{\n  "a": 1\n}', "|-"), ('{\n\n  "a": 1\n}\n\n', "|+")],
)
def test_the_sample_manifest_carries_the_document_byte_for_byte(document: str, header: str) -> None:
    manifest = sample_manifest(document, "openclaw", "openclaw-config", "openclaw.json")
    assert f"  openclaw.json: {header}\n" in manifest
    target = ManifestTarget("openclaw", "openclaw-config", "openclaw.json")
    assert find_document(manifest, target, source="sample").document == document


def test_an_equal_section_is_adopted_without_a_commit(tmp_path: Path) -> None:
    adopted = tmp_path / "configmap.yaml"
    adopted.write_text(
        REPO_MANIFEST.read_text().replace(
            "          }\n        }\n      }\n    }\n",
            '          }\n        }\n      },\n      "cron": {\n        "enabled": true,\n'
            '        "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",\n'
            '        "sessionRetention": "7d"\n      }\n    }\n',
        )
    )
    text, data, markdown = planned(
        tmp_path, "--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(adopted)
    )
    assert (data["commit"]["result"], data["commit"]["diff"]) == ("adopted", "")
    assert data["document"]["result"] == "adopted"
    assert (
        "Commit (section.target git): no commit: the file already holds an equal section "
        "(adopted); `pulumi up` only waits\n"
    ) in text
    assert "  message:" not in text
    assert (
        "\n\n#### The commit to the GitOps repository\n\n"
        f"No commit: the file already holds an equal section (adopted). `pulumi up` only {WAITS}."
        "\n\n| repository | branch | file | author |\n"
    ) in markdown
    assert "```diff" not in markdown


def test_without_an_application_the_wait_says_the_next_poll(tmp_path: Path) -> None:
    stack_text = GIT_STACK.replace("      application: openclaw\n", "")
    _, data, _ = planned(
        tmp_path, "--stack-file", stack(tmp_path, stack_text), "--base-config", str(REPO_MANIFEST)
    )
    assert data["commit"]["waits"] == (
        "waits until the live ConfigMap openclaw/openclaw-config carries the section (the "
        "controller has synced the commit), up to 600 s; no section.git.application: the "
        "controller picks the commit up at its next poll (Argo CD: 3 min by default)"
    )


def test_kubectl_output_given_in_git_mode_is_noted(tmp_path: Path) -> None:
    """The live object (here: with server fields) is not the file the commit edits."""
    _, data, _ = planned(
        tmp_path, "--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(TRACKED)
    )
    assert data["notes"] == [
        "tests/fixtures/plan/live-configmap-tracked.yaml carries fields only the API server "
        "sets (resourceVersion, uid, creationTimestamp): it looks like `kubectl get` output, but "
        "the commit edits the repository's file, so its diff may differ. Give that file: "
        f"`git show main:{FILE} > configmap.yaml`"
    ]
    assert data["tracked"] is None  # the controller delivers the commit: tracking is the point


def test_a_compared_section_the_stack_owns_is_an_update_commit(tmp_path: Path) -> None:
    """A config-only change against the repo's file that carries the stack's section: the
    provider's update (our section rewritten), with its message; not a refusal."""
    first, _, _ = planned(
        tmp_path, "--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(REPO_MANIFEST)
    )
    committed = tmp_path / "committed.yaml"
    committed.write_text(
        REPO_MANIFEST.read_text().replace(
            "          }\n        }\n      }\n    }\n",
            '          }\n        }\n      },\n      "cron": {\n        "enabled": true,\n'
            '        "sessionRetention": "7d",\n'
            '        "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n      }\n    }\n',
        )
    )
    changed = GIT_STACK + "  openclaw-cron-webhook:cron:\n    sessionRetention: 14d\n"
    out = tmp_path / "second"
    args = ["--stack-file", stack(tmp_path, changed), "--base-config", str(committed)]
    assert plan.main([*args, "--compare", str(tmp_path / "out"), "--out", str(out)]) == 0
    data = json.loads((out / "plan.json").read_text())
    assert data["resources"][5]["action"] == "update"
    assert data["commit"]["message"].startswith(
        "openclaw-cron-webhook/git: update cron section in openclaw.json (Phase 2)\n"
    )
    assert data["commit"]["diff"] == (
        f"--- a/{FILE}\n+++ b/{FILE}\n@@ -21,7 +21,7 @@\n"
        "       },\n"
        '       "cron": {\n'
        '         "enabled": true,\n'
        '-        "sessionRetention": "7d",\n'
        '+        "sessionRetention": "14d",\n'
        '         "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n'
        "       }\n"
        "     }\n"
    )
    assert "Commit (section.target git)" in first


SOURCE = (
    "(--base-config, standing for argoproj/openclaw/configmap-openclaw.yaml on branch main of "
    "ssh://***@git.example.com/org/lolice.git)"
)
FIX_PATH = (
    "Point the stack at the file that holds it (`pulumi config set --path "
    "'openclaw-cron-webhook:section.git.path' <path>`), or fix `config.configMap`."
)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "kind: ConfigMap",
            "kind: Secret",
            "{path} {source} is not a ConfigMap manifest (it holds: Secret openclaw-config), so "
            f"it cannot carry ConfigMap openclaw/openclaw-config. {FIX_PATH}",
        ),
        (
            "name: openclaw-config",
            "name: other-config",
            "{path} {source} holds ConfigMap other-config, not openclaw-config (the stack's "
            f"`config.configMap`). {FIX_PATH}",
        ),
        (
            "openclaw.json: |",
            "other.json: |",
            "ConfigMap openclaw/openclaw-config in {path} {source} has no data key openclaw.json "
            "(its keys: other.json, notes.txt). Check the stack's `config.key`, or commit the "
            "application's configuration first, then run `pulumi up` again.",
        ),
        (
            "openclaw.json: |",
            "openclaw.json: >",
            "ConfigMap openclaw/openclaw-config in {path} {source}: data key openclaw.json is "
            "written as a folded block scalar (`>`). The stack edits the document by rewriting "
            "only the changed lines of a literal block scalar, which this style does not have. "
            "Rewrite the value once as a literal block (`openclaw.json: |` followed by the JSON, "
            "each line indented below the key), commit that, then run `pulumi up` again.",
        ),
        (
            "        }\n      }\n    }\n",
            '        }\n      },\n      "cron": {\n        "enabled": false\n      }\n    }\n',
            "openclaw.json of ConfigMap openclaw/openclaw-config in {path} {source} already has "
            'a top-level "cron" section that this stack does not own, and it differs from the '
            "section this stack would write. The stack will not overwrite someone else's "
            "settings: remove the section from the document's source, or make it equal to the "
            "desired section (the stack then adopts it), then run `pulumi up` again.",
        ),
    ],
    ids=["not-a-configmap", "another-name", "no-such-key", "folded", "someone-elses-section"],
)
def test_a_manifest_the_resource_refuses_is_exit_2_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    manifest = tmp_path / "configmap.yaml"
    original = REPO_MANIFEST.read_text()
    assert original.count(old) == 1
    manifest.write_text(original.replace(old, new))
    args = ["--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(manifest)]
    assert refused(tmp_path, capsys, *args) == message.format(path=manifest, source=SOURCE)


def test_an_openclaw_json_document_is_not_a_base_in_git_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tmp_path / "openclaw.json"
    document.write_text('{"plugins": {}}\n')
    args = ["--stack-file", stack(tmp_path, GIT_STACK), "--base-config", str(document)]
    assert refused(tmp_path, capsys, *args) == (
        f"--base-config {document} is JSON, but with section.target git the plan needs the "
        "repository's ConfigMap manifest that the commit edits, in YAML with openclaw.json as a "
        f"literal block: `git show main:{FILE} > configmap.yaml`, then --base-config "
        "configmap.yaml"
    )


# --- cluster mode: a base manifest a GitOps controller tracks ------------------------------


def test_switched_off_in_git_mode_no_commit_is_shown(tmp_path: Path) -> None:
    """`section.present: false`: the next `pulumi up` removes the section (the removal's
    commit is the switch line's), so the plan shows no commit of the section being written,
    and the document's diff takes the section out."""
    off = GIT_STACK.replace("    target: git\n", "    present: false\n    target: git\n")
    text, data, markdown = planned(
        tmp_path, "--stack-file", stack(tmp_path, off), "--base-config", str(REPO_MANIFEST)
    )
    assert data["commit"] is None
    assert "Commit (section.target git)" not in text
    assert "  message:" not in text
    assert "the commit below" not in markdown
    assert data["document"]["result"] == "removed"
    assert data["document"]["diff"].startswith("--- with the section\n+++ without\n@@ ")


def test_a_tracked_base_is_the_previews_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = refused(tmp_path, capsys, *CLUSTER, "--base-config", str(TRACKED))
    controller = "Argo CD Application openclaw (annotation argocd.argoproj.io/tracking-id)"
    assert message == (
        "tests/fixtures/plan/live-configmap-tracked.yaml: "
        + refusal("openclaw", "openclaw-config", "openclaw.json", controller)
    )
    assert message.startswith(
        "tests/fixtures/plan/live-configmap-tracked.yaml: ConfigMap openclaw/openclaw-config is "
        f"tracked by a GitOps controller: {controller}. With self-heal it reverts an in-cluster "
        "edit of openclaw.json within seconds, so this stack does not write the cron section "
        "there.\n"
    )
    assert message.endswith(
        "        - RespectIgnoreDifferences=true\n"
        "  and run: pulumi config set --path "
        "'openclaw-cron-webhook:section.writeTrackedConfigMap' true"
    )


@pytest.mark.parametrize(
    ("labels", "controller"),
    [
        (
            {"app.kubernetes.io/instance": "openclaw"},
            "Argo CD Application openclaw (label app.kubernetes.io/instance)",
        ),
        (
            {"kustomize.toolkit.fluxcd.io/name": "apps"},
            "Flux kustomize apps (label kustomize.toolkit.fluxcd.io/name)",
        ),
    ],
)
def test_tracking_labels_are_refused_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], labels: dict[str, str], controller: str
) -> None:
    """A manifest from Git may carry the label forms (a Helm chart's, a kustomization's)."""
    manifest = tmp_path / "configmap.yaml"
    label_lines = "".join(f"    {k}: {v}\n" for k, v in labels.items())
    manifest.write_text(
        REPO_MANIFEST.read_text().replace(
            "  namespace: openclaw\n", f"  namespace: openclaw\n  labels:\n{label_lines}"
        )
    )
    message = refused(tmp_path, capsys, *CLUSTER, "--base-config", str(manifest))
    assert message == f"{manifest}: " + refusal(
        "openclaw", "openclaw-config", "openclaw.json", controller
    )


def test_write_tracked_config_map_turns_the_refusal_into_a_warning(tmp_path: Path) -> None:
    chosen = stack(
        tmp_path, "config:\n  openclaw-cron-webhook:section:\n    writeTrackedConfigMap: true\n"
    )
    text, data, markdown = planned(tmp_path, "--stack-file", chosen, "--base-config", str(TRACKED))
    warning = (
        "ConfigMap openclaw/openclaw-config in tests/fixtures/plan/live-configmap-tracked.yaml "
        "is tracked by a GitOps controller: Argo CD Application openclaw (annotation "
        "argocd.argoproj.io/tracking-id). section.writeTrackedConfigMap is true, so `pulumi up` "
        "writes the section there; with self-heal the controller reverts openclaw.json within "
        "seconds unless the Application carries the stanza below (and then every later Git edit "
        "of openclaw.json stops landing)."
    )
    stanza = ignore_differences_stanza("openclaw", "openclaw-config", "openclaw.json")
    assert data["tracked"] == {
        "by": "Argo CD Application openclaw (annotation argocd.argoproj.io/tracking-id)",
        "warning": warning,
        "ignore_differences": stanza,
    }
    assert data["commit"] is None
    indented = "".join(f"    {line}\n" for line in stanza.splitlines())
    written = "the ConfigMap with the section: valid (k8s 1.33)\n"  # the last Kubernetes file
    assert f"{written}\nWARNING: {warning}\n{indented}\nopenclaw.json: " in text
    assert "        jsonPointers:\n        - /data/openclaw.json\n" in indented
    # plan.md: the warning as a section of its own, between the diff and OpenClaw's verdict
    # (its code spans escaped: the words are plain text), then the stanza to paste.
    assert markdown.split("```\n\n#### ⚠️ ", 1)[1].split("#### OpenClaw's verdict", 1)[0] == (
        "A GitOps controller tracks the ConfigMap\n\n"
        + warning.replace("`", "\\`")
        + f"\n\n```yaml\n{stanza}```\n\n"
    )
    assert (tmp_path / "out" / "openclaw.json").read_text().endswith(SECTION_LINES)


REMOVAL = """\
--- with the section
+++ without
@@ -8,10 +8,5 @@
         "enabled": true
       }
     }
-  },
-  "cron": {
-    "enabled": true,
-    "sessionRetention": "7d",
-    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"
   }
 }
"""


def test_switched_off_on_a_tracked_base_writes_nothing_there_and_warns_of_nothing(
    tmp_path: Path,
) -> None:
    """`section.present: false` with `writeTrackedConfigMap`: `pulumi up` writes no section
    into the tracked ConfigMap, so no warning or stanza is shown; openclaw.json is the base
    document as it is, and the diff takes the section the stack would write out of it."""
    chosen = stack(
        tmp_path,
        "config:\n  openclaw-cron-webhook:section:\n    present: false\n"
        "    writeTrackedConfigMap: true\n",
    )
    text, data, markdown = planned(tmp_path, "--stack-file", chosen, "--base-config", str(TRACKED))
    assert (data["tracked"], data["commit"]) == (None, None)
    assert "WARNING" not in text
    assert "GitOps" not in markdown
    assert data["document"]["result"] == "removed"
    assert data["document"]["diff"] == REMOVAL
    shown = "(base: tests/fixtures/plan/live-configmap-tracked.yaml; result in openclaw.json)"
    assert f"{shown}\n{REMOVAL}" in text
    base = yaml.safe_load(TRACKED.read_text())["data"]["openclaw.json"]
    assert (tmp_path / "out" / "openclaw.json").read_text() == base


def test_an_untracked_manifest_plans_without_a_word_on_gitops(tmp_path: Path) -> None:
    text, data, markdown = planned(tmp_path, *CLUSTER, "--base-config", str(REPO_MANIFEST))
    assert (data["tracked"], data["commit"]) == (None, None)
    assert "WARNING" not in text
    assert "GitOps" not in markdown


def test_a_compared_section_the_stack_owns_is_updated_in_cluster_mode_too(
    tmp_path: Path,
) -> None:
    """The live ConfigMap carries the stack's section (up ran): a config-only change is the
    provider's update of that section, not a refusal of "someone else's" section."""
    planned(tmp_path, *CLUSTER, "--base-config", str(REPO_MANIFEST))
    live = tmp_path / "out" / "kubernetes" / "configmap-openclaw-openclaw-config.yaml"
    changed = "config:\n  openclaw-cron-webhook:cron:\n    sessionRetention: 14d\n"
    out = tmp_path / "second"
    args = ["--stack-file", stack(tmp_path, changed, "dev2"), "--base-config", str(live)]
    assert plan.main([*args, "--compare", str(tmp_path / "out"), "--out", str(out)]) == 0
    data = json.loads((out / "plan.json").read_text())
    assert data["resources"][5]["action"] == "update"
    assert data["document"]["diff"].split("@@\n", 1)[1] == (
        "   },\n"
        '   "cron": {\n'
        '     "enabled": true,\n'
        '-    "sessionRetention": "7d",\n'
        '+    "sessionRetention": "14d",\n'
        '     "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n'
        "   }\n"
        " }\n"
    )
