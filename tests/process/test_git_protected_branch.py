"""Git mode against a protected branch: the real `git` pushes to a bare repository whose
`pre-receive` hook refuses every push, as GitHub's branch protection does (GH006).

What matters: create, update and destroy each fail with git's own `remote:` lines (their URLs'
credentials redacted), the repository and branch, and the two ways out; nothing is half-applied
(no commit on the branch, and the provider fails before it reaches the cluster to wait); and
the refusal is pushed once, not retried as if someone else had pushed first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from git_bare_repo import BareRepo, isolated_git  # noqa: F401 - isolated_git is a fixture
from kubernetes.client import ApiClient

from components.git_section_provider import GitJsonSectionProvider
from stages.kube_connection import KubeTarget
from stages.section.git.clone import GitFile, PushRefused
from stages.section.git.provider import commit_message
from stages.section.git.repo import commit_edit

pytestmark = [pytest.mark.process, pytest.mark.usefixtures("isolated_git")]

PATH = "argoproj/openclaw/configmap-openclaw.yaml"
STACK = "openclaw-cron-webhook/dev"
OTEL = {"plugins": {"entries": {"diagnostics-otel": {"enabled": True}}}}
CRON = {"enabled": True, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"}
DOCUMENT = json.dumps(OTEL, indent=2) + "\n"
WITH_CRON = json.dumps({**OTEL, "cron": CRON}, indent=2) + "\n"
# What the hook prints; git shows each line after `remote: `.
HOOK_LINES = (
    "GH006: Protected branch update failed for refs/heads/main.",
    "Rules: https://deploy-bot:s3cret@gitops.example.invalid/org/gitops/rules?token=abc",
)
SAID = (
    "    remote: GH006: Protected branch update failed for refs/heads/main.\n"
    "    remote: Rules: https://***@gitops.example.invalid/org/gitops/rules?***\n"
)


def manifest(document: str) -> str:
    lines = "".join(f"    {line}\n" for line in document[:-1].split("\n"))
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        f"  namespace: openclaw\ndata:\n  openclaw.json: |\n{lines}"
    )


def refused(url: str) -> str:
    """The whole message a refused push gives, for a repository `url` as the user gave it."""
    return (
        f"The server refused the push to {PATH} (branch main of {url}): [remote rejected] "
        "(pre-receive hook declined). Nothing was pushed, and pushing again would be refused "
        f"again. git said:\n{SAID}"
        f"Repository {url}, branch main: a protected branch or a pre-receive hook refuses this "
        "credential's pushes. Either way out works:\n"
        "  - let the credential git pushes with push to main: a deploy key with write access "
        "that the branch's protection lets through (GitHub: a ruleset whose bypass list has "
        "deploy keys), loaded in the ssh agent of the shell that runs Pulumi; or\n"
        "  - commit to another branch that your GitOps controller tracks (the Argo CD "
        "Application's targetRevision) and this credential may push to: `pulumi config set "
        "--path 'openclaw-cron-webhook:section.git.branch' <branch>`.\n"
        "Then run the same Pulumi command again."
    )


@pytest.fixture
def hook_log(tmp_path: Path) -> Path:
    return tmp_path / "pre-receive-ran"


def protect(repo: BareRepo, log: Path) -> None:
    """The branch's protection: a pre-receive hook that records each push and refuses it."""
    printed = "".join(f"echo '{line}' >&2\n" for line in HOOK_LINES)
    hook = repo.bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ncat >> '{log}'\n{printed}exit 1\n")
    hook.chmod(0o755)


@pytest.fixture
def reached() -> list[KubeTarget]:
    """Each time the provider asked for a cluster client: only a wait (or a refresh) does."""
    return []


@pytest.fixture
def provider(reached: list[KubeTarget]) -> GitJsonSectionProvider:
    def no_cluster(target: KubeTarget) -> ApiClient:
        reached.append(target)
        raise AssertionError("a refused push must fail before the provider waits")

    return GitJsonSectionProvider(no_cluster, poll_seconds=0.0, sleep=lambda _: None)


def props(repo: BareRepo, **changes: Any) -> dict[str, Any]:
    return {
        "repo": repo.url,
        "branch": "main",
        "path": PATH,
        "author": "openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>",
        "namespace": "openclaw",
        "configMap": "openclaw-config",
        "key": "openclaw.json",
        "section": "cron",
        "value": CRON,
        "stack": STACK,
        "deliveryTimeoutSeconds": 60,
        "application": "openclaw",
        "applicationNamespace": "argocd",
        **changes,
    }


def stored(repo: BareRepo) -> dict[str, Any]:
    """The outputs a create left in the state (what update and delete are given)."""
    return {**props(repo), "commit": repo.head(), "adopted": False, "before": None}


def without_section(tmp_path: Path) -> BareRepo:
    return BareRepo.create(tmp_path, {PATH: manifest(DOCUMENT)})


def with_section(tmp_path: Path) -> BareRepo:
    repo = without_section(tmp_path)
    repo.commit({PATH: manifest(WITH_CRON)}, commit_message(props(repo), "set"))
    return repo


def create(provider: GitJsonSectionProvider, repo: BareRepo) -> None:
    provider.create(props(repo))


def update(provider: GitJsonSectionProvider, repo: BareRepo) -> None:
    provider.update("id", stored(repo), props(repo, value={**CRON, "enabled": False}))


def destroy(provider: GitJsonSectionProvider, repo: BareRepo) -> None:
    provider.delete("id", stored(repo))


@pytest.mark.parametrize(
    ("operation", "section_before"),
    [(create, False), (update, True), (destroy, True)],
    ids=["create", "update", "destroy"],
)
def test_a_protected_branch_refuses_the_push_once_and_nothing_is_half_applied(
    operation: Any,
    section_before: bool,
    provider: GitJsonSectionProvider,
    reached: list[KubeTarget],
    hook_log: Path,
    tmp_path: Path,
) -> None:
    repo = with_section(tmp_path) if section_before else without_section(tmp_path)
    before, file_before = repo.head(), repo.read(PATH)
    protect(repo, hook_log)

    with pytest.raises(PushRefused) as raised:
        operation(provider, repo)

    assert str(raised.value) == refused(repo.url)
    assert (repo.head(), repo.read(PATH)) == (before, file_before)
    pushed = hook_log.read_text().splitlines()  # pre-receive reads `<old> <new> <ref>` lines
    assert [line.split()[::2] for line in pushed] == [[before, "refs/heads/main"]]
    assert reached == []


def test_the_message_redacts_the_repositorys_userinfo(
    provider: GitJsonSectionProvider,
    hook_log: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The user's git rewrites the URL (`insteadOf`), as it would apply their credentials."""
    repo = without_section(tmp_path)
    protect(repo, hook_log)
    url = "ssh://deploy-bot@gitops.example.invalid/org/gitops.git"
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.{repo.url}.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", url)

    with pytest.raises(PushRefused) as raised:
        provider.create({**props(repo), "repo": url})

    assert str(raised.value) == refused("ssh://***@gitops.example.invalid/org/gitops.git")


def test_a_refusal_in_bytes_that_are_not_utf8_is_still_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook speaks latin-1, and the user's git reaches the repository (an `insteadOf` in
    their config) in a folder whose name is latin-1, which git prints back (`To <url>`): what
    git and the server print is not UTF-8, and the refusal is told with those bytes replaced."""
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/d\xe9p\xf4t"))
    folder.mkdir()
    repo = without_section(folder)
    hook = repo.bare / "hooks" / "pre-receive"
    hook.write_bytes(b"#!/bin/sh\ncat > /dev/null\necho 'Pouss\xe9e refus\xe9e' >&2\nexit 1\n")
    hook.chmod(0o755)
    url = "https://gitops.example.invalid/org/gitops.git"
    Path(os.environ["GIT_CONFIG_GLOBAL"]).write_bytes(
        b'[url "' + os.fsencode(repo.url) + b'"]\n\tinsteadOf = ' + url.encode() + b"\n"
    )

    with pytest.raises(PushRefused) as raised:
        commit_edit(
            GitFile(url, "main", PATH), lambda text: text + "# x\n", author="A <a@b.c>", message="m"
        )

    assert str(raised.value).startswith(
        f"The server refused the push to {PATH} (branch main of {url}): [remote rejected] "
        "(pre-receive hook declined). Nothing was pushed, and pushing again would be refused "
        "again. git said:\n    remote: Pouss\N{REPLACEMENT CHARACTER}e refus"
        f"\N{REPLACEMENT CHARACTER}e\nRepository {url}, branch main: "
    )
