"""One shallow, checkout-less clone of one branch, driven with the user's own `git`.

Why the `git` command and not a library: it is what the user already authenticates (ssh agent,
credential helper, `insteadOf` rewrites, proxies), so the stack needs no credential of its own
and stores none. Every call runs without hooks, with only the environment reaching the
repository needs, and without a prompt (`stages.section.git.environment`), and every message goes
through `redact_url`, so a URL's userinfo is never printed.

Each clone is of the one branch, shallow, without a checkout, into a temporary directory that
is deleted afterwards; a commit is built with plumbing (blob, index, tree, commit) on the branch
head that was cloned, so no working tree is involved. What is done with it, reading the file or
committing an edit, is stages.section.git.repo.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.config_issues import set_command
from stack.yaml_input import MANIFEST_LIMIT
from stages.section.git.environment import NO_HOOKS, git_environment
from stages.section.git.push_refusal import ref_status, refusal_message
from stages.section.git.repo_url import redact_url, url_problem

GIT_TIMEOUT_SECONDS = 120
_REGULAR_FILES = ("100644", "100755")


class GitError(RuntimeError):
    """A git command failed; the message says which, why, and never holds a URL's userinfo."""


class PushRefused(GitError):
    """The server refused the push (a protected branch, a hook): nothing was pushed, and
    pushing again cannot help."""


@dataclass(frozen=True)
class GitFile:
    """One file on one branch of one repository (`repo` is any URL `git` accepts)."""

    repo: str
    branch: str
    path: str

    @property
    def source(self) -> str:
        """Where the file is, in the words every message uses (userinfo redacted)."""
        return f"{self.path} (branch {self.branch} of {redact_url(self.repo)})"


def check_repo_url(url: str) -> None:
    """Refuse a URL that would put a credential into the stack's state (`url_problem`)."""
    problem = url_problem(url)
    if problem is not None:
        raise ValueError(
            f"section.git.repo {redact_url(url)} {problem}: "
            f"`{set_command(('section', 'git', 'repo'), '<url without it>')}`."
        )


def _git_executable() -> str:
    """The user's own git, from PATH: the one their credentials are set up for."""
    found = shutil.which("git")
    if found is None:
        raise GitError(
            "git is not on PATH; section.target git pushes with the git command (install it, "
            f"or set `{set_command(('section', 'target'), 'cluster')}`)."
        )
    return found


