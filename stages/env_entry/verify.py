"""The env entry stage's hop, `env`: the Deployment carries the entry, and so does every Ready pod.

The env entry is what makes a rotation real for the gateway: the Secret may hold the new value,
but a pod keeps the variable it started with. So this hop checks the pod template (the entry
exists, takes the current rotation's Secret and key, never a literal value), the rollout (by
the rules of `kubectl rollout status`, stages.env_entry.rollout), every Ready pod's own spec,
and that no pod at all still names an earlier rotation's `-r<n>` Secret, which Pulumi deletes
right after a rotation's rollout. Pure: dicts in, one Hop out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from stack.settings import PROJECT, Settings
from stages.env_entry.handover import ours
from stages.env_entry.pod_spec import EnvTarget, apply_body, containers, entry, secret_ref
from stages.env_entry.rollout import RolloutFailed, rollout_status
from stages.external_secret.ready import ready_condition
from stages.fix_commands import Commands
from stages.hop import Hop, fail, ok
from stages.kubernetes_meta import stack_field_manager
from stages.live import Live


def _rotation_names(settings: Settings) -> re.Pattern[str]:
    """Names of this stack's Secrets of any rotation: `<base>-r<rotation>`."""
    return re.compile(re.escape(settings.external_secret.secret_name) + r"-r[a-z0-9-]+")


