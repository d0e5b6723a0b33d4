"""A bare Git repository in a temporary directory, reached by `file://`, for the git-mode tests.

The code under test runs the real `git` against it exactly as against a hosted remote; the
tests read and write it with plain `git` too (another maintainer's push, the history, a file
at a commit). `isolated_git` keeps the developer's own git config (a credential helper, commit
signing, an `insteadOf`) out of every test.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

BRANCH = "main"
MAINTAINER = ("GitOps Maintainer", "maintainer@example.invalid")


@pytest.fixture
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No system or global git config: the tests see git's defaults only."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_COUNT"):
        monkeypatch.delenv(name, raising=False)


@dataclass(frozen=True)
class BareRepo:
    bare: Path

    @property
    def url(self) -> str:
        return f"file://{self.bare}"

    @classmethod
    def create(cls, directory: Path, files: dict[str, str], branch: str = BRANCH) -> BareRepo:
        """A repository whose branch has one commit with `files` (a copy of a cached seed)."""
        key = (branch, *sorted(files.items()))
        seed = _SEEDS.get(key)
        if seed is None:
            seed = Path(tempfile.mkdtemp(dir=_seed_root())) / "seed.git"
            git(None, "init", "--quiet", "--bare", f"--initial-branch={branch}", str(seed))
            cls(seed).commit(files, "Seed the GitOps repository", branch=branch)
            _SEEDS[key] = seed
        bare = directory / "gitops.git"
        shutil.copytree(seed, bare)
        return cls(bare)

    def commit(
        self,
        files: Mapping[str, str | bytes],
        message: str,
        branch: str = BRANCH,
        executable: frozenset[str] | set[str] = frozenset(),
        symlinks: frozenset[str] | set[str] = frozenset(),
    ) -> str:
        """Another maintainer's push: `files` written on top of the branch head.

        Built with plumbing inside the bare repository (no clone), as a push would leave it. A
        file given as bytes is stored as they are (e.g. text that is not UTF-8); a path in
        `symlinks` is a symbolic link whose content is the name it points to.
        """
        parent = git(self.bare, "rev-parse", "--verify", "--quiet", branch, check=False).strip()
        with tempfile.TemporaryDirectory(prefix="git-test-index-") as tmp:
            index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if parent:
                git(self.bare, "read-tree", parent, env=index)
            for path, text in files.items():
                content = text if isinstance(text, bytes) else text.encode()
                blob = git(self.bare, "hash-object", "-w", "--stdin", stdin=content).strip()
                mode = (
                    "120000" if path in symlinks else "100755" if path in executable else "100644"
                )
                git(
                    self.bare,
                    "update-index",
                    "--add",
                    "--cacheinfo",
                    f"{mode},{blob},{path}",
                    env=index,
                )
            tree = git(self.bare, "write-tree", env=index).strip()
        parents = ["-p", parent] if parent else []
        commit = git(self.bare, "commit-tree", tree, *parents, "-m", message).strip()
        git(self.bare, "update-ref", f"refs/heads/{branch}", commit, *([parent] if parent else []))
        return commit

    def head(self, branch: str = BRANCH) -> str:
        return git(self.bare, "rev-parse", branch).strip()

    def read(self, path: str, revision: str = BRANCH) -> str:
        return git_bytes(self.bare, "show", f"{revision}:{path}").decode("utf-8")

    def log(self, *args: str, branch: str = BRANCH) -> list[str]:
        return git(self.bare, "log", *args, branch).splitlines()

    def count(self, branch: str = BRANCH) -> int:
        return int(git(self.bare, "rev-list", "--count", branch))


def git(
    cwd: Path | None,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    check: bool = True,
) -> str:
    return git_bytes(cwd, *args, env=env, stdin=stdin, check=check).decode("utf-8")


def git_bytes(
    cwd: Path | None,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    check: bool = True,
) -> bytes:
    name, email = MAINTAINER
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(cwd or Path.cwd()),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        **(env or {}),
    }
    executable = shutil.which("git")
    assert executable is not None, "the git-mode tests need git on PATH"
    done = subprocess.run(
        [executable, *args],
        cwd=cwd,
        env=environment,
        input=stdin or b"",
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0 or not check, f"git {' '.join(args)}: {done.stderr.decode()}"
    return done.stdout


# Seeded repositories, by branch and files, copied for each test (init + commit once).
_SEEDS: dict[tuple[object, ...], Path] = {}
_SEED_ROOT: list[tempfile.TemporaryDirectory[str]] = []


def _seed_root() -> str:
    """The folder of this session's seeds, made when the first is needed.

    Not at import: mutmut imports the tests (a collect-only session, whose end removes the
    seeds) in a process that then forks one process per mutant; a folder made at import was
    gone in every one of them, so every test of a repository failed and each mutant those
    tests cover was counted killed.
    """
    if not _SEED_ROOT:
        _SEED_ROOT.append(tempfile.TemporaryDirectory(prefix="git-test-seeds-"))
    return _SEED_ROOT[0].name


def remove_seeds() -> None:
    """Called by conftest.py when the session ends; a later session makes its own."""
    _SEEDS.clear()
    while _SEED_ROOT:
        _SEED_ROOT.pop().cleanup()
