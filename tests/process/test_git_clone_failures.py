"""What the git layer says when the user's git is missing, hangs, or the file is no text
(git/clone.py), with the real `git` and a bare repository on disk.

Each message is what a `pulumi up` prints: it names the file, branch and repository (a URL's
userinfo redacted) and what to do, so it is asserted whole.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from git_bare_repo import BareRepo, git, isolated_git  # noqa: F401 - isolated_git is a fixture

import stages.section.git.clone as clone_module
from stages.section.git.clone import GitError, GitFile
from stages.section.git.repo import commit_edit, read_head

pytestmark = [pytest.mark.process, pytest.mark.usefixtures("isolated_git")]

PATH = "apps/openclaw/configmap.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> BareRepo:
    return BareRepo.create(tmp_path, {PATH: "kind: ConfigMap\n"})


def test_no_git_on_path_says_how_to_get_on(repo: BareRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(GitError) as raised:
        read_head(GitFile(repo.url, "main", PATH))

    assert str(raised.value) == (
        "git is not on PATH; section.target git pushes with the git command (install it, or set "
        "`pulumi config set --path 'openclaw-cron-webhook:section.target' cluster`)."
    )


def hanging_git(directory: Path, command: str) -> Path:
    """A `git` first on PATH that hangs on `command` and runs the real git otherwise."""
    real = shutil.which("git")
    wrapper = directory / "bin" / "git"
    wrapper.parent.mkdir()
    # "$1" "$2" are `-c core.hooksPath=/dev/null`; "$3" is the command.
    wrapper.write_text(f'#!/bin/sh\n[ "$3" = {command} ] && exec sleep 30\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper.parent


@pytest.mark.parametrize("command", ["clone", "rev-parse", "push"])
def test_a_git_command_that_hangs_is_stopped_and_named(
    repo: BareRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    """A prompt nobody sees, or a network that never answers: git is stopped at the timeout."""
    monkeypatch.setenv("PATH", f"{hanging_git(tmp_path, command)}:/usr/bin:/bin")
    monkeypatch.setattr(clone_module, "GIT_TIMEOUT_SECONDS", 1)

    with pytest.raises(GitError) as raised:
        commit_edit(
            GitFile(repo.url, "main", PATH),
            lambda text: text + "# x\n",
            author="A <a@b.c>",
            message="m",
        )

    assert str(raised.value) == (
        f"git {command} for {PATH} (branch main of {repo.url}) did not finish within 1 s; check "
        "the network and that git can reach the repository without a prompt (`git ls-remote "
        "<url>` in a terminal)."
    )
    assert repo.count() == 1


def test_a_file_that_is_not_utf8_is_no_manifest(repo: BareRepo) -> None:
    repo.commit({PATH: b"kind: Caf\xe9\n"}, "latin-1")

    with pytest.raises(GitError) as raised:
        read_head(GitFile(repo.url, "main", PATH))

    assert str(raised.value) == (
        f"{PATH} (branch main of {repo.url}) is not UTF-8 text ('utf-8' codec can't decode byte "
        "0xe9 in position 9: invalid continuation byte), so it is not a manifest Kubernetes "
        "tools read. Check `section.git.path`."
    )


def failing_ssh(monkeypatch: pytest.MonkeyPatch, directory: Path, said: bytes) -> str:
    """The user's ssh for git, saying `said` and failing; the ssh URL it is run for."""
    script = directory / "deploy-ssh"
    script.write_bytes(b"#!/bin/sh\nprintf '%s' '" + said + b"' >&2\nexit 255\n")
    script.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(script))
    monkeypatch.setenv("GIT_SSH_VARIANT", "ssh")
    return "ssh://gitops.example.invalid/org/gitops.git"


# What git adds when its ssh fails, as the message shows it (white space folded).
COULD_NOT_READ = (
    "fatal: Could not read from remote repository. Please make sure you have the correct access "
    "rights and the repository exists."
)
CHECK = (
    "Check that `git ls-remote <url>` works in this shell (ssh agent or credential helper), then "
    "run the Pulumi command again."
)


