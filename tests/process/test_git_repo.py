"""Commits to the GitOps repository with the real `git`, against bare repositories on disk.

What matters is what ends up in the repository: one commit with the configured identity and
message on top of the branch head, nothing when nothing changes or an edit refuses, another
maintainer's concurrent push kept (the edit is redone on top of it, a bounded number of times),
and no message that prints a URL's userinfo or waits on a prompt.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from git_bare_repo import BareRepo, git, isolated_git  # noqa: F401 - isolated_git is a fixture

from stack.yaml_input import MANIFEST_LIMIT
from stages.section.git.clone import GitError, GitFile, PushRefused, check_repo_url
from stages.section.git.environment import PASSED, PASSED_PREFIXES
from stages.section.git.repo import (
    MAX_PUSH_ATTEMPTS,
    GitFileMissing,
    commit_edit,
    parse_author,
    read_head,
)
from stages.section.git.repo_url import redact_url

pytestmark = [pytest.mark.process, pytest.mark.usefixtures("isolated_git")]

PATH = "apps/openclaw/configmap.yaml"
# What git is given besides the allow-listed environment: ours, and a commit's identity and index.
OURS = (
    "GIT_TERMINAL_PROMPT",
    "LC_ALL",
    "GIT_SSH_COMMAND",
    "GIT_INDEX_FILE",
    *(f"GIT_{role}_{part}" for role in ("AUTHOR", "COMMITTER") for part in ("NAME", "EMAIL")),
)
MANIFEST = "kind: ConfigMap\ndata:\n  openclaw.json: |\n    {}\n"
OTHER = "apps/openclaw/deployment.yaml"
AUTHOR = "openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>"
MESSAGE = "openclaw-cron-webhook/dev: set cron section in openclaw.json (Phase 2)\n\nbody\n"


@pytest.fixture
def repo(tmp_path: Path) -> BareRepo:
    return BareRepo.create(tmp_path, {PATH: MANIFEST, OTHER: "kind: Deployment\n"})


def target(repo: BareRepo, **changes: Any) -> GitFile:
    return GitFile(**{"repo": repo.url, "branch": "main", "path": PATH, **changes})


def append(line: str) -> Any:
    return lambda text: text + line


def test_read_head_returns_the_file_at_the_branch_head(repo: BareRepo) -> None:
    head = read_head(target(repo))

    assert (head.commit, head.text) == (repo.head(), MANIFEST)


def test_read_head_of_a_missing_file_is_none(repo: BareRepo) -> None:
    assert read_head(target(repo, path="apps/other.yaml")).text is None


def test_commit_edit_pushes_one_commit_on_top_of_the_head(repo: BareRepo) -> None:
    before = repo.head()

    result = commit_edit(target(repo), append("# edited\n"), author=AUTHOR, message=MESSAGE)

    assert (result.commit, result.pushed, result.attempts) == (repo.head(), True, 1)
    assert result.text == repo.read(PATH) == MANIFEST + "# edited\n"
    assert repo.read(OTHER) == "kind: Deployment\n"
    assert git(repo.bare, "log", "-1", "--format=%P%n%an <%ae>%n%cn <%ce>%n%B", "main") == (
        f"{before}\n{AUTHOR}\n{AUTHOR}\n{MESSAGE}\n"
    )
    assert git(repo.bare, "diff", "--name-only", before, "main") == f"{PATH}\n"


def test_the_commit_keeps_the_file_mode(repo: BareRepo) -> None:
    repo.commit({PATH: MANIFEST + "# executable, oddly\n"}, "chmod", executable={PATH})

    commit_edit(target(repo), append("# x\n"), author=AUTHOR, message="m")

    assert git(repo.bare, "ls-tree", "main", "--", PATH).split()[0] == "100755"
    assert git(repo.bare, "ls-tree", "main", "--", OTHER).split()[0] == "100644"


def test_an_edit_that_changes_nothing_pushes_nothing(repo: BareRepo) -> None:
    before = repo.head()

    result = commit_edit(target(repo), lambda text: text, author=AUTHOR, message=MESSAGE)

    assert (result.commit, result.pushed, result.text, result.attempts) == (
        before,
        False,
        MANIFEST,
        1,
    )
    assert repo.head() == before


def test_a_refusing_edit_commits_nothing(repo: BareRepo) -> None:
    before = repo.head()

    def refuse(_text: str) -> str:
        raise ValueError("not ours")

    with pytest.raises(ValueError, match=r"^not ours$"):
        commit_edit(target(repo), refuse, author=AUTHOR, message=MESSAGE)

    assert repo.head() == before


def test_a_concurrent_push_is_kept_and_the_edit_redone_on_top(repo: BareRepo) -> None:
    seen: list[str] = []

    def edit(text: str) -> str:
        seen.append(text)
        if len(seen) == 1:  # between our clone and our push, someone else pushes
            repo.commit({PATH: text + "# theirs\n", OTHER: "kind: Deployment\n# v2\n"}, "theirs")
        return text + "# ours\n"

    result = commit_edit(target(repo), edit, author=AUTHOR, message=MESSAGE)

    assert result.attempts == 2
    assert seen == [MANIFEST, MANIFEST + "# theirs\n"]
    assert repo.read(PATH) == MANIFEST + "# theirs\n# ours\n"
    assert repo.read(OTHER) == "kind: Deployment\n# v2\n"
    assert repo.log("--format=%s") == [
        MESSAGE.splitlines()[0],
        "theirs",
        "Seed the GitOps repository",
    ]
    assert result.commit == repo.head()


def test_pushes_are_bounded(repo: BareRepo) -> None:
    calls = 0

    def always_beaten(text: str) -> str:
        nonlocal calls
        calls += 1
        repo.commit({OTHER: f"kind: Deployment\n# {calls}\n"}, f"theirs {calls}")
        return text + "# ours\n"

    with pytest.raises(GitError) as raised:
        commit_edit(target(repo), always_beaten, author=AUTHOR, message=MESSAGE)

    assert str(raised.value) == (
        f"Gave up after {MAX_PUSH_ATTEMPTS} pushes to {PATH} (branch main of {repo.url}): each "
        "time someone else pushed to the branch first. Nothing of this stack was pushed; run "
        "`pulumi up` (or `pulumi destroy`) again."
    )
    assert calls == MAX_PUSH_ATTEMPTS
    assert repo.read(PATH) == MANIFEST
    assert repo.count() == 1 + MAX_PUSH_ATTEMPTS


def test_a_missing_file_is_named(repo: BareRepo) -> None:
    with pytest.raises(GitFileMissing) as raised:
        commit_edit(target(repo, path="apps/cm.yaml"), append("x"), author=AUTHOR, message="m")

    assert str(raised.value) == (
        f"apps/cm.yaml (branch main of {repo.url}) does not exist. Check `section.git.path` and "
        "`section.git.branch` (`pulumi config set --path 'openclaw-cron-webhook:section.git.path' "
        "<path>`), or commit the ConfigMap manifest first."
    )


def test_a_missing_branch_is_named(repo: BareRepo) -> None:
    with pytest.raises(GitError) as raised:
        read_head(target(repo, branch="gitops"))

    assert str(raised.value) == (
        f"Branch gitops does not exist in {repo.url}. Create it, or fix `pulumi config set "
        "--path 'openclaw-cron-webhook:section.git.branch' <branch>`."
    )


def test_a_file_larger_than_any_manifest_is_refused_before_it_is_read(repo: BareRepo) -> None:
    repo.commit({PATH: "#" * MANIFEST_LIMIT + "\n"}, "huge")

    with pytest.raises(GitError) as raised:
        read_head(target(repo))

    assert str(raised.value) == (
        f"{PATH} (branch main of {repo.url}) is 3,145,729 bytes, more than the API server "
        "accepts (3,145,728), so no controller applies it. Check `section.git.path`."
    )
    repo.commit({PATH: "#" * (MANIFEST_LIMIT - 1) + "\n"}, "at the limit")
    assert read_head(target(repo)).text == "#" * (MANIFEST_LIMIT - 1) + "\n"


def test_a_directory_or_symlink_is_not_a_manifest(repo: BareRepo) -> None:
    with pytest.raises(GitError) as raised:
        read_head(target(repo, path="apps/openclaw"))

    assert str(raised.value) == (
        f"apps/openclaw (branch main of {repo.url}) is not a regular file (git mode 040000 "
        "tree); point `section.git.path` at the ConfigMap manifest itself."
    )


def test_a_remote_that_refuses_the_push_is_not_retried(repo: BareRepo, tmp_path: Path) -> None:
    """A pre-receive hook (a protected branch) refuses: pushed once, with git's reason and the
    server's words (the whole message: tests/process/test_git_protected_branch.py)."""
    pushes = tmp_path / "pushes"
    hook = repo.bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ncat >> '{pushes}'\necho 'use a pull request' >&2\nexit 1\n")
    hook.chmod(0o755)

    with pytest.raises(PushRefused) as raised:
        commit_edit(target(repo), append("x"), author=AUTHOR, message=MESSAGE)

    message = str(raised.value)
    assert message.startswith(
        f"The server refused the push to {PATH} (branch main of {repo.url}): [remote rejected] "
        "(pre-receive hook declined). Nothing was pushed, and pushing again would be refused "
        "again. git said:\n    remote: use a pull request\n"
    )
    assert len(pushes.read_text().splitlines()) == 1
    assert repo.count() == 1


