"""What the env entry's dynamic provider does: create, read, diff, update and delete one entry.

Why not pulumi-kubernetes' `DeploymentPatch`: its diff compares the new inputs with the live
object pruned to the shape of the old inputs, matching list items by index (`pruneLiveState`).
Server-Side Apply appends our entry after the Deployment's own entries, so the pruned live
`env[0]` is someone else's variable: every preview showed an update, every `up` re-applied and
waited, and `refresh` recorded wrong inputs. Ignoring `env` would also hide a rotation. This
resource compares its own inputs, matches the live entry by name on refresh, applies with the
stack's own field manager (taking the entry over from an earlier one at its next write,
stages.env_entry.handover), refuses a container that does not exist, and awaits the rollout on
create, update AND delete — the last so that the ExternalSecret pair, deleted after it, is
never pulled from under a running pod. A Deployment already gone at destroy means the entry is
gone too. A create whose rollout fails takes its entry back out, so state and cluster agree
that there is none; an API server that is away for a moment during a wait is waited out.

Why functions over a `DeploymentApi`: the provider class Pulumi pickles stays pinned in
components/deployment_env_provider.py and only builds the API; everything it does lives here.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from stages.env_entry.deployment_api import DeploymentApi, DeploymentNotFound
from stages.env_entry.handover import MANAGER_PROP, earlier_owners, hand_over, manager_of, ours
from stages.env_entry.identity import REPLACE_ON
from stages.env_entry.owners import still_declared
from stages.env_entry.pod_spec import (
    EnvTarget,
    apply_body,
    entry,
    live_entry,
    pods_referencing,
    require_container,
    secret_ref,
    selector_of,
)
from stages.env_entry.rollout import (
    ROLLOUT_TIMEOUT_SECONDS,
    RolloutFailed,
    rollout_status,
    through_outages,
    wait_until,
)
from stages.provider_log import engine_gone, warn

_VALUE_PROPS = ("secretName", "secretKey")
# How long each rollout wait may take: how to apply, not what, so never a change by itself.
# Absent from entries created before it existed; they wait the default.
TIMEOUT_PROP = "rolloutTimeoutSeconds"


def _target(props: dict[str, Any]) -> EnvTarget:
    return EnvTarget(props["namespace"], props["deployment"], props["container"], props["envName"])


def _outputs(props: dict[str, Any]) -> dict[str, Any]:
    outputs = {name: props.get(name) for name in (*REPLACE_ON, *_VALUE_PROPS)}
    outputs.update({name: props[name] for name in (TIMEOUT_PROP, MANAGER_PROP) if name in props})
    return outputs


def _timeout(props: dict[str, Any]) -> float:
    """Seconds each wait may take: the entry's own, else the default (older entries)."""
    return float(props.get(TIMEOUT_PROP, ROLLOUT_TIMEOUT_SECONDS))


def create(api: DeploymentApi, props: dict[str, Any]) -> CreateResult:
    """Apply the entry and await its rollout; if that wait fails, take the entry back out.

    A failed create leaves nothing in the stack's state, so it must leave nothing in the
    cluster: `pulumi destroy` would never relinquish an entry the state does not hold, and
    the Deployment would keep pointing at a Secret that destroy deletes.
    """
    target = _target(props)
    _write(api, target, props, manager_of(props))
    try:
        _await(api, target, None, _timeout(props))
    except Exception as failure:
        raise _taken_back(api, target, manager_of(props), failure) from failure
    resource_id = f"{target.namespace}/{target.deployment}/{target.container}#env/{target.env_name}"
    return CreateResult(resource_id, _outputs(props))


def update(api: DeploymentApi, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
    """A new secretKeyRef (a rotation): one rollout, then no pod reads the old Secret. The
    entry moves to the stack's field manager on the way, if an earlier one holds it."""
    previous = olds.get("secretName")
    target = _target(news)
    _write(api, target, news, manager_of(olds))
    _await(api, target, previous if previous != news["secretName"] else None, _timeout(news))
    return UpdateResult(_outputs(news))


def delete(api: DeploymentApi, props: dict[str, Any]) -> None:
    """Relinquish the entry, then wait until no pod still takes the variable from it.

    Relinquished under the manager the state records (the legacy one for older states) and
    under the legacy one too while its apply still holds the entry (a hand-over cut short).
    If another field manager keeps the entry pointing at our Secret (right after the
    apply, or once the rollout is done), fail: the Secret goes next (env_entry_owners).
    """
    target, secret, manager = _target(props), props.get("secretName"), manager_of(props)
    try:
        # Read first: an apply to a missing object would try to CREATE it.
        deployment = api.read(target.namespace, target.deployment)
        for each in [manager, *earlier_owners(deployment, target, manager, manager)]:
            deployment = api.apply(
                target.namespace, target.deployment, apply_body(target, []), each
            )
        kept = still_declared(deployment, target, secret, ours(manager))
        if kept is None:
            after = _await(api, target, secret, _timeout(props))
            kept = None if after is None else still_declared(after, target, secret, ours(manager))
        if kept is not None:
            raise kept
    except DeploymentNotFound:
        # Deleted out of band: nothing of ours is left in the cluster. Said, not silent.
        warn(
            f"Deployment {target.namespace}/{target.deployment} is already gone (deleted "
            f"outside this stack): its env entry {target.env_name} went with it, nothing to "
            "relinquish."
        )


def diff(olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
    """Our inputs against our inputs: the live list's order can never show as a change.

    A new target is a delete-before-replace: both resources would share one field manager,
    so relinquishing the old entry after applying the new one would remove both. Neither
    the rollout timeout nor the field manager is compared: waiting longer changes nothing in
    the cluster, a manager moves at the next write (stages.env_entry.handover), and an entry
    recorded before either existed must not show an update after an upgrade.
    """
    replaces = [name for name in REPLACE_ON if olds.get(name) != news.get(name)]
    changed = [name for name in _VALUE_PROPS if olds.get(name) != news.get(name)]
    return DiffResult(
        changes=bool(replaces or changed), replaces=replaces, delete_before_replace=True
    )


def read(api: DeploymentApi, id_: str, props: dict[str, Any]) -> ReadResult:
    """The live entry, found by name; gone if the Deployment, container or entry is."""
    target = _target(props)
    try:
        deployment = api.read(target.namespace, target.deployment)
    except DeploymentNotFound:
        return ReadResult(None, {})
    live = live_entry(deployment, target)
    if live is None:
        return ReadResult(None, {})
    ref = secret_ref(live)
    return ReadResult(
        id_, {**_outputs(props), "secretName": ref.get("name"), "secretKey": ref.get("key")}
    )


def _write(api: DeploymentApi, target: EnvTarget, props: dict[str, Any], recorded: str) -> None:
    """Apply the entry under the stack's manager, refusing a Deployment or container that is
    not there; first hand the entry over from `recorded` or the legacy manager if they hold it."""
    manager = manager_of(props)
    try:
        deployment = api.read(target.namespace, target.deployment)
        require_container(deployment, target)
    except DeploymentNotFound as missing:
        raise DeploymentNotFound(
            f"{missing}: the env entry needs the application's Deployment. Check "
            "`deployment.name` and `namespace`, and that the app is deployed. "
            "Nothing was written."
        ) from missing
    hand_over(
        api, target, deployment, manager, earlier_owners(deployment, target, manager, recorded)
    )
    wanted = entry(target.env_name, props["secretName"], props["secretKey"])
    api.apply(target.namespace, target.deployment, apply_body(target, [wanted]), manager)


def _taken_back(
    api: DeploymentApi, target: EnvTarget, manager: str, failure: Exception
) -> RolloutFailed:
    """Relinquish the entry a failed create applied (no wait: the rollout back may be as
    stuck as the one that failed); the error says whether that worked and what to do.

    Not when the engine is gone (the CLI was killed while this process waited): the state
    then holds a pending create, and the next `pulumi up` may already be applying the same
    entry, which this orphan must not take away from it.
    """
    if engine_gone():
        return RolloutFailed(f"{failure}\n(The engine is gone: the entry is left as it is.)")
    try:
        api.apply(target.namespace, target.deployment, apply_body(target, []), manager)
    except Exception as also:
        return RolloutFailed(
            f"{failure}\nThe env entry {target.env_name} could not be taken back out of "
            f"{target.where} ({also}): it is still there but not in the stack's state. "
            "Run `pulumi up` again once the cluster answers: it applies the same entry and "
            "waits again (`pulumi destroy` alone would leave it behind)."
        )
    return RolloutFailed(
        f"{failure}\nThe env entry {target.env_name} was taken back out of {target.where}, "
        "so this run leaves none of it (the pods go back to their previous template). Fix "
        f"what keeps the rollout from completing (`kubectl -n {target.namespace} describe "
        "pods`), then run `pulumi up` again."
    )


def _await(
    api: DeploymentApi, target: EnvTarget, secret: str | None, timeout: float
) -> dict[str, Any] | None:
    """The rollout, then (if given) until no pod of the Deployment reads `secret`; each
    wait gives up after `timeout` seconds. Returns the Deployment instead of waiting for
    pods when its entry still reads `secret` (someone else declares it): delete refuses
    that, an update keeps it."""

    def rolled_out() -> tuple[bool, str]:
        return rollout_status(api.read(target.namespace, target.deployment))

    wait_until(through_outages(rolled_out), timeout)
    if secret is None:
        return None
    deployment = api.read(target.namespace, target.deployment)
    if secret_ref(live_entry(deployment, target)).get("name") == secret:
        return deployment
    selector = selector_of(deployment)

    def released() -> tuple[bool, str]:
        holding = pods_referencing(api.pods(target.namespace, selector), secret)
        return not holding, f"pods still reading Secret {secret}: {', '.join(holding)}"

    wait_until(through_outages(released), timeout)
    return None
