"""A Pulumi resource that owns one top-level section of `openclaw.json` through the GitOps repo.

WARNING: this is a dynamic provider. Pulumi pickles the provider object with dill into every
resource's state, BY REFERENCE: the state names the module `components.git_section_provider`
and the class `GitJsonSectionProvider`, and later runs (`pulumi up`, `refresh`, `destroy`)
import them by those names. Never move or rename this module or its classes.

Why through Git (`section.target: git`): where a GitOps controller with self-heal owns the
ConfigMap (Argo CD in the reference cluster), an in-cluster edit of the document is reverted
within seconds. So this resource commits the section to the ConfigMap's manifest in the repo
(`stages.section.git.manifest`: every other byte of the file stays; `stages.section.git.repo`:
the user's own git, a concurrent push kept), optionally asks Argo CD to look now instead of at
its next poll, and then waits until the live ConfigMap carries the section, so that the stack's
order (env rollout first, section after) and its one-command rollback hold as in cluster mode.
diff and refresh compare with the file at the branch head: a no-op preview shows no change, and
a hand edit of the section in Git shows as drift.

Nothing about the connection is stored: the cluster is the Kubernetes provider's
(`KubeResourceProvider`), the repository is reached with the user's git setup, and the state
holds only the repository URL, which must carry no credential (`repo_url.url_problem`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import pulumi
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from stack.config_issues import set_command
from stages.kube_connection import ClientFactory, KubeResourceProvider
from stages.kubernetes_meta import FIELD_MANAGER
from stages.section.cluster.configmaps import (
    ConfigMapNotFound,
    KubernetesConfigMapApi,
    read_document,
)
from stages.section.document import json_equal, read_section
from stages.section.git.manifest import (
    ManifestTarget,
    add_section_to_manifest,
    find_document,
    remove_section_from_manifest,
    set_section_in_manifest,
)
from stages.section.git.repo import (
    CommitResult,
    GitFile,
    GitFileMissing,
    commit_edit,
    read_head,
    redact_url,
)
from stages.section.token_placeholder import masked_section

POLL_SECONDS = 2.0
PROGRESS_SECONDS = 30.0
REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
MAX_TIMEOUT_SECONDS = 3600

# Changing any of these points the resource at another section, so it is a replacement.
_TARGET_PROPS = ("repo", "branch", "path", "namespace", "configMap", "key", "section")
# Changing these is an update: the section (or how it is delivered) changes in place.
_UPDATE_PROPS = ("value", "author", "deliveryTimeoutSeconds", "application", "applicationNamespace")
_PROPS = (*_TARGET_PROPS, *_UPDATE_PROPS, "stack")
_PYTHON_NAMES = {
    "configMap": "config_map",
    "deliveryTimeoutSeconds": "delivery_timeout_seconds",
    "applicationNamespace": "application_namespace",
}
_PULUMI_NAMES = {python: pulumi for pulumi, python in _PYTHON_NAMES.items()}

# What the live document still lacks, or None once it is as wanted; given None when the
# ConfigMap or its key does not exist.
_Check = Callable[[str | None], str | None]


class DeliveryTimeout(TimeoutError):
    """The commit is in the repository, but the live ConfigMap did not follow in time."""


class GitJsonSectionProvider(KubeResourceProvider):
    """Commit, push and await one section; refresh and diff read the branch head.

    `poll_seconds`, `clock` and `sleep` are for tests; in real use they are None (the module's
    defaults), so nothing but the classes' names is pickled into the state. Each also has a
    class-level default: unpickling a provider from an older state skips __init__, and an
    attribute added since must still be there (tests/test_old_state_fixtures.py).
    """

    _poll_seconds: float | None = None
    _clock: Callable[[], float] | None = None
    _sleep: Callable[[float], None] | None = None

    def __init__(
        self,
        client_factory: ClientFactory | None = None,
        *,
        poll_seconds: float | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(client_factory)
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._sleep = sleep

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Commit the section unless an equal one is there (adopted), refusing someone else's
        different section and a missing Phase 1 before anything is committed; then await it."""
        target, file, section = _target(props), _file(props), props["section"]

        def edit(text: str) -> str:
            return add_section_to_manifest(
                text, target, section, props["value"], source=file.source
            )

        result = commit_edit(
            file, edit, author=props["author"], message=commit_message(props, "set")
        )
        self._deliver(props, result, self._carries(props))
        return CreateResult(_resource_id(props), _outputs(props, result.commit))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Rewrite our section (whatever it holds now, even if edited by hand), then await it."""
        target, file, section = _target(news), _file(news), news["section"]

        def edit(text: str) -> str:
            return set_section_in_manifest(text, target, section, news["value"], source=file.source)

        result = commit_edit(
            file, edit, author=news["author"], message=commit_message(news, "update")
        )
        self._deliver(news, result, self._carries(news))
        return UpdateResult(_outputs(news, result.commit))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Remove exactly our section, then wait until the live document is, byte for byte,
        the one at that commit. A manifest already gone from the branch leaves nothing to do."""
        target, file, section = _target(props), _file(props), props["section"]

        def edit(text: str) -> str:
            return remove_section_from_manifest(text, target, section, source=file.source)

        try:
            result = commit_edit(
                file, edit, author=props["author"], message=commit_message(props, "remove")
            )
        except GitFileMissing:
            return
        expected = find_document(result.text, target, source=file.source).document
        self._deliver(props, result, _restored(props, expected, result.commit))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replace on a new target; update on a new value or delivery setting, or when the
        section at the branch head is not the desired one (someone edited it in Git).

        Values compare as JSON. A replacement deletes first: two spellings of one repository's
        URL are different targets, and creating first would let the delete remove the section
        the create just adopted.
        """
        replaces = [name for name in _TARGET_PROPS if olds.get(name) != news.get(name)]
        if replaces:
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=True)
        changed = not json_equal(olds.get("value"), news.get("value")) or any(
            olds.get(name) != news.get(name) for name in _UPDATE_PROPS if name != "value"
        )
        if not changed:
            present, head = self._section_at_head(news)
            changed = not present or not json_equal(head, news.get("value"))
        return DiffResult(changes=changed, replaces=[], delete_before_replace=True)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The section at the branch head, so `pulumi refresh` shows hand edits in Git; gone if
        the manifest or the section is. A `webhookToken` that is not a placeholder is stored
        masked (stages.section.token_placeholder)."""
        present, head = self._section_at_head(props)
        if not present:
            return ReadResult(None, {})
        value = masked_section(head)
        return ReadResult(id_, {**_outputs(props, props.get("commit")), "value": value})

    def _section_at_head(self, props: dict[str, Any]) -> tuple[bool, object]:
        file = _file(props)
        text = read_head(file).text
        if text is None:
            return False, None
        embedded = find_document(text, _target(props), source=file.source)
        return read_section(embedded.document, props["section"], context=embedded.context)

    def _carries(self, props: dict[str, Any]) -> _Check:
        section, desired = props["section"], props["value"]
        context = f"ConfigMap {props['namespace']}/{props['configMap']} key {props['key']}"

        def check(live: str | None) -> str | None:
            if live is None:
                return f"{context} does not exist"
            present, value = read_section(live, section, context=context)
            if not present:
                return f'{context} has no "{section}" section yet'
            if not json_equal(value, desired):
                return f'{context} has a "{section}" section with other values'
            return None

        return check

    def _deliver(self, props: dict[str, Any], result: CommitResult, check: _Check) -> None:
        """Ask the controller to look now (unless the live document is already right), then
        wait until it is; fail naming the commit, the file and the timeout."""
        if result.pushed:
            _note(f"pushed commit {result.commit} to {_file(props).source}.")
        api = KubernetesConfigMapApi(self.api_client())

        def waiting_for() -> str | None:
            try:
                live = read_document(api, props["namespace"], props["configMap"], props["key"])
            except ConfigMapNotFound:
                return check(None)
            return check(live.text)

        missing = waiting_for()
        if missing is None:
            return
        self._request_refresh(props)
        timeout = int(props["deliveryTimeoutSeconds"])
        clock, sleep = self._clock or time.monotonic, self._sleep or time.sleep
        poll = self._poll_seconds if self._poll_seconds is not None else POLL_SECONDS
        started = clock()
        reported = started
        while missing is not None:
            now = clock()
            if now - started >= timeout:
                raise DeliveryTimeout(_timeout_message(props, result, timeout, missing))
            if now - reported >= PROGRESS_SECONDS:
                reported = now
                _note(
                    f"waiting for commit {result.commit[:12]} to reach ConfigMap "
                    f"{props['namespace']}/{props['configMap']} ({now - started:.0f} s of at most "
                    f"{timeout} s): {missing}"
                )
            sleep(poll)
            missing = waiting_for()

    def _request_refresh(self, props: dict[str, Any]) -> None:
        """Argo CD polls Git every 3 minutes by default; this annotation makes it look now.

        Only a speed-up: without an Application configured, or without access to it, the
        commit still arrives at the next poll, so the wait goes on with a note.
        """
        application = props.get("application") or ""
        namespace = props.get("applicationNamespace") or "argocd"
        later = "the controller picks the commit up at its next poll (Argo CD: 3 min by default)"
        if not application:
            _note(f"no section.git.application set: {later}.")
            return
        patch = {"metadata": {"annotations": {REFRESH_ANNOTATION: "normal"}}}
        try:
            client.CustomObjectsApi(self.api_client()).patch_namespaced_custom_object(
                "argoproj.io",
                "v1alpha1",
                namespace,
                "applications",
                application,
                patch,
                field_manager=FIELD_MANAGER,
            )
        except ApiException as error:
            _note(
                f"could not ask Argo CD Application {namespace}/{application} to refresh "
                f"({error.status} {error.reason}): {later}. To let the stack do it, allow "
                f"`patch` on applications.argoproj.io {application} in namespace {namespace}."
            )
            return
        _note(f"asked Argo CD Application {namespace}/{application} to refresh.")


