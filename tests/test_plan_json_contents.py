"""What plan.json and the written files tell a reviewer, field by field.

plan.txt is checked elsewhere line by line; these are the facts that live in plan.json and the
files beside it: what each resource waits for and which file shows its object, what destroy
does to the state-only token and guard, which outputs are secret, every input (lists included)
with secrets masked, the ConfigMap as readable YAML, the base ConfigMap picked by name, notes
kept through `--compare`, and every issue OpenClaw reports. Each test runs its own plan:
mutation testing credits a run to the test that made it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from stack_files import CLUSTER_STACK_FILE

from stages.env_entry.identity import TYPE as ENV_ENTRY
from stages.external_secret.identity import TYPE as EXTERNAL_SECRET
from stages.parameter.identity import TYPE as PARAMETER_TYPE
from stages.section.identity import CLUSTER_TYPE as SECTION_TYPE
from stages.section.identity import GIT_TYPE as GIT_SECTION_TYPE
from stages.token.identity import GUARD_TYPE
from stages.token.identity import TYPE as RANDOM
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.document import the_section
from tools.plan.errors import PlanError
from tools.plan.kinds import kind_of
from tools.plan.masking import secret_sources
from tools.plan.mock_runtime import Recording, Registration

pytestmark = pytest.mark.usefixtures("shared_program_runs")

ES = f"{EXTERNAL_SECRET}::cron-webhook"
ENV = f"{ENV_ENTRY}::openclaw-cron-webhook-env"
SECTION = f"{SECTION_TYPE}::openclaw-cron-section"
CONFIGMAP_FILE = "kubernetes/configmap-openclaw-openclaw-config.yaml"
ENV_FILE = "kubernetes/enventry-openclaw-openclaw.yaml"
PHASE1 = {"plugins": {"entries": {"diagnostics-otel": {"enabled": True}}}}


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))


def run_plan(out: Path, *args: str) -> dict[str, Any]:
    assert plan.main(["--stack-file", str(CLUSTER_STACK_FILE), *args, "--out", str(out)]) == 0
    result: dict[str, Any] = json.loads((out / "plan.json").read_text())
    return result


def by_id(planned: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in planned["resources"]}


def test_the_waits_say_the_stacks_own_timeouts(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.slow.yaml"
    stack.write_text(
        CLUSTER_STACK_FILE.read_text()
        + "  openclaw-cron-webhook:timeouts:\n"
        + "    externalSecretSeconds: 45\n"
        + "    rolloutSeconds: 1200\n"
    )
    resources = by_id(run_plan(tmp_path / "out", "--stack-file", str(stack)))

    assert resources[ES]["waits"].endswith(", up to 45 s")
    assert resources[ENV]["waits"].endswith("until no pod reads the previous Secret, up to 1200 s")


def test_each_resource_says_what_it_waits_for_and_where_its_object_is(tmp_path: Path) -> None:
    planned = run_plan(tmp_path / "out")
    resources = by_id(planned)

    assert resources[ES]["waits"] == (
        "waits until ExternalSecret openclaw/openclaw-cron-webhook-r1 is Ready with reason "
        "SecretSynced, up to 300 s"
    )
    assert resources[ENV]["waits"] == (
        "waits until Deployment openclaw/openclaw has rolled out (every replica updated and "
        "available) and, when the secretKeyRef changed, until no pod reads the previous Secret, "
        "up to 600 s"
    )
    assert resources[ENV]["target"] == (
        "env OPENCLAW_CRON_WEBHOOK_TOKEN of container openclaw in apps/v1 Deployment "
        "openclaw/openclaw (Server-Side Apply, one entry)"
    )
    assert next(step["does"] for step in planned["destroy"] if step["id"] == ENV) == (
        "relinquishes env OPENCLAW_CRON_WEBHOOK_TOKEN of container openclaw in Deployment "
        "openclaw/openclaw: one rollout, waited until no pod reads Secret "
        "openclaw-cron-webhook-r1; every other entry and container stays"
    )
    files = {rid: (r["kubernetes"] or {}).get("file") for rid, r in resources.items()}
    assert files == {
        f"{GUARD_TYPE}::cron-webhook-token-rotation": None,
        f"{RANDOM}::cron-webhook-token": None,
        f"{PARAMETER_TYPE}::cron-webhook-token": None,
        ES: "kubernetes/externalsecret-openclaw-openclaw-cron-webhook-r1.yaml",
        ENV: ENV_FILE,
        SECTION: CONFIGMAP_FILE,
    }


def test_a_rotations_env_entry_file_points_the_pods_at_the_new_secret(tmp_path: Path) -> None:
    """The file is what a reviewer reads as the rollout's change: after a rotation it must
    name the Secret the new ExternalSecret writes, which the pods will read from then on."""
    stack = tmp_path / "Pulumi.rotated.yaml"
    stack.write_text(CLUSTER_STACK_FILE.read_text().replace('rotation: "1"', 'rotation: "2"'))

    run_plan(tmp_path / "out", "--stack-file", str(stack))

    applied = yaml.safe_load((tmp_path / "out" / ENV_FILE).read_text())
    (container,) = applied["spec"]["template"]["spec"]["containers"]
    assert container == {
        "name": "openclaw",
        "env": [
            {
                "name": "OPENCLAW_CRON_WEBHOOK_TOKEN",
                "valueFrom": {
                    "secretKeyRef": {
                        "name": "openclaw-cron-webhook-r2",
                        "key": "OPENCLAW_CRON_WEBHOOK_TOKEN",
                    }
                },
            }
        ],
    }


def test_destroy_only_forgets_the_token_and_its_rotation_guard(tmp_path: Path) -> None:
    """Both live in Pulumi state alone: a reviewer reads that destroying them touches nothing."""
    planned = run_plan(tmp_path / "out")

    does = {step["id"]: step["does"] for step in planned["destroy"]}
    assert does[f"{RANDOM}::cron-webhook-token"] == (
        "forgets the generated token (state only; nothing in AWS or the cluster)"
    )
    assert does[f"{GUARD_TYPE}::cron-webhook-token-rotation"] == (
        "forgets the rotations used (state only; nothing in AWS or the cluster)"
    )


def test_destroying_the_external_secret_says_what_becomes_of_its_secret(tmp_path: Path) -> None:
    """ESO's ownerReference (creationPolicy Owner, also ESO's default) makes Kubernetes delete
    the Secret with the ExternalSecret; any other policy leaves the Secret behind, and the plan
    must say which, naming the Secret the ExternalSecret writes."""
    planned = run_plan(tmp_path / "out")
    does = {step["id"]: step["does"] for step in planned["destroy"]}
    assert does[ES] == (
        "deletes ExternalSecret openclaw/openclaw-cron-webhook-r1; Kubernetes garbage-collects "
        "its Secret openclaw/openclaw-cron-webhook-r1 (ESO's ownerReference)"
    )

    on_destroy = kind_of(EXTERNAL_SECRET).on_destroy
    metadata = {"namespace": "gateway", "name": "hook-r7"}
    owned = {"metadata": metadata, "spec": {"target": {"name": "hook-secret-r7"}}}
    merged = {"metadata": metadata, "spec": {"target": {"creationPolicy": "Merge"}}}
    assert on_destroy(owned, False) == (
        "deletes ExternalSecret gateway/hook-r7; Kubernetes garbage-collects its Secret "
        "gateway/hook-secret-r7 (ESO's ownerReference)"
    )
    assert on_destroy(merged, False) == (
        "deletes ExternalSecret gateway/hook-r7; its Secret gateway/hook-r7 stays "
        "(creationPolicy Merge)"
    )


def test_inputs_outputs_and_the_document_as_plan_json_holds_them(tmp_path: Path) -> None:
    planned = run_plan(tmp_path / "out")

    (data,) = by_id(planned)[ES]["inputs"]["spec"]["data"]
    assert data["remoteRef"]["key"] == "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    assert planned["outputs"]["webhookToken"] == "[secret]"
    assert planned["outputs"]["parameterName"] == "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    document = dict(planned["document"])
    assert document.pop("diff").startswith("--- a/examples/openclaw.json\n+++ b/openclaw.json\n")
    assert document == {
        "base": "examples/openclaw.json",
        "configmap": "openclaw/openclaw-config",
        "key": "openclaw.json",
        "section": "cron",
        "result": "written",
        "file": "openclaw.json",
    }


def test_the_configmap_file_is_block_yaml_in_manifest_order_with_text_as_written(
    tmp_path: Path,
) -> None:
    """`kubectl apply -f`-ready and readable: no flow style, no escaped non-ASCII text."""
    base = tmp_path / "configmaps.yaml"
    document = json.dumps({**PHASE1, "gateway": {"name": "ゲートウェイ"}}, ensure_ascii=False)
    base.write_text(
        yaml.safe_dump_all(
            [
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "other", "namespace": "openclaw"},
                    "data": {"openclaw.json": "{}"},
                },
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "openclaw-config", "namespace": "openclaw"},
                    "data": {"openclaw.json": document},
                },
            ],
            allow_unicode=True,
            sort_keys=False,
        )
    )

    run_plan(tmp_path / "out", "--base-config", str(base))

    written = (tmp_path / "out" / CONFIGMAP_FILE).read_text()
    assert written.startswith(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        "  namespace: openclaw\ndata:\n  openclaw.json: "
    )
    assert "ゲートウェイ" in written
    assert "ゲートウェイ" in (tmp_path / "out" / "openclaw.json").read_text()


def test_compare_keeps_the_notes_on_the_document(tmp_path: Path) -> None:
    """A base ConfigMap named otherwise than the stack's is noted, with or without --compare."""
    base = tmp_path / "base.yaml"
    base.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "gateway-config", "namespace": "openclaw"},
                "data": {"openclaw.json": json.dumps(PHASE1)},
            }
        )
    )
    first = run_plan(tmp_path / "first", "--base-config", str(base))

    second = run_plan(
        tmp_path / "second", "--base-config", str(base), "--compare", str(tmp_path / "first")
    )

    note = (
        "the base ConfigMap is openclaw/gateway-config, but the stack edits "
        "openclaw/openclaw-config (config.configMap, namespace)"
    )
    assert first["notes"] == [note]
    assert second["notes"] == [note]


