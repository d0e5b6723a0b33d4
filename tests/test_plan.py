"""The offline plan of the dev stack: what it prints and writes, and the shape of plan.json."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from stack_files import CLUSTER_STACK_FILE

from openclaw_runtime.judge import SKIPPED
from stages.env_entry.identity import TYPE as ENV_ENTRY
from stages.external_secret.identity import TYPE as EXTERNAL_SECRET
from stages.parameter.identity import TYPE as PARAMETER
from stages.section.identity import CLUSTER_TYPE as SECTION
from stages.token.identity import GUARD_TYPE as GUARD
from stages.token.identity import TYPE as RANDOM
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.mock_runtime import ROOT, fake_token
from tools.plan.schema import PLAN_SCHEMA, schema_errors
from tools.plan.stack_file import load_stack

pytestmark = pytest.mark.usefixtures("shared_program_runs")

TOKEN = fake_token({"rotation": "1"})
IDS = [
    f"{GUARD}::cron-webhook-token-rotation",
    f"{RANDOM}::cron-webhook-token",
    f"{PARAMETER}::cron-webhook-token",
    f"{EXTERNAL_SECRET}::cron-webhook",
    f"{ENV_ENTRY}::openclaw-cron-webhook-env",
    f"{SECTION}::openclaw-cron-section",
]

# The cluster-mode dev stack (stack_files.py): these tests plan a live ConfigMap.
CLUSTER = ["--stack-file", str(CLUSTER_STACK_FILE)]


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests never run the real OpenClaw (tests/process/test_plan_openclaw.py fakes one)."""
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)


def no_install() -> None:
    raise AssertionError("--no-openclaw asked for the pinned OpenClaw")


@pytest.fixture(scope="module")
def dev_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("rendered") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plan_judging, "pinned", no_install)
        assert plan.main([*CLUSTER, "--no-openclaw", "--out", str(out)]) == 0
    return out, (out / "plan.txt").read_text(), json.loads((out / "plan.json").read_text())


def test_plan_lists_resources_in_creation_order_with_targets(
    dev_plan: tuple[Path, str, dict[str, Any]],
) -> None:
    _, text, _ = dev_plan
    headers = [line for line in text.splitlines() if line[:1].isdigit()]
    assert headers == [
        f'1. create  {GUARD} "cron-webhook-token-rotation"',
        f'2. create  {RANDOM} "cron-webhook-token"',
        f'3. create  {PARAMETER} "cron-webhook-token"',
        f'4. create  {EXTERNAL_SECRET} "cron-webhook"',
        f'5. create  {ENV_ENTRY} "openclaw-cron-webhook-env"',
        f'6. create  {SECTION} "openclaw-cron-section"',
    ]
    for target in [
        "target: AWS SSM parameter /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN (SecureString)",
        "target: external-secrets.io/v1 ExternalSecret openclaw/openclaw-cron-webhook-r1",
        "target: env OPENCLAW_CRON_WEBHOOK_TOKEN of container openclaw in apps/v1 Deployment "
        "openclaw/openclaw",
        'target: top-level "cron" of data["openclaw.json"] in ConfigMap openclaw/openclaw-config',
    ]:
        assert target in text
    assert "   after:  4\n" in text  # the section waits for the env rollout
    assert '     value = "[secret]"' in text
    assert "  webhookToken = [secret]" in text
    assert (
        "\n\nChanges: against an empty stack (no --compare given), everything is created\n"
        '  restarts pods: create EnvEntry "openclaw-cron-webhook-env": one rollout of Deployment '
        "openclaw/openclaw\n"
        '  no pod restart: create RotationGuard "cron-webhook-token-rotation", create RandomBytes '
        '"cron-webhook-token", create Parameter "cron-webhook-token", create ExternalSecret '
        '"cron-webhook", create JsonSection "openclaw-cron-section"\n'
        "Summary: + 6 to create, 0 unchanged\n"
    ) in text


def test_waits_are_said_in_words(dev_plan: tuple[Path, str, dict[str, Any]]) -> None:
    _, text, _ = dev_plan
    assert (
        "waits until ExternalSecret openclaw/openclaw-cron-webhook-r1 is Ready with reason "
        "SecretSynced, up to 300 s" in text
    )
    assert "waits until Deployment openclaw/openclaw has rolled out" in text


def test_pods_restart_only_for_the_env_entry(dev_plan: tuple[Path, str, dict[str, Any]]) -> None:
    _, text, data = dev_plan
    restarting = [r["name"] for r in data["resources"] if r["pods"].startswith("restarts")]
    assert restarting == ["openclaw-cron-webhook-env"]
    assert "restarts pods: create EnvEntry" in text
    section = data["resources"][5]
    assert section["pods"].startswith("no pod restart: OpenClaw hot-reloads")


def test_destroy_section_runs_backwards_and_says_what_happens(
    dev_plan: tuple[Path, str, dict[str, Any]],
) -> None:
    _, text, data = dev_plan
    assert [step["id"] for step in data["destroy"]] == IDS[::-1]
    does = [step["does"] for step in data["destroy"]]
    assert does[0].startswith('removes top-level "cron"')
    assert "no pod restart" in does[0]
    assert "one rollout, waited" in does[1]
    assert "garbage-collects its Secret openclaw/openclaw-cron-webhook-r1" in does[2]
    assert does[5] == "forgets the rotations used (state only; nothing in AWS or the cluster)"
    assert does[3] == (
        "deletes AWS SSM parameter /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN from AWS"
    )
    destroy_text = text.split("Destroy (`pulumi destroy`, in this order):\n")[1]
    assert destroy_text.startswith(f'  1. {SECTION} "openclaw')


def test_plan_json_has_the_documented_shape(dev_plan: tuple[Path, str, dict[str, Any]]) -> None:
    _, _, data = dev_plan
    assert schema_errors(data) == []
    assert list(data) == list(PLAN_SCHEMA["properties"])
    assert (data["schema_version"], data["stack"], data["project"]) == (
        2,
        "dev",
        "openclaw-cron-webhook",
    )
    assert data["stack_file"] == "examples/cluster-mode/Pulumi.dev.yaml"
    assert [r["id"] for r in data["resources"]] == IDS
    # The parameter depends on the token's component, so on both its resources.
    assert [r["depends_on"] for r in data["resources"]] == [
        [],
        IDS[:1],
        IDS[:2],
        *[[i] for i in IDS[2:-1]],
    ]
    assert {r["action"] for r in data["resources"]} == {"create"}
    assert data["summary"] == {"create": 6, "update": 0, "replace": 0, "delete": 0, "same": 0}
    assert [s["operation"] for s in data["steps"]] == ["create"] * 6
    assert data["outputs"]["webhookToken"] == "[secret]"
    assert data["outputs"]["externalSecretName"] == "openclaw-cron-webhook-r1"
    assert data["resources"][2]["inputs"]["value"] == "[secret]"
    assert "__provider" not in data["resources"][5]["inputs"]
    assert data["switch"] is None
    assert data["openclaw"] == {
        "version": None,
        "skipped": True,
        "valid": None,
        "base_valid": None,
        "issues": [],
        "already_in_base": [],
        "warnings": [],
        "pod": None,
    }
    assert data["document"]["result"] == "written"


def test_a_changed_shape_is_caught_by_the_schema(
    dev_plan: tuple[Path, str, dict[str, Any]],
) -> None:
    _, _, data = dev_plan
    broken = json.loads(json.dumps(data))
    broken["resources"][0]["action"] = "recreate"
    del broken["outputs"]
    errors = schema_errors(broken)
    assert any(e.startswith("resources/0/action") for e in errors)
    assert any("'outputs' is a required property" in e for e in errors)


def test_kubernetes_objects_are_written(dev_plan: tuple[Path, str, dict[str, Any]]) -> None:
    out, _, _ = dev_plan
    files = sorted(p.name for p in (out / "kubernetes").iterdir())
    assert files == [
        "configmap-openclaw-openclaw-config.yaml",
        "enventry-openclaw-openclaw.yaml",
        "externalsecret-openclaw-openclaw-cron-webhook-r1.yaml",
    ]
    es = yaml.safe_load((out / "kubernetes" / files[2]).read_text())
    assert es["spec"]["target"] == {
        "name": "openclaw-cron-webhook-r1",
        "creationPolicy": "Owner",
        "deletionPolicy": "Retain",
    }


def test_env_entry_is_rendered_as_the_server_side_apply_object(
    dev_plan: tuple[Path, str, dict[str, Any]],
) -> None:
    out, _, _ = dev_plan
    applied = yaml.safe_load((out / "kubernetes/enventry-openclaw-openclaw.yaml").read_text())
    assert applied == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "openclaw", "namespace": "openclaw"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "openclaw",
                            "env": [
                                {
                                    "name": "OPENCLAW_CRON_WEBHOOK_TOKEN",
                                    "valueFrom": {
                                        "secretKeyRef": {
                                            "name": "openclaw-cron-webhook-r1",
                                            "key": "OPENCLAW_CRON_WEBHOOK_TOKEN",
                                        }
                                    },
                                }
                            ],
                        }
                    ]
                }
            }
        },
    }


def test_resulting_document_adds_only_the_section_and_shows_a_diff(
    dev_plan: tuple[Path, str, dict[str, Any]],
) -> None:
    out, text, data = dev_plan
    base = (ROOT / "examples" / "openclaw.json").read_text()
    result = (out / "openclaw.json").read_text()
    before, after = json.loads(base), json.loads(result)
    assert after.pop("cron") == {
        "enabled": True,
        "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
        "sessionRetention": "7d",
    }
    assert after == before
    assert result.startswith(base.rstrip()[:-1].rstrip())  # every original byte kept
    diff = data["document"]["diff"]
    assert diff.startswith("--- a/examples/openclaw.json\n+++ b/openclaw.json\n@@ ")
    added = [line for line in diff.splitlines() if line.startswith("+") and line[1:2] != "+"]
    assert added == [
        "+  },",
        '+  "cron": {',
        '+    "enabled": true,',
        '+    "sessionRetention": "7d",',
        '+    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"',
    ]
    assert diff in text
    assert result not in text  # the diff, not the whole document


def test_no_written_file_contains_the_token(dev_plan: tuple[Path, str, dict[str, Any]]) -> None:
    out, _, _ = dev_plan
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) == 8  # 5 files, 3 Kubernetes objects and the output marker
    for path in written:
        assert TOKEN not in path.read_text(), path


def test_the_verdict_says_it_was_skipped(dev_plan: tuple[Path, str, dict[str, Any]]) -> None:
    out, text, data = dev_plan
    assert f"\n{SKIPPED}\n" in text
    assert data["openclaw"]["skipped"] is True
    assert SKIPPED in (out / "plan.md").read_text()


def test_an_equal_section_is_adopted_and_nothing_written(tmp_path: Path) -> None:
    first = tmp_path / "first"
    assert plan.main([*CLUSTER, "--out", str(first)]) == 0
    again = tmp_path / "again"
    assert (
        plan.main([*CLUSTER, "--base-config", str(first / "openclaw.json"), "--out", str(again)])
        == 0
    )
    text = (again / "plan.txt").read_text()
    assert (
        f"(base: {first / 'openclaw.json'}; result in openclaw.json)\n"
        "  adopted, nothing written: the base already holds an equal section\n\n"
        "Stack outputs:\n"
    ) in text
    document = json.loads((again / "plan.json").read_text())["document"]
    assert (document["result"], document["diff"]) == ("adopted", "")


def test_switched_off_an_equal_section_in_the_base_is_removed_not_adopted(tmp_path: Path) -> None:
    """With `section.present: false` the next `pulumi up` removes the section, even from a
    base that already holds an equal one: the plan must say so, not that it adopts it."""
    first = tmp_path / "first"
    assert plan.main([*CLUSTER, "--out", str(first)]) == 0
    off = tmp_path / "Pulumi.off.yaml"
    off.write_text(
        CLUSTER_STACK_FILE.read_text() + "  openclaw-cron-webhook:section:\n    present: false\n"
    )
    again = tmp_path / "again"
    args = ["--stack-file", str(off), "--base-config", str(first / "openclaw.json")]
    assert plan.main([*args, "--out", str(again)]) == 0
    assert json.loads((again / "plan.json").read_text())["document"]["result"] == "removed"
    assert "adopted" not in (again / "plan.txt").read_text()
    assert "(adopted)" not in (again / "plan.md").read_text()