def test_what_ssh_says_in_another_encoding_is_shown_with_the_rest_replaced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = failing_ssh(monkeypatch, tmp_path, "Zugriff verweigert für deploy.\n".encode("latin-1"))

    with pytest.raises(GitError) as raised:
        read_head(GitFile(url, "main", PATH))

    assert str(raised.value) == (
        f"git clone for {PATH} (branch main of {url}) failed (exit 128): Zugriff verweigert "
        f"f\N{REPLACEMENT CHARACTER}r deploy. {COULD_NOT_READ} {CHECK}"
    )


def test_a_long_error_is_cut_to_its_last_800_characters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ssh -v, say: the end of what git says (its fatal line) is what explains the failure."""
    debug = [f"debug1: handshake step {n:03d}" for n in range(40)]
    url = failing_ssh(monkeypatch, tmp_path, "\n".join(debug).encode() + b"\n")
    everything = " ".join([*debug, COULD_NOT_READ])
    assert len(everything) > 800

    with pytest.raises(GitError) as raised:
        read_head(GitFile(url, "main", PATH))

    assert str(raised.value) == (
        f"git clone for {PATH} (branch main of {url}) failed (exit 128): "
        f"{everything[-800:]} {CHECK}"
    )


def git_whose_rev_parse(monkeypatch: pytest.MonkeyPatch, directory: Path, does: str) -> None:
    """A `git` first on PATH that runs the shell command `does` for `git rev-parse` (the read
    after the clone) and the real git for everything else."""
    wrapper = directory / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(
        f'#!/bin/sh\n[ "$3" = rev-parse ] && {does}\nexec {shutil.which("git")} "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:/usr/bin:/bin")


def test_a_git_killed_without_a_word_says_so(
    repo: BareRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Killed by a signal (the OOM killer, say), git prints nothing: the message says that."""
    git_whose_rev_parse(monkeypatch, tmp_path, "kill -9 $$")

    with pytest.raises(GitError) as raised:
        read_head(GitFile(repo.url, "main", PATH))

    assert str(raised.value) == (
        f"git rev-parse for {PATH} (branch main of {repo.url}) failed (exit -9): nothing. {CHECK}"
    )


def test_only_a_closing_period_is_dropped_from_what_git_says(
    repo: BareRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The message adds its own period after git's words: only git's own closing period goes.

    A git wrapper fails with what a real git says for an https host it cannot resolve: the
    words end with the host name as the user wrote it, here one ending in `X`, which must stay
    whole.
    """
    said = (
        "fatal: unable to access 'https://gitops.example.invalidX/org/gitops.git/': "
        "Could not resolve host: gitops.example.invalidX"
    )
    git_whose_rev_parse(monkeypatch, tmp_path, f'{{ echo "{said}" >&2; exit 128; }}')

    with pytest.raises(GitError) as raised:
        read_head(GitFile(repo.url, "main", PATH))

    assert str(raised.value) == (
        f"git rev-parse for {PATH} (branch main of {repo.url}) failed (exit 128): {said}. {CHECK}"
    )


def test_a_fetch_after_someone_elses_push_that_fails_is_named(
    repo: BareRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Someone else pushed first, and fetching their commit fails (the network went away)."""
    real = shutil.which("git")
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(
        f'#!/bin/sh\n[ "$3" = fetch ] && {{ echo "fatal: unable to access the server" >&2; '
        f'exit 128; }}\nexec {real} "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:/usr/bin:/bin")
    calls: list[str] = []

    def edit(text: str) -> str:
        if not calls:
            repo.commit({PATH: text + "# theirs\n"}, "theirs")
        calls.append(text)
        return text + "# ours\n"

    with pytest.raises(GitError) as raised:
        commit_edit(GitFile(repo.url, "main", PATH), edit, author="A <a@b.c>", message="m")

    assert str(raised.value) == (
        f"git fetch for {PATH} (branch main of {repo.url}) failed (exit 128): fatal: unable to "
        f"access the server. {CHECK}"
    )
    assert repo.log("--format=%s") == ["theirs", "Seed the GitOps repository"]