FAKE_OPENCLAW = f"""#!{sys.executable}
import json, os, sys
if sys.argv[1:] == ["--version"]:
    print("OpenClaw 2099.1.2 (fake)")
    sys.exit(0)
if '"cron"' not in open(os.environ["OPENCLAW_CONFIG_PATH"]).read():
    print('{{"valid": true}}')  # the base document
    sys.exit(0)
print(json.dumps({{"valid": False, "issues": [
    {{"path": "cron.sessionRetention", "message": "invalid duration"}},
    {{"path": "cron.failureAlert.to", "message": "required with mode webhook"}},
]}}))
sys.exit(1)
"""


def test_every_issue_openclaw_reports_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "openclaw"
    fake.write_text(FAKE_OPENCLAW)
    fake.chmod(0o755)

    assert plan.main(["--openclaw", str(fake), "--out", str(tmp_path / "out")]) == 2

    err = capsys.readouterr().err
    assert (
        "\n  cron.sessionRetention: invalid duration"
        "\n  cron.failureAlert.to: required with mode webhook\n"
    ) in err


def registration(secret_paths: list[str], dependencies: dict[str, list[str]]) -> Registration:
    wire = {path.split(".")[0].split("[")[0]: "x" for path in secret_paths}
    recorded = Registration(
        type="t",
        name="n",
        urn="urn:n",
        custom=True,
        parent="",
        inputs=wire,
        wire_inputs=wire,
        dependencies=[],
        property_dependencies=dependencies,
        retain_on_delete=False,
        delete_before_replace=False,
    )
    recorded.secret_paths = lambda: secret_paths  # type: ignore[method-assign]
    return recorded


def test_a_secret_input_is_traced_through_its_top_level_property() -> None:
    """--compare marks a secret as changed when what it was computed from is replaced."""
    ids = {"urn:a": "A", "urn:b": "B"}
    recorded = registration(
        ["data[0].value", "spec.token", "plain"], {"data": ["urn:a"], "spec": ["urn:b", "urn:x"]}
    )

    assert secret_sources(recorded, ids) == {
        "data[0].value": ["A"],
        "spec.token": ["B"],
        "plain": [],
    }


def test_a_program_without_exactly_one_section_cannot_be_planned() -> None:
    with pytest.raises(PlanError) as raised:
        the_section(Recording())

    assert str(raised.value) == (
        f"the program registers 0 sections ({SECTION_TYPE} or {GIT_SECTION_TYPE}), expected 1"
    )
