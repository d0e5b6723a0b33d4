"""verify's git reader when it cannot read the branch (git/branch_head.py), with the real `git`.

What matters is the hop verify prints then: its summary names the file, branch and repository,
its cause is the git layer's own message (which names the config key and the fix), and its fix
is the one command that tells whether this shell's git reaches the branch. No credential of a
URL reaches any of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from git_bare_repo import BareRepo, isolated_git  # noqa: F401 - isolated_git is a fixture

from stack.settings import GitSettings
from stages.hop import CannotRead
from stages.section.git.branch_head import read_branch_file

pytestmark = [pytest.mark.process, pytest.mark.usefixtures("isolated_git")]

PATH = "apps/openclaw/configmap.yaml"


def test_a_missing_branch_cannot_be_read_and_the_hop_says_why(tmp_path: Path) -> None:
    repo = BareRepo.create(tmp_path, {PATH: "kind: ConfigMap\n"})

    with pytest.raises(CannotRead) as raised:
        read_branch_file(GitSettings(repo=repo.url, path=PATH, branch="gitops"))

    problem = raised.value
    assert (problem.summary, problem.cause, problem.fix) == (
        f"cannot read {PATH} (branch gitops of {repo.url})",
        f"Branch gitops does not exist in {repo.url}. Create it, or fix `pulumi config set "
        "--path 'openclaw-cron-webhook:section.git.branch' <branch>`.",
        f"git ls-remote {repo.url} gitops   (must work in this shell; else fix "
        "openclaw-cron-webhook:section.git.repo)",
    )


def test_a_url_with_a_credential_is_no_read_and_is_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # refused before any git could run
    url = "https://bot:s3cret@gitops.example.invalid/org/gitops.git"
    shown = "https://***@gitops.example.invalid/org/gitops.git"

    with pytest.raises(CannotRead) as raised:
        read_branch_file(GitSettings(repo=url, path=PATH))

    problem = raised.value
    assert (problem.summary, problem.cause, problem.fix) == (
        f"cannot read {PATH} (branch main of {shown})",
        f"section.git.repo {shown} embeds a password, which would be stored in plain text in "
        "the stack file and the state, and passed to git on its command line; let git's "
        "credential helper or ssh agent supply it: `pulumi config set --path "
        "'openclaw-cron-webhook:section.git.repo' <url without it>`.",
        f"git ls-remote {shown} main   (must work in this shell; else fix "
        "openclaw-cron-webhook:section.git.repo)",
    )
