"""The user's choice of ssh, kept; ours only where they made none (git/environment.py).

git_environment gives git batch-mode ssh (no prompt nobody sees) unless the user set up ssh
for git themselves: `GIT_SSH_COMMAND`, `GIT_SSH`, or `core.sshCommand` in their git config
(a file, or `GIT_CONFIG_*`). What counts is the config every git command of the stack sees:
not the repository Pulumi happens to run in, nor a `GIT_DIR` inherited from a hook. And git
runs in the C locale, so what a failing git (and the ssh it runs) says reaches the message as
is. The real `git` reads the config, as it does for the stack.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from git_bare_repo import git, isolated_git  # noqa: F401 - isolated_git is a fixture

from stages.section.git.clone import GitError, GitFile
from stages.section.git.environment import git_environment
from stages.section.git.repo import read_head

pytestmark = [pytest.mark.process, pytest.mark.usefixtures("isolated_git")]

BATCH = "ssh -o BatchMode=yes"


def real_git() -> str:
    found = shutil.which("git")
    assert found is not None, "the git-mode tests need git on PATH"
    return found


def ssh_of(inherited: dict[str, str]) -> tuple[str | None, str | None]:
    env = git_environment(real_git(), inherited)
    return env.get("GIT_SSH_COMMAND"), env.get("GIT_SSH")


def users(**names: str) -> dict[str, str]:
    """An environment as the user's shell has it, with their git config files."""
    return {
        "PATH": os.environ["PATH"],
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.environ["GIT_CONFIG_GLOBAL"],
        **names,
    }


def test_without_an_ssh_of_the_users_ssh_runs_in_batch_mode() -> None:
    assert ssh_of(users()) == (BATCH, None)


def test_the_users_git_ssh_command_is_kept() -> None:
    assert ssh_of(users(GIT_SSH_COMMAND="ssh -i ~/.ssh/deploy_key")) == (
        "ssh -i ~/.ssh/deploy_key",
        None,
    )


def test_the_users_git_ssh_is_kept_and_not_overridden() -> None:
    """GIT_SSH_COMMAND would win over GIT_SSH: none is added."""
    assert ssh_of(users(GIT_SSH="/usr/local/bin/deploy-ssh")) == (None, "/usr/local/bin/deploy-ssh")


def test_core_ssh_command_in_the_users_git_config_is_kept() -> None:
    Path(os.environ["GIT_CONFIG_GLOBAL"]).write_text("[core]\n\tsshCommand = ssh -i ~/.ssh/k\n")

    assert ssh_of(users()) == (None, None)


def test_core_ssh_command_given_through_the_environment_is_kept() -> None:
    given = users(
        GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="core.sshCommand", GIT_CONFIG_VALUE_0="ssh -4"
    )

    assert ssh_of(given) == (None, None)


def test_a_repositorys_own_config_is_not_the_users_ssh_setup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Pulumi run inside a checkout whose .git/config sets core.sshCommand, with GIT_DIR
    pointing at it (a hook's environment): the stack's git commands run in their own clone and
    never see that config, so it must not switch batch mode off."""
    checkout = tmp_path / "checkout"
    git(None, "init", "--quiet", str(checkout))
    git(checkout, "config", "core.sshCommand", "ssh -i ~/.ssh/their_key")
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("GIT_DIR", str(checkout / ".git"))

    assert git_environment(real_git(), os.environ)["GIT_SSH_COMMAND"] == BATCH


def test_what_a_failing_ssh_says_reaches_the_message_as_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The user's ssh wrapper is a bash script, as deploy-key wrappers often are: in the C
    locale bash adds nothing of its own (a locale git's environment does not have would add
    `bash: warning: setlocale: ...` to every message)."""
    wrapper = tmp_path / "deploy-ssh"
    wrapper.write_text('#!/bin/bash\necho "Permission denied (publickey)." >&2\nexit 255\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(wrapper))
    monkeypatch.setenv("GIT_SSH_VARIANT", "ssh")
    url = "ssh://deploy@gitops.example.invalid/org/gitops.git"

    with pytest.raises(GitError) as raised:
        read_head(GitFile(url, "main", "apps/cm.yaml"))

    assert str(raised.value) == (
        "git clone for apps/cm.yaml (branch main of ssh://***@gitops.example.invalid/org/"
        "gitops.git) failed (exit 128): Permission denied (publickey). fatal: Could not read "
        "from remote repository. Please make sure you have the correct access rights and the "
        "repository exists. Check that `git ls-remote <url>` works in this shell (ssh agent or "
        "credential helper), then run the Pulumi command again."
    )
