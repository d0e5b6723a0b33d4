"""How the offline plan explains the `cron` section, by both backends: in the live ConfigMap
(cluster mode) and committed to the GitOps repository's manifest (git mode).

Neither restarts a pod: OpenClaw hot-reloads the section once the pod's file changes. The git
backend's provider replaces delete-first: two spellings of one repository's URL are two
targets, and a create-first replacement's delete would remove the section just adopted.
"""

from __future__ import annotations

from stages.explanation import NO_RESTART, Inputs, Kind, seconds
from stages.section.git.repo_url import redact_url
from stages.section.identity import CLUSTER_REPLACE_ON, CLUSTER_TYPE, GIT_REPLACE_ON, GIT_TYPE


def _section_target(inputs: Inputs) -> str:
    return (
        f'top-level "{inputs.get("section")}" of data["{inputs.get("key")}"] in '
        f"ConfigMap {inputs.get('namespace')}/{inputs.get('configMap')}"
    )


def _section_pods(_: Inputs) -> str:
    return f"{NO_RESTART}: OpenClaw hot-reloads the section once the pod's file changes"


def _section_destroy(inputs: Inputs, _: bool) -> str:
    return (
        f'removes top-level "{inputs.get("section")}" from data["{inputs.get("key")}"] of '
        f"ConfigMap {inputs.get('namespace')}/{inputs.get('configMap')} (every other byte "
        f"stays): hot reload, {NO_RESTART}"
    )


def _section_hop(inputs: Inputs, _: str) -> str:
    return (
        f"{inputs.get('section')} section of {inputs.get('key')} in ConfigMap "
        f"{inputs.get('namespace')}/{inputs.get('configMap')}"
    )


# --- git mode ---------------------------------------------------------------------------------


def _git_file(inputs: Inputs) -> str:
    """The manifest the commit goes to, as the provider's messages name it (userinfo redacted:
    a token written as a URL's user name must not reach a plan or a PR comment)."""
    return (
        f"{inputs.get('path')} (branch {inputs.get('branch')} of "
        f"{redact_url(str(inputs.get('repo')))})"
    )


def _git_section_target(inputs: Inputs) -> str:
    return f"{_section_target(inputs)}, committed to {_git_file(inputs)}"


def _git_section_pods(_: Inputs) -> str:
    return (
        f"{NO_RESTART}: OpenClaw hot-reloads the section once the controller has synced the "
        "commit and the pod's file changes"
    )


def _refresh(inputs: Inputs) -> str:
    """What the provider does to make the controller look now (or why it does not)."""
    application = inputs.get("application") or ""
    if not application:
        return (
            "no section.git.application: the controller picks the commit up at its next poll "
            "(Argo CD: 3 min by default)"
        )
    namespace = inputs.get("applicationNamespace") or "argocd"
    return f"asks Argo CD Application {namespace}/{application} to refresh"


def git_section_waits(inputs: Inputs) -> str:
    """What `pulumi up` waits for after the commit (also the plan's `commit.waits`)."""
    return (
        f"waits until the live ConfigMap {inputs.get('namespace')}/{inputs.get('configMap')} "
        "carries the section (the controller has synced the commit), up to "
        f"{seconds(inputs.get('deliveryTimeoutSeconds'))} s; {_refresh(inputs)}"
    )


def _git_section_destroy(inputs: Inputs, _: bool) -> str:
    return (
        f'commits the removal of top-level "{inputs.get("section")}" from data["'
        f'{inputs.get("key")}"] to {_git_file(inputs)} (every other byte of the file stays) and '
        f"waits until the live ConfigMap {inputs.get('namespace')}/{inputs.get('configMap')} is "
        f"the document at that commit, up to {seconds(inputs.get('deliveryTimeoutSeconds'))} "
        f"s: hot reload, {NO_RESTART}"
    )


def _git_section_hop(inputs: Inputs, name: str) -> str:
    return (
        f"{_section_hop(inputs, name)}, committed to "
        f"{inputs.get('path')} (branch {inputs.get('branch')})"
    )


KINDS = {
    CLUSTER_TYPE: Kind(
        target=_section_target,
        pods=_section_pods,
        on_destroy=_section_destroy,
        hop=_section_hop,
        replace_on=CLUSTER_REPLACE_ON,
    ),
    GIT_TYPE: Kind(
        target=_git_section_target,
        pods=_git_section_pods,
        on_destroy=_git_section_destroy,
        hop=_git_section_hop,
        waits=git_section_waits,
        replace_on=GIT_REPLACE_ON,
        delete_first=True,
    ),
}
