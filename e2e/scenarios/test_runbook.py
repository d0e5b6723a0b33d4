"""The runbook as tests (issues 20 and 27): every shell command of README.md and docs/, taken from
the Markdown now (e2e.harness.runbook), run as written by `bash -c` in a copy of this repository,
with
the documented effect asserted in the cluster, in the GitOps repository and in moto; and every
command the code prints (e2e.harness.printed), run as printed.

The life it runs, on the documented `dev` stack, in the world Argo CD owns: the README's day-1
block verbatim, top to bottom (login with a passphrase file, stack init, context, the GitOps
repository, preview, up, verify, the receiver's Secret, a job switched to webhook delivery, and
a delivery whose Bearer is the SSM value) → every printed command → every hop checked by its
documented command → rotation → the troubleshooting commands on the new pair → config-only
rollback → an in-cluster receiver allowed by name → fallback to announce on a gateway started as
the pod would run it → full rollback (./bin/verify then says Phase 2 is absent; the
repository's file byte for byte as seeded) → a parameter made by hand adopted by the documented
import → the upgrade from a stack of the DeploymentPatch version (cluster mode) → a stack the
first program with the env entry created (cluster mode), and one the first with the git section
created, each refreshed, updated and destroyed by HEAD's code → verifying another OpenClaw
version → every documented command ran.

What differs from the documents is in e2e.harness.runbook, and only there: placeholders and what
cannot
run here (SUBSTITUTIONS), the shell's environment (ENVIRONMENT: the backend, moto, the control
plane, PULUMI_SKIP_CONFIRMATIONS for pulumi's yes prompt) and EXCLUDED. Each step is one test,
in order, on one stack; report.json's `day1`, `printed_commands` and `cli.commands` list each
command with its source (file:line) and whether it did what the document says.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from kubernetes import client, config

from e2e.harness import cli_output, printed, runbook, stack_driver
from e2e.harness.gitops_observe import env_entry_owners
from e2e.harness.materialise import materialise
from e2e.harness.observe import ClusterView, ssm_parameter, wait_for
from e2e.harness.openclaw_gateway import Gateway, OpenClawHome, running
from e2e.harness.runbook import Command, Shell, find
from e2e.harness.stack_driver import (
    PASSPHRASE,
    ROOT,
    CliRun,
    Report,
    cli_environment,
    keep_lines,
    link_venv,
    run_command,
)
from e2e.harness.webhook_receiver import WebhookReceiver
from e2e.harness.world import (
    APPLICATION,
    CONFIGMAP,
    CONFIGMAP_FILE,
    DOCUMENT_KEY,
    NAMESPACE,
    World,
    configmap_manifest_text,
    put_application,
)
from e2e.harness.world import snapshot as world_snapshot
from openclaw_runtime import cache
from openclaw_runtime.install import OpenClawInstall
from stack.config_issues import config_parts
from stages.section.document import read_section
from stages.section.git.manifest import ManifestTarget, find_document
from stages.section.tracking import ignore_differences_stanza

if TYPE_CHECKING:
    from e2e.conftest import StackKeeper

pytestmark = pytest.mark.e2e

STACK = "dev"  # the documents' stack
README = "README.md"
OPS = "docs/operations.md"
DAY1 = "Day 1"
PASSPHRASE_FILE = ".config/openclaw-cron-webhook/passphrase"  # under HOME, as the README says
RECEIVER_NAMESPACE = "monitoring"  # the receiver's own namespace (README, day 1, step 6)
RECEIVER_SECRET = "openclaw-cron-webhook-token"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"
FIELD_MANAGER = f"openclaw-cron-webhook/{STACK}"  # the env entry's: the stack's own
DEFAULT_TAGS = {"app": "openclaw", "component": "cron-webhook", "managed-by": "pulumi"}
# The last program whose env entry was a kubernetes DeploymentPatch: the parent of b8a56d3
# ("Env entry as its own resource"), checked below to still be that.
PATCH_PROGRAM = "64254cd231f042e75155a3ec07371a822358fafd"
DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch"
EXEC_PREFIX = "kubectl -n openclaw exec deploy/openclaw -c openclaw -- "
DAY1_EXEC_PREFIX = "kubectl --context lolice -n openclaw exec deploy/openclaw -c openclaw -- "
# The Phase 2 resources as the CLI displays them (README, day 1, step 5: "the path's 6").
PHASE2 = {
    ("pulumi-python:dynamic/openclaw:RotationGuard", "cron-webhook-token-rotation"),
    ("random:index:RandomBytes", "cron-webhook-token"),
    ("aws:ssm:Parameter", "cron-webhook-token"),
    ("kubernetes:external-secrets.io/v1:ExternalSecret", "cron-webhook"),
    ("pulumi-python:dynamic/openclaw:EnvEntry", "openclaw-cron-webhook-env"),
    ("pulumi-python:dynamic/openclaw:GitJsonSection", "openclaw-cron-section"),  # git mode
}
# What only the stack's own components and the engine's providers add to a preview.
FRAMEWORK_TYPES = ("openclaw-cron-webhook:index:", "pulumi:providers:", "pulumi:pulumi:Stack")


def git(*args: str, cwd: Path = ROOT) -> str:
    """`git ARGS` (as e2e.harness.git_remote runs it: from PATH, failing with git's message)."""
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
    return control_plane.ssm_client()


@pytest.fixture(scope="module")
def seeded(world: World) -> dict[str, Any]:
    return world.seeded


@pytest.fixture
def ignoring_application(view: ClusterView, world: World) -> Iterator[None]:
    """The Application with the printed ignoreDifferences stanza (the cluster-mode choice of a
    tracked ConfigMap); the reference one after."""
    stanza = yaml.safe_load(ignore_differences_stanza(NAMESPACE, CONFIGMAP, DOCUMENT_KEY))
    put_application(world, view.api_client, stanza["spec"])
    yield
    put_application(world, view.api_client, {})


@dataclass
class Pod:
    """The gateway day 1 starts as the pod runs it (its env and document after step 7), kept
    for the module: the fallback to announce edits a job on the same gateway."""

    home: OpenClawHome
    gateway: Gateway
    env: dict[str, str]


@pytest.fixture(scope="module")
def pod_gateways() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(scope="module")
def pods() -> dict[str, Pod]:
    return {}


@pytest.fixture(scope="module")
def receiver_namespace(view: ClusterView) -> Iterator[str]:
    """The webhook receiver's namespace, as its owners have it before day 1."""
    core = client.CoreV1Api(view.api_client)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=RECEIVER_NAMESPACE)))
    yield RECEIVER_NAMESPACE
    core.delete_namespace(RECEIVER_NAMESPACE)