def _restored(props: dict[str, Any], expected: str, commit: str) -> _Check:
    context = f"ConfigMap {props['namespace']}/{props['configMap']} key {props['key']}"

    def check(live: str | None) -> str | None:
        if live is None or live == expected:
            return None  # a ConfigMap that is gone carries nothing of ours either
        present, _ = read_section(live, props["section"], context=context)
        if present:
            return f'{context} still has the "{props["section"]}" section'
        return f"{context} differs from the document at commit {commit} in other bytes"

    return check


def _timeout_message(
    props: dict[str, Any], result: CommitResult, timeout: int, missing: str
) -> str:
    file = _file(props)
    what = "pushed to" if result.pushed else "already in"
    application = props.get("application") or ""
    argo = (
        f" (`kubectl -n {props.get('applicationNamespace') or 'argocd'} get application "
        f"{application}` shows its sync status)"
        if application
        else ""
    )
    longer = min(max(2 * timeout, 60), MAX_TIMEOUT_SECONDS)
    return (
        f"Commit {result.commit} ({what} {file.source}) did not reach ConfigMap "
        f"{props['namespace']}/{props['configMap']} within {timeout} s "
        f"(section.git.deliveryTimeoutSeconds): {missing}. The commit stays in the repository: "
        f"once the GitOps controller syncs that branch and file{argo}, run the same Pulumi "
        "command again (it commits nothing new and only waits), or revert the commit to give "
        "up. To wait longer: "
        f"`{set_command(('section', 'git', 'deliveryTimeoutSeconds'), str(longer))}`."
    )