def test_a_server_that_fails_to_take_the_push_is_no_refusal(repo: BareRepo) -> None:
    """The server could not unpack (here: larger than receive.maxInputSize): no branch rule to
    be let through, so git's words and the generic hint, not the protected-branch ways out."""
    git(repo.bare, "config", "receive.maxInputSize", "10")

    with pytest.raises(GitError) as raised:
        commit_edit(target(repo), append("x"), author=AUTHOR, message=MESSAGE)

    assert not isinstance(raised.value, PushRefused)
    message = str(raised.value)
    assert message.startswith(f"Pushing to {PATH} (branch main of {repo.url}) failed (exit 1): ")
    assert "remote: fatal: pack exceeds maximum allowed size" in message
    assert repo.count() == 1


def test_a_push_that_cannot_reach_the_server_blames_write_access_not_ls_remote(
    repo: BareRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading worked (the clone), the push did not start: as with a read-only deploy key."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "remote.origin.receivepack")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "/bin/false")

    with pytest.raises(GitError) as raised:
        commit_edit(target(repo), append("x"), author=AUTHOR, message=MESSAGE)

    assert str(raised.value) == (
        f"Pushing to {PATH} (branch main of {repo.url}) failed (exit 128): fatal: Could not "
        "read from remote repository. Please make sure you have the correct access rights and "
        "the repository exists. Reading worked, so check that the credential git uses in this "
        "shell (ssh agent or credential helper) may write to branch main (a read-only deploy "
        "key may not), then run the Pulumi command again."
    )
    assert repo.count() == 1


def test_inherited_repository_variables_do_not_redirect_git(
    repo: BareRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Say the tests run from a git hook: GIT_DIR and GIT_INDEX_FILE point elsewhere."""
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere.git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "elsewhere.index"))

    result = commit_edit(target(repo), append("# x\n"), author=AUTHOR, message="m")

    assert result.commit == repo.head()
    assert not (tmp_path / "elsewhere.git").exists()


def test_a_global_hook_never_runs_on_the_stacks_clone(repo: BareRepo, tmp_path: Path) -> None:
    """A team's global core.hooksPath would run its pre-push (and reference-transaction) hook
    on the stack's clone; git runs with hooks off, whatever the config says."""
    ran = tmp_path / "hook-ran"
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("pre-push", "reference-transaction", "post-checkout", "post-index-change"):
        (hooks / name).write_text(f"#!/bin/sh\necho \"{name} $PWD\" >> '{ran}'\n")
        (hooks / name).chmod(0o755)
    config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    config.write_text(f"[core]\n\thooksPath = {hooks}\n")
    # The control: with that config, plain git runs the hooks.
    git(
        repo.bare,
        "update-ref",
        "refs/heads/control",
        "main",
        env={"GIT_CONFIG_GLOBAL": str(config)},
    )
    assert ran.read_text() == f"reference-transaction {repo.bare}\n" * 2
    ran.unlink()

    result = commit_edit(target(repo), append("# x\n"), author=AUTHOR, message="m")

    assert (result.pushed, result.commit) == (True, repo.head())
    # Only the receiving side's own hooks ran (a hosted remote's are its business).
    assert {line.split(" ", 1)[1] for line in ran.read_text().splitlines()} == {str(repo.bare)}


def test_git_sees_none_of_the_environments_credentials(
    repo: BareRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every git command (and what it starts) gets the allow-listed environment only: a `git`
    first on PATH records what it was given, then runs the real one."""
    real_git = shutil.which("git")
    dump = tmp_path / "environments"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(
        f"#!/bin/sh\nenv >> '{dump}'\necho ---- >> '{dump}'\nexec {real_git} \"$@\"\n"
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:{os.environ['PATH']}")
    for name in ("AWS_SECRET_ACCESS_KEY", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"):
        monkeypatch.setenv(name, f"canary-{name}")
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))

    commit_edit(target(repo), append("# x\n"), author=AUTHOR, message="m")

    runs = dump.read_text().split("----\n")[:-1]
    assert len(runs) >= 8  # the ssh probe, clone, rev-parse, ls-tree, cat-file, ..., push
    assert "canary" not in dump.read_text()
    for run in runs:
        given = dict(line.split("=", 1) for line in run.splitlines() if "=" in line)
        assert given["GIT_TERMINAL_PROMPT"] == "0"
        assert given["SSH_AUTH_SOCK"] == str(tmp_path / "agent.sock")
        assert run is runs[0] or given["GIT_SSH_COMMAND"] == "ssh -o BatchMode=yes"
        unexpected = set(given) - PASSED - {"PWD", "OLDPWD", "SHLVL", "_", *OURS}
        assert not {n for n in unexpected if not n.startswith(PASSED_PREFIXES)}, unexpected


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://github.com/org/gitops.git", "https://github.com/org/gitops.git"),
        ("https://ghp_t0ken@github.com/org/gitops.git", "https://***@github.com/org/gitops.git"),
        ("https://user:pa55@host/x.git", "https://***@host/x.git"),
        ("ssh://git@github.com/org/gitops.git", "ssh://***@github.com/org/gitops.git"),
        ("git@github.com:org/gitops.git", "***@github.com:org/gitops.git"),
        ("file:///srv/git/gitops.git", "file:///srv/git/gitops.git"),
        ("/srv/git/a@b:c.git", "/srv/git/a@b:c.git"),
        ("https://x-access-token@ghp_t0ken@host/x.git", "https://***@host/x.git"),
        ("https://host/x.git?access_token=t0ken#main", "https://host/x.git?***#main"),
    ],
)
def test_redact_url_hides_any_userinfo(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    ("url", "shown", "problem"),
    [
        ("https://user:s3cret@host/x.git", "https://***@host/x.git", "embeds a password"),
        ("https://s3cret@host/x.git", "https://***@host/x.git", "names a user before the host"),
        ("https://host/x.git?t=s3cret", "https://host/x.git?***", "has a query string"),
    ],
)
def test_a_url_with_a_credential_is_refused_before_any_git(
    monkeypatch: pytest.MonkeyPatch, url: str, shown: str, problem: str
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no git could run

    with pytest.raises(ValueError, match=r"^section\.git\.repo ") as raised:
        read_head(GitFile(url, "main", PATH))

    assert str(raised.value).startswith(f"section.git.repo {shown} {problem}")
    assert str(raised.value).endswith(
        ": `pulumi config set --path 'openclaw-cron-webhook:section.git.repo' <url without it>`."
    )
    assert "s3cret" not in str(raised.value)


def test_an_ssh_user_name_is_no_credential() -> None:
    check_repo_url("ssh://git@host/x.git")
    check_repo_url("git@host:x.git")


@pytest.mark.parametrize(
    ("author", "identity"),
    [
        (AUTHOR, ("openclaw-cron-webhook", "openclaw-cron-webhook@users.noreply.localhost")),
        ("Jane Q. Doe   <jane@example.org>", ("Jane Q. Doe", "jane@example.org")),
    ],
)
def test_parse_author(author: str, identity: tuple[str, str]) -> None:
    assert parse_author(author) == identity


@pytest.mark.parametrize("author", ["jane@example.org", "<jane@example.org>", "Jane <a b>", ""])
def test_a_bad_author_is_refused_with_the_fix(author: str) -> None:
    with pytest.raises(ValueError, match=r"^section\.git\.author ") as raised:
        parse_author(author)

    assert str(raised.value) == (
        f"section.git.author {author!r} is not `Name <email>`; fix it with `pulumi config set "
        "--path 'openclaw-cron-webhook:section.git.author' 'Name <email>'`."
    )


class _AskForCredentials(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="gitops"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def asks_for_credentials() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AskForCredentials)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_missing_credential_fails_at_once(
    asks_for_credentials: str,
) -> None:
    """git would prompt for a user name and password; it must fail instead."""
    url = f"http://{asks_for_credentials}/gitops.git"

    with pytest.raises(GitError) as raised:
        read_head(GitFile(url, "main", PATH))

    message = str(raised.value)
    assert message.startswith(f"git clone for {PATH} (branch main of {url}) failed (exit 128): ")
    assert "terminal prompts disabled" in message
    assert os.environ.get("GIT_TERMINAL_PROMPT") is None  # set for git only, not the process