def _pod_name(pod: Mapping[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("name", "?"))


def pod_ready(pod: Mapping[str, Any]) -> bool:
    return ready_condition(pod).get("status") == "True"


def old_secrets_read(settings: Settings, pod_spec: Mapping[str, Any]) -> set[str]:
    """This stack's Secrets of other rotations that a pod spec still takes a variable from."""
    pattern = _rotation_names(settings)
    found: set[str] = set()
    for container in [*(pod_spec.get("initContainers") or []), *(pod_spec.get("containers") or [])]:
        names = [secret_ref(item).get("name") for item in container.get("env") or []]
        names += [((e.get("secretRef") or {}).get("name")) for e in container.get("envFrom") or []]
        found.update(n for n in names if isinstance(n, str) and pattern.fullmatch(n))
    return found - {settings.secret_name}


def _entry_of(settings: Settings, pod_spec: Mapping[str, Any]) -> dict[str, Any] | None:
    for container in pod_spec.get("containers") or []:
        if container.get("name") == settings.deployment.container:
            for item in container.get("env") or []:
                if item.get("name") == settings.deployment.env_name:
                    return dict(item)
    return None


def _entry_problem(settings: Settings, item: Mapping[str, Any] | None) -> str | None:
    """What is wrong with an env entry, in words that never quote a literal value."""
    env = settings.deployment.env_name
    if item is None:
        return f"has no env {env}"
    ref = secret_ref(dict(item))
    if not ref:
        return f"sets env {env} without a secretKeyRef (a literal value: the token in the spec)"
    key = settings.external_secret.secret_key
    if ref.get("name") != settings.secret_name:
        return f"takes env {env} from Secret {ref.get('name')}, not {settings.secret_name}"
    if ref.get("key") != key:
        return f"takes env {env} from key {ref.get('key')}, not {key}"
    return None


def _list_key(name: str) -> str:
    """How managedFields names an item of a list keyed by `name`."""
    return "k:" + json.dumps({"name": name}, separators=(",", ":"))


def others_owning_the_reference(
    settings: Settings, deployment: Mapping[str, Any], manager: str
) -> list[str]:
    """Field managers other than the stack's (`manager`, and the legacy one that wrote entries
    before each stack had its own) that own the entry's secretKeyRef.

    A hand edit (`kubectl edit`, `patch`) or a GitOps sync that changes a field takes it over
    (managedFields); the stack's Server-Side Apply never forces, so `pulumi up` would fail on
    the conflict instead of putting the stack's reference back.
    """
    d = settings.deployment
    path = (
        "f:spec",
        "f:template",
        "f:spec",
        "f:containers",
        _list_key(d.container),
        "f:env",
        _list_key(d.env_name),
        "f:valueFrom",
        "f:secretKeyRef",
    )
    owners = set()
    for managed in (deployment.get("metadata") or {}).get("managedFields") or []:
        fields: Any = managed.get("fieldsV1") or {}
        for key in path:
            fields = fields.get(key) if isinstance(fields, dict) else None
        # A SecretKeySelector is atomic: its owner holds the whole `f:secretKeyRef: {}`.
        if fields is not None and managed.get("manager") not in ours(manager):
            owners.add(str(managed.get("manager")))
    return sorted(owners)


def take_back_command(
    c: Commands, target: EnvTarget, secret_name: str, secret_key: str, manager: str
) -> str:
    """The env stage's own Server-Side Apply, forced: the stack's field manager owns the
    entry again (so `pulumi up` and `destroy` manage it), with the stack's value."""
    body = apply_body(target, [entry(target.env_name, secret_name, secret_key)])
    document = json.dumps(body, separators=(",", ":"))
    return (
        f"printf '%s' '{document}' | {c.kubectl} apply --server-side --force-conflicts "
        f"--field-manager={manager} -f -"
    )


def _waiting_reasons(pod: Mapping[str, Any]) -> set[str]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return {
        str(s["state"]["waiting"].get("reason"))
        for s in statuses
        if (s.get("state") or {}).get("waiting")
    }


def env_hop(
    settings: Settings,
    deployment: Mapping[str, Any] | None,
    pods: Sequence[Mapping[str, Any]],
    c: Commands,
    manager: str,
) -> Hop:
    """The hop; `manager` is the stack's own field manager (stages.kubernetes_meta)."""
    d, ns = settings.deployment, settings.namespace
    where = f"Deployment {ns}/{d.name}"
    if deployment is None:
        return fail(
            "env",
            f"{where} does not exist",
            "the app is not deployed (its GitOps controller owns the Deployment); once it is "
            "back, this re-applies the env entry",
            c.up_refresh,
        )
    names = [str(x.get("name")) for x in containers(dict(deployment))]
    if d.container not in names:
        return fail(
            "env",
            f"{where} has no container {d.container} (its containers: {', '.join(names)})",
            "deployment.container names a container the Deployment does not have",
            f"pulumi config set --path '{PROJECT}:deployment.container' <one of those> && {c.up}",
        )
    template = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    live = _entry_of(settings, template)
    problem = _entry_problem(settings, live)
    owners = others_owning_the_reference(settings, deployment, manager) if secret_ref(live) else []
    if problem is not None and owners:
        target = EnvTarget(ns, d.name, d.container, d.env_name)
        return fail(
            "env",
            f"{where} container {d.container} {problem}",
            f"{', '.join(owners)} changed the entry and now owns its secretKeyRef "
            "(managedFields): `pulumi up` would stop on that conflict, as it never forces one; "
            "this gives the entry back to the stack (if that is a GitOps controller, change "
            "the entry in Git instead)",
            take_back_command(
                c, target, settings.secret_name, settings.external_secret.secret_key, manager
            ),
        )
    if problem is not None:
        return fail(
            "env",
            f"{where} container {d.container} {problem}",
            "the env entry was removed or changed by hand, or by a GitOps sync (self-heal), or a "
            "rotation's `pulumi up` did not finish",
            c.up_refresh,
        )
    evidence = [
        f"container {d.container}: {d.env_name} ← Secret {settings.secret_name} key "
        f"{settings.external_secret.secret_key}"
    ]
    old = old_secrets_read(settings, template)
    if old:
        return fail(
            "env",
            f"{where}'s pod template still reads Secret {', '.join(sorted(old))}",
            "an earlier rotation's Secret is named by another env entry (added by hand or by Git)",
            f"{c.kubectl} -n {ns} edit deployment {d.name}   (or its source in Git)",
            *evidence,
        )
    try:
        done, progress = rollout_status(dict(deployment))
    except RolloutFailed as error:
        done, progress = False, str(error)
    if not done:
        return fail(
            "env",
            f"{where} has not rolled out: {progress}",
            "pods are still being replaced, or cannot start (see the pods' events)",
            c.rollout_status(ns, d.name),
            *evidence,
        )
    replicas = int((deployment.get("spec") or {}).get("replicas", 1))
    return _pods_verdict(settings, replicas, pods, evidence, c)


def _pods_verdict(
    settings: Settings,
    replicas: int,
    pods: Sequence[Mapping[str, Any]],
    evidence: list[str],
    c: Commands,
) -> Hop:
    d, ns = settings.deployment, settings.namespace
    where = f"Deployment {ns}/{d.name}"
    stale = {
        _pod_name(pod): old
        for pod in pods
        if (old := old_secrets_read(settings, pod.get("spec") or {}))
    }
    if stale:
        listed = "; ".join(f"{pod} reads {', '.join(sorted(s))}" for pod, s in stale.items())
        return fail(
            "env",
            f"pods still read an earlier rotation's Secret: {listed}",
            "old pods outlived the rollout (terminating, or left by an interrupted rollout)",
            f"{c.kubectl} -n {ns} delete pod {' '.join(stale)}",
            *evidence,
        )
    ready = [pod for pod in pods if pod_ready(pod)]
    without = [
        _pod_name(pod)
        for pod in ready
        if _entry_problem(settings, _entry_of(settings, pod.get("spec") or {})) is not None
    ]
    if without:
        return fail(
            "env",
            f"Ready pods without the current env entry: {', '.join(without)}",
            "these pods started from an older pod template and were not replaced",
            c.restart(ns, d.name),
            *evidence,
        )
    blocked = [
        _pod_name(pod) for pod in pods if "CreateContainerConfigError" in _waiting_reasons(pod)
    ]
    if blocked:
        return fail(
            "env",
            f"pods cannot start: CreateContainerConfigError ({', '.join(blocked)})",
            "the Secret or key the env entry names is missing (see secret)",
            c.force_sync(ns, settings.external_secret_name),
            *evidence,
        )
    if replicas and not ready:
        return fail(
            "env",
            f"{where} wants {replicas} pod(s), none is Ready",
            "the pods cannot start or become Ready (see their events)",
            c.rollout_status(ns, d.name),
            *evidence,
        )
    if not ready:
        evidence.append("scaled to zero: no pod to check")
    names = ", ".join(_pod_name(pod) for pod in ready)
    return ok(
        "env",
        f"{where} rolled out; {len(ready)} Ready pod(s) read Secret {settings.secret_name}"
        + (f" ({names})" if names else ""),
        *evidence,
    )


def judge(live: Live, before: Mapping[str, Hop]) -> tuple[Hop, ...]:
    # The program names its manager by `pulumi.get_stack()`, the stack's bare name; verify
    # may be given it qualified (`org/project/stack`). The project is this one.
    manager = stack_field_manager(PROJECT, live.stack.rsplit("/", 1)[-1])
    return (
        live.in_cluster(
            "env",
            live.env_problem,
            lambda: env_hop(
                live.settings, live.deployment, live.pods or [], live.commands, manager
            ),
        ),
    )