def _note(text: str) -> None:
    """Pulumi shows a dynamic provider's stderr lines as diagnostics of the run."""
    print(f"openclaw-cron-webhook: {text}", file=sys.stderr, flush=True)


def commit_message(props: dict[str, Any], verb: str) -> str:
    """The commit message: subject naming the stack and the change; body saying who owns it.

    Public because the offline plan (tools.plan.gitops) shows the very message a commit gets."""
    stack, section, key = props["stack"], props["section"], props["key"]
    return (
        f"{stack}: {verb} {section} section in {key} (Phase 2)\n\n"
        f'Pulumi stack {stack} owns the top-level "{section}" section of {key} in ConfigMap\n'
        f"{props['namespace']}/{props['configMap']}; nothing else in this file was changed.\n"
        "Change or remove it through the stack (pulumi up / pulumi destroy).\n"
    )


def _file(props: dict[str, Any]) -> GitFile:
    return GitFile(props["repo"], props["branch"], props["path"])


def _target(props: dict[str, Any]) -> ManifestTarget:
    return ManifestTarget(props["namespace"], props["configMap"], props["key"])


def _resource_id(props: dict[str, Any]) -> str:
    return f"{redact_url(props['repo'])}#{props['branch']}:{props['path']}#{props['section']}"


def _outputs(props: dict[str, Any], commit: object) -> dict[str, Any]:
    return {**{name: props.get(name) for name in _PROPS}, "commit": commit}


class OpenClawGitJsonSection(Resource, module="openclaw", name="GitJsonSection"):
    """One top-level section of `openclaw.json`, committed to the GitOps repo's manifest.

    Python attributes are snake_case; the provider and the state see camelCase names,
    translated both ways below. `commit` is the commit that carries the section as written
    last (ours, or the head an equal section was adopted at).
    """

    repo: pulumi.Output[str]
    branch: pulumi.Output[str]
    path: pulumi.Output[str]
    namespace: pulumi.Output[str]
    config_map: pulumi.Output[str]
    key: pulumi.Output[str]
    section: pulumi.Output[str]
    value: pulumi.Output[dict[str, Any]]
    commit: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        repo: pulumi.Input[str],
        branch: pulumi.Input[str],
        path: pulumi.Input[str],
        author: pulumi.Input[str],
        namespace: pulumi.Input[str],
        config_map: pulumi.Input[str],
        key: pulumi.Input[str],
        section: pulumi.Input[str],
        value: pulumi.Input[dict[str, Any]],
        stack: pulumi.Input[str],
        delivery_timeout_seconds: pulumi.Input[int],
        application: pulumi.Input[str] = "",
        application_namespace: pulumi.Input[str] = "argocd",
        opts: pulumi.ResourceOptions | None = None,
        provider: GitJsonSectionProvider | None = None,
    ) -> None:
        props = {
            "repo": repo,
            "branch": branch,
            "path": path,
            "author": author,
            "namespace": namespace,
            "config_map": config_map,
            "key": key,
            "section": section,
            "value": value,
            "stack": stack,
            "delivery_timeout_seconds": delivery_timeout_seconds,
            "application": application,
            "application_namespace": application_namespace,
            "commit": None,
        }
        super().__init__(provider or GitJsonSectionProvider(), name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return _PULUMI_NAMES.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return _PYTHON_NAMES.get(prop, prop)