@pytest.fixture(scope="module")
def shell(
    control_plane: Any,
    go_bin_dir: Path,
    stack_keeper: StackKeeper,
    e2e_report: Report,
    docs: list[Command],
    ssm: Any,
    world: World,
    receiver_namespace: str,
) -> Iterator[Shell]:
    """A person's shell in a fresh copy of the project: their own HOME holding the team's
    passphrase file (the day-1 block exports its path; no passphrase in the environment), the
    control plane's kubeconfig and moto's credentials."""
    work = stack_keeper.work("runbook")
    repository = copy_repository(work / "repository")
    home = work / "home"
    (home / PASSPHRASE_FILE).parent.mkdir(parents=True)
    (home / PASSPHRASE_FILE).write_text(PASSPHRASE)
    (home / PASSPHRASE_FILE).chmod(0o600)
    extra = {
        **control_plane.env(),
        "HOME": str(home),
        "OPENCLAW_CRON_WEBHOOK_CACHE": str(cache.cache_root()),
        "PULUMI_SKIP_CONFIRMATIONS": "true",
        "EDITOR": "true",
    }
    env = cli_environment(work, go_bin_dir, extra)
    del env["PULUMI_CONFIG_PASSPHRASE"]
    clone = work / "gitops-clone"
    git("clone", "-q", world.repo.url, str(clone), cwd=work)
    values = {
        "backend_url": env["PULUMI_BACKEND_URL"],
        "context": "e2e",
        "repo_url": world.repo.url,
        "repo_clone": str(clone),
    }
    shell = Shell(repository, env, values)
    yield shell
    passed = {step["name"]: step["ok"] for step in e2e_report.steps}
    e2e_report.cli["commands"] = shell.report(docs, passed)
    code = printed.report(shell.runs, passed)
    listed = [*e2e_report.cli["commands"], *code]
    e2e_report.printed_commands = {
        "ran_ok": sum(1 for e in listed if e["ok"]),
        "excluded": sum(1 for e in listed if e["ok"] is None),
        "failed_or_missing": sum(1 for e in listed if e["ok"] is False),
        "documented": e2e_report.cli["commands"],
        "printed_by_the_code": code,
    }

    def remove() -> None:
        """Whatever a failed step left: destroyed, the stack removed, no parameter."""
        shell.env["PULUMI_CONFIG_PASSPHRASE_FILE"] = str(home / PASSPHRASE_FILE)
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


