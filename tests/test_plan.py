"""The offline plan of the dev stack: what it prints and writes, and how it fails."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
import yaml

from tools import plan
from tools.mock_runtime import ROOT, fake_token

TOKEN = fake_token({"rotation": "1"})


@pytest.fixture(scope="module")
def dev_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("rendered")
    assert plan.main(["--stack", "dev", "--out", str(out)]) == 0
    return out, (out / "plan.txt").read_text()


def test_plan_lists_resources_in_creation_order_with_targets(dev_plan: tuple[Path, str]) -> None:
    _, text = dev_plan
    headers = [line for line in text.splitlines() if line[:1].isdigit()]
    assert headers == [
        '1. random:index/randomBytes:RandomBytes  "cron-webhook-token"',
        '2. aws:ssm/parameter:Parameter  "cron-webhook-token"',
        '3. kubernetes:external-secrets.io/v1:ExternalSecret  "cron-webhook"',
        '4. kubernetes:apps/v1:DeploymentPatch  "openclaw-cron-webhook-env"',
        '5. pulumi-python:dynamic/openclaw:JsonSection  "openclaw-cron-section"',
    ]
    for target in [
        "target: AWS SSM parameter /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN (SecureString)",
        "target: external-secrets.io/v1 ExternalSecret openclaw/openclaw-cron-webhook-r1",
        "target: patch of apps/v1 Deployment openclaw/openclaw",
        'target: top-level "cron" of data["openclaw.json"] in ConfigMap openclaw/openclaw-config',
    ]:
        assert target in text
    assert "   after:  4\n" in text  # the section waits for the env rollout
    assert '     value = "[secret]"' in text
    assert "  webhookToken = [secret]" in text


def test_plan_json_is_machine_readable(dev_plan: tuple[Path, str]) -> None:
    out, _ = dev_plan
    entries = json.loads((out / "plan.json").read_text())
    assert [(e["name"], e["depends_on"]) for e in entries] == [
        ("cron-webhook-token", []),
        ("cron-webhook-token", ["cron-webhook-token"]),
        ("cron-webhook", ["cron-webhook-token"]),
        ("openclaw-cron-webhook-env", ["cron-webhook"]),
        ("openclaw-cron-section", ["openclaw-cron-webhook-env"]),
    ]
    parameter = entries[1]
    assert parameter["inputs"]["value"] == "[secret]"
    assert "__provider" not in entries[4]["inputs"]


def test_kubernetes_objects_are_written(dev_plan: tuple[Path, str]) -> None:
    out, _ = dev_plan
    files = sorted(p.name for p in (out / "kubernetes").iterdir())
    assert files == [
        "configmap-openclaw-openclaw-config.yaml",
        "deploymentpatch-openclaw-openclaw.yaml",
        "externalsecret-openclaw-openclaw-cron-webhook-r1.yaml",
    ]
    es = yaml.safe_load((out / "kubernetes" / files[2]).read_text())
    assert es["spec"]["target"] == {
        "name": "openclaw-cron-webhook-r1",
        "creationPolicy": "Owner",
        "deletionPolicy": "Retain",
    }


def test_resulting_document_adds_only_the_section(dev_plan: tuple[Path, str]) -> None:
    out, text = dev_plan
    base = (ROOT / "examples" / "openclaw.json").read_text()
    result = (out / "openclaw.json").read_text()
    before, after = json.loads(base), json.loads(result)
    assert after.pop("cron") == {
        "enabled": True,
        "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
        "sessionRetention": "7d",
    }
    assert after == before
    assert list(json.loads(result)) == [*before, "cron"]
    assert result.startswith(base.rstrip()[:-1].rstrip())  # every original byte kept
    assert result in text


def test_no_written_file_contains_the_token(dev_plan: tuple[Path, str]) -> None:
    out, _ = dev_plan
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) == 6
    for path in written:
        content = path.read_text()
        assert TOKEN not in content, path


def test_base_config_as_a_configmap_manifest(tmp_path: Path) -> None:
    document = '{\n  "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}\n}\n'
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "openclaw-config", "namespace": "openclaw"},
                "data": {"openclaw.json": document},
            }
        )
    )
    out = tmp_path / "out"
    assert plan.main(["--stack", "dev", "--base-config", str(manifest), "--out", str(out)]) == 0
    assert json.loads((out / "openclaw.json").read_text())["cron"]["enabled"] is True


def test_base_config_as_a_raw_document(tmp_path: Path) -> None:
    raw = tmp_path / "openclaw.json"
    raw.write_text('{"plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}}')
    out = tmp_path / "out"
    assert plan.main(["--stack", "dev", "--base-config", str(raw), "--out", str(out)]) == 0
    assert json.loads((out / "openclaw.json").read_text())["cron"]["sessionRetention"] == "7d"


def test_base_config_without_phase1_fails_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "openclaw.json"
    raw.write_text('{"gateway": {"port": 1}}')
    assert plan.main(["--stack", "dev", "--base-config", str(raw), "--out", str(tmp_path)]) == 2
    assert "Phase 1" in capsys.readouterr().err


def test_bad_stack_file_exits_non_zero_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.bad.yaml").write_text(
        "config:\n  openclaw-cron-webhook:cron:\n    sessionRetention: 0d\n"
    )
    project, config = plan.load_stack_config("bad", root=tmp_path)
    monkeypatch.setattr(plan, "load_stack_config", lambda stack: (project, config))
    assert plan.main(["--stack", "bad", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "openclaw-cron-webhook:cron.sessionRetention" in err
    assert not (tmp_path / "out").exists()


def test_secure_values_are_never_decrypted(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.s.yaml").write_text(
        "config:\n  openclaw-cron-webhook:token:\n    kmsKeyId:\n      secure: v1:abc\n"
    )
    _, config = plan.load_stack_config("s", root=tmp_path)
    assert config.values["openclaw-cron-webhook:token"] == {"kmsKeyId": "[secret]"}
    assert config.secret_keys == ("openclaw-cron-webhook:token",)


def test_patch_that_breaks_the_deployment_schema_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = {"spec": {"template": {"spec": {"containers": [{"name": "openclaw", "env": "x"}]}}}}
    sample = yaml.safe_load(plan.SAMPLE_DEPLOYMENT.read_text())
    with pytest.raises(plan.PlanError, match="not a valid Deployment"):
        plan._validate(plan.merge_by_name(sample, bad), "patch")


def test_merge_by_name_keeps_every_other_entry() -> None:
    base = {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}]}, {"name": "b"}]}
    patch = {"containers": [{"name": "a", "env": [{"name": "Y", "value": "2"}]}]}
    assert plan.merge_by_name(base, patch) == {
        "containers": [
            {"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
            {"name": "b"},
        ]
    }


def test_plan_never_touches_the_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any outbound connection attempt (AWS, the cluster, a registry) fails the plan."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled for the offline plan")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    assert plan.main(["--stack", "dev", "--out", str(tmp_path)]) == 0
    assert attempts == []


def test_plan_refuses_a_foreign_section_like_the_provider(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The preview applies the provider's create-time edit, so it refuses what `up` refuses."""
    raw = tmp_path / "openclaw.json"
    raw.write_text(
        '{"plugins": {"entries": {"diagnostics-otel": {"enabled": true}}},'
        ' "cron": {"enabled": false}}'
    )
    assert plan.main(["--stack", "dev", "--base-config", str(raw), "--out", str(tmp_path)]) == 2
    assert 'already has a top-level "cron" section that this stack does not own' in (
        capsys.readouterr().err
    )
