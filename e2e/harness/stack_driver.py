"""Drives the real Pulumi CLI on a copy of this project, through the Automation API.

Why a copy: a stack run writes `Pulumi.<stack>.yaml` into the project folder, and the scenarios
flip config (rotation, `cron.enabled`, the kube context) many times; none of that may touch the
checkout. The copy holds `Pulumi.yaml` (its project config included, unchanged: the CLI reads its
runtime options as a user's would), `Pulumi.dev.yaml`, `components/`, which the dynamic
providers' plugin process imports when it unpickles them (the engine starts plugins in the
project folder), and `policy/` (`pulumi preview --policy-pack policy`); `.venv` is a link to the
checkout's, which is where Pulumi.yaml, the pack's `../.venv` and the dynamic providers look.

`StackDriver.cli` runs `pulumi …` as typed, in that folder, with the same environment: that is
how e2e/scenarios/test_cli.py and e2e/scenarios/test_runbook.py drive it, through the language-host
stand-in.

Why an inline program: the Python language host (`pulumi-language-python`) cannot be built here
(its Go module is not served; see e2e/pins.toml), so the CLI cannot start `__main__.py` itself.
The Automation API's inline mode lets this process serve as the language host: it runs the
repo's unchanged `__main__.py` with `runpy`, exactly as the host would. Everything else — the
engine, the state, the plugins, the diff, the ordering — is the real CLI's.

Why these environment variables: a local file backend and a passphrase keep state and secrets
on this machine; `PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION` guarantees that every plugin the
engine uses is one we built (or a named stand-in) found on PATH, never a download.
"""

from __future__ import annotations

import json
import os
import runpy
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from e2e.harness.secrets_scan import PASSPHRASE as CANARY_PASSPHRASE
from e2e.harness.secrets_scan import RECORDER, mode_of

ROOT = Path(__file__).resolve().parents[2]
STANDIN_DIR = ROOT / "e2e" / "harness" / "standins" / "bin"
PROJECT_FILES = ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml")
# The program's packages (what `__main__.py` imports, and the pickled providers' modules).
PROGRAM_DIRS = ("components", "stack", "stages")
PROJECT_DIRS = (*PROGRAM_DIRS, "policy")
# Encrypts a throwaway local state only; a canary the secrets scan looks for everywhere.
PASSPHRASE = CANARY_PASSPHRASE


def copy_project(destination: Path) -> Path:
    """The project as `pulumi` sees it, with `.venv` linked to the checkout's virtualenv."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, destination / name)
    for name in PROJECT_DIRS:
        shutil.copytree(
            ROOT / name,
            destination / name,
            ignore=shutil.ignore_patterns("__pycache__"),
            dirs_exist_ok=True,
        )
    link_venv(destination)
    return destination


def link_venv(folder: Path) -> None:
    """`<folder>/.venv` → the checkout's: the virtualenv Pulumi.yaml and the pack name."""
    venv = folder / ".venv"
    if not venv.is_symlink():
        venv.symlink_to(ROOT / ".venv", target_is_directory=True)