def test_day1_exactly_as_the_readme_says(
    shell: Shell,
    docs: list[Command],
    view: ClusterView,
    ssm: Any,
    world: World,
    openclaw: OpenClawInstall,
    tmp_path_factory: pytest.TempPathFactory,
    e2e_report: Report,
    pod_gateways: ExitStack,
    pods: dict[str, Pod],
) -> None:
    """Given a fresh copy of the project in the world Argo CD owns, when the README's day-1
    block runs top to bottom as written (only the documented values substituted), then verify
    exits 0 and the materialised pod's OpenClaw delivers a webhook whose Bearer is the SSM
    value, which the receiver read from its own Secret."""
    block = [c for c in docs if c.path == README and c.section == DAY1 and c.fenced]
    started, verify_exit = time.monotonic(), None
    entries: list[dict[str, Any]] = []
    with WebhookReceiver() as receiver:
        shell.values.update(receiver_url=receiver.url("/openclaw"), receiver_name="127.0.0.1")
        for command in block:
            runner = shell
            if command.text.startswith(DAY1_EXEC_PREFIX):  # in the pod: its env and document
                pod = start_pod(view, openclaw, tmp_path_factory.mktemp("pod"), pod_gateways)
                pods["day1"] = pod
                gateway = pod.gateway
                add = ("cron", "add", "--name", "daily", "--every", "1h", "--command", "echo ok")
                job = gateway.cli(*add)
                runner = shell.elsewhere(pod.home.root, pod.env, job_id=job["id"])
            ran = runner.run(command)
            entries.append({"command": command.text, "source": command.source, "ok": ran.exit == 0})
            assert ran.exit == 0, (command.source, ran.output)
            if command.text == "./bin/verify":
                verify_exit = ran.exit
            if command.text == "pulumi preview":
                assert pulumi_shows(ran) == {("create", kind, name) for kind, name in PHASE2}
        entry = gateway.run_job(job["id"])
        arrived = receiver.wait_for("/openclaw", 30)
    seconds = round(time.monotonic() - started, 1)

    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    receivers_copy = view.secret_data(RECEIVER_SECRET, namespace=RECEIVER_NAMESPACE)
    assert receivers_copy == {"token": parameter["Value"]}
    bearer_is_ssm_value = arrived.header("Authorization") == [f"Bearer {parameter['Value']}"]
    assert bearer_is_ssm_value, "the Bearer is not the SSM value"  # the token is never printed
    assert entry["deliveryStatus"] == "delivered", entry
    assert verify_exit == 0
    assert view.env_secret(ENV_NAME) == "openclaw-cron-webhook-r1"
    assert live_cron(view)["webhookSsrfPolicy"] == {"allowedHostnames": ["127.0.0.1"]}
    assert in_git(world) == live_cron(view)
    assert [r["type"] for r in state(shell) if r["type"].startswith("pulumi-python")] == [
        "pulumi-python:dynamic/openclaw:RotationGuard",
        "pulumi-python:dynamic/openclaw:EnvEntry",
        "pulumi-python:dynamic/openclaw:GitJsonSection",
    ]
    e2e_report.day1 = {
        "commands": entries,
        "seconds": seconds,
        "verify_exit": verify_exit,
        "excluded": [c.source for c in block if runbook.excluded(c)],
        "webhook": {
            "delivered": entry["deliveryStatus"],
            "bearer_is_ssm_value": bearer_is_ssm_value,
            "receiver_secret": f"{RECEIVER_NAMESPACE}/{RECEIVER_SECRET}",
        },
    }


def in_git(world: World) -> Any:
    """The `cron` section in the GitOps repository's ConfigMap manifest (None: absent)."""
    target = ManifestTarget(NAMESPACE, CONFIGMAP, DOCUMENT_KEY)
    document = find_document(world.repo.read(CONFIGMAP_FILE), target, source="git").document
    return read_section(document, "cron", context="git")[1]


def start_pod(view: ClusterView, openclaw: OpenClawInstall, root: Path, stack: ExitStack) -> Pod:
    """OpenClaw started as the pod runs it now, and the environment a shell in the pod has:
    the container's env, `openclaw` on PATH, and the gateway's port and token."""
    materialised = materialise(view)
    home = OpenClawHome(openclaw, root, materialised.env)
    gateway = stack.enter_context(running(home, secrets.token_hex(16), materialised.document))
    path = f"{openclaw.root / 'node_modules' / '.bin'}:{home.env['PATH']}"
    env = dict(
        home.env,
        PATH=path,
        OPENCLAW_GATEWAY_PORT=str(gateway.port),
        OPENCLAW_GATEWAY_TOKEN=gateway.gateway_token,
    )
    return Pod(home, gateway, env)