# What the next `pulumi up` does to the section of a stack that holds it, in the switch line.
SECTION_REMOVAL = (
    'pulumi-python:dynamic/openclaw:JsonSection::openclaw-cron-section: removes top-level "cron" '
    'from data["openclaw.json"] of ConfigMap openclaw/openclaw-config (every other byte stays): '
    "hot reload, no pod restart"
)


def switch_without_compare(tmp_path: Path, stack_text: str) -> str:
    """The switch line of a plan against an empty stack (no --compare), checked in plan.txt."""
    stack = tmp_path / "Pulumi.off.yaml"
    stack.write_text(stack_text)
    out = tmp_path / "out"
    assert plan.main(["--stack-file", str(stack), "--out", str(out)]) == 0
    switch: str = json.loads((out / "plan.json").read_text())["switch"]
    assert f"\n  rollback switch: {switch}\n" in (out / "plan.txt").read_text()
    return switch


def test_enabled_false_without_compare_says_what_up_removes_from_a_stack_holding_phase2(
    tmp_path: Path,
) -> None:
    """Against an empty stack nothing is deleted, so the line must not read as if this plan
    deleted anything: it says nothing is created, then what `up` removes where Phase 2 is."""
    stack_text = CLUSTER_STACK_FILE.read_text().replace(
        "openclaw-cron-webhook:enabled: true", "openclaw-cron-webhook:enabled: false"
    )
    switch = switch_without_compare(tmp_path, stack_text)
    assert switch.startswith(
        "Phase 2 switched off (enabled: false): nothing is created; on a stack that holds "
        "Phase 2 with this config, the next `pulumi up` removes it like `pulumi destroy`, in "
        f"this order: {SECTION_REMOVAL}; pulumi-python:dynamic/openclaw:EnvEntry::"
    )
    assert switch.endswith(
        "; pulumi-python:dynamic/openclaw:RotationGuard::cron-webhook-token-rotation: forgets "
        "the rotations used (state only; nothing in AWS or the cluster). The SSM parameter is "
        "kept or deleted as `token.retainOnDestroy` was at the last `pulumi up` (the state's "
        "retainOnDelete): change it with an `up` of its own first."
    )


def test_section_present_false_without_compare_says_what_up_removes_from_a_stack_holding_it(
    tmp_path: Path,
) -> None:
    """As above for the section alone: only it goes, and OpenClaw then runs on its defaults."""
    stack_text = (
        CLUSTER_STACK_FILE.read_text() + "  openclaw-cron-webhook:section:\n    present: false\n"
    )
    assert switch_without_compare(tmp_path, stack_text) == (
        "the `cron` section is not written (section.present: false); on a stack that holds it, "
        f"the next `pulumi up` removes it, and only it (no rollout): {SECTION_REMOVAL}. OpenClaw "
        "then runs on its defaults: the scheduler keeps running (`openclaw cron status`: enabled, "
        "with a next wake), and a job set to webhook delivery still runs but is not delivered to "
        'a private or cluster receiver (deliveryStatus "not-delivered": the SSRF guard blocks it '
        "without the section's webhookSsrfPolicy); switch such jobs to announce delivery first, "
        "or use cron.enabled: false to stop the scheduler instead"
    )


def test_base_config_as_a_configmap_manifest_keeps_its_name_and_keys(tmp_path: Path) -> None:
    document = '{\n  "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}\n}\n'
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": "gateway-config",
                    "namespace": "openclaw",
                    "labels": {"team": "a"},
                    "resourceVersion": "42",
                    "uid": "u-1",
                },
                "data": {"openclaw.json": document, "extra.txt": "keep me"},
            }
        )
    )
    out = tmp_path / "out"
    assert plan.main([*CLUSTER, "--base-config", str(manifest), "--out", str(out)]) == 0
    assert json.loads((out / "openclaw.json").read_text())["cron"]["enabled"] is True
    written = yaml.safe_load(
        (out / "kubernetes/configmap-openclaw-gateway-config.yaml").read_text()
    )
    assert written["metadata"] == {
        "name": "gateway-config",
        "namespace": "openclaw",
        "labels": {"team": "a"},
    }
    assert written["data"]["extra.txt"] == "keep me"
    text = (out / "plan.txt").read_text()
    assert "the base ConfigMap is openclaw/gateway-config, but the stack edits" in text


