"""The git-mode section's wait: from a commit in the repository to the live ConfigMap showing it.

Why wait at all: the stack's order (env rollout first, section after) and its one-command
rollback hold only if each operation returns once the section is live, as in cluster mode. So
after a commit the provider optionally asks Argo CD to look now instead of at its next poll,
then reads the live ConfigMap until it carries (or, after a delete, no longer carries) the
section, and fails naming the commit, the file and the timeout when it does not in time. The
provider never writes the ConfigMap; the controller does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from stack.config_issues import set_command
from stages.kubernetes_meta import FIELD_MANAGER
from stages.section.cluster.configmaps import (
    ConfigMapNotFound,
    KubernetesConfigMapApi,
    read_document,
)
from stages.section.document import json_equal, read_section
from stages.section.git.repo import CommitResult

POLL_SECONDS = 2.0
PROGRESS_SECONDS = 30.0
REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
MAX_TIMEOUT_SECONDS = 3600

# What the live document still lacks, or None once it is as wanted; given None when the
# ConfigMap or its key does not exist.
Check = Callable[[str | None], str | None]


class DeliveryTimeout(TimeoutError):
    """The commit is in the repository, but the live ConfigMap did not follow in time."""


def carries(props: dict[str, Any]) -> Check:
    """The live document has the desired section (after a create or an update)."""
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


def restored(props: dict[str, Any], expected: str, commit: str) -> Check:
    """The live document is, byte for byte, the one at the delete's commit: without the
    section, or with the section the stack had adopted given back."""
    context = f"ConfigMap {props['namespace']}/{props['configMap']} key {props['key']}"
    section = props["section"]
    given_back, _ = read_section(expected, section, context=f"the document at commit {commit}")

    def check(live: str | None) -> str | None:
        if live is None or live == expected:
            return None  # a ConfigMap that is gone carries nothing of ours either
        present, _ = read_section(live, section, context=context)
        if present and not given_back:
            return f'{context} still has the "{section}" section'
        if given_back:
            return (
                f"{context} differs from the document at commit {commit}, which gives the "
                f'"{section}" section back'
            )
        return f"{context} differs from the document at commit {commit} in other bytes"

    return check


@dataclass(frozen=True)
class Delivery:
    """How the provider reaches the cluster (when first needed), and the clock it waits by.

    `poll_seconds`, `clock` and `sleep` are for tests; None means the real ones.
    """

    api_client: Callable[[], client.ApiClient]
    poll_seconds: float | None = None
    clock: Callable[[], float] | None = None
    sleep: Callable[[float], None] | None = None

    def deliver(
        self, props: dict[str, Any], result: CommitResult, check: Check, *, source: str
    ) -> None:
        """Ask the controller to look now (unless the live document is already right), then
        wait until it is; fail naming the commit, the file (`source`) and the timeout."""
        if result.pushed:
            _note(f"pushed commit {result.commit} to {source}.")
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
        clock, sleep = self.clock or time.monotonic, self.sleep or time.sleep
        poll = self.poll_seconds if self.poll_seconds is not None else POLL_SECONDS
        started = clock()
        reported = started
        while missing is not None:
            now = clock()
            if now - started >= timeout:
                raise DeliveryTimeout(_timeout_message(props, result, timeout, missing, source))
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


def _timeout_message(
    props: dict[str, Any], result: CommitResult, timeout: int, missing: str, source: str
) -> str:
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
        f"Commit {result.commit} ({what} {source}) did not reach ConfigMap "
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