SCRATCH = "printed"  # the stack the printed config commands run on: their effect, not dev's
# Sections whose commands a step of their own runs (with its effect asserted there).
OWN_STEPS = {
    README: ("Day 1",),
    OPS: (
        "Operations runbook",
        "Rollout",
        "Verify each hop",
        "Rotation",
        "Config-only rollback",
        "Full rollback",
        "Fallback to announce",
        "Troubleshooting",
        "Upgrading a stack",
        "Which OpenClaw version",
        "After a failed",
    ),
}


def test_every_printed_command_runs_as_printed(
    shell: Shell,
    docs: list[Command],
    view: ClusterView,
    world: World,
    control_plane: Any,
) -> None:
    """Given the day-1 stack, when each command the code prints (as a call-site renders it,
    e2e.harness.printed) and each documented one no other step runs is run as printed, then it does
    what it says: a config command sets or removes exactly its key (on a scratch stack), an
    `up`/`refresh` of the unchanged stack changes nothing, and every read-only command answers."""
    for command in find(docs, OPS, "Operations runbook"):  # select the stack, set $S
        assert shell.run(command).exit == 0
    shell.values.update(
        stack=SCRATCH,
        endpoint=control_plane.moto_endpoint,
        region=control_plane.region,
        kubeconfig=str(control_plane.kubeconfig),
    )
    assert harness(shell, "stack", "init", SCRATCH, "--copy-config-from", STACK).exit == 0
    assert harness(shell, "stack", "select", STACK).exit == 0
    before = (view.revision(), view.document(), world.repo.head())
    owned = [
        c
        for c in docs
        if c.section.startswith(OWN_STEPS.get(c.path, ("\0",))) and (c.fenced or c.path == OPS)
    ]
    todo = [c for c in docs if c not in owned and runbook.excluded(c) is None]
    todo += [
        Command(rendering, site.path, site.line, "printed by the code")
        for site in printed.code_sites()
        for rendering in printed.renderings(site)
    ]
    # What a later step runs from its own block (with its effect), not here, out of place.
    later = {c.text for c in owned if c.path == OPS and c.fenced}  # `pulumi destroy` too
    todo = [c for c in todo if c.text not in later]
    assert harness(shell, "stack", "select", SCRATCH).exit == 0
    try:
        for command in unique(c for c in todo if is_config_change(c.text)):
            on_scratch_stack(shell, command)
    finally:
        assert harness(shell, "stack", "select", STACK).exit == 0
    for command in unique(c for c in todo if not is_config_change(c.text)):
        if command.text in {r.command.text for r in shell.runs}:
            continue
        where = shell
        if command.text.startswith("git show"):  # in the GitOps repository's clone
            where = shell.elsewhere(Path(shell.values["repo_clone"]), shell.env)
        ran = where.run(command)
        assert ran.exit == 0, (command.source, ran.output)
    after = (view.revision(), view.document(), world.repo.head())
    assert after == before, "a printed command changed the running stack"
    assert harness(shell, "stack", "rm", "--yes", "--force", SCRATCH).exit == 0
    assert harness(shell, "stack", "select", STACK).exit == 0
    assert git("status", "--porcelain", "docs", cwd=shell.cwd) == ""  # config_table --write


def unique(commands: Iterable[Command]) -> list[Command]:
    """Each text once, where it first appears."""
    seen: dict[str, Command] = {}
    for command in commands:
        seen.setdefault(command.text, command)
    return list(seen.values())


def is_config_change(text: str) -> bool:
    """Every part a `pulumi config set|rm` of the selected (or the scratch) stack."""
    return all(
        re.match(r"pulumi config (set|rm) ", part) and "--stack dev" not in part
        for part in text.split(" && ")
    )


