"""What the stack's clone takes from the repository, and what of the user's setup it runs
(git/clone.py), with the real `git` and bare repositories on disk.

The clone is of one branch, shallow, without a checkout: the history it reads is bounded (the
last change of the file is looked for among the last HISTORY_DEPTH commits), no checkout filter
of the user's (git-lfs, say) ever runs on it, and the configured repository is always taken as
a repository, whatever it starts with.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from git_bare_repo import BareRepo, git, isolated_git  # noqa: F401 - isolated_git is a fixture

from stages.section.git.clone import GitError, GitFile
from stages.section.git.repo import HISTORY_DEPTH, commit_edit, last_change_message, read_head

pytestmark = [pytest.mark.process, pytest.mark.usefixtures("isolated_git")]

PATH = "apps/openclaw/configmap.yaml"
OTHER = "apps/openclaw/deployment.yaml"
MANIFEST = "kind: ConfigMap\n"


def test_the_last_change_is_looked_for_within_history_depth_commits(tmp_path: Path) -> None:
    """The file's last change lies further back: the oldest commit cloned reads as its last
    change (the clone stops there, and has the file as if that commit added it)."""
    repo = BareRepo.create(tmp_path, {PATH: MANIFEST})
    file = GitFile(repo.url, "main", PATH)
    for n in range(1, HISTORY_DEPTH):
        repo.commit({OTHER: f"kind: Deployment\n# {n}\n"}, f"deployment {n}")
    assert last_change_message(file) == "Seed the GitOps repository\n\n"  # 50th back

    repo.commit({OTHER: "kind: Deployment\n# last\n"}, "deployment last")

    assert last_change_message(file) == "deployment 1\n\n"


def test_no_checkout_filter_of_the_user_runs_on_the_clone(tmp_path: Path) -> None:
    """A git-lfs-like smudge filter in the user's config, for the manifest's path: reading and
    committing never check the file out, so the filter never runs."""
    ran = tmp_path / "smudge-ran"
    smudge = tmp_path / "smudge"
    smudge.write_text(f"#!/bin/sh\necho ran >> '{ran}'\ncat\n")
    smudge.chmod(0o755)
    Path(os.environ["GIT_CONFIG_GLOBAL"]).write_text(f'[filter "probe"]\n\tsmudge = {smudge}\n')
    repo = BareRepo.create(tmp_path, {PATH: MANIFEST, ".gitattributes": "*.yaml filter=probe\n"})
    file = GitFile(repo.url, "main", PATH)

    assert read_head(file).text == MANIFEST
    assert commit_edit(file, lambda text: text + "# x\n", author="A <a@b.c>", message="m").pushed

    assert repo.read(PATH) == MANIFEST + "# x\n"
    assert not ran.exists()


def test_a_repository_that_looks_like_an_option_is_taken_as_a_repository(tmp_path: Path) -> None:
    """`section.git.repo` given as `--upload-pack=...` stays the repository git is asked for,
    never an option of the clone."""
    repo = f"--upload-pack={tmp_path / 'upload-pack'}"

    with pytest.raises(GitError) as raised:
        read_head(GitFile(repo, "main", PATH))

    assert str(raised.value) == (
        f"git clone for {PATH} (branch main of {repo}) failed (exit 128): fatal: repository "
        f"'{repo}' does not exist. Check that `git ls-remote <url>` works in this shell (ssh "
        "agent or credential helper), then run the Pulumi command again."
    )


def test_a_manifest_whose_name_starts_with_a_dash_is_read_and_committed(tmp_path: Path) -> None:
    """`section.git.path` may start with `-` (the config allows it): git takes it as a path,
    never as an option, in every command that names it."""
    path = "-openclaw.yaml"
    repo = BareRepo.create(tmp_path, {path: MANIFEST})
    file = GitFile(repo.url, "main", path)

    assert read_head(file).text == MANIFEST
    result = commit_edit(file, lambda text: text + "# x\n", author="A <a@b.c>", message="edit")
    assert (result.pushed, repo.read(path)) == (True, MANIFEST + "# x\n")
    assert last_change_message(file) == "edit\n"


def test_a_symlink_is_not_a_manifest(tmp_path: Path) -> None:
    """A symlink is a blob to git (mode 120000) holding the target's name: not the manifest."""
    repo = BareRepo.create(tmp_path, {"apps/real.yaml": MANIFEST})
    repo.commit({PATH: "real.yaml"}, "link", symlinks={PATH})

    with pytest.raises(GitError) as raised:
        read_head(GitFile(repo.url, "main", PATH))

    assert str(raised.value) == (
        f"{PATH} (branch main of {repo.url}) is not a regular file (git mode 120000 blob); point "
        "`section.git.path` at the ConfigMap manifest itself."
    )