class Clone:
    """One shallow, checkout-less clone of the branch, and the few commands the edit needs."""

    def __init__(self, file: GitFile, directory: Path, git: str, env: dict[str, str]) -> None:
        self._file = file
        self._executable = git
        self._directory = directory
        self._env = env
        self._remote_ref = f"refs/remotes/origin/{file.branch}"

    def clone(self, depth: int) -> None:
        self._git(
            "clone",
            "--quiet",
            "--no-checkout",
            f"--depth={depth}",
            "--single-branch",
            "--no-tags",
            f"--branch={self._file.branch}",
            "--",
            self._file.repo,
            str(self._directory),
            cwd=self._directory.parent,
            doing="clone",
        )

    def fetch(self) -> None:
        refspec = f"+refs/heads/{self._file.branch}:{self._remote_ref}"
        self._git("fetch", "--quiet", "--depth=1", "--no-tags", "origin", refspec, doing="fetch")

    def head(self) -> str:
        return self._git("rev-parse", "--verify", f"{self._remote_ref}^{{commit}}").strip()

    def text_at(self, commit: str) -> str | None:
        mode = self._mode_at(commit)
        if mode is None:
            return None
        data = self._git_bytes("cat-file", "blob", f"{commit}:{self._file.path}")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise GitError(
                f"{self._file.source} is not UTF-8 text ({error}), so it is not a manifest "
                "Kubernetes tools read. Check `section.git.path`."
            ) from error

    def last_change_message(self) -> str:
        """The message of the newest commit on the branch that changed the file (within the
        clone's depth: past it, the oldest commit cloned, which has the file as if added)."""
        return self._git("log", "-1", "--format=%B", self._remote_ref, "--", self._file.path)

    def _mode_at(self, commit: str) -> str | None:
        listed = self._git("ls-tree", "-l", "-z", commit, "--", self._file.path)
        if not listed:
            return None
        mode, kind, _, size = listed.split("\t", 1)[0].split()
        if kind != "blob" or mode not in _REGULAR_FILES:
            raise GitError(
                f"{self._file.source} is not a regular file (git mode {mode} {kind}); point "
                "`section.git.path` at the ConfigMap manifest itself."
            )
        if int(size) > MANIFEST_LIMIT:  # refused before it is read
            raise GitError(
                f"{self._file.source} is {int(size):,} bytes, more than the API server accepts "
                f"({MANIFEST_LIMIT:,}), so no controller applies it. Check `section.git.path`."
            )
        return mode

    def commit(self, parent: str, text: str, *, name: str, email: str, message: str) -> str:
        """A commit of `text` at the path on top of `parent`, keeping the file's mode."""
        mode = self._mode_at(parent)
        blob = self._git("hash-object", "-w", "--stdin", stdin=text.encode("utf-8")).strip()
        index = {"GIT_INDEX_FILE": str(self._directory / ".git" / "openclaw-index")}
        self._git("read-tree", parent, env=index)
        self._git("update-index", "--cacheinfo", f"{mode},{blob},{self._file.path}", env=index)
        tree = self._git("write-tree", env=index).strip()
        identity = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        return self._git(
            "commit-tree", tree, "-p", parent, "-F", "-", env=identity, stdin=message.encode()
        ).strip()

    def push(self, commit: str) -> bool:
        """True when pushed; False when someone else pushed first (the branch moved on).
        Raises PushRefused when the server refused it (stages.section.git.push_refusal)."""
        ref = f"refs/heads/{self._file.branch}"
        result = self._run(["push", "--porcelain", "origin", f"{commit}:{ref}"], doing="push")
        if result.returncode == 0:
            return True
        status = ref_status(result.stdout.decode(errors="replace"), ref)
        if status is not None and status.behind:
            return False
        if status is not None and status.refused:
            raise PushRefused(
                refusal_message(
                    source=self._file.source,
                    repo=self._file.repo,
                    branch=self._file.branch,
                    reason=status.reason,
                    stderr=result.stderr.decode(errors="replace"),
                )
            )
        raise self._failure("push", result)

    def _git(self, *args: str, **options: Any) -> str:
        """`_git_bytes` (same options), decoded."""
        return self._git_bytes(*args, **options).decode()

    def _git_bytes(
        self,
        *args: str,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        stdin: bytes | None = None,
        doing: str | None = None,
    ) -> bytes:
        result = self._run(list(args), cwd=cwd, env=env, stdin=stdin, doing=doing)
        if result.returncode != 0:
            raise self._failure(doing or args[0], result)
        return result.stdout

    def _run(
        self,
        args: list[str],
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        stdin: bytes | None = None,
        doing: str | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                [self._executable, *NO_HOOKS, *args],
                cwd=cwd or self._directory,
                env={**self._env, **(env or {})},
                input=stdin if stdin is not None else b"",
                capture_output=True,
                timeout=GIT_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise GitError(
                f"git {doing or args[0]} for {self._file.source} did not finish within "
                f"{GIT_TIMEOUT_SECONDS} s; check the network and that git can reach the "
                "repository without a prompt (`git ls-remote <url>` in a terminal)."
            ) from error

    def _failure(self, doing: str, result: subprocess.CompletedProcess[bytes]) -> GitError:
        said = result.stderr.decode(errors="replace").replace(
            self._file.repo, redact_url(self._file.repo)
        )
        said = redact_url(" ".join(said.split()))[-800:] or "nothing"
        if doing == "clone" and "not found in upstream" in said:
            return GitError(
                f"Branch {self._file.branch} does not exist in {redact_url(self._file.repo)}. "
                f"Create it, or fix `{set_command(('section', 'git', 'branch'), '<branch>')}`."
            )
        if doing == "push":  # it could read the branch: the clone before it worked
            return GitError(
                f"Pushing to {self._file.source} failed (exit {result.returncode}): "
                f"{said.rstrip('.')}. "
                "Reading worked, so check that the credential git uses in this shell (ssh "
                f"agent or credential helper) may write to branch {self._file.branch} (a "
                "read-only deploy key may not), then run the Pulumi command again."
            )
        return GitError(
            f"git {doing} for {self._file.source} failed (exit {result.returncode}): "
            f"{said.rstrip('.')}. "
            "Check that `git ls-remote <url>` works in this shell (ssh agent or credential "
            "helper), then run the Pulumi command again."
        )


@contextmanager
def cloned(file: GitFile, depth: int = 1) -> Iterator[Clone]:
    """The file's branch, cloned for the length of the `with` block (its URL checked first),
    with the last `depth` commits."""
    check_repo_url(file.repo)
    with tempfile.TemporaryDirectory(prefix="openclaw-cron-webhook-git-") as directory:
        git = _git_executable()
        clone = Clone(file, Path(directory) / "repo", git, git_environment(git, os.environ))
        clone.clone(depth)
        yield clone