def on_scratch_stack(shell: Shell, command: Command) -> None:
    """Runs a config command on the (selected) scratch stack; then each key it sets is in the
    stack file where the stack reads it (nested with `--path`, literal without), holding the
    value it gave, and each key it removes is gone."""
    text = runbook.substitute(command.text, shell.values).replace("$S", shell.env["S"])
    for part in text.split(" && "):  # a mistake the fix undoes is made first, as a user did
        words = shlex.split(part)
        if words[2] == "rm" and "--path" not in words:
            harness(shell, "config", "set", words[-1], "git")  # a flat key, or a misspelt one
    ran = shell.run(command)
    assert ran.exit == 0, (command.source, ran.output)
    config = yaml.safe_load((shell.cwd / f"Pulumi.{SCRATCH}.yaml").read_text())["config"]
    for part in text.split(" && "):
        words = [w for w in shlex.split(part) if w != "--secret"]
        nested = "--path" in words
        words = [w for w in words if w != "--path"]
        if "--stack" in words:
            del words[words.index("--stack") : words.index("--stack") + 2]
        found = config_value(config, words[3], nested)
        if words[2] == "rm":
            assert found is ABSENT, (command.source, f"{words[3]} is still set: {found}")
            continue
        given = run_command(["bash", "-c", f'printf %s "{words[4]}"'], shell.env, shell.cwd)
        if "--secret" in part:
            assert isinstance(found, dict), (command.source, found)
            assert set(found) == {"secure"}, (command.source, found)
        else:
            assert json_text(found) == given.stdout, (command.source, found)


ABSENT = object()


def config_value(config: dict[str, Any], key: str, nested: bool) -> Any:
    """The value a stack file holds at `key`: with `--path`, `ns:a.b[0]` inside `ns:a`;
    without, the one literal key (which is how a nested key set without --path lands)."""
    if not nested:
        return config.get(key, ABSENT)
    namespace, _, path = key.partition(":")
    steps = config_parts(path)
    node: Any = config.get(f"{namespace}:{steps[0]}", ABSENT)
    for step in steps[1:]:
        held = isinstance(node, dict) and step in node
        listed = isinstance(node, list) and isinstance(step, int) and step < len(node)
        if not (held or listed):
            return ABSENT
        node = node[step]
    return node


def json_text(value: Any) -> str:
    """A config value as `pulumi config set` was given it (true, 2, text)."""
    return value if isinstance(value, str) else json.dumps(value)


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
    receiver = shell.run(find(docs, OPS, "Rotation", "pulumi stack output webhookToken")[0])
    assert receiver.exit == 0, receiver.output
    assert after["Value"] not in receiver.output
    copy = view.secret_data(RECEIVER_SECRET, namespace=RECEIVER_NAMESPACE)
    assert copy == {"token": after["Value"]}

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

    # The section alone: gone from the live document, token, Secret and env entry in place.
    remove = find(
        docs, OPS, "Config-only rollback", 'pulumi config set --path "$S:section.present"'
    )[0]
    ran = shell.run(remove)
    assert ran.exit == 0, ran.output
    assert read_section(view.document(), "cron", context="live")[0] is False
    assert view.revision() == revision
    assert view.container_env() == env
    assert (view.external_secret("openclaw-cron-webhook-r2") or {}).get("spec") == external_secret
    # Its documented undo ("… section.present true && pulumi up"), for the tests after this.
    ran = shell.run(dataclasses.replace(remove, text=remove.text.replace(" false ", " true ")))
    assert ran.exit == 0, ran.output
    assert live_cron(view) == {**section, "enabled": False}
    assert view.revision() == revision


def test_an_in_cluster_receiver_is_allowed_by_its_name(
    shell: Shell, docs: list[Command], view: ClusterView
) -> None:
    revision = view.revision()
    shell.values["receiver_name"] = "receiver.monitoring.svc"  # the documented name itself
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
    shell: Shell, docs: list[Command], pods: dict[str, Pod]
) -> None:
    """On the gateway day 1 started as the pod runs it, a webhook job becomes an announce job."""
    pod = pods["day1"]
    job_id = pod.gateway.add_webhook_job("fallback", "http://127.0.0.1:9/fallback")
    pod_shell = shell.elsewhere(pod.home.root, pod.env, job_id=job_id, chat_id="123456789")
    ran = pod_shell.run(find(docs, OPS, "Fallback to announce", "openclaw cron edit")[0])
    assert ran.exit == 0, ran.output
    [job] = [j for j in pod.gateway.cli("cron", "list")["jobs"] if j["id"] == job_id]
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
    revision = view.revision()
    # The switch a revert PR flips (`enabled: false`), then `pulumi destroy` of what is left:
    # nothing; the world is as seeded after each.
    switch_off = find(docs, OPS, "Full rollback", "pulumi config set")[0]
    ran = shell.run(switch_off)
    assert ran.exit == 0, ran.output
    assert view.revision() == revision + 1  # one rollout
    wait_for(f"Secret {secret} garbage-collected", lambda: view.secret_data(secret) is None)
    assert world_snapshot(view.api_client) == seeded
    assert ssm_parameter(ssm, PARAMETER) is None
    # Back on in the config only (the tests after this run `pulumi up` for Phase 2).
    switch_on = switch_off.text.replace(" false && pulumi up", " true")
    ran = shell.run(dataclasses.replace(switch_off, text=switch_on))
    assert ran.exit == 0, ran.output
    ran = shell.run(find(docs, OPS, "Full rollback", "pulumi destroy")[0])
    assert ran.exit == 0, ran.output
    assert world_snapshot(view.api_client) == seeded
    assert ssm_parameter(ssm, PARAMETER) is None
    assert world.argocd.wait_synced(view.api_client, APPLICATION)[:2] == ("Synced", "Healthy")
    assert world.repo.read(CONFIGMAP_FILE) == configmap_manifest_text()  # byte for byte

    verify = shell.run(find(docs, README, DAY1, "./bin/verify")[0], expect_exit=1)
    assert verify.exit == 1, verify.output


