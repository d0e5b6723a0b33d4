"""Drives the real Pulumi CLI on a copy of this project, through the Automation API.

Why a copy: a stack run writes `Pulumi.<stack>.yaml` into the project folder, and the scenarios
flip config (rotation, `cron.enabled`, the kube context) many times; none of that may touch the
checkout. The copy holds `Pulumi.yaml` (its project config included) and `components/`, which
the dynamic providers' plugin process imports when it unpickles them (the engine starts plugins
in the project folder).

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
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

ROOT = Path(__file__).resolve().parents[1]
STANDIN_DIR = ROOT / "e2e" / "standins" / "bin"
PROJECT_FILES = ("__main__.py", "Pulumi.yaml")
PROJECT_DIRS = ("components",)
# Encrypts a throwaway local state only.
PASSPHRASE = "e2e-only-passphrase"


def copy_project(destination: Path) -> Path:
    """The project as `pulumi` sees it, its virtualenv pointed at the checkout's."""
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
    settings = destination / "Pulumi.yaml"
    document = yaml.safe_load(settings.read_text())
    document["runtime"]["options"]["virtualenv"] = str(ROOT / ".venv")
    settings.write_text(yaml.safe_dump(document, sort_keys=False))
    return destination


def program() -> None:
    """The repo's `__main__.py`, run as the language host would run it."""
    runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")


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

    @classmethod
    def create(
        cls, work: Path, bin_dir: Path, stack_name: str, extra_env: dict[str, str]
    ) -> StackDriver:
        project = copy_project(work / "project")
        (work / "state").mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": os.pathsep.join(
                [str(STANDIN_DIR), str(bin_dir), str(ROOT / ".venv" / "bin"), os.environ["PATH"]]
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

    def set_config(self, values: dict[str, Any]) -> None:
        """`pulumi config set --path` for each key: exactly what a user would type."""
        for key, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value)
            self.stack.set_config(key, auto.ConfigValue(value=text), path=True)

    def remove_config(self, *keys: str) -> None:
        for key in keys:
            self.stack.remove_config(key, path=True)

    def _timed(
        self, name: str, run: Callable[[Callable[[auto.EngineEvent], None]], Any]
    ) -> tuple[Operation, Any]:
        steps: list[Step] = []

        def on_event(event: auto.EngineEvent) -> None:
            pre = event.resource_pre_event
            if pre is not None and pre.metadata.type != "pulumi:pulumi:Stack":
                meta = pre.metadata
                state = meta.new or meta.old
                inputs = dict(state.inputs or {}) if state is not None else {}
                name = meta.urn.rsplit("::", 1)[-1]
                steps.append(Step(str(meta.op.value), meta.type, name, inputs))

        started = time.monotonic()
        result = run(on_event)
        summary = _summary(result)
        stdout = str(getattr(result, "stdout", "") or "")
        operation = Operation(name, time.monotonic() - started, summary, steps, stdout)
        self.operations.append(operation)
        print(f"  pulumi {name}: {operation.seconds:.1f} s {summary}", flush=True)
        return operation, result

    def preview(self, name: str = "preview", **kwargs: Any) -> Operation:
        operation, _ = self._timed(
            name, lambda on_event: self.stack.preview(on_event=on_event, **kwargs)
        )
        return operation

    def up(self, name: str = "up", **kwargs: Any) -> auto.UpResult:
        _, result = self._timed(name, lambda on_event: self.stack.up(on_event=on_event, **kwargs))
        up_result: auto.UpResult = result
        return up_result

    def refresh(self, name: str = "refresh", **kwargs: Any) -> Operation:
        operation, _ = self._timed(
            name, lambda on_event: self.stack.refresh(on_event=on_event, **kwargs)
        )
        return operation

    def destroy(self, name: str = "destroy", **kwargs: Any) -> Operation:
        operation, _ = self._timed(
            name, lambda on_event: self.stack.destroy(on_event=on_event, **kwargs)
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

    def step(self, name: str, ok: bool, seconds: float) -> None:
        self.steps.append({"name": name, "ok": ok, "seconds": round(seconds, 2)})
        print(f"[e2e] {'ok  ' if ok else 'FAIL'} {name} ({seconds:.1f} s)", flush=True)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n")