def test_base_config_as_a_raw_document(tmp_path: Path) -> None:
    raw = tmp_path / "openclaw.json"
    raw.write_text('{"plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}}')
    out = tmp_path / "out"
    assert plan.main([*CLUSTER, "--base-config", str(raw), "--out", str(out)]) == 0
    assert json.loads((out / "openclaw.json").read_text())["cron"]["sessionRetention"] == "7d"
    assert "\\ No newline at end of file" in (out / "plan.txt").read_text()


def test_plan_txt_shows_the_document_diff_to_its_last_line(tmp_path: Path) -> None:
    """A base ending in a blank line: the diff's last context line is that line, a lone space
    (`git apply` needs it); plan.txt shows it as plan.json has it, before the outputs."""
    raw = tmp_path / "openclaw.json"
    raw.write_text('{\n  "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}\n}\n\n')
    out = tmp_path / "out"
    assert plan.main([*CLUSTER, "--base-config", str(raw), "--out", str(out)]) == 0
    diff = json.loads((out / "plan.json").read_text())["document"]["diff"]
    assert diff.endswith("\n+  }\n }\n \n")
    assert f"result in openclaw.json)\n{diff}\nStack outputs:\n" in (out / "plan.txt").read_text()


def test_base_config_without_phase1_fails_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "openclaw.json"
    raw.write_text('{"gateway": {"port": 1}}')
    assert plan.main([*CLUSTER, "--base-config", str(raw), "--out", str(tmp_path / "out")]) == 2
    assert "Phase 1" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_plan_refuses_a_foreign_section_like_the_provider(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The plan applies the provider's create-time edit, so it refuses what `up` refuses."""
    raw = tmp_path / "openclaw.json"
    raw.write_text(
        '{"plugins": {"entries": {"diagnostics-otel": {"enabled": true}}},'
        ' "cron": {"enabled": false}}'
    )
    assert plan.main([*CLUSTER, "--base-config", str(raw), "--out", str(tmp_path / "out")]) == 2
    assert 'already has a top-level "cron" section that this stack does not own' in (
        capsys.readouterr().err
    )


def test_bad_stack_config_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = tmp_path / "Pulumi.bad.yaml"
    stack_file.write_text("config:\n  openclaw-cron-webhook:namespace: Not_A_Label\n")
    assert plan.main(["--stack-file", str(stack_file), "--out", str(tmp_path / "out")]) == 2
    assert "openclaw-cron-webhook:namespace" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_secure_values_are_never_decrypted(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.s.yaml").write_text(
        "config:\n  openclaw-cron-webhook:token:\n    kmsKeyId:\n      secure: v1:abc\n"
    )
    config = load_stack(tmp_path, "s", None).config
    assert config.values["openclaw-cron-webhook:token"] == {"kmsKeyId": "[secret]"}
    assert config.secret_keys == ("openclaw-cron-webhook:token",)


def test_stack_file_anywhere_names_the_stack(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.case.yaml"
    stack_file.write_text(CLUSTER_STACK_FILE.read_text())
    out = tmp_path / "out"
    assert plan.main(["--stack-file", str(stack_file), "--out", str(out)]) == 0
    data = json.loads((out / "plan.json").read_text())
    assert (data["stack"], data["stack_file"]) == ("case", str(stack_file))
    assert data["resources"][0]["urn"].startswith("urn:pulumi:case::openclaw-cron-webhook::")


def test_stack_and_stack_file_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        plan.main(["--stack", "dev", "--stack-file", "Pulumi.dev.yaml"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_plan_never_touches_the_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any outbound connection attempt (AWS, the cluster, a registry) fails the plan."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled for the offline plan")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    assert plan.main([*CLUSTER, "--out", str(tmp_path / "out")]) == 0
    assert attempts == []
