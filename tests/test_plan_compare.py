"""`--compare`: change types as Pulumi would decide them, and what they do to pods."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from stack_files import CLUSTER_STACK_FILE

from openclaw_runtime.judge import SKIPPED
from stages.env_entry.identity import TYPE as ENV_ENTRY
from stages.external_secret.identity import TYPE as EXTERNAL_SECRET
from stages.parameter.identity import TYPE as PARAMETER_TYPE
from stages.section.identity import CLUSTER_TYPE as SECTION_TYPE
from stages.token.identity import GUARD_TYPE
from stages.token.identity import TYPE as RANDOM
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.compare import compare, input_changes, summary_line, up_steps
from tools.plan.kinds import kind_of
from tools.plan.masking import SECRET
from tools.plan.model import Change, PlannedResource, Step

pytestmark = pytest.mark.usefixtures("shared_program_runs")

DEV = CLUSTER_STACK_FILE.read_text()
ES = f"{EXTERNAL_SECRET}::cron-webhook"
TOKEN = f"{RANDOM}::cron-webhook-token"
GUARD = f"{GUARD_TYPE}::cron-webhook-token-rotation"
PARAMETER = f"{PARAMETER_TYPE}::cron-webhook-token"
ENV = f"{ENV_ENTRY}::openclaw-cron-webhook-env"
SECTION = f"{SECTION_TYPE}::openclaw-cron-section"

# The cluster-mode dev stack (stack_files.py): these tests plan a live ConfigMap.
CLUSTER = ["--stack-file", str(CLUSTER_STACK_FILE)]


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)


@pytest.fixture(scope="module")
def dev_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dev") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plan_judging, "pinned", lambda: None)
        assert plan.main([*CLUSTER, "--out", str(out)]) == 0
    return out / "plan.json"


def compared(tmp_path: Path, previous: Path, stack_text: str) -> tuple[dict[str, Any], str]:
    stack_file = tmp_path / "Pulumi.next.yaml"
    stack_file.write_text(stack_text)
    out = tmp_path / "next"
    args = ["--stack-file", str(stack_file), "--compare", str(previous), "--out", str(out)]
    assert plan.main(args) == 0
    return json.loads((out / "plan.json").read_text()), (out / "plan.txt").read_text()


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in data["resources"]}


def test_rotation_replaces_the_pair_create_before_delete_with_one_rollout(
    tmp_path: Path, dev_plan: Path
) -> None:
    data, text = compared(tmp_path, dev_plan, DEV.replace('rotation: "1"', 'rotation: "2"'))
    resources = by_id(data)
    actions = {i: (r["action"], r["replace_mode"]) for i, r in resources.items()}
    assert actions == {
        GUARD: ("update", None),
        TOKEN: ("replace", "create-before-delete"),
        PARAMETER: ("update", None),
        ES: ("replace", "create-before-delete"),
        ENV: ("update", None),
        SECTION: ("same", None),
    }
    assert resources[PARAMETER]["changes"] == [
        {
            "path": "value",
            "kind": "update",
            "old": "[secret]",
            "new": "[secret]",
            "why": f"a new value from the replaced {TOKEN}",
        }
    ]
    assert [c["path"] for c in resources[ES]["changes"]] == ["metadata.name", "spec.target.name"]
    assert resources[ENV]["changes"] == [
        {
            "path": "secretName",
            "kind": "update",
            "old": "openclaw-cron-webhook-r1",
            "new": "openclaw-cron-webhook-r2",
            "why": None,
        }
    ]
    steps = [(s["operation"], s["id"]) for s in data["steps"]]
    assert steps == [
        ("update", GUARD),
        ("create", TOKEN),
        ("update", PARAMETER),
        ("create", ES),
        ("update", ENV),
        ("delete", ES),
        ("delete", TOKEN),
    ]
    assert "openclaw-cron-webhook-r1" in data["steps"][5]["does"]  # the OLD pair goes last
    assert data["compared_with"] == {"file": str(dev_plan), "stack": "dev"}
    assert "Summary: ~ 3 to update, +- 2 to replace, 1 unchanged" in text
    assert (
        'restarts pods: update EnvEntry "openclaw-cron-webhook-env": one rollout of '
        "Deployment openclaw/openclaw" in text
    )
    assert (
        'no pod restart: update RotationGuard "cron-webhook-token-rotation", replace RandomBytes '
        '"cron-webhook-token", update Parameter '
        '"cron-webhook-token", replace ExternalSecret "cron-webhook"' in text
    )


def test_plan_txt_says_each_changed_field_old_to_new(tmp_path: Path, dev_plan: Path) -> None:
    """Each kind of change reads as its own line, under the resource and in the change list:
    a field only the new plan has is `(none) → value`, one only the old plan had is
    `value → (none)`, an updated one is JSON old → new (non-ASCII as written), and a secret
    that changes with the replaced token stays `[secret]` and says why."""
    previous = json.loads(dev_plan.read_text())
    parameter, env = previous["resources"][2], previous["resources"][4]
    parameter["inputs"]["description"] = "était ü"
    del parameter["inputs"]["tags"]["app"]
    env["inputs"]["legacy"] = 1
    edited = tmp_path / "previous.json"
    edited.write_text(json.dumps(previous))

    _, text = compared(tmp_path, edited, DEV.replace('rotation: "1"', 'rotation: "2"'))

    description = (
        'description: "était ü" → "Bearer token OpenClaw sends to cron webhook receivers '
        '(Pulumi-managed)"'
    )
    value = f"value: [secret] → [secret] (a new value from the replaced {TOKEN})"
    assert (
        "   pods:   no pod restart (pods get the token from the Secret, through the env entry)\n"
        "   update because:\n"
        f"     {description}\n"
        '     tags.app: (none) → "openclaw"\n'
        f"     {value}\n"
        "   sets:\n"
    ) in text
    changes = text.split(f"Changes against {edited} (stack 'dev'):\n", 1)[1]
    assert changes.split("\n  restarts pods: ", 1)[0] == (
        f'  ~  update {GUARD_TYPE} "cron-webhook-token-rotation"\n'
        '       rotation: "1" → "2"\n'
        f'  +- replace (create-before-delete) {RANDOM} "cron-webhook-token"\n'
        '       keepers.rotation: "1" → "2"\n'
        f'  ~  update {PARAMETER_TYPE} "cron-webhook-token"\n'
        f"       {description}\n"
        '       tags.app: (none) → "openclaw"\n'
        f"       {value}\n"
        f'  +- replace (create-before-delete) {EXTERNAL_SECRET} "cron-webhook"\n'
        '       metadata.name: "openclaw-cron-webhook-r1" → "openclaw-cron-webhook-r2"\n'
        '       spec.target.name: "openclaw-cron-webhook-r1" → "openclaw-cron-webhook-r2"\n'
        f'  ~  update {ENV_ENTRY} "openclaw-cron-webhook-env"\n'
        "       legacy: 1 → (none)\n"
        '       secretName: "openclaw-cron-webhook-r1" → "openclaw-cron-webhook-r2"'
    )


def test_a_rotations_plan_txt_reads_part_by_part(tmp_path: Path, dev_plan: Path) -> None:
    """plan.txt in the order a reviewer asks: each resource (its target, what it comes after,
    what changed, what it sets), the change list and counts, then `pulumi up`'s and `pulumi
    destroy`'s steps as plan.json has them, the Kubernetes files, the document diff, the
    outputs and the verdict; one blank line between parts, none doubled."""
    data, text = compared(tmp_path, dev_plan, DEV.replace('rotation: "1"', 'rotation: "2"'))

    assert text.startswith(
        f"Offline plan for stack 'next' of project openclaw-cron-webhook "
        f"({tmp_path / 'Pulumi.next.yaml'}; Pulumi mock runtime, nothing was contacted)\n\n"
        f'1. update  {GUARD_TYPE} "cron-webhook-token-rotation"\n'
        "   target: the rotation guard at rotation 2, in Pulumi state only: `pulumi preview` "
        "and `pulumi up` refuse a rotation used before or lower, before anything changes\n"
        "   after:  -\n"
        "   pods:   no pod restart\n"
        "   update because:\n"
        '     rotation: "1" → "2"\n'
        "   sets:\n"
        '     rotation = "2"\n\n'
        f'2. replace {RANDOM} "cron-webhook-token"\n'
        "   target: a generated token, in Pulumi state only (no cloud object)\n"
        "   after:  1\n"
        "   pods:   no pod restart\n"
        "   replace (create-before-delete) because:\n"
        '     keepers.rotation: "1" → "2"\n'
        "   sets:\n"
        '     keepers.rotation = "2"\n'
        "     length = 32\n\n"
        f'3. update  {PARAMETER_TYPE} "cron-webhook-token"\n'
        "   target: AWS SSM parameter /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN (SecureString)\n"
        "   after:  1, 2\n"
        "   pods:   no pod restart (pods get the token from the Secret, through the env entry)\n"
        "   update because:\n"
        f"     value: [secret] → [secret] (a new value from the replaced {TOKEN})\n"
        "   sets:\n"
        '     description = "Bearer token OpenClaw sends to cron webhook receivers '
        '(Pulumi-managed)"\n'
        '     name = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"\n'
        '     tags.app = "openclaw"\n'
        '     tags.component = "cron-webhook"\n'
        '     tags.managed-by = "pulumi"\n'
        '     type = "SecureString"\n'
        '     value = "[secret]"\n\n'
        f'4. replace {EXTERNAL_SECRET} "cron-webhook"\n'
        "   target: external-secrets.io/v1 ExternalSecret openclaw/openclaw-cron-webhook-r2\n"
        "   after:  3\n"
        "   waits:  waits until ExternalSecret openclaw/openclaw-cron-webhook-r2 is Ready with "
        "reason SecretSynced, up to 300 s\n"
    )
    assert (
        '     secretName = "openclaw-cron-webhook-r2"\n\n'
        f'6. same    {SECTION_TYPE} "openclaw-cron-section"\n'
        '   target: top-level "cron" of data["openclaw.json"] in ConfigMap '
        "openclaw/openclaw-config\n"
        "   after:  5\n"
        "   pods:   no pod restart: OpenClaw hot-reloads the section once the pod's file changes\n"
        "   sets:\n"
        '     configMap = "openclaw-config"\n'
    ) in text

    label = {r["id"]: f'{r["type"]} "{r["name"]}"' for r in data["resources"]}
    steps = enumerate(data["steps"], 1)
    destroy = enumerate(data["destroy"], 1)
    assert data["document"]["diff"].endswith("\n }\n")
    assert text.split("     writeTrackedConfigMap = false\n\n", 1)[1].split("  verify = ")[0] == (
        f"Changes against {dev_plan} (stack 'dev'):\n"
        f'  ~  update {GUARD_TYPE} "cron-webhook-token-rotation"\n'
        '       rotation: "1" → "2"\n'
        f'  +- replace (create-before-delete) {RANDOM} "cron-webhook-token"\n'
        '       keepers.rotation: "1" → "2"\n'
        f'  ~  update {PARAMETER_TYPE} "cron-webhook-token"\n'
        f"       value: [secret] → [secret] (a new value from the replaced {TOKEN})\n"
        f'  +- replace (create-before-delete) {EXTERNAL_SECRET} "cron-webhook"\n'
        '       metadata.name: "openclaw-cron-webhook-r1" → "openclaw-cron-webhook-r2"\n'
        '       spec.target.name: "openclaw-cron-webhook-r1" → "openclaw-cron-webhook-r2"\n'
        f'  ~  update {ENV_ENTRY} "openclaw-cron-webhook-env"\n'
        '       secretName: "openclaw-cron-webhook-r1" → "openclaw-cron-webhook-r2"\n'
        '  restarts pods: update EnvEntry "openclaw-cron-webhook-env": one rollout of '
        "Deployment openclaw/openclaw\n"
        '  no pod restart: update RotationGuard "cron-webhook-token-rotation", replace '
        'RandomBytes "cron-webhook-token", update Parameter "cron-webhook-token", replace '
        'ExternalSecret "cron-webhook"\n'
        "Summary: ~ 3 to update, +- 2 to replace, 1 unchanged\n"
        "  pulumi preview: ~ 3 to update, +- 2 to replace, 8 unchanged; 7 more than this plan: "
        "the stack itself (pulumi:pulumi:Stack) and the program's 6 component resources, none "
        "of them a cloud object (unchanged: the stack, CronWebhookDelivery, WebhookToken, "
        "TokenParameter, TokenExternalSecret, TokenEnvPatch, CronConfigSection)\n\n"
        "`pulumi up` runs, in this order:\n"
        + "".join(f"  {i}. {s['operation']} {label[s['id']]}: {s['does']}\n" for i, s in steps)
        + "\nDestroy (`pulumi destroy`, in this order):\n"
        + "".join(f"  {i}. {label[s['id']]}: {s['does']}\n" for i, s in destroy)
        + "\nKubernetes objects written:\n"
        "  kubernetes/externalsecret-openclaw-openclaw-cron-webhook-r2.yaml: custom resource: "
        "no bundled schema, not schema-validated\n"
        "  kubernetes/enventry-openclaw-openclaw.yaml: merged into the sample "
        "examples/deployment.yaml (give yours: --base-deployment): valid (k8s 1.33)\n"
        "  kubernetes/configmap-openclaw-openclaw-config.yaml: the ConfigMap with the section: "
        "valid (k8s 1.33)\n\n"
        'openclaw.json: "cron" in data["openclaw.json"] of ConfigMap openclaw/openclaw-config '
        "(base: examples/openclaw.json; result in openclaw.json)\n"
        + data["document"]["diff"]
        + "\nStack outputs:\n"
        "  enabled = true\n"
        '  parameterName = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"\n'
        '  parameterArn = "arn:aws:ssm:ap-northeast-1:123456789012:parameter/lolice/openclaw/'
        'OPENCLAW_CRON_WEBHOOK_TOKEN"\n'
        "  parameterVersion = 1\n"
        '  externalSecretName = "openclaw-cron-webhook-r2"\n'
        '  secretName = "openclaw-cron-webhook-r2"\n'
        '  envName = "OPENCLAW_CRON_WEBHOOK_TOKEN"\n'
        '  cronSection = {"enabled": true, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}", '
        '"sessionRetention": "7d"}\n'
        "  webhookToken = [secret]\n"
    )
    assert len(data["steps"]) == 7  # the two replaced objects' deletes come last
    assert text.endswith(f'"}}\n\n{SKIPPED}\n')


def test_no_change_is_all_same(tmp_path: Path, dev_plan: Path) -> None:
    data, text = compared(tmp_path, dev_plan, DEV)
    assert {r["action"] for r in data["resources"]} == {"same"}
    assert data["steps"] == []
    assert "Summary: 6 unchanged" in text
    assert "restarts pods: nothing" in text
    parameter_step = next(step for step in data["destroy"] if step["id"] == PARAMETER)
    assert parameter_step["does"] == (
        "deletes AWS SSM parameter /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN from AWS"
    )


def test_a_section_change_is_a_hot_update(tmp_path: Path, dev_plan: Path) -> None:
    data, text = compared(
        tmp_path, dev_plan, DEV.replace("sessionRetention: 7d", "sessionRetention: 2d")
    )
    section = by_id(data)[SECTION]
    assert (section["action"], section["changes"][0]["path"]) == (
        "update",
        "value.sessionRetention",
    )
    assert "restarts pods: nothing" in text
    assert 'no pod restart: update JsonSection "openclaw-cron-section"' in text


def test_a_new_section_target_replaces_create_before_delete(tmp_path: Path, dev_plan: Path) -> None:
    data, _ = compared(tmp_path, dev_plan, DEV.replace("key: openclaw.json", "key: gateway.json"))
    section = by_id(data)[SECTION]
    assert (section["action"], section["replace_mode"]) == ("replace", "create-before-delete")


def test_a_new_container_replaces_the_env_entry_delete_before_create(
    tmp_path: Path, dev_plan: Path
) -> None:
    """EnvEntry's diff asks for delete-before-replace: one field manager, two entries."""
    data, text = compared(
        tmp_path, dev_plan, DEV.replace("container: openclaw", "container: config-manager")
    )
    assert "one rollout of Deployment openclaw/openclaw, twice: the old object goes first" in text
    env = by_id(data)[ENV]
    assert (env["action"], env["replace_mode"]) == ("replace", "delete-before-create")
    steps = [(s["operation"], s["id"]) for s in data["steps"]]
    assert steps == [("delete", ENV), ("create", ENV)]


def test_a_renamed_parameter_is_replaced_and_a_kept_one_deletes_first() -> None:
    """The bridge's rule: a new name creates first; the same name must be deleted first."""
    kind = kind_of(PARAMETER_TYPE)
    assert kind.replaced_by(["name"])
    assert kind.replace_mode(["name"]) == "create-before-delete"
    assert kind.replace_mode(["dataType"]) == "delete-before-create"
    assert not kind.replaced_by(["value", "tags.app"])


def test_retain_on_destroy_is_a_note_not_an_update(tmp_path: Path, dev_plan: Path) -> None:
    """Pulumi writes a changed retainOnDelete to state in a `same` step; destroy changes."""
    stack = DEV.replace("retainOnDestroy: false", "retainOnDestroy: true")
    data, text = compared(tmp_path, dev_plan, stack)
    assert data["summary"]["same"] == 6
    assert text.endswith(
        f"\n\n{SKIPPED}\n\nNotes:\n"
        f"  {PARAMETER}: retainOnDelete false → true (a resource option: recorded in state, "
        "nothing changes in the cloud; it decides what destroy does)\n"
    )
    parameter_step = next(step for step in data["destroy"] if step["id"] == PARAMETER)
    assert parameter_step["does"] == (
        "keeps AWS SSM parameter /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN "
        "(token.retainOnDestroy): the stack only forgets it"
    )


def test_a_resource_only_the_previous_plan_had_is_deleted(tmp_path: Path, dev_plan: Path) -> None:
    previous = json.loads(dev_plan.read_text())
    gone = dict(previous["resources"][0], id=f"{RANDOM}::old", name="old")
    previous["resources"].insert(0, gone)
    edited = tmp_path / "previous.json"
    edited.write_text(json.dumps(previous))
    data, text = compared(tmp_path, edited, DEV)
    assert by_id(data)[gone["id"]]["action"] == "delete"
    assert data["summary"] == {"create": 0, "update": 0, "replace": 0, "delete": 1, "same": 6}
    assert [(s["operation"], s["id"]) for s in data["steps"]] == [("delete", gone["id"])]
    assert "Summary: - 1 to delete, 6 unchanged" in text
    # plan.txt numbers what stays; the deleted resource follows them, unnumbered, with its target.
    assert text.startswith(
        f"Offline plan for stack 'next' of project openclaw-cron-webhook "
        f"({tmp_path / 'Pulumi.next.yaml'}; Pulumi mock runtime, nothing was contacted)\n\n"
        f'1. same    {GUARD_TYPE} "cron-webhook-token-rotation"\n'
    )
    assert (
        "     writeTrackedConfigMap = false\n\n"
        f'-. delete  {GUARD_TYPE} "old" (only in the compared plan)\n'
        "   target: the rotation guard at rotation 1, in Pulumi state only: `pulumi preview` and "
        "`pulumi up` refuse a rotation used before or lower, before anything changes\n\n"
        f"Changes against {edited} (stack 'dev'):\n"
        f'  -  delete {GUARD_TYPE} "old"\n'
        "  restarts pods: nothing\n"
        '  no pod restart: delete RotationGuard "old"\n'
    ) in text

    # Compared with that plan, the resource is gone: nothing is deleted twice.
    (tmp_path / "deleted").mkdir()
    (tmp_path / "deleted" / "plan.json").write_text(json.dumps(data))
    again, text = compared(tmp_path / "deleted", tmp_path / "deleted", DEV)
    assert gone["id"] not in by_id(again)
    assert "Summary: 6 unchanged" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[]", "written by an older plan (a bare list)"),
        ('{"schema_version": 0}', "schema_version 0, this plan reads 1 or 2\n"),
        ('{"schema_version": 1}', "not a plan.json: (top): 'stack' is a required property"),
        ("{nope", "not JSON"),
    ],
)
def test_a_bad_previous_plan_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    previous = tmp_path / "plan.json"
    previous.write_text(content)
    assert plan.main([*CLUSTER, "--compare", str(previous), "--out", str(tmp_path / "out")]) == 2
    assert expected in capsys.readouterr().err


def test_a_version_1_plan_is_still_compared_against(tmp_path: Path, dev_plan: Path) -> None:
    """Version 2 changed only `openclaw`; a plan.json written before it compares as it did."""
    written_by_v1 = json.loads(dev_plan.read_text())
    written_by_v1["schema_version"] = 1
    written_by_v1["openclaw"] = {"version": "2026.9.6", "valid": True, "issues": [], "warnings": []}
    previous = tmp_path / "v1.json"
    previous.write_text(json.dumps(written_by_v1))
    data, _ = compared(tmp_path, previous, DEV)
    assert (data["schema_version"], data["summary"]["same"]) == (2, 6)


def test_a_version_1_plan_is_checked_against_version_1s_shape(
    tmp_path: Path, dev_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mislabelled = json.loads(dev_plan.read_text())
    mislabelled["schema_version"] = 1  # but version 2's `openclaw`
    previous = tmp_path / "v1.json"
    previous.write_text(json.dumps(mislabelled))
    assert plan.main([*CLUSTER, "--compare", str(previous), "--out", str(tmp_path / "out")]) == 2
    assert (
        f"--compare {previous}: not a plan.json: openclaw: Additional properties are not "
        "allowed ('already_in_base', 'base_valid', 'pod', 'skipped' were unexpected)\n"
    ) in capsys.readouterr().err


def test_a_version_2_plan_from_before_openclaw_skipped_is_still_compared_against(
    tmp_path: Path, dev_plan: Path
) -> None:
    """`openclaw.skipped` (--no-openclaw) came later within version 2, like `commit`."""
    earlier = json.loads(dev_plan.read_text())
    del earlier["openclaw"]["skipped"]
    previous = tmp_path / "earlier.json"
    previous.write_text(json.dumps(earlier))
    data, _ = compared(tmp_path, previous, DEV)
    assert (data["openclaw"]["skipped"], data["summary"]["same"]) == (True, 6)


def test_compare_accepts_the_previous_output_folder(tmp_path: Path, dev_plan: Path) -> None:
    data, _ = compared(tmp_path, dev_plan.parent, DEV)
    assert data["summary"]["same"] == 6


def test_input_changes_are_leaf_by_leaf() -> None:
    old = {"a": {"b": 1, "c": [1, 2]}, "d": True}
    new = {"a": {"b": 1.5, "c": [1]}, "d": 1, "e": "x"}
    assert input_changes(old, new) == [
        Change("a.b", "update", 1, 1.5),
        Change("a.c[1]", "delete", 2, None),
        Change("d", "update", True, 1),  # JSON's true is not 1
        Change("e", "add", None, "x"),
    ]


def test_summary_line_reads_like_pulumi_preview() -> None:
    counts = {"create": 1, "update": 1, "replace": 1, "delete": 0, "same": 3}
    assert summary_line(counts) == "+ 1 to create, ~ 1 to update, +- 1 to replace, 3 unchanged"


def test_up_steps_delete_replaced_and_removed_at_the_end_in_reverse() -> None:
    def resource(id_: str, action: str, mode: str | None = None) -> PlannedResource:
        return PlannedResource(
            id_, None, "t", id_, action, mode, [], id_, {}, [], False, None, "no pod restart", None
        )

    resources = [resource("a", "replace", "create-before-delete"), resource("b", "delete")]
    resources.insert(1, resource("c", "update"))
    steps = [(s.operation, s.id) for s in up_steps(resources, None, ["a", "b", "c"])]
    assert steps == [("create", "a"), ("update", "c"), ("delete", "b"), ("delete", "a")]


def test_enabled_false_is_planned_as_a_destroy_with_its_own_line(
    tmp_path: Path, dev_plan: Path
) -> None:
    switched = DEV.replace(
        "openclaw-cron-webhook:enabled: true", "openclaw-cron-webhook:enabled: false"
    )
    assert switched != DEV  # the stack states `enabled: true`: a revert flips exactly this
    data, text = compared(tmp_path, dev_plan, switched)
    assert {r["action"] for r in data["resources"]} == {"delete"}
    assert data["summary"] == {"create": 0, "update": 0, "replace": 0, "delete": 6, "same": 0}
    assert [s["id"] for s in data["steps"]] == [
        s["id"] for s in json.loads(dev_plan.read_text())["destroy"]
    ]
    # What `pulumi destroy` of the earlier plan does, step by step, then where the parameter goes.
    destroy = json.loads(dev_plan.read_text())["destroy"]
    assert data["switch"] == (
        "Phase 2 switched off (enabled: false): the next `pulumi up` removes it, like "
        "`pulumi destroy`, in this order: "
        + "; ".join(f"{step['id']}: {step['does']}" for step in destroy)
        + ". The SSM parameter is kept or deleted as `token.retainOnDestroy` was at the last "
        "`pulumi up` (the state's retainOnDelete): change it with an `up` of its own first."
    )
    assert f"  rollback switch: {data['switch']}\n" in text
    # The deleted resources are explained by their own kind: only the env entry rolls pods.
    assert by_id(data)[ENV]["pods"] == "restarts pods: one rollout of Deployment openclaw/openclaw"
    assert (
        '\n  restarts pods: delete EnvEntry "openclaw-cron-webhook-env": one rollout of '
        "Deployment openclaw/openclaw\n"
    ) in text
    assert data["document"]["result"] == "removed"
    assert '-  "cron": {' in data["document"]["diff"]


def test_section_present_false_deletes_only_the_section(tmp_path: Path, dev_plan: Path) -> None:
    stack = DEV + "  openclaw-cron-webhook:section:\n    present: false\n"
    data, _ = compared(tmp_path, dev_plan, stack)
    actions = {r["id"]: r["action"] for r in data["resources"]}
    assert [i for i, a in actions.items() if a != "same"] == [SECTION]
    assert actions[SECTION] == "delete"
    assert "restarts pods: nothing" in _
    (removal,) = [s for s in json.loads(dev_plan.read_text())["destroy"] if s["id"] == SECTION]
    assert data["switch"].startswith(
        "the `cron` section is not written (section.present: false): the next `pulumi up` "
        f"removes it, and only it (no rollout): {SECTION}: {removal['does']}. OpenClaw then "
    )
    assert "the scheduler keeps running" in data["switch"]


def planned(
    id_: str,
    action: str,
    mode: str | None = None,
    *,
    waits: str | None = None,
    retain: bool = False,
    inputs: dict[str, Any] | None = None,
) -> PlannedResource:
    """A resource of a type no stage explains (generic words), targeting `<id>-target`."""
    return PlannedResource(
        id_,
        None,
        "t",
        id_,
        action,
        mode,
        [],
        f"{id_}-target",
        inputs or {},
        [],
        retain,
        waits,
        f"pods of {id_}",
        None,
    )


def test_up_steps_say_what_each_operation_does() -> None:
    """Creates and updates name their target and what they wait for (nothing: no clause);
    a replacement's create says it is the replacement; a delete-before-create replacement
    deletes in place, after the steps before it; a kept resource is kept when deleted."""
    resources = [
        planned("new", "create", waits="waits until new is ready"),
        planned("bare", "create"),
        planned("up", "update", waits="waits until up rolled out"),
        planned("still", "update"),
        planned("swap", "replace", "create-before-delete", waits="waits until swap is ready"),
        planned("again", "replace", "create-before-delete"),
        planned("inplace", "replace", "delete-before-create"),
        planned("kept", "delete", retain=True),
        planned("gone", "delete"),
    ]
    order = ["kept", "gone", "new", "bare", "up", "still", "swap", "again", "inplace"]
    assert up_steps(resources, None, order) == [
        Step("create", "new", "creates new-target; waits until new is ready"),
        Step("create", "bare", "creates bare-target"),
        Step("update", "up", "updates up-target; pods of up; waits until up rolled out"),
        Step("update", "still", "updates still-target; pods of still"),
        Step("create", "swap", "creates the replacement: swap-target; waits until swap is ready"),
        Step("create", "again", "creates the replacement: again-target"),
        Step("delete", "inplace", "deletes it"),
        Step("create", "inplace", "creates the replacement: inplace-target"),
        Step("delete", "again", "deletes it"),
        Step("delete", "swap", "deletes it"),
        Step("delete", "gone", "deletes it"),
        Step("delete", "kept", "kept (retainOnDelete)"),
    ]


def test_a_secret_from_a_created_resource_is_a_new_value() -> None:
    """A resource new to this plan is created, and a secret computed from it changes; a
    resource after it is still compared; `secret_sources` need not name every resource."""
    previous = {
        "resources": [
            {"id": "param", "action": "create", "inputs": {"value": SECRET}},
            {"id": "plain", "action": "create", "inputs": {"a": 1}},
        ]
    }
    resources = [
        planned("token", "create"),
        planned("param", "create", inputs={"value": SECRET}),
        planned("plain", "create", inputs={"a": 1}),
    ]
    assert compare(resources, previous, {"param": {"value": ["token"]}}) == []
    assert [(r.id, r.action, r.changes) for r in resources] == [
        ("token", "create", []),
        (
            "param",
            "update",
            [Change("value", "update", SECRET, SECRET, "a new value from the created token")],
        ),
        ("plain", "same", []),
    ]
