"""Given: the stack a scenario starts from, and the names of the token path it expects.

Why a module: the scenario modules each drive a stack of this one project on the same control
plane, and expect the same parameter, env entry and field manager (the stack's defaults, stated
here as what the scenarios hold the product to, not read from it). Stated once, a scenario's
given reads as what differs: its stack's name, its kubeconfig and its config. A stack a team
changes through pull requests starts from its file committed in a repository (`StackRepo`).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from e2e.harness.control_plane import ControlPlane
from e2e.harness.secrets_scan import RECORDER
from e2e.harness.stack_driver import StackDriver

PROJECT = "openclaw-cron-webhook"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"


def field_manager(stack: str) -> str:
    """The field manager a stack of this project writes its env entry with: its own."""
    return f"{PROJECT}/{stack}"


def new_stack(
    work: Path, go_bin_dir: Path, name: str, control_plane: ControlPlane, kubeconfig: Path
) -> StackDriver:
    """A new stack of the project in `work`, reaching the cluster through `kubeconfig` and AWS
    through moto (as moto's administrator: `StackDriver.run_by` hands an operation to a role's
    identity), as a user's shell would point the CLI, with git's credentials in it as a user
    would give them."""
    return StackDriver.create(
        work,
        go_bin_dir,
        name,
        {
            "KUBECONFIG": str(kubeconfig),
            "AWS_ENDPOINT_URL": control_plane.moto_endpoint,
            **control_plane.admin.aws_env(),
            "AWS_REGION": control_plane.region,
            # git's credentials are canaries (e2e.harness.secrets_scan).
            **RECORDER.stack_env(),
        },
    )


@dataclass(frozen=True)
class StackRepo:
    """The stack's file in a git repository of its own, as a team keeps its infra config: each
    change a commit, each rollback a `git revert`, and CI's `pulumi up` runs on what is
    committed. The repository is the stack's project folder and tracks only the stack file, so
    `pulumi` reads exactly the file git wrote, as CI does in its checkout."""

    folder: Path
    stack_file: str  # Pulumi.<stack>.yaml

    @classmethod
    def start(cls, driver: StackDriver, config: str, message: str) -> StackRepo:
        """The first commit: `config` (the file's `config:` block, as the team writes it) below
        what `pulumi stack init` wrote there (the passphrase's salt)."""
        name = f"Pulumi.{driver.stack.name}.yaml"
        path = driver.project / name
        kept = yaml.safe_load(path.read_text()) if path.is_file() else None
        kept = {key: value for key, value in (kept or {}).items() if key != "config"}
        path.write_text((yaml.safe_dump(kept) if kept else "") + config)
        repo = cls(driver.project, name)
        repo.git("init", "-q", "-b", "main")
        repo.git("add", name)
        repo.git("commit", "-q", "-m", message)
        return repo

    def change(self, message: str, line: str, to: str) -> str:
        """Commits the file with `line` (there exactly once, indentation included) replaced
        by `to`, as a one-line pull request; the commit's sha."""
        path = self.folder / self.stack_file
        lines = path.read_text().splitlines(keepends=True)
        found = [i for i, text in enumerate(lines) if text.rstrip("\n") == line]
        assert len(found) == 1, (line, lines)
        lines[found[0]] = to + "\n"
        path.write_text("".join(lines))
        self.git("commit", "-q", "-m", message, "--", self.stack_file)
        return self.head()

    def revert(self, commit: str) -> str:
        """`git revert` of `commit` (a revert PR); the revert's sha."""
        self.git("revert", "--no-edit", commit)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def subject(self, commit: str) -> str:
        return self.git("log", "-1", "--format=%s", commit).strip()

    def committed(self) -> bool:
        """The stack file is as the last commit has it (no run rewrote it)."""
        return self.git("status", "--porcelain", "--", self.stack_file) == ""

    def git(self, *args: str) -> str:
        executable = shutil.which("git")
        if executable is None:
            raise RuntimeError("git is not on PATH (the stack's repository needs it)")
        identity = ["-c", "user.name=e2e team", "-c", "user.email=team@e2e.invalid"]
        done = subprocess.run(
            [executable, *identity, *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout
