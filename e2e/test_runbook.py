"""The runbook as tests (issue 20): every shell command of README.md's rollout section and of
docs/operations.md, taken from the Markdown now (e2e.runbook), run as written by `bash -c` in a
copy of this repository, with the documented effect asserted in the cluster and in moto.

The life it runs, on the documented `dev` stack: the manual runbook already created the
parameter → login, select, the tracked-ConfigMap choice, preview (5 resources to create, nothing
else) → `pulumi up` stops at ParameterAlreadyExists → the documented import → `pulumi up`
adopts it → the token, ./bin/verify → every hop checked by its documented command, with its
documented output → rotation → the troubleshooting commands on the new pair → config-only
rollback → an in-cluster receiver allowed by name → fallback to announce on a gateway started as
the pod would run it → full rollback (./bin/verify then says Phase 2 is absent) → the upgrade
from a stack of the DeploymentPatch version (that commit's program, `pulumi up`, then the
documented commands) → verifying another OpenClaw version → every documented command ran.

What differs from the documents is in e2e.runbook, and only there: placeholders and what cannot
run here (SUBSTITUTIONS), the shell's environment (ENVIRONMENT: the backend, moto, the control
plane, PULUMI_SKIP_CONFIRMATIONS for pulumi's yes prompt) and EXCLUDED. The Application carries
the ignoreDifferences stanza the preview's refusal prints (the other half of the documented
choice), put by the test: it is Argo CD's object, not a command. Each step is one test, in
order, on one stack; report.json's `cli.commands` lists each documented command with its
source (file:line) and whether it did what the document says.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from kubernetes import config

from components.gitops_tracking import ignore_differences_stanza
from components.openclaw_document import read_section
from e2e import cli_output, runbook
from e2e.gitops_observe import env_entry_owners
from e2e.materialise import materialise
from e2e.observe import ClusterView, ssm_client, ssm_parameter, wait_for
from e2e.openclaw_gateway import OpenClawHome, running
from e2e.runbook import Command, Shell, find
from e2e.stack_driver import (
    ROOT,
    CliRun,
    Report,
    cli_environment,
    keep_lines,
    link_venv,
    run_command,
)
from e2e.webhook_receiver import WebhookReceiver
from e2e.world import APPLICATION, CONFIGMAP, DOCUMENT_KEY, NAMESPACE, World, put_application
from e2e.world import snapshot as world_snapshot
from openclaw_runtime.install import OpenClawInstall

if TYPE_CHECKING:
    from e2e.conftest import StackKeeper

pytestmark = pytest.mark.e2e

STACK = "dev"  # the documents' stack
README = "README.md"
OPS = "docs/operations.md"
ROLLOUT = "Prerequisites for a real rollout"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"
FIELD_MANAGER = "openclaw-cron-webhook"
DEFAULT_TAGS = {"app": "openclaw", "component": "cron-webhook", "managed-by": "pulumi"}
# The last program whose env entry was a kubernetes DeploymentPatch: the parent of b8a56d3
# ("Env entry as its own resource"), checked below to still be that.
PATCH_PROGRAM = "64254cd231f042e75155a3ec07371a822358fafd"
DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch"
EXEC_PREFIX = "kubectl -n openclaw exec deploy/openclaw -c openclaw -- "
# The Phase 2 resources as the CLI displays them.
PHASE2 = {
    ("random:index:RandomBytes", "cron-webhook-token"),
    ("aws:ssm:Parameter", "cron-webhook-token"),
    ("kubernetes:external-secrets.io/v1:ExternalSecret", "cron-webhook"),
    ("pulumi-python:dynamic/openclaw:EnvEntry", "openclaw-cron-webhook-env"),
    ("pulumi-python:dynamic/openclaw:JsonSection", "openclaw-cron-section"),
}
# What only the stack's own components and the engine's providers add to a preview.
FRAMEWORK_TYPES = ("openclaw-cron-webhook:index:", "pulumi:providers:", "pulumi:pulumi:Stack")


def git(*args: str, cwd: Path = ROOT) -> str:
    """`git ARGS` (as e2e.git_remote runs it: from PATH, failing with git's message)."""
    executable = shutil.which("git")
    if executable is None:
        raise RuntimeError("git is not on PATH (the runbook's copy of the repository needs it)")
    command = [executable, "-c", "user.name=e2e", "-c", "user.email=e2e@localhost.invalid"]
    done = subprocess.run([*command, *args], cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.decode().strip()}")
    return done.stdout.decode("latin-1")


def copy_repository(destination: Path) -> Path:
    """The checkout as it is now (tracked and new files, not ignored ones) in its own git
    repository, `.venv` linked: where a person runs the documents' commands (./bin/verify,
    python3 -m …, git diff) without touching the checkout."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    link_venv(destination)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the checkout"]):
        git(*args, cwd=destination)
    return destination


@pytest.fixture(scope="module")
def docs() -> list[Command]:
    return runbook.documented()


@pytest.fixture(scope="module")
def view(control_plane: Any) -> Iterator[ClusterView]:
    api_client = config.new_client_from_config(config_file=str(control_plane.kubeconfig))
    yield ClusterView(api_client)
    api_client.close()


@pytest.fixture(scope="module")
def ssm(control_plane: Any) -> Any:
    return ssm_client(control_plane.moto_endpoint, control_plane.region)


@pytest.fixture(scope="module")
def seeded(world: World) -> dict[str, Any]:
    return world.seeded


@pytest.fixture(scope="module")
def ignoring_application(view: ClusterView, world: World) -> Iterator[None]:
    """The Application with the printed ignoreDifferences stanza; the reference one after."""
    stanza = yaml.safe_load(ignore_differences_stanza(NAMESPACE, CONFIGMAP, DOCUMENT_KEY))
    put_application(world, view.api_client, stanza["spec"])
    yield
    put_application(world, view.api_client, {})


@pytest.fixture(scope="module")
def shell(
    control_plane: Any,
    go_bin_dir: Path,
    stack_keeper: StackKeeper,
    e2e_report: Report,
    docs: list[Command],
    ssm: Any,
    ignoring_application: None,
) -> Iterator[Shell]:
    work = stack_keeper.work("runbook")
    repository = copy_repository(work / "repository")
    extra = {**control_plane.env(), "PULUMI_SKIP_CONFIRMATIONS": "true", "EDITOR": "true"}
    shell = Shell(repository, cli_environment(work, go_bin_dir, extra))
    yield shell
    passed = {step["name"]: step["ok"] for step in e2e_report.steps}
    e2e_report.cli["commands"] = shell.report(docs, passed)

    def remove() -> None:
        """Whatever a failed step left: destroyed, the stack removed, no parameter."""
        harness(shell, "destroy", "--yes")
        harness(shell, "stack", "rm", "--yes", "--force", STACK)
        if ssm_parameter(ssm, PARAMETER) is not None:
            ssm.delete_parameter(Name=PARAMETER)

    stack_keeper.done(STACK, keep_lines(shell.env, repository, STACK), remove)


@pytest.fixture(autouse=True)
def _step(request: pytest.FixtureRequest, shell: Shell) -> None:
    """Runs are recorded under the step (test) that made them."""
    shell.step = request.node.name


def harness(shell: Shell, *args: str) -> CliRun:
    """A `pulumi` command of the test's own (not the documents'): set-up and inspection."""
    return run_command(["pulumi", *args], shell.env, shell.cwd)


def state(shell: Shell) -> list[dict[str, Any]]:
    """The stack's resources, as `pulumi stack export` has them."""
    run = harness(shell, "stack", "export")
    assert run.exit == 0, run.output
    resources: list[dict[str, Any]] = json.loads(run.stdout)["deployment"].get("resources") or []
    return resources