def test_a_parameter_made_by_hand_is_adopted_by_the_documented_import(
    shell: Shell, docs: list[Command], view: ClusterView, ssm: Any, seeded: dict[str, Any]
) -> None:
    """A parameter that exists before the stack's: `pulumi up` stops at it without touching the
    cluster. The documents give two ways out, both run here: delete it (After a failed `pulumi
    up`), or, for one the manual runbook created (Troubleshooting), import it, and the next
    `pulumi up` writes the stack's own token into it, where the program declares it."""
    up = find(docs, README, DAY1, "pulumi up")[0]
    delete = find(docs, OPS, "After a failed", "aws ssm delete-parameter")[0]
    for way_out in ("delete", "import"):
        by_hand = "set-by-hand-" + secrets.token_hex(8)
        ssm.put_parameter(Name=PARAMETER, Value=by_hand, Type="SecureString")
        refused = shell.run(up, expect_exit=None)
        assert "ParameterAlreadyExists" in refused.output  # the troubleshooting row's symptom
        assert view.env_secret(ENV_NAME) is None
        assert world_snapshot(view.api_client) == seeded
        if way_out == "delete":
            deleted = shell.run(delete)
            assert deleted.exit == 0, deleted.output
            assert ssm_parameter(ssm, PARAMETER) is None

    imported = shell.run(find(docs, OPS, "Troubleshooting", "pulumi import")[0])
    assert imported.exit == 0, imported.output
    adopted = shell.run(up)
    assert adopted.exit == 0, adopted.output
    assert ("update", "aws:ssm:Parameter", "cron-webhook-token") in pulumi_shows(adopted)
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert parameter["Value"] != by_hand
    assert (parameter["Type"], parameter["Version"]) == ("SecureString", 2)
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=PARAMETER)["TagList"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == DEFAULT_TAGS
    parameters = [r for r in state(shell) if r["type"] == "aws:ssm/parameter:Parameter"]
    assert [r["urn"].rsplit("::", 2)[-2] for r in parameters] == [
        "openclaw-cron-webhook:index:CronWebhookDelivery$openclaw-cron-webhook:index:"
        "TokenParameter$aws:ssm/parameter:Parameter"
    ]
    pair = f"openclaw-cron-webhook-r{shell.values['rotation']}"  # the stack's, rotated before
    assert view.env_secret(ENV_NAME) == pair

    assert harness(shell, "destroy", "--yes").exit == 0
    wait_for(f"Secret {pair} garbage-collected", lambda: view.secret_data(pair) is None)
    assert world_snapshot(view.api_client) == seeded


def install_program(repository: Path, revision: str | None) -> None:
    """`__main__.py` and the program's packages of `revision` (None: the checkout's) in the
    copy; a revision from before the cut by stage has only `components/`."""
    for name in stack_driver.PROGRAM_DIRS:
        shutil.rmtree(repository / name, ignore_errors=True)
    if revision is None:
        shutil.copy2(ROOT / "__main__.py", repository / "__main__.py")
        for name in stack_driver.PROGRAM_DIRS:
            shutil.copytree(ROOT / name, repository / name, ignore=shutil.ignore_patterns("*.pyc"))
        return
    for name in (
        "__main__.py",
        *git("ls-tree", "-r", "--name-only", revision, *stack_driver.PROGRAM_DIRS).split(),
    ):
        target = repository / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(git("show", f"{revision}:{name}"), encoding="latin-1")


def cluster_mode_stack_config(repository: Path) -> None:
    """The cluster-mode example's config (examples/cluster-mode/Pulumi.dev.yaml) on the stack,
    with the control plane's context (its salt kept: the secrets): the DeploymentPatch version
    predates git mode."""
    stack_file = repository / f"Pulumi.{STACK}.yaml"
    current = yaml.safe_load(stack_file.read_text())
    example = yaml.safe_load(
        (ROOT / "examples" / "cluster-mode" / f"Pulumi.{STACK}.yaml").read_text()
    )
    config = {**example["config"], "kubernetes:context": "e2e"}
    # That version predates the `enabled` switch and refuses a key it does not know.
    del config["openclaw-cron-webhook:enabled"]
    stack_file.write_text(yaml.safe_dump({**current, "config": config}))


def test_a_stack_of_the_deployment_patch_version_upgrades_as_documented(
    shell: Shell,
    docs: list[Command],
    view: ClusterView,
    seeded: dict[str, Any],
    ignoring_application: None,
) -> None:
    old_env_patch = git("show", f"{PATCH_PROGRAM}:components/env_patch.py")
    assert "k8s.apps.v1.DeploymentPatch(" in old_env_patch
    cluster_mode_stack_config(shell.cwd)
    install_program(shell.cwd, PATCH_PROGRAM)
    try:
        old = harness(shell, "up", "--yes")
    finally:
        install_program(shell.cwd, None)
    assert old.exit == 0, old.output
    assert [r["type"] for r in state(shell)].count(DEPLOYMENT_PATCH) == 1
    revision = view.revision()
    assert view.env_secret(ENV_NAME) == "openclaw-cron-webhook-r1"
    choice = find(
        docs, OPS, "In git mode", 'pulumi config set --path "$S:section.writeTrackedConfigMap"'
    )
    assert shell.run(choice[0]).exit == 0

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


# The oldest programs that registered each dynamic provider's resource (a provider's own first
# commit, which tests/fixtures/old_state/ is named after, came before any program used it):
# b8a56d3 the env entry, beside the cluster section; 098d6f0 the git section (0ea9f98's class).
FIRST_CLUSTER_PROGRAM = "b8a56d3184d40724ee7bc4b56f123fea4d6f5757"
FIRST_GIT_PROGRAM = "098d6f0c0b8eb874c8d5adf6a847a07f6c408954"
ENV_ENTRY = "pulumi-python:dynamic/openclaw:EnvEntry"
SECTIONS = (
    "pulumi-python:dynamic/openclaw:JsonSection",
    "pulumi-python:dynamic/openclaw:GitJsonSection",
)


def stack_with_config(shell: Shell, config: dict[str, Any]) -> None:
    """The `dev` stack (created if this step runs alone), holding exactly `config`."""
    shell.env.setdefault(
        "PULUMI_CONFIG_PASSPHRASE_FILE", str(Path(shell.env["HOME"]) / PASSPHRASE_FILE)
    )
    assert harness(shell, "stack", "select", "--create", STACK).exit == 0
    stack_file = shell.cwd / f"Pulumi.{STACK}.yaml"
    current = yaml.safe_load(stack_file.read_text())
    stack_file.write_text(yaml.safe_dump({**current, "config": config}))


def own_config(revision: str, **extra: Any) -> dict[str, Any]:
    """`revision`'s own reference config (its settings refuse a key they do not know), on the
    control plane's context."""
    config: dict[str, Any] = yaml.safe_load(git("show", f"{revision}:Pulumi.{STACK}.yaml"))[
        "config"
    ]
    return {**config, "kubernetes:context": "e2e", **extra}


def up_with_program(shell: Shell, revision: str) -> CliRun:
    install_program(shell.cwd, revision)
    try:
        return harness(shell, "up", "--yes")
    finally:
        install_program(shell.cwd, None)


def pickled_providers(shell: Shell) -> dict[str, str]:
    """{type: the pickled provider its state holds} of the stack's dynamic resources
    (decrypted: the state keeps it as a secret, its ciphertext new at each write)."""
    run = harness(shell, "stack", "export", "--show-secrets")
    assert run.exit == 0, run.output
    return {
        r["type"]: r["outputs"]["__provider"]
        for r in json.loads(run.stdout)["deployment"].get("resources") or []
        if r["type"] in (ENV_ENTRY, *SECTIONS)
    }


def head_refreshes_updates_and_destroys(
    shell: Shell, view: ClusterView, seeded: dict[str, Any], section: str, revision: int
) -> dict[str, Any]:
    """HEAD's refresh, an up that changes cron.sessionRetention, and destroy, on the old
    program's stack; what each showed, for the report. The env entry is not updated (its inputs
    are the old ones), so destroy unpickles the provider the old program pickled."""
    old = pickled_providers(shell)
    refreshed = harness(shell, "refresh", "--yes")
    assert refreshed.exit == 0, refreshed.output
    assert cli_output.changes(refreshed.stdout) == 0, refreshed.stdout
    assert pickled_providers(shell) == old
    retention = harness(shell, "config", "set", "--path", "cron.sessionRetention", "3d")
    assert retention.exit == 0, retention.output
    updated = harness(shell, "up", "--yes")
    assert updated.exit == 0, updated.output
    assert live_cron(view)["sessionRetention"] == "3d"
    assert view.revision() == revision, "HEAD's up of an old state rolled the pods"
    assert pickled_providers(shell)[ENV_ENTRY] == old[ENV_ENTRY]
    destroyed = harness(shell, "destroy", "--yes")
    assert destroyed.exit == 0, destroyed.output
    pair = "openclaw-cron-webhook-r1"
    wait_for(f"Secret {pair} garbage-collected", lambda: view.secret_data(pair) is None)
    assert world_snapshot(view.api_client) == seeded
    shown = {
        "refresh": sorted(map(list, pulumi_shows(refreshed))),
        "refresh_changes": cli_output.changes(refreshed.stdout),
        "up": sorted(map(list, pulumi_shows(updated))),
    }
    print(f"  old state ({section}): {json.dumps(shown)}", flush=True)
    return shown


def test_a_stack_the_first_env_entry_program_created_is_destroyed_by_head(
    shell: Shell, view: ClusterView, seeded: dict[str, Any], ignoring_application: None
) -> None:
    """Cluster mode, created by b8a56d3 (its own config; the tracked-ConfigMap choice did not
    exist yet), then HEAD's config and code: refresh, up with a change, destroy."""
    stack_with_config(shell, own_config(FIRST_CLUSTER_PROGRAM))
    old = up_with_program(shell, FIRST_CLUSTER_PROGRAM)
    assert old.exit == 0, old.output
    assert set(pickled_providers(shell)) == {ENV_ENTRY, SECTIONS[0]}
    assert view.env_secret(ENV_NAME) == "openclaw-cron-webhook-r1"
    revision = view.revision()
    cluster_mode_stack_config(shell.cwd)
    tracked = harness(shell, "config", "set", "--path", "section.writeTrackedConfigMap", "true")
    assert tracked.exit == 0, tracked.output
    head_refreshes_updates_and_destroys(shell, view, seeded, "cluster", revision)


def test_a_stack_the_first_git_section_program_created_is_destroyed_by_head(
    shell: Shell, view: ClusterView, seeded: dict[str, Any], world: World
) -> None:
    """Git mode, created by 098d6f0 (its own config with the reference stack's section), then
    HEAD's reference config and code: refresh, up with a change, destroy; the repository's
    file is as seeded, byte for byte."""
    reference = yaml.safe_load((ROOT / f"Pulumi.{STACK}.yaml").read_text())["config"]
    section = reference["openclaw-cron-webhook:section"]
    section["git"]["repo"] = world.repo.url
    stack_with_config(
        shell, own_config(FIRST_GIT_PROGRAM, **{"openclaw-cron-webhook:section": section})
    )
    old = up_with_program(shell, FIRST_GIT_PROGRAM)
    assert old.exit == 0, old.output
    assert set(pickled_providers(shell)) == {ENV_ENTRY, SECTIONS[1]}
    assert live_cron(view)["enabled"] is True
    revision = view.revision()
    stack_with_config(shell, {**reference, "kubernetes:context": "e2e"})
    head_refreshes_updates_and_destroys(shell, view, seeded, "git", revision)
    assert world.repo.read(CONFIGMAP_FILE) == configmap_manifest_text()


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
    assert outputs["git diff stack/openclaw_cron_schema.json"] == ""


def test_every_printed_command_ran(shell: Shell) -> None:
    every = {step: True for step in {r.step for r in shell.runs}}  # this step checks runs only
    missing = [e for e in printed.report(shell.runs, every) if e["ok"] is False]
    assert missing == []


def test_every_documented_command_ran(shell: Shell, docs: list[Command]) -> None:
    ran = {r.command.text for r in shell.runs}
    missing = [
        f"{c.source}: {c.text}" for c in docs if c.text not in ran and not runbook.excluded(c)
    ]
    assert missing == []
