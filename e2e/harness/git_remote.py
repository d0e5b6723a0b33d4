"""The GitOps repository of the e2e: a bare Git repository on disk, reached by ``file://``.

Argo CD's repo-server clones it like any remote, the stack's git-mode section pushes to it like
any remote, and the harness reads and writes it with plain ``git`` — no Git server, nothing that
differs from a hosted remote in what the scenarios look at (commits, files, history).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BRANCH = "main"
HARNESS_AUTHOR = ("e2e GitOps maintainer", "gitops@e2e.invalid")


@dataclass(frozen=True)
class GitRemote:
    """A bare repository with one branch; every write is a commit pushed to it."""

    bare: Path

    @property
    def url(self) -> str:
        return f"file://{self.bare}"

    @classmethod
    def create(cls, bare: Path) -> GitRemote:
        _git(None, "init", "--quiet", "--bare", f"--initial-branch={BRANCH}", str(bare))
        return cls(bare)

    def commit(self, files: dict[str, str], message: str) -> str:
        """Write ``files`` (path -> text) on top of the branch head, commit, push; the sha."""
        with tempfile.TemporaryDirectory(prefix="e2e-git-") as tmp:
            work = Path(tmp) / "work"
            _git(None, "clone", "--quiet", self.url, str(work))
            for path, text in files.items():
                target = work / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(text.encode("utf-8"))
            _git(work, "add", "--all")
            _git(work, "commit", "--quiet", "-m", message)
            _git(work, "push", "--quiet", "origin", f"HEAD:{BRANCH}")
            return _git(work, "rev-parse", "HEAD").strip()

    def head(self) -> str:
        return _git(self.bare, "rev-parse", BRANCH).strip()

    def read(self, path: str, revision: str = BRANCH) -> str:
        """The file as committed at ``revision`` (bytes decoded, never normalised)."""
        return _git(self.bare, "show", f"{revision}:{path}")

    def log(self) -> list[str]:
        """``<sha7> <author>: <subject>``, newest first."""
        text = _git(self.bare, "log", "--format=%h %an: %s", BRANCH)
        return text.splitlines()


def _git(cwd: Path | None, *args: str) -> str:
    name, email = HARNESS_AUTHOR
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    git = shutil.which("git")
    if git is None:
        raise RuntimeError("git is not on PATH (the GitOps repository needs it)")
    done = subprocess.run(
        [git, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout
