"""The git-mode section provider: a real bare repository, the fake API server as the cluster,
and a fake Argo CD that copies the branch head's manifest into the live ConfigMap.

What matters is what ends up in Git and in the cluster, and when: one commit per change with
the stack's message and no other byte of the file changed; no commit at all for a refusal or a
no-op; the create/update/delete returning only once the live ConfigMap shows the commit, and
failing with the commit, the file and the timeout when it never does; the refresh annotation
asked for (or skipped with a note); and diff/refresh reading the branch head, so a no-op
preview is empty and a hand edit in Git is drift. The provider never writes the ConfigMap.
Time is a fake clock whose `sleep` lets the fake controller act: no test waits for real, but
one, which runs the controller as a thread against the real clock.
"""

from __future__ import annotations

import base64
import pickletools
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dill  # type: ignore[import-untyped]
import pytest
import yaml
from fake_kube_api import FakeKubeApi
from git_bare_repo import BareRepo, git, isolated_git  # noqa: F401 - isolated_git is a fixture
from kubernetes.client import ApiClient, Configuration
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

import stages.section.git.provider as provider_module
from components.git_section_provider import GitJsonSectionProvider
from stages.section.document import InvalidDocumentError, PreconditionError
from stages.section.git.delivery import REFRESH_ANNOTATION, DeliveryTimeout
from stages.section.git.embedded_document import ManifestError
from stages.section.git.repo import GitFileMissing

pytestmark = [pytest.mark.process, pytest.mark.usefixtures("isolated_git")]

NAMESPACE, NAME, KEY = "openclaw", "openclaw-config", "openclaw.json"
ARGO_NAMESPACE, APPLICATION = "argocd", "openclaw"
PATH = "argoproj/openclaw/configmap-openclaw.yaml"
STACK = "openclaw-cron-webhook/dev"
AUTHOR = "openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>"
CRON = {"enabled": True, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"}
DOCUMENT = """{
  "gateway": {
    "port": 18789
  },
  "plugins": {
    "entries": {
      "diagnostics-otel": {
        "enabled": true
      }
    }
  }
}
"""
WITH_CRON = """{
  "gateway": {
    "port": 18789
  },
  "plugins": {
    "entries": {
      "diagnostics-otel": {
        "enabled": true
      }
    }
  },
  "cron": {
    "enabled": true,
    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"
  }
}
"""


def manifest(document: str) -> str:
    lines = "".join(f"    {line}\n" if line else "\n" for line in document[:-1].split("\n"))
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        "  namespace: openclaw  # Argo CD applies this\ndata:\n  openclaw.json: |\n"
        + lines
        + "  AGENTS.md: |\n    # Agents\n"
    )


ORIGINAL = manifest(DOCUMENT)
SPLICED = manifest(WITH_CRON)
DEPLOYMENT = "argoproj/openclaw/deployment-openclaw.yaml"
POLL = 1.5  # not delivery.POLL_SECONDS: the provider must pass on the interval it was given


def message(verb: str) -> str:
    return (
        f"{STACK}: {verb} cron section in openclaw.json (Phase 2)\n\n"
        f'Pulumi stack {STACK} owns the top-level "cron" section of openclaw.json in ConfigMap\n'
        "openclaw/openclaw-config; nothing else in this file was changed.\n"
        "Change or remove it through the stack (pulumi up / pulumi destroy).\n"
    )


class FakeCluster(FakeKubeApi):
    """The fake API server, plus Argo CD Applications (GET and merge PATCH)."""

    _PATH = re.compile(r"^/apis/argoproj\.io/v1alpha1/namespaces/([^/]+)/applications/([^/]+)$")

    def __init__(self) -> None:
        super().__init__()
        self.applications: dict[tuple[str, str], dict[str, Any]] = {}

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        status, payload = super().handle(method, path, query, body, content_type)
        match = self._PATH.match(path)
        if match is None or status != 404 or "details" in payload:
            return status, payload  # not an Application, or an injected failure
        application = self.applications.get((match[1], match[2]))
        if application is None:
            message = f'applications.argoproj.io "{match[2]}" not found'
            return 404, {"kind": "Status", "code": 404, "reason": "NotFound", "message": message}
        if method == "PATCH" and content_type == "application/merge-patch+json" and body:
            annotations = body.get("metadata", {}).get("annotations", {})
            application["metadata"].setdefault("annotations", {}).update(annotations)
        return 200, application


@dataclass
class FakeArgo:
    """Syncs the branch head's document into the live ConfigMap when asked to refresh (and
    then drops the annotation, as Argo CD does), or every `poll_ticks` ticks (its Git poll)."""

    repo: BareRepo
    cluster: FakeCluster
    poll_ticks: int | None = None
    ticks: int = 0
    syncs: list[str] = field(default_factory=list)

    def tick(self) -> None:
        self.ticks += 1
        application = self.cluster.applications.get((ARGO_NAMESPACE, APPLICATION))
        asked = application and application["metadata"].get("annotations", {}).pop(
            REFRESH_ANNOTATION, None
        )
        if asked or (self.poll_ticks and self.ticks % self.poll_ticks == 0):
            self.sync()

    def sync(self) -> None:
        head = self.repo.head()
        document = yaml.safe_load(self.repo.read(PATH))["data"][KEY]
        self.cluster.edit_data(NAMESPACE, NAME, KEY, lambda _: document)
        self.syncs.append(head)


@dataclass
class FakeTime:
    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)
    on_sleep: Callable[[], None] | None = None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep()


@pytest.fixture
def repo(tmp_path: Path) -> BareRepo:
    return BareRepo.create(tmp_path, {PATH: ORIGINAL, DEPLOYMENT: "kind: Deployment\n"})


@pytest.fixture
def cluster() -> Iterator[FakeCluster]:
    server = FakeCluster()
    with server:
        server.add_config_map(NAMESPACE, NAME, {KEY: DOCUMENT, "AGENTS.md": "# Agents\n"})
        yield server


@pytest.fixture
def argo(repo: BareRepo, cluster: FakeCluster) -> FakeArgo:
    return FakeArgo(repo, cluster, poll_ticks=3)


@pytest.fixture
def fake_time(argo: FakeArgo) -> FakeTime:
    return FakeTime(on_sleep=argo.tick)


@pytest.fixture
def provider(cluster: FakeCluster, fake_time: FakeTime) -> Iterator[GitJsonSectionProvider]:
    api_client = ApiClient(Configuration(host=cluster.host))
    provider = GitJsonSectionProvider(
        lambda _target: api_client, poll_seconds=POLL, clock=fake_time.clock, sleep=fake_time.sleep
    )
    provider.configure(ConfigureRequest(Config({"kubernetes:context": "lolice"}, "project")))
    yield provider
    api_client.close()


@pytest.fixture
def props(repo: BareRepo) -> dict[str, Any]:
    return {
        "repo": repo.url,
        "branch": "main",
        "path": PATH,
        "author": AUTHOR,
        "namespace": NAMESPACE,
        "configMap": NAME,
        "key": KEY,
        "section": "cron",
        "value": CRON,
        "stack": STACK,
        "deliveryTimeoutSeconds": 60,
        "application": "",
        "applicationNamespace": ARGO_NAMESPACE,
    }


def created(provider: GitJsonSectionProvider, props: dict[str, Any]) -> dict[str, Any]:
    """Create, and return the outputs the engine would store (and later hand to delete)."""
    outs = provider.create(dict(props)).outs
    assert outs is not None
    return outs


def live(cluster: FakeCluster) -> str:
    text: str = cluster.get(NAMESPACE, NAME)["data"][KEY]
    return text


def add_application(cluster: FakeCluster) -> None:
    cluster.applications[ARGO_NAMESPACE, APPLICATION] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": APPLICATION, "namespace": ARGO_NAMESPACE},
    }


def pushed(repo: BareRepo) -> str:
    where = f"{PATH} (branch main of {repo.url})"
    return f"openclaw-cron-webhook: pushed commit {repo.head()} to {where}.\n"


def cluster_calls(cluster: FakeCluster) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request in cluster.requests]


CONFIG_MAP_PATH = f"/api/v1/namespaces/{NAMESPACE}/configmaps/{NAME}"
APPLICATION_PATH = (
    f"/apis/argoproj.io/v1alpha1/namespaces/{ARGO_NAMESPACE}/applications/{APPLICATION}"
)
NO_APPLICATION_NOTE = (
    "openclaw-cron-webhook: no section.git.application set: the controller picks the commit up "
    "at its next poll (Argo CD: 3 min by default).\n"
)


def test_create_commits_the_section_and_waits_until_it_is_live(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    fake_time: FakeTime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = repo.head()

    result = provider.create(dict(props))

    assert repo.read(PATH) == SPLICED
    assert git(repo.bare, "log", "-1", "--format=%P %an <%ae>%n%B", "main") == (
        f"{before} {AUTHOR}\n{message('set')}\n"
    )
    assert repo.count() == 2
    assert (result.id, result.outs) == (
        f"{repo.url}#main:{PATH}#cron",
        {**props, "commit": repo.head(), "adopted": False, "before": None},
    )
    assert live(cluster) == WITH_CRON
    assert argo.syncs == [repo.head()]
    assert fake_time.sleeps == [POLL] * 3  # the controller's third tick is its poll
    assert cluster.puts() == []  # the cluster is never written by the stack in git mode
    assert set(cluster_calls(cluster)) == {("GET", CONFIG_MAP_PATH)}
    assert capsys.readouterr().err == pushed(repo) + NO_APPLICATION_NOTE


def test_create_adopts_an_equal_section_without_a_commit_or_a_wait(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    fake_time: FakeTime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    head = repo.commit({PATH: SPLICED}, "the team committed the section by hand")
    argo.sync()

    result = provider.create(dict(props))

    assert (repo.head(), repo.read(PATH), (result.outs or {})["commit"]) == (head, SPLICED, head)
    assert fake_time.sleeps == []
    assert capsys.readouterr().err == ""


def test_create_asks_argo_cd_to_refresh_and_that_delivers_the_commit(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    fake_time: FakeTime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_application(cluster)
    argo.poll_ticks = None  # it would never poll: only the refresh delivers

    provider.create({**props, "application": APPLICATION})

    assert live(cluster) == WITH_CRON
    assert fake_time.sleeps == [POLL]
    (patch,) = [request for request in cluster.requests if request.method == "PATCH"]
    assert (patch.path, patch.content_type, patch.body) == (
        APPLICATION_PATH,
        "application/merge-patch+json",
        {"metadata": {"annotations": {REFRESH_ANNOTATION: "normal"}}},
    )
    assert patch.query == {"fieldManager": ["openclaw-cron-webhook"]}
    assert capsys.readouterr().err == pushed(repo) + (
        "openclaw-cron-webhook: asked Argo CD Application argocd/openclaw to refresh.\n"
    )


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda cluster: cluster.fail_next("PATCH", 403), "403 Forbidden"),
        (lambda cluster: None, "404 Not Found"),  # no such Application
    ],
    ids=["forbidden", "not-found"],
)
def test_a_refresh_without_access_is_skipped_with_a_note(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    fake_time: FakeTime,
    capsys: pytest.CaptureFixture[str],
    setup: Callable[[FakeCluster], None],
    reason: str,
) -> None:
    if reason.startswith("403"):
        add_application(cluster)
    setup(cluster)

    provider.create({**props, "application": APPLICATION})

    assert live(cluster) == WITH_CRON  # delivered at the controller's next poll
    assert fake_time.sleeps == [POLL] * 3
    assert capsys.readouterr().err == pushed(repo) + (
        f"openclaw-cron-webhook: could not ask Argo CD Application argocd/openclaw to refresh "
        f"({reason}): the controller picks the commit up at its next poll (Argo CD: 3 min by "
        "default). To let the stack do it, allow `patch` on applications.argoproj.io openclaw "
        "in namespace argocd.\n"
    )


def test_a_commit_that_never_arrives_fails_naming_commit_file_and_timeout(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    fake_time: FakeTime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argo.poll_ticks = None  # the controller never syncs

    with pytest.raises(DeliveryTimeout) as raised:
        provider.create({**props, "deliveryTimeoutSeconds": 65, "application": APPLICATION})

    commit = repo.head()
    assert str(raised.value) == (
        f"Commit {commit} (pushed to {PATH} (branch main of {repo.url})) did not reach ConfigMap "
        "openclaw/openclaw-config within 65 s (section.git.deliveryTimeoutSeconds): ConfigMap "
        'openclaw/openclaw-config key openclaw.json has no "cron" section yet. The commit stays '
        "in the repository: once the GitOps controller syncs that branch and file (`kubectl -n "
        "argocd get application openclaw` shows its sync status), run the same Pulumi command "
        "again (it commits nothing new and only waits), or revert the commit to give up. To "
        "wait longer: `pulumi config set --path "
        "'openclaw-cron-webhook:section.git.deliveryTimeoutSeconds' 130`."
    )
    assert repo.read(PATH) == SPLICED
    assert live(cluster) == DOCUMENT
    assert fake_time.now == 66.0  # 33 polls of 2 s: the first check at or past 65 s fails
    notes = capsys.readouterr().err.splitlines()
    assert notes[0] + "\n" == pushed(repo)
    assert notes[2:] == [
        f"openclaw-cron-webhook: waiting for commit {commit[:12]} to reach ConfigMap "
        f"openclaw/openclaw-config ({elapsed} s of at most 65 s): ConfigMap "
        'openclaw/openclaw-config key openclaw.json has no "cron" section yet'
        for elapsed in (30, 60)
    ]


def test_update_rewrites_a_hand_edited_section_with_one_commit(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    capsys: pytest.CaptureFixture[str],
) -> None:
    provider.create(dict(props))
    repo.commit({PATH: SPLICED.replace('"enabled": true,', '"enabled": 1,')}, "by hand")
    news = {**props, "value": {**CRON, "enabled": False}}
    capsys.readouterr()

    result = provider.update("id", dict(props), news)

    assert repo.read(PATH) == SPLICED.replace('"enabled": true,', '"enabled": false,')
    assert repo.log("--format=%s")[0] == message("update").splitlines()[0]
    assert result.outs == {**news, "commit": repo.head()}
    assert live(cluster) == WITH_CRON.replace('"enabled": true,', '"enabled": false,')
    assert capsys.readouterr().err == pushed(repo) + NO_APPLICATION_NOTE


def test_an_update_of_delivery_settings_only_commits_nothing(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    fake_time: FakeTime,
) -> None:
    provider.create(dict(props))
    head, sleeps = repo.head(), len(fake_time.sleeps)

    result = provider.update("id", dict(props), {**props, "deliveryTimeoutSeconds": 900})

    assert (repo.head(), (result.outs or {})["commit"]) == (head, head)
    assert len(fake_time.sleeps) == sleeps


def test_delete_gives_back_the_original_file_and_waits_for_the_original_document(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
) -> None:
    outs = created(provider, props)

    provider.delete("id", outs)

    assert repo.read(PATH) == ORIGINAL
    assert live(cluster) == DOCUMENT
    assert repo.log("--format=%s") == [
        message("remove").splitlines()[0],
        message("set").splitlines()[0],
        "Seed the GitOps repository",
    ]
    assert argo.syncs[-1] == repo.head()


def test_delete_of_a_manifest_gone_from_the_branch_is_done(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    fake_time: FakeTime,
) -> None:
    head = repo.head()

    provider.delete("id", {**props, "path": "argoproj/openclaw/gone.yaml"})

    assert (repo.head(), fake_time.sleeps) == (head, [])


@pytest.mark.parametrize(
    ("live_document", "missing"),
    [
        (WITH_CRON, 'ConfigMap openclaw/openclaw-config key openclaw.json still has the "cron" '),
        (
            DOCUMENT.replace("18789", "18790"),
            "ConfigMap openclaw/openclaw-config key openclaw.json differs from the document at "
            "commit {commit} in other bytes",
        ),
    ],
    ids=["section-still-live", "other-bytes-differ"],
)
def test_delete_waits_for_the_document_byte_for_byte(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    live_document: str,
    missing: str,
) -> None:
    outs = created(provider, props)
    argo.poll_ticks = None
    cluster.edit_data(NAMESPACE, NAME, KEY, lambda _: live_document)

    with pytest.raises(DeliveryTimeout) as raised:
        provider.delete("id", outs)

    commit = repo.head()
    assert repo.read(PATH) == ORIGINAL
    assert str(raised.value).startswith(
        f"Commit {commit} (pushed to {PATH} (branch main of {repo.url})) did not reach ConfigMap "
        "openclaw/openclaw-config within 60 s (section.git.deliveryTimeoutSeconds): "
        + missing.format(commit=commit)
    )


def test_a_live_config_map_that_is_gone_carries_nothing_to_wait_for_on_delete(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    cluster: FakeCluster,
    fake_time: FakeTime,
) -> None:
    outs = created(provider, props)
    cluster.delete_config_map(NAMESPACE, NAME)
    sleeps = len(fake_time.sleeps)

    provider.delete("id", outs)

    assert len(fake_time.sleeps) == sleeps


def test_refusals_come_before_any_commit_or_cluster_call(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
) -> None:
    foreign = manifest(WITH_CRON.replace('"enabled": true,', '"enabled": false,'))
    without_phase1 = manifest(DOCUMENT.replace('"enabled": true', '"enabled": false'))
    head = repo.commit({"other.yaml": "kind: Secret\n"}, "unrelated")
    cases: list[tuple[dict[str, Any], str | None, type[Exception], str]] = [
        (props, foreign, PreconditionError, 'already has a top-level "cron" section'),
        (props, without_phase1, PreconditionError, "Phase 1 is not complete"),
        ({**props, "configMap": "gateway"}, None, ManifestError, "holds ConfigMap openclaw-config"),
        ({**props, "namespace": "gw"}, None, ManifestError, "is in namespace openclaw"),
        ({**props, "key": "gw.json"}, None, ManifestError, "has no data key gw.json"),
        ({**props, "path": "other.yaml"}, None, ManifestError, "is not a ConfigMap manifest"),
        ({**props, "path": "gone.yaml"}, None, GitFileMissing, "gone.yaml (branch main of"),
    ]
    for case_props, text, error, words in cases:
        if text is not None:
            head = repo.commit({PATH: text}, "the file as the team left it")
        with pytest.raises(error, match=re.escape(words)):
            provider.create(dict(case_props))
        assert repo.head() == head
    assert cluster.requests == []


@pytest.mark.parametrize("operation", ["create", "update", "delete", "diff", "read"])
def test_a_refusal_names_the_file_its_branch_and_repository(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    operation: str,
) -> None:
    """The ConfigMap was renamed in Git: every operation, preview and refresh included,
    refuses the file the same way, naming it as the operator finds it (path, branch,
    repository), and commits nothing."""
    head = repo.commit({PATH: ORIGINAL.replace("openclaw-config", "gateway-config")}, "renamed")
    run = {
        "create": lambda: provider.create(dict(props)),
        "update": lambda: provider.update("id", dict(props), {**props, "value": {}}),
        "delete": lambda: provider.delete("id", dict(props)),
        "diff": lambda: provider.diff("id", dict(props), dict(props)),
        "read": lambda: provider.read("id", dict(props)),
    }[operation]

    with pytest.raises(ManifestError) as raised:
        run()

    assert str(raised.value) == (
        f"{PATH} (branch main of {repo.url}) holds ConfigMap gateway-config, not "
        "openclaw-config (the stack's `config.configMap`). Point the stack at the file that "
        "holds it (`pulumi config set --path 'openclaw-cron-webhook:section.git.path' <path>`), "
        "or fix `config.configMap`."
    )
    assert (repo.head(), cluster.requests) == (head, [])


def test_a_preview_of_a_file_whose_document_is_broken_names_the_file(
    provider: GitJsonSectionProvider, props: dict[str, Any], repo: BareRepo
) -> None:
    repo.commit({PATH: manifest('{\n  "gateway": {\n')}, "broken by hand")

    with pytest.raises(InvalidDocumentError) as raised:
        provider.diff("id", dict(props), dict(props))

    assert str(raised.value).startswith(
        f"openclaw.json of ConfigMap openclaw/openclaw-config in {PATH} (branch main of "
        f"{repo.url}) is not valid JSON5 ("
    )


def test_a_concurrent_push_between_clone_and_push_is_kept(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    splice = provider_module.add_section_to_manifest
    theirs = ORIGINAL.replace("    # Agents\n", "    # Agents, v2\n")

    def racing_splice(text: str, *args: Any, **kwargs: Any) -> str:
        if text == ORIGINAL:  # first attempt: another maintainer pushes before us
            repo.commit({PATH: theirs, DEPLOYMENT: "kind: Deployment\n# v2\n"}, "theirs")
        return splice(text, *args, **kwargs)

    monkeypatch.setattr(provider_module, "add_section_to_manifest", racing_splice)

    provider.create(dict(props))

    assert repo.read(PATH) == SPLICED.replace("    # Agents\n", "    # Agents, v2\n")
    assert repo.read(DEPLOYMENT) == "kind: Deployment\n# v2\n"
    assert repo.log("--format=%s")[1:] == ["theirs", "Seed the GitOps repository"]
    assert live(cluster) == WITH_CRON


def test_diff_of_an_unchanged_stack_is_empty(
    provider: GitJsonSectionProvider, props: dict[str, Any], cluster: FakeCluster
) -> None:
    outs = created(provider, props)
    calls = len(cluster.requests)

    result = provider.diff("id", outs, {**props, "value": dict(reversed(CRON.items()))})

    assert (result.changes, result.replaces) == (False, [])
    assert len(cluster.requests) == calls  # diff reads Git, never the cluster


def test_diff_shows_a_hand_edit_in_git(
    provider: GitJsonSectionProvider, props: dict[str, Any], repo: BareRepo
) -> None:
    outs = created(provider, props)
    repo.commit({PATH: SPLICED.replace('"enabled": true,', '"enabled": false,')}, "by hand")

    assert provider.diff("id", outs, dict(props)).changes is True
    repo.commit({PATH: ORIGINAL}, "removed by hand")
    assert provider.diff("id", outs, dict(props)).changes is True


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"value": {**CRON, "enabled": False}}, []),
        ({"author": "Ops <ops@example.org>"}, []),
        ({"deliveryTimeoutSeconds": 900}, []),
        ({"application": "openclaw"}, []),
        ({"applicationNamespace": "gitops"}, []),
        ({"branch": "release"}, ["branch"]),
        ({"repo": "ssh://git@example.org/gitops.git", "path": "cm.yaml"}, ["repo", "path"]),
        ({"namespace": "gw", "configMap": "gw", "key": "k", "section": "s"}, None),
    ],
)
def test_diff_without_reading_git(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    change: dict[str, Any],
    replaces: list[str] | None,
    tmp_path: Path,
) -> None:
    """A changed input decides the diff alone: a preview clones the repository only to look
    for a hand edit when nothing changed. The repository here is unreachable, so a diff that
    read Git would fail."""
    olds = {**props, "repo": f"file://{tmp_path}/unreachable.git"}

    result = provider.diff("id", olds, {**olds, **change})

    expected = replaces if replaces is not None else ["namespace", "configMap", "key", "section"]
    assert (result.changes, result.replaces, result.delete_before_replace) == (
        True,
        expected,
        True,
    )


def test_read_reports_the_section_at_the_branch_head(
    provider: GitJsonSectionProvider, props: dict[str, Any], repo: BareRepo
) -> None:
    outs = created(provider, props)
    repo.commit({PATH: SPLICED.replace('"enabled": true,', '"enabled": false,')}, "by hand")

    result = provider.read("id", outs)

    assert (result.id, result.outs) == ("id", {**outs, "value": {**CRON, "enabled": False}})


@pytest.mark.parametrize("path", [PATH, "argoproj/openclaw/gone.yaml"], ids=["removed", "no-file"])
def test_read_reports_a_removed_section_as_gone(
    provider: GitJsonSectionProvider, props: dict[str, Any], path: str
) -> None:
    result = provider.read("id", {**props, "path": path, "commit": "c0ffee"})

    assert (result.id, result.outs) == (None, {})


def test_the_real_clock_and_a_controller_thread(
    repo: BareRepo, cluster: FakeCluster, props: dict[str, Any]
) -> None:
    """The one test on real time: the controller syncs on its own, every 50 ms."""
    argo = FakeArgo(repo, cluster)
    stop = threading.Event()

    def controller() -> None:
        while not stop.wait(0.05):
            argo.sync()

    thread = threading.Thread(target=controller)
    thread.start()
    api_client = ApiClient(Configuration(host=cluster.host))
    try:
        provider = GitJsonSectionProvider(lambda _target: api_client, poll_seconds=0.02)
        outs = created(provider, props)
        assert live(cluster) == WITH_CRON
        provider.delete("id", outs)
        assert live(cluster) == DOCUMENT
    finally:
        stop.set()
        thread.join(timeout=5)
        api_client.close()
    assert repo.read(PATH) == ORIGINAL


def test_credentials_stay_out_of_ids_messages_and_commits(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    argo: FakeArgo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """The user's git rewrites the URL (`insteadOf`), as it would apply their credentials."""
    url = "ssh://deploy-bot@gitops.example.invalid/org/gitops.git"
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.{repo.url}.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", url)
    clones = tmp_path / "tmp"  # this test's own temp dir: other runs' clones come and go in /tmp
    clones.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(clones))
    argo.poll_ticks = None

    with pytest.raises(DeliveryTimeout) as raised:
        provider.create({**props, "repo": url, "deliveryTimeoutSeconds": 4})

    assert repo.read(PATH) == SPLICED
    said = str(raised.value) + capsys.readouterr().err + "\n".join(repo.log("--format=%an%ae%B"))
    assert "deploy-bot" not in said
    assert "ssh://***@gitops.example.invalid/org/gitops.git" in str(raised.value)
    argo.sync()
    result = provider.create({**props, "repo": url})  # adopts the committed section
    assert result.id == f"ssh://***@gitops.example.invalid/org/gitops.git#main:{PATH}#cron"
    assert list(clones.iterdir()) == []  # every clone removed, the failed one too


def test_a_url_with_a_password_is_refused_before_any_commit(
    provider: GitJsonSectionProvider, props: dict[str, Any], repo: BareRepo, cluster: FakeCluster
) -> None:
    head = repo.head()

    with pytest.raises(ValueError, match=r"embeds a password") as raised:
        provider.create({**props, "repo": "https://bot:s3cr3t@gitops.example.invalid/x.git"})

    assert "s3cr3t" not in str(raised.value)
    assert (repo.head(), cluster.requests) == (head, [])


def test_provider_is_pickled_by_reference() -> None:
    pickled = base64.b64decode(serialize_provider(GitJsonSectionProvider()))

    operations = list(pickletools.genops(pickled))
    strings = [argument for _, argument, _ in operations if isinstance(argument, str)]
    assert [op.name for op, _, _ in operations].count("STACK_GLOBAL") == 1
    assert strings[:2] == ["components.git_section_provider", "GitJsonSectionProvider"]
    restored = dill.loads(pickled)  # noqa: S301 - our own pickle, made two lines up
    assert type(restored) is GitJsonSectionProvider
    assert vars(restored) == {
        "_client_factory": None,
        "_poll_seconds": None,
        "_clock": None,
        "_sleep": None,
    }


LITERAL = "5f" * 32  # a token pasted into the section in Git


def test_read_never_stores_a_literal_token_and_the_next_diff_puts_the_placeholder_back(
    provider: GitJsonSectionProvider, props: dict[str, Any], repo: BareRepo
) -> None:
    outs = created(provider, props)
    pasted = SPLICED.replace('"${OPENCLAW_CRON_WEBHOOK_TOKEN}"', f'"{LITERAL}"')
    repo.commit({PATH: pasted}, "a token pasted by hand")

    result = provider.read("id", outs)

    assert (result.id, result.outs) == (
        "id",
        {**outs, "value": {**CRON, "webhookToken": "[literal value, not stored]"}},
    )
    assert LITERAL not in repr(result.outs)
    diff = provider.diff("id", result.outs or {}, dict(props))
    assert (diff.changes, diff.replaces) == (True, [])


# --- give back what was there before (issue 30, item 3) ----------------------------------------

# Equal to CRON as JSON, committed by the team before the stack, spelled their way.
BY_HAND = '{"webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}", "enabled": true}'
SEEDED_DOCUMENT = DOCUMENT[: DOCUMENT.rindex("}")].rstrip() + ',\n  "cron": ' + BY_HAND + "\n}\n"
SEEDED = manifest(SEEDED_DOCUMENT)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines destroy sends to the engine's log (stages.provider_log.warn)."""
    said: list[str] = []
    monkeypatch.setattr(provider_module, "warn", said.append)
    return said


def seeded_by_the_team(repo: BareRepo, argo: FakeArgo) -> str:
    head = repo.commit({PATH: SEEDED}, "the team committed the section by hand")
    argo.sync()
    return head


def test_adopted_then_destroyed_leaves_the_file_and_commits_nothing(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    warnings: list[str],
) -> None:
    head = seeded_by_the_team(repo, argo)
    outs = created(provider, props)
    assert outs == {**props, "commit": head, "adopted": True, "before": BY_HAND}

    provider.delete("id", outs)

    assert (repo.head(), repo.read(PATH), live(cluster)) == (head, SEEDED, SEEDED_DOCUMENT)
    assert warnings == []


def test_adopted_updated_then_destroyed_commits_back_the_bytes_before_the_stack(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    warnings: list[str],
) -> None:
    seeded_by_the_team(repo, argo)
    outs = created(provider, props)
    news = {**props, "value": {**CRON, "enabled": False}}
    updated = provider.update("id", outs, news).outs
    assert updated == {**news, "commit": repo.head(), "adopted": True, "before": BY_HAND}
    assert provider.read("id", updated).outs == updated
    assert provider.diff("id", updated, news).changes is False

    provider.delete("id", updated)

    assert (repo.read(PATH), live(cluster)) == (SEEDED, SEEDED_DOCUMENT)
    assert repo.log("--format=%s") == [
        message("restore").splitlines()[0],
        message("update").splitlines()[0],
        "the team committed the section by hand",
        "Seed the GitOps repository",
    ]
    assert argo.syncs[-1] == repo.head()
    assert warnings == []


def test_a_hand_edited_section_is_removed_and_destroy_names_the_keys_and_the_commit(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    warnings: list[str],
) -> None:
    outs = created(provider, props)
    edited = SPLICED.replace('"${OPENCLAW_CRON_WEBHOOK_TOKEN}"', f'"{LITERAL}"').replace(
        '"enabled": true,', '"enabled": false,'
    )
    repo.commit({PATH: edited}, "edited by hand")

    provider.delete("id", outs)

    commit = repo.head()
    assert (repo.read(PATH), live(cluster)) == (ORIGINAL, DOCUMENT)
    assert repo.read(PATH, f"{commit}^") == edited
    assert warnings == [
        f"openclaw.json of ConfigMap openclaw/openclaw-config in {PATH} (branch main of "
        f'{repo.url}): the "cron" section is not the one the last `pulumi up` wrote (keys that '
        "differ: cron.enabled, cron.webhookToken; values not shown, they may hold a token). "
        "Destroy removed the section, hand edits included, as this stack created it. The "
        f"hand-edited file is in the history: the parent of commit {commit}."
    ]


def test_a_hand_edited_adopted_section_is_given_back_and_destroy_says_so(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    warnings: list[str],
) -> None:
    seeded_by_the_team(repo, argo)
    outs = created(provider, props)
    repo.commit({PATH: SPLICED.replace('"enabled": true,', '"enabled": 1,')}, "by hand")

    provider.delete("id", outs)

    commit = repo.head()
    assert (repo.read(PATH), live(cluster)) == (SEEDED, SEEDED_DOCUMENT)
    assert repo.log("--format=%s")[0] == message("restore").splitlines()[0]
    assert warnings == [
        f"openclaw.json of ConfigMap openclaw/openclaw-config in {PATH} (branch main of "
        f'{repo.url}): the "cron" section is not the one the last `pulumi up` wrote (keys that '
        "differ: cron.enabled; values not shown, they may hold a token). Destroy put back the "
        "section as it was before this stack adopted it; the hand edits are gone. The "
        f"hand-edited file is in the history: the parent of commit {commit}."
    ]


def test_a_section_this_stack_committed_and_the_state_lost_is_not_adopted_and_goes_on_destroy(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    warnings: list[str],
) -> None:
    """The last commit that changed the file is this stack's `set`: its own section, even
    with a later commit of another file on top; destroy removes it."""
    created(provider, props)
    repo.commit({DEPLOYMENT: "kind: Deployment # edited\n"}, "another file")
    head = repo.head()

    outs = created(provider, props)  # the state lost the first create's record
    assert outs == {**props, "commit": head, "adopted": False, "before": None}

    provider.delete("id", outs)

    assert (repo.read(PATH), live(cluster)) == (ORIGINAL, DOCUMENT)
    assert repo.log("--format=%s")[0] == message("remove").splitlines()[0]
    assert warnings == []


def test_a_section_this_stack_last_updated_and_the_state_lost_is_not_adopted(
    provider: GitJsonSectionProvider, props: dict[str, Any], repo: BareRepo
) -> None:
    """The last commit that changed the file is this stack's `update`: its own section too."""
    news = {**props, "value": {**CRON, "enabled": False}}
    provider.update("id", created(provider, props), news)
    head = repo.head()

    outs = created(provider, news)  # the state lost the record

    assert outs == {**news, "commit": head, "adopted": False, "before": None}


def test_an_adopted_section_removed_in_git_is_not_put_back_and_destroy_says_so(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    argo: FakeArgo,
    warnings: list[str],
) -> None:
    """Nothing to give back and nothing committed: the note names no commit to look in."""
    seeded_by_the_team(repo, argo)
    outs = created(provider, props)
    head = repo.commit({PATH: ORIGINAL}, "the team removed the section")
    argo.sync()

    provider.delete("id", outs)

    assert (repo.head(), repo.read(PATH)) == (head, ORIGINAL)
    assert warnings == [
        f"openclaw.json of ConfigMap openclaw/openclaw-config in {PATH} (branch main of "
        f'{repo.url}) has no "cron" section any more (removed outside this stack): destroy did '
        "not put back the section this stack had adopted."
    ]


def test_a_section_given_back_by_a_restore_commit_is_adopted_again(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
) -> None:
    """A `restore` commit put back the team's bytes: not this stack's, so they are adopted."""
    seeded_by_the_team(repo, argo)
    news = {**props, "value": {**CRON, "enabled": False}}
    provider.delete("id", provider.update("id", created(provider, props), news).outs or {})
    assert repo.log("--format=%s")[0] == message("restore").splitlines()[0]

    again = created(provider, props)
    provider.delete("id", again)

    assert again == {**props, "commit": repo.head(), "adopted": True, "before": BY_HAND}
    assert (repo.read(PATH), live(cluster)) == (SEEDED, SEEDED_DOCUMENT)


def test_a_section_another_stack_committed_is_adopted(
    provider: GitJsonSectionProvider, props: dict[str, Any], repo: BareRepo
) -> None:
    created(provider, {**props, "stack": "openclaw-cron-webhook/staging"})

    outs = created(provider, props)

    assert (outs["adopted"], outs["before"]) == (True, CRON_AS_SPLICED)


CRON_AS_SPLICED = (
    '{\n    "enabled": true,\n    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n  }'
)


def test_an_old_state_without_the_record_removes_the_section_as_before(
    provider: GitJsonSectionProvider,
    props: dict[str, Any],
    repo: BareRepo,
    cluster: FakeCluster,
    argo: FakeArgo,
    warnings: list[str],
) -> None:
    head = seeded_by_the_team(repo, argo)
    old_outs = {**props, "commit": head}

    assert provider.read("id", old_outs).outs == old_outs
    provider.delete("id", old_outs)

    assert (repo.read(PATH), live(cluster)) == (ORIGINAL, DOCUMENT)
    assert repo.log("--format=%s")[0] == message("remove").splitlines()[0]
    assert warnings == []
