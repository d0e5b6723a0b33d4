"""What the offline plan knows about each resource type the program registers.

Why a table of kinds: a reviewer's questions are per type — which real object does it act on,
what makes Pulumi replace it (and in which order), what does it wait for, does a change
restart the app's pods, what does destroy do to the cluster and to AWS. Each answer is read
from the provider that handles the type (cited per kind), kept here in one place, so a new or
migrated resource type is one small function set, and an unknown type still plans (with
honest, generic words) instead of crashing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stages.env_entry.pod_spec import EnvTarget, apply_body, entry
from stages.env_entry.rollout import ROLLOUT_TIMEOUT_SECONDS
from stages.section.git.repo import redact_url

Inputs = Mapping[str, Any]

RANDOM_BYTES = "random:index/randomBytes:RandomBytes"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
ENV_ENTRY = "pulumi-python:dynamic/openclaw:EnvEntry"
JSON_SECTION = "pulumi-python:dynamic/openclaw:JsonSection"
GIT_SECTION = "pulumi-python:dynamic/openclaw:GitJsonSection"
SECTIONS = (JSON_SECTION, GIT_SECTION)

NO_RESTART = "no pod restart"


@dataclass(frozen=True)
class Kind:
    """One resource type, as the plan explains it.

    `replace_on`: input paths whose change makes the provider replace the resource.
    `names`: input paths that name the real object; a replacement that keeps them must delete
    the old object first (two objects cannot share a name), one that changes them creates the
    new one first — the rule of pulumi-kubernetes' and the Terraform bridge's `Diff`.
    `delete_first`: the provider always replaces delete-before-create.
    `manifest`: the Kubernetes object it applies (None: not a Kubernetes object).
    `into_deployment`: that object is a partial Deployment, merged into the base to validate.
    """

    target: Callable[[Inputs], str]
    pods: Callable[[Inputs], str]
    on_destroy: Callable[[Inputs, bool], str]
    waits: Callable[[Inputs], str | None] = lambda _: None
    replace_on: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    delete_first: bool = False
    manifest: Callable[[Inputs], dict[str, Any]] | None = None
    into_deployment: bool = False

    def replaced_by(self, changed: list[str]) -> bool:
        return any(_under(path, self.replace_on) for path in changed)

    def replace_mode(self, changed: list[str]) -> str:
        same_name = bool(self.names) and not any(_under(path, self.names) for path in changed)
        return "delete-before-create" if self.delete_first or same_name else "create-before-delete"


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in prefixes)


def _meta(inputs: Inputs) -> tuple[str, str]:
    meta = inputs.get("metadata") or {}
    return str(meta.get("namespace")), str(meta.get("name"))


# --- random.RandomBytes (pulumi-random: every input forces a new value) ----------------------


def _random_target(_: Inputs) -> str:
    return "a generated token, in Pulumi state only (no cloud object)"


def _random_destroy(_: Inputs, __: bool) -> str:
    return "forgets the generated token (state only; nothing in AWS or the cluster)"


# --- aws.ssm.Parameter (Terraform bridge: `name` and `dataType` are ForceNew) ----------------


def _parameter_target(inputs: Inputs) -> str:
    return f"AWS SSM parameter {inputs.get('name')} ({inputs.get('type')})"


def _parameter_pods(_: Inputs) -> str:
    return f"{NO_RESTART} (pods get the token from the Secret, through the env entry)"


def _parameter_destroy(inputs: Inputs, retained: bool) -> str:
    if retained:
        return (
            f"keeps AWS SSM parameter {inputs.get('name')} (token.retainOnDestroy): the stack "
            "only forgets it"
        )
    return f"deletes AWS SSM parameter {inputs.get('name')} from AWS"


# --- ExternalSecret (pulumi-kubernetes: a new metadata.name/namespace is a replacement) ------


def _object_target(inputs: Inputs) -> str:
    namespace, name = _meta(inputs)
    return f"{inputs.get('apiVersion')} {inputs.get('kind')} {namespace}/{name}"


def _external_secret_pods(_: Inputs) -> str:
    return f"{NO_RESTART} (pods read a Secret only when they start; the env entry rolls them)"


def _external_secret_destroy(inputs: Inputs, _: bool) -> str:
    namespace, name = _meta(inputs)
    target = (inputs.get("spec") or {}).get("target") or {}
    secret = f"Secret {namespace}/{target.get('name', name)}"
    if target.get("creationPolicy", "Owner") == "Owner":
        gone = f"Kubernetes garbage-collects its {secret} (ESO's ownerReference)"
    else:
        gone = f"its {secret} stays (creationPolicy {target.get('creationPolicy')})"
    return f"deletes ExternalSecret {namespace}/{name}; {gone}"


def describe_wait(annotations: Mapping[str, Any], what: str) -> str | None:
    """pulumi-kubernetes' `pulumi.com/waitFor` annotation, in words.

    `condition=Ready` → "is Ready"; a jsonpath on the Ready condition's reason → "with reason
    X"; anything else is quoted. The default timeout of a custom resource is 10 minutes.
    """
    raw = annotations.get("pulumi.com/waitFor")
    if not raw:
        return None
    try:
        conditions = json.loads(raw) if str(raw).startswith("[") else [raw]
    except ValueError:
        conditions = [raw]
    words: list[str] = []
    for condition in map(str, conditions):
        reason = re.fullmatch(
            r'jsonpath=\{\.status\.conditions\[\?\(@\.type=="(\w+)"\)\]\.reason\}=(\S+)',
            condition,
        )
        if condition.startswith("condition="):
            words.append(f"is {condition.removeprefix('condition=')}")
        elif reason:
            words.append(f"with reason {reason[2]}")
        else:
            words.append(f"matches {condition}")
    timeout = annotations.get("pulumi.com/timeoutSeconds", "600")
    return f"waits until {what} {' '.join(words)}, up to {timeout} s"


def _external_secret_waits(inputs: Inputs) -> str | None:
    namespace, name = _meta(inputs)
    annotations = (inputs.get("metadata") or {}).get("annotations") or {}
    return describe_wait(annotations, f"{inputs.get('kind')} {namespace}/{name}")


def _as_declared(inputs: Inputs) -> dict[str, Any]:
    return dict(inputs)


# --- the env entry: EnvEntry (stages/env_entry/provider.py) --------------------------------------


def _env_target(inputs: Inputs) -> EnvTarget:
    return EnvTarget(
        str(inputs.get("namespace")),
        str(inputs.get("deployment")),
        str(inputs.get("container")),
        str(inputs.get("envName")),
    )


def _env_entry_target(inputs: Inputs) -> str:
    target = _env_target(inputs)
    return (
        f"env {target.env_name} of container {target.container} in apps/v1 Deployment "
        f"{target.namespace}/{target.deployment} (Server-Side Apply, one entry)"
    )


def _env_entry_pods(inputs: Inputs) -> str:
    target = _env_target(inputs)
    return f"restarts pods: one rollout of Deployment {target.namespace}/{target.deployment}"


def _env_entry_waits(inputs: Inputs) -> str:
    target = _env_target(inputs)
    return (
        f"waits until Deployment {target.namespace}/{target.deployment} has rolled out (every "
        f"replica updated and available) and, when the secretKeyRef changed, until no pod reads "
        f"the previous Secret, up to "
        f"{_seconds(inputs.get('rolloutTimeoutSeconds', int(ROLLOUT_TIMEOUT_SECONDS)))} s"
    )


def _env_entry_destroy(inputs: Inputs, _: bool) -> str:
    target = _env_target(inputs)
    return (
        f"relinquishes env {target.env_name} of container {target.container} in Deployment "
        f"{target.namespace}/{target.deployment}: one rollout, waited until no pod reads Secret "
        f"{inputs.get('secretName')}; every other entry and container stays"
    )


def _env_entry_manifest(inputs: Inputs) -> dict[str, Any]:
    """The very object the provider applies (`stages.env_entry.pod_spec.apply_body`)."""
    wanted = entry(
        str(inputs.get("envName")), str(inputs.get("secretName")), str(inputs.get("secretKey"))
    )
    return apply_body(_env_target(inputs), [wanted])


# --- the openclaw.json section in the live ConfigMap (components/configmap_section_provider.py)


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


# --- the section through the GitOps repo (components/git_section_provider.py) ---------------


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


def _seconds(value: Any) -> str:
    """A timeout as given in config: the wire format may carry an int as a float."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _git_section_waits(inputs: Inputs) -> str:
    return (
        f"waits until the live ConfigMap {inputs.get('namespace')}/{inputs.get('configMap')} "
        "carries the section (the controller has synced the commit), up to "
        f"{_seconds(inputs.get('deliveryTimeoutSeconds'))} s; {_refresh(inputs)}"
    )