def cli_environment(work: Path, bin_dir: Path, extra_env: dict[str, str]) -> dict[str, str]:
    """What `pulumi` runs with: the built CLI first on PATH (so the engine takes the language
    host beside it, not one "from $PATH"), then the stand-ins and the venv; state and secrets
    in `work`."""
    (work / "state").mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.pathsep.join(
            [
                str(RECORDER.shim_dir()),  # records git's and kubectl's argv (secrets scan)
                str(bin_dir),
                str(STANDIN_DIR),
                str(ROOT / ".venv" / "bin"),
                os.environ["PATH"],
            ]
        ),
        # The dynamic providers' plugin runs `python3 -m pulumi.dynamic`: the repo's venv.
        "PULUMI_PYTHON_CMD": str(ROOT / ".venv" / "bin" / "python"),
        "PULUMI_HOME": str(work / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{work / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
        **extra_env,
    }


def keep_lines(env: dict[str, str], project: Path, stack: str) -> list[str]:
    """What a person pastes into a shell to go on with a stack by hand: the folder, the CLI
    and stand-ins on PATH, the backend, the passphrase, the cluster and moto."""
    names = ["PATH", "PULUMI_HOME", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"]
    names += ["PULUMI_CONFIG_PASSPHRASE_FILE", "HOME"]
    names += ["PULUMI_PYTHON_CMD", "PULUMI_SKIP_UPDATE_CHECK"]
    names += ["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"]
    names += sorted(key for key in env if key.startswith(("AWS_", "KUBECONFIG")))
    return [
        f"cd {shlex.quote(str(project))}",
        *(f"export {name}={shlex.quote(env[name])}" for name in names if name in env),
        f"pulumi stack select {stack}",
        "pulumi preview",
    ]


@dataclass(frozen=True)
class CliRun:
    """One `pulumi …` (or shell) command as a person would have seen it."""

    exit: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_command(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 900.0) -> CliRun:
    """Runs `argv` with this process's environment plus `env`, echoing its output line by line
    (a long `pulumi up` is never silent); stdin is closed, as in CI."""
    print(f"  $ {' '.join(argv)}   (in {cwd})", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        with RECORDER.watching():
            stdout, stderr = _echoed(process, timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    seconds = time.monotonic() - started
    print(f"  → exit {process.returncode} in {seconds:.1f} s", flush=True)
    if argv[0] == "pulumi":
        RECORDER.add(f"output of `{' '.join(argv)}`", stdout + stderr)
    return CliRun(process.returncode, stdout, stderr, seconds)


def _echoed(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    """Collects stdout and stderr while printing each line as it comes."""
    chunks: dict[str, list[str]] = {"stdout": [], "stderr": []}

    def pump(name: str) -> None:
        stream = getattr(process, name)
        for line in stream:
            chunks[name].append(line)
            sys.stdout.write(f"    | {line}")
            sys.stdout.flush()

    threads = [threading.Thread(target=pump, args=(name,), daemon=True) for name in chunks]
    for thread in threads:
        thread.start()
    process.wait(timeout=timeout)
    for thread in threads:
        thread.join(timeout=10)
    return "".join(chunks["stdout"]), "".join(chunks["stderr"])


def program() -> None:
    """The repo's `__main__.py`, run as the language host would run it."""
    runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")


# Which role's identity runs each kind of operation (docs/ci.md): preview and refresh read only.
ROLE_OF = {
    "preview": "preview",
    "refresh": "preview",
    "up": "deployer",
    "destroy": "deployer",
    "verify": "verify",
}


@dataclass(frozen=True)
class Step:
    """One resource step the engine announced: what it does, to what, with which inputs.

    Secret inputs arrive from the engine already masked (`[secret]`).
    """

    op: str
    type: str
    name: str
    inputs: dict[str, Any]


@dataclass
class Operation:
    """One Pulumi operation as the report records it."""

    name: str
    seconds: float
    summary: dict[str, int]
    steps: list[Step] = field(default_factory=list)
    stdout: str = ""  # what the CLI printed, as a user would read it


@dataclass
class StackDriver:
    """One stack of the copied project on a file backend, with every operation timed."""

    project: Path
    stack: auto.Stack
    env: dict[str, str]
    operations: list[Operation] = field(default_factory=list)
    # Issue 29, item 3: role -> what its identity puts in the environment (KUBECONFIG, AWS
    # keys), once `run_by_roles`; each operation then runs as the role ROLE_OF names, after
    # `grant` gave the roles what ./bin/permissions prints for the stack file as it is.
    roles: dict[str, dict[str, str]] = field(default_factory=dict)
    grant: Callable[[Path], None] | None = None
    ran_as: list[dict[str, str]] = field(default_factory=list)
    _granted_for: str | None = None

    @classmethod
    def create(
        cls, work: Path, bin_dir: Path, stack_name: str, extra_env: dict[str, str]
    ) -> StackDriver:
        project = copy_project(work / "project")
        env = cli_environment(work, bin_dir, extra_env)
        command = auto.PulumiCommand(root=str(bin_dir.parent), skip_version_check=True)
        stack = auto.create_or_select_stack(
            stack_name,
            project_name=yaml.safe_load((project / "Pulumi.yaml").read_text())["name"],
            program=program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(project),
                env_vars=env,
                pulumi_command=command,
                pulumi_home=env["PULUMI_HOME"],
            ),
        )
        return cls(project, stack, env)

    def run_by_roles(self, roles: dict[str, dict[str, str]], grant: Callable[[Path], None]) -> None:
        self.roles, self.grant = roles, grant

    @property
    def stack_file(self) -> Path:
        return self.project / f"Pulumi.{self.stack.name}.yaml"

    def env_of(self, kind: str, step: str | None = None) -> dict[str, str]:
        """The environment `kind` (preview, refresh, up, destroy, verify) runs with: the
        stack's, with its role's identity over it once the stack runs by roles, recorded as
        `step` (default: the kind); the roles granted first if the stack file changed since
        they last were."""
        role = ROLE_OF.get(kind)
        if not self.roles or role is None:
            return self.env
        text = self.stack_file.read_text()
        if self.grant is not None and text != self._granted_for:
            self.grant(self.stack_file)
            self._granted_for = text
        self.ran_as.append({"role": role, "step": step or kind})
        return {**self.env, **self.roles[role]}

    def set_config(self, values: dict[str, Any]) -> None:
        """`pulumi config set --path` for each key: exactly what a user would type."""
        for key, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value)
            self.stack.set_config(key, auto.ConfigValue(value=text), path=True)

    def cli(self, *args: str, timeout: float = 900.0) -> CliRun:
        """`pulumi ARGS` typed in the project folder (the selected stack is this one), by the
        operation's role when the stack runs by roles."""
        env = self.env_of(args[0]) if args else self.env
        return run_command(["pulumi", *args], env, self.project, timeout)

    def keep_lines(self) -> list[str]:
        return keep_lines(self.env, self.project, self.stack.name)

    def remove_config(self, *keys: str) -> None:
        for key in keys:
            self.stack.remove_config(key, path=True)

    def _timed(
        self, name: str, run: Callable[[Callable[[auto.EngineEvent], None]], Any], kind: str
    ) -> tuple[Operation, Any]:
        steps: list[Step] = []
        events: list[str] = []  # every event, for the secrets scan

        def on_event(event: auto.EngineEvent) -> None:
            events.append(repr(event))
            pre = event.resource_pre_event
            if pre is not None and pre.metadata.type != "pulumi:pulumi:Stack":
                meta = pre.metadata
                state = meta.new or meta.old
                inputs = dict(state.inputs or {}) if state is not None else {}
                name = meta.urn.rsplit("::", 1)[-1]
                steps.append(Step(str(meta.op.value), meta.type, name, inputs))

        self.stack.workspace.env_vars = self.env_of(kind, name)
        started = time.monotonic()
        place = f"stack {self.stack.name}: {name}"
        try:
            with RECORDER.watching():
                result = run(on_event)
        except auto.CommandError as error:
            RECORDER.add(f"{place}: the error", str(error))
            raise
        finally:
            RECORDER.add(f"{place}: engine events", "\n".join(events))
            RECORDER.ran(mode_of(self.project / f"Pulumi.{self.stack.name}.yaml"), kind)
        RECORDER.add(f"{place}: stdout and stderr", f"{result.stdout}\n{result.stderr}")
        outputs = getattr(result, "outputs", None) or {}
        if "webhookToken" in outputs:
            RECORDER.webhook_token(outputs["webhookToken"].value)
        summary = _summary(result)
        stdout = str(getattr(result, "stdout", "") or "")
        operation = Operation(name, time.monotonic() - started, summary, steps, stdout)
        self.operations.append(operation)
        print(f"  pulumi {name}: {operation.seconds:.1f} s {summary}", flush=True)
        return operation, result

    def preview(self, name: str = "preview", **kwargs: Any) -> Operation:
        operation, _ = self._timed(
            name, lambda on_event: self.stack.preview(on_event=on_event, **kwargs), "preview"
        )
        return operation

    def up(self, name: str = "up", **kwargs: Any) -> auto.UpResult:
        _, result = self._timed(
            name, lambda on_event: self.stack.up(on_event=on_event, **kwargs), "up"
        )
        up_result: auto.UpResult = result
        return up_result

    def refresh(self, name: str = "refresh", **kwargs: Any) -> Operation:
        operation, _ = self._timed(
            name, lambda on_event: self.stack.refresh(on_event=on_event, **kwargs), "refresh"
        )
        return operation

    def destroy(self, name: str = "destroy", **kwargs: Any) -> Operation:
        operation, _ = self._timed(
            name, lambda on_event: self.stack.destroy(on_event=on_event, **kwargs), "destroy"
        )
        return operation

    def state_files_text(self) -> str:
        """Every file of the backend as stored on disk.

        Not `export_stack()`: the Automation API runs `stack export --show-secrets`, so its
        answer is decrypted; only the files show what an attacker with the backend would see.
        """
        backend = Path(self.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
        return "\n".join(
            path.read_text(errors="replace")
            for path in sorted(backend.rglob("*"))
            if path.is_file()
        )

    def outputs(self) -> dict[str, Any]:
        return {name: value.value for name, value in self.stack.outputs().items()}

    def remove(self) -> None:
        """Removed, after the secrets scan took its state, stack file and export."""
        place = f"stack {self.stack.name}"
        RECORDER.add(f"{place}: state files", self.state_files_text())
        RECORDER.capture_files(f"{place}: project", self.project, "Pulumi.*.yaml")
        pulumi = shutil.which("pulumi", path=self.env["PATH"]) or "pulumi"
        export = subprocess.run(
            [pulumi, "stack", "export", "--stack", self.stack.name],
            env={**os.environ, **self.env},
            cwd=self.project,
            capture_output=True,
            text=True,
            check=True,
        )
        RECORDER.add(f"{place}: pulumi stack export", export.stdout + export.stderr)
        self.stack.workspace.remove_stack(self.stack.name, force=True)


def _summary(result: Any) -> dict[str, int]:
    """Change counts, whatever the result type names them."""
    if hasattr(result, "change_summary"):
        return dict(result.change_summary)
    summary = getattr(result, "summary", None)
    changes = getattr(summary, "resource_changes", None) or {}
    return dict(changes)


def changes(operation: Operation) -> int:
    """Everything but `same`: what a reviewer would have to look at."""
    return sum(count for op, count in operation.summary.items() if op != "same")


@dataclass
class Report:
    """`rendered/e2e/report.json`: each step with its time, the counts the issues ask for."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    preview_noop_changes: int | None = None
    rollouts: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    operations: list[dict[str, Any]] = field(default_factory=list)
    # What the GitOps controller did (issue 18: controller, cluster_mode; issue 19: git_mode).
    gitops: dict[str, Any] = field(default_factory=dict)
    # One entry per injected fault (issue 22): fault, exit, first_error, world_as_expected,
    # rerun_converged.
    faults: list[dict[str, Any]] = field(default_factory=list)
    # One entry per verify scenario (issue 21): fault (None for a healthy run), hop (the first
    # hop not holding, None when all hold), exit, seconds (verify's wall time).
    verify: list[dict[str, Any]] = field(default_factory=list)
    # The CLI as typed (issue 20): language_host ("stand-in" | "real"), policy_pack
    # ("analyzer"), commands [{command, source (file:line), ok}], seconds per CLI operation.
    cli: dict[str, Any] = field(default_factory=dict)
    # The README's day-1 block run verbatim (issue 27): commands [{command, source, ok}],
    # seconds, verify_exit, excluded, and what the webhook receiver got.
    day1: dict[str, Any] = field(default_factory=dict)
    # Every command the project prints or documents (issue 27, e2e.harness.printed): {command,
    # source,
    # ok, ran_at | excluded}; with the counts.
    printed_commands: dict[str, Any] = field(default_factory=dict)
    # Issue 30: the canary search (e2e.harness.secrets_scan): places_searched, hits (0), the
    # secrets searched for, the operations searched per mode.
    secrets_scan: dict[str, Any] = field(default_factory=dict)
    # Issue 28, item 5: rollback as a team does it (commits and reverts of the stack's file,
    # CI's preview and up), per mode (cluster, git): steps [{step, commit, operations,
    # refused, rollouts, world_as_seeded, repo_file_as_seeded (git), seconds}], seconds.
    rollback: dict[str, Any] = field(default_factory=dict)
    # Issue 29, item 3 (e2e.harness.grants): per mode (cluster, git), each role's rules as
    # granted and the steps run with them ({roles, runs}); samples: [{removed, step, error}].
    permissions: dict[str, Any] = field(default_factory=dict)
    # Issue 29, item 5: drift.yml's checks after an out-of-band change, by the read-only roles:
    # [{mode, change, preview_exit, verify_exit, failed_hops}].
    drift: list[dict[str, Any]] = field(default_factory=list)

    def step(self, name: str, ok: bool, seconds: float) -> None:
        self.steps.append({"name": name, "ok": ok, "seconds": round(seconds, 2)})
        print(f"[e2e] {'ok  ' if ok else 'FAIL'} {name} ({seconds:.1f} s)", flush=True)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n")