def live_cron(view: ClusterView) -> dict[str, Any]:
    present, section = read_section(view.document(), "cron", context="live")
    assert present
    assert isinstance(section, dict)
    return section


def one_line(text: str) -> str:
    return " ".join(text.split())


def pulumi_shows(run: CliRun) -> set[tuple[str, str, str]]:
    """(step, type, name) of the steps a run shows on resources of Phase 2 itself."""
    return {
        (step, kind, name)
        for step, kind, name in cli_output.steps(run.stdout)
        if not kind.startswith(FRAMEWORK_TYPES)
    }


def test_a_parameter_made_by_hand_is_adopted_by_the_documented_import(
    shell: Shell,
    docs: list[Command],
    view: ClusterView,
    ssm: Any,
    seeded: dict[str, Any],
) -> None:
    by_hand = "set-by-hand-" + secrets.token_hex(8)
    ssm.put_parameter(Name=PARAMETER, Value=by_hand, Type="SecureString")

    login = shell.run(find(docs, README, ROLLOUT, "pulumi login")[0])
    assert login.exit == 0, login.output
    assert shell.env["PULUMI_BACKEND_URL"] in login.stdout
    select = shell.run(find(docs, README, ROLLOUT, "pulumi stack select")[0])
    assert select.exit == 0, select.output
    choice = shell.run(find(docs, README, ROLLOUT, "pulumi config set")[0])
    assert choice.exit == 0, choice.output
    stack_file = yaml.safe_load((shell.cwd / f"Pulumi.{STACK}.yaml").read_text())
    assert stack_file["config"]["openclaw-cron-webhook:section"] == {"writeTrackedConfigMap": True}

    preview = shell.run(find(docs, README, ROLLOUT, "pulumi preview")[0])
    assert preview.exit == 0, preview.output
    claim = find(docs, OPS, "Rollout", "pulumi preview")[0].comment
    assert claim == "review: 5 resources to create, nothing else"
    assert pulumi_shows(preview) == {("create", kind, name) for kind, name in PHASE2}

    up = find(docs, README, ROLLOUT, "pulumi up")[0]
    refused = shell.run(up, expect_exit=None)
    assert refused.exit != 0
    assert "ParameterAlreadyExists" in refused.output  # the troubleshooting row's symptom
    assert view.env_secret(ENV_NAME) is None
    assert world_snapshot(view.api_client) == seeded

    imported = shell.run(find(docs, README, ROLLOUT, "pulumi import")[0])
    assert imported.exit == 0, imported.output
    adopted = shell.run(up)
    assert adopted.exit == 0, adopted.output
    assert ("update", "aws:ssm:Parameter", "cron-webhook-token") in pulumi_shows(adopted)

    token = shell.run(find(docs, README, ROLLOUT, "pulumi stack output webhookToken")[0])
    assert token.exit == 0, token.output
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert parameter["Value"] == token.stdout.strip() != by_hand
    assert (parameter["Type"], parameter["Version"]) == ("SecureString", 2)
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=PARAMETER)["TagList"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == DEFAULT_TAGS
    parameters = [r for r in state(shell) if r["type"] == "aws:ssm/parameter:Parameter"]
    assert [r["urn"].rsplit("::", 2)[-2] for r in parameters] == [
        "openclaw-cron-webhook:index:CronWebhookDelivery$openclaw-cron-webhook:index:"
        "TokenParameter$aws:ssm/parameter:Parameter"
    ]
    assert view.external_secret_ready("openclaw-cron-webhook-r1")
    assert view.env_secret(ENV_NAME) == "openclaw-cron-webhook-r1"
    assert live_cron(view)["webhookToken"] == "${OPENCLAW_CRON_WEBHOOK_TOKEN}"

    verify = shell.run(find(docs, README, ROLLOUT, "./bin/verify")[0])
    assert verify.exit == 0, verify.output
    assert "✘" not in verify.stdout
    assert token.stdout.strip() not in verify.output


def test_each_hop_checks_as_the_runbook_shows(
    shell: Shell, docs: list[Command], view: ClusterView, ssm: Any, tmp_path: Path
) -> None:
    commands = find(docs, OPS, "Verify each hop")
    block = [c for c in commands if c.fenced]
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    shell.values.update(rotation=1, parameter_version=parameter["Version"])
    pod = shell.elsewhere(tmp_path, materialise(view).env)

    outputs = {}
    for command in block:
        ran = (pod if command.text.startswith(EXEC_PREFIX) else shell).run(command)
        assert ran.exit == 0, ran.output
        if command.comment:
            expected = runbook.substitute(command.comment, shell.values)
            assert one_line(expected) in one_line(ran.stdout), (command.source, ran.stdout)
        outputs[command.text] = ran.stdout
    [section] = [c for c in block if c.text.endswith("| jq .cron")]
    printed = harness(shell, "stack", "output", "cronSection", "--json")
    assert json.loads(outputs[section.text]) == json.loads(printed.stdout) == live_cron(view)

    listed = shell.run(find(docs, OPS, "Verify each hop", "pulumi stack output verify")[0])
    assert listed.exit == 0, listed.output
    assert sorted(json.loads(listed.stdout).values()) == sorted(c.text for c in block)
    token = shell.run(find(docs, OPS, "Verify each hop", "pulumi stack output webhookToken")[0])
    assert token.stdout.strip() == parameter["Value"]


def test_rotation_is_one_command(
    shell: Shell, docs: list[Command], view: ClusterView, ssm: Any
) -> None:
    for command in find(docs, OPS, "Operations runbook"):  # select the stack, set $S
        assert shell.run(command).exit == 0
    assert shell.env["S"] == "openclaw-cron-webhook"
    before = ssm_parameter(ssm, PARAMETER)
    assert before is not None
    document, revision = view.document(), view.revision()

    rotated = shell.run(find(docs, OPS, "Rotation")[0])
    assert rotated.exit == 0, rotated.output
    old, new = "openclaw-cron-webhook-r1", "openclaw-cron-webhook-r2"
    wait_for(f"Secret {old} garbage-collected", lambda: view.secret_data(old) is None)
    after = ssm_parameter(ssm, PARAMETER)
    assert after is not None
    assert after["Value"] != before["Value"]
    assert after["Version"] == before["Version"] + 1
    assert view.secret_data(new) == {ENV_NAME: after["Value"]}
    assert view.env_secret(ENV_NAME) == new
    assert view.external_secret(old) is None
    assert view.revision() == revision + 1
    assert view.document() == document
    token = shell.run(find(docs, OPS, "Rotation", "pulumi stack output webhookToken")[0])
    assert token.stdout.strip() == after["Value"]

    shell.values["rotation"] = 2
    describe = shell.run(find(docs, OPS, "Troubleshooting", "kubectl -n openclaw describe")[0])
    assert describe.exit == 0, describe.output
    assert "SecretSynced" in describe.stdout
    resync = shell.run(find(docs, OPS, "Troubleshooting", "kubectl -n openclaw annotate")[0])
    assert resync.exit == 0, resync.output
    annotations = (view.external_secret(new) or {})["metadata"].get("annotations") or {}
    assert annotations.get("force-sync", "").isdigit()
    wait_for(f"{new} synced again", lambda: view.external_secret_ready(new))
    assert view.secret_data(new) == {ENV_NAME: after["Value"]}


def test_config_only_rollback_changes_one_field_and_no_pod(
    shell: Shell, docs: list[Command], view: ClusterView
) -> None:
    section, revision = live_cron(view), view.revision()
    external_secret = (view.external_secret("openclaw-cron-webhook-r2") or {}).get("spec")
    env = view.container_env()

    ran = shell.run(find(docs, OPS, "Config-only rollback")[0])
    assert ran.exit == 0, ran.output
    assert live_cron(view) == {**section, "enabled": False}
    assert view.revision() == revision
    assert view.container_env() == env
    assert (view.external_secret("openclaw-cron-webhook-r2") or {}).get("spec") == external_secret


def test_an_in_cluster_receiver_is_allowed_by_its_name(
    shell: Shell, docs: list[Command], view: ClusterView
) -> None:
    revision = view.revision()
    ran = shell.run(find(docs, OPS, "Fallback to announce", "pulumi config set")[0])
    assert ran.exit == 0, ran.output
    policy = live_cron(view)["webhookSsrfPolicy"]
    assert policy == {"allowedHostnames": ["receiver.monitoring.svc"]}

    shell.values["receiver_host"] = "127.0.0.1"
    ran = shell.run(find(docs, OPS, "Troubleshooting", "pulumi config set")[0])
    assert ran.exit == 0, ran.output
    assert live_cron(view)["webhookSsrfPolicy"] == {"allowedHostnames": ["127.0.0.1"]}
    assert view.revision() == revision


def test_fallback_to_announce_is_one_openclaw_command(
    shell: Shell,
    docs: list[Command],
    view: ClusterView,
    openclaw: OpenClawInstall,
    tmp_path: Path,
) -> None:
    """On a gateway started as the pod would run it, a webhook job becomes an announce job."""
    pod = materialise(view)
    home = OpenClawHome(openclaw, tmp_path, pod.env)
    with (
        WebhookReceiver() as receiver,
        running(home, secrets.token_hex(16), pod.document) as gateway,
    ):
        job_id = gateway.add_webhook_job("fallback", receiver.url("/fallback"))
        path = f"{openclaw.root / 'node_modules' / '.bin'}:{home.env['PATH']}"
        env = dict(
            home.env,
            PATH=path,
            OPENCLAW_GATEWAY_PORT=str(gateway.port),
            OPENCLAW_GATEWAY_TOKEN=gateway.gateway_token,
        )
        pod_shell = shell.elsewhere(home.root, env, job_id=job_id, chat_id="123456789")
        ran = pod_shell.run(find(docs, OPS, "Fallback to announce", "openclaw cron edit")[0])
        assert ran.exit == 0, ran.output
        [job] = [j for j in gateway.cli("cron", "list")["jobs"] if j["id"] == job_id]
    delivery = job["delivery"]
    assert (delivery["mode"], delivery["channel"], delivery["to"]) == (
        "announce",
        "telegram",
        "123456789",
    )


def test_full_rollback_gives_back_the_world_and_verify_says_phase2_is_absent(
    shell: Shell,
    docs: list[Command],
    view: ClusterView,
    ssm: Any,
    seeded: dict[str, Any],
    world: World,
) -> None:
    secret = view.env_secret(ENV_NAME)
    assert secret is not None
    ran = shell.run(find(docs, OPS, "Full rollback", "pulumi destroy")[0])
    assert ran.exit == 0, ran.output
    wait_for(f"Secret {secret} garbage-collected", lambda: view.secret_data(secret) is None)
    assert world_snapshot(view.api_client) == seeded
    assert ssm_parameter(ssm, PARAMETER) is None
    assert world.argocd.wait_synced(view.api_client, APPLICATION)[:2] == ("Synced", "Healthy")

    verify = shell.run(find(docs, README, ROLLOUT, "./bin/verify")[0], expect_exit=1)
    assert verify.exit == 1, verify.output


def install_program(repository: Path, revision: str | None) -> None:
    """`__main__.py` and `components/` of `revision` (None: the checkout's) in the copy."""
    shutil.rmtree(repository / "components")
    if revision is None:
        shutil.copy2(ROOT / "__main__.py", repository / "__main__.py")
        shutil.copytree(
            ROOT / "components", repository / "components", ignore=shutil.ignore_patterns("*.pyc")
        )
        return
    for name in (
        "__main__.py",
        *git("ls-tree", "-r", "--name-only", revision, "components").split(),
    ):
        target = repository / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(git("show", f"{revision}:{name}"), encoding="latin-1")


def reset_stack_config(repository: Path) -> None:
    """Pulumi.dev.yaml's config as the repository has it (its salt kept: the secrets)."""
    stack_file = repository / f"Pulumi.{STACK}.yaml"
    current = yaml.safe_load(stack_file.read_text())
    original = yaml.safe_load((ROOT / f"Pulumi.{STACK}.yaml").read_text())
    stack_file.write_text(yaml.safe_dump({**current, "config": original["config"]}))


def test_a_stack_of_the_deployment_patch_version_upgrades_as_documented(
    shell: Shell, docs: list[Command], view: ClusterView, seeded: dict[str, Any]
) -> None:
    old_env_patch = git("show", f"{PATCH_PROGRAM}:components/env_patch.py")
    assert "k8s.apps.v1.DeploymentPatch(" in old_env_patch
    reset_stack_config(shell.cwd)
    install_program(shell.cwd, PATCH_PROGRAM)
    try:
        old = harness(shell, "up", "--yes")
    finally:
        install_program(shell.cwd, None)
    assert old.exit == 0, old.output
    assert [r["type"] for r in state(shell)].count(DEPLOYMENT_PATCH) == 1
    revision = view.revision()
    assert view.env_secret(ENV_NAME) == "openclaw-cron-webhook-r1"
    choice = find(docs, README, ROLLOUT, "pulumi config set")[0]
    assert shell.run(choice).exit == 0

    drop, up = find(docs, OPS, "Upgrading a stack")[:2]
    section = live_cron(view)
    dropped = shell.run(drop)
    assert dropped.exit == 0, dropped.output
    left = {r["type"] for r in state(shell)}
    assert DEPLOYMENT_PATCH not in left
    assert "pulumi-python:dynamic/openclaw:JsonSection" not in left  # --target-dependents
    assert view.env_secret(ENV_NAME) == "openclaw-cron-webhook-r1"  # the cluster untouched
    assert live_cron(view) == section
    upgraded = shell.run(up)
    assert upgraded.exit == 0, upgraded.output

    assert "pulumi-python:dynamic/openclaw:EnvEntry" in {r["type"] for r in state(shell)}
    assert view.revision() == revision, "the EnvEntry's adoption rolled the pods"
    assert view.env_secret(ENV_NAME) == "openclaw-cron-webhook-r1"
    assert env_entry_owners(view.deployment(), ENV_NAME) == [FIELD_MANAGER]
    assert live_cron(view)["enabled"] is True

    assert harness(shell, "destroy", "--yes").exit == 0
    wait_for(
        "Secret openclaw-cron-webhook-r1 garbage-collected",
        lambda: view.secret_data("openclaw-cron-webhook-r1") is None,
    )
    assert world_snapshot(view.api_client) == seeded


def test_verifying_another_openclaw_version_runs_as_documented(
    shell: Shell, docs: list[Command]
) -> None:
    """With the pin kept (EDITOR=true), the vendored schema is what the pinned OpenClaw
    prints: `git diff` shows nothing. `./bin/test` is EXCLUDED (it runs this suite)."""
    outputs = {}
    for command in find(docs, OPS, "Which OpenClaw version"):
        if runbook.excluded(command):
            continue
        ran = shell.run(command)
        assert ran.exit == 0, ran.output
        outputs[command.text] = ran.stdout
    assert outputs["git diff components/openclaw_cron_schema.json"] == ""


def test_every_documented_command_ran(shell: Shell, docs: list[Command]) -> None:
    ran = {r.command.text for r in shell.runs}
    missing = [
        f"{c.source}: {c.text}" for c in docs if c.text not in ran and not runbook.excluded(c)
    ]
    assert missing == []
    stale = [
        key
        for key in runbook.EXCLUDED
        if not any(c.section.startswith(key[0]) and key[1] in ("*", c.text) for c in docs)
    ]
    assert stale == [], "EXCLUDED names commands the documents no longer have"