def _git_section_destroy(inputs: Inputs, _: bool) -> str:
    return (
        f'commits the removal of top-level "{inputs.get("section")}" from data["'
        f'{inputs.get("key")}"] to {_git_file(inputs)} (every other byte of the file stays) and '
        f"waits until the live ConfigMap {inputs.get('namespace')}/{inputs.get('configMap')} is "
        f"the document at that commit, up to {_seconds(inputs.get('deliveryTimeoutSeconds'))} "
        f"s: hot reload, {NO_RESTART}"
    )


KINDS: dict[str, Kind] = {
    RANDOM_BYTES: Kind(
        target=_random_target,
        pods=lambda _: NO_RESTART,
        on_destroy=_random_destroy,
        replace_on=("keepers", "length"),
    ),
    SSM_PARAMETER: Kind(
        target=_parameter_target,
        pods=_parameter_pods,
        on_destroy=_parameter_destroy,
        replace_on=("name", "dataType"),
        names=("name",),
    ),
    EXTERNAL_SECRET: Kind(
        target=_object_target,
        pods=_external_secret_pods,
        on_destroy=_external_secret_destroy,
        waits=_external_secret_waits,
        replace_on=("metadata.name", "metadata.namespace"),
        names=("metadata.name", "metadata.namespace"),
        manifest=_as_declared,
    ),
    ENV_ENTRY: Kind(
        target=_env_entry_target,
        pods=_env_entry_pods,
        on_destroy=_env_entry_destroy,
        waits=_env_entry_waits,
        replace_on=("namespace", "deployment", "container", "envName"),
        delete_first=True,
        manifest=_env_entry_manifest,
        into_deployment=True,
    ),
    JSON_SECTION: Kind(
        target=_section_target,
        pods=_section_pods,
        on_destroy=_section_destroy,
        replace_on=("namespace", "configMap", "key", "section"),
    ),
    # Its provider replaces delete-first: two spellings of one repository's URL are two
    # targets, and a create-first replacement's delete would remove the section just adopted.
    GIT_SECTION: Kind(
        target=_git_section_target,
        pods=_git_section_pods,
        on_destroy=_git_section_destroy,
        waits=_git_section_waits,
        replace_on=("repo", "branch", "path", "namespace", "configMap", "key", "section"),
        delete_first=True,
    ),
}


def kind_of(type_: str) -> Kind:
    """The kind for `type_`; a type the plan was not taught gets plain, generic words."""
    known = KINDS.get(type_)
    if known is not None:
        return known
    return Kind(
        target=lambda _: type_,
        pods=lambda _: f"{NO_RESTART} known to the plan",
        on_destroy=lambda _, retained: "kept (retainOnDelete)" if retained else "deletes it",
    )
