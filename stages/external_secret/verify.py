"""The ExternalSecret stage's hops: `externalSecret` (ESO synced the parameter) and `secret`
(the Secret it wrote holds the parameter's value, and ESO controls it).

Facts in (the objects as dicts, the Secret as stages.kube_reader's SecretFacts; None when an
object does not exist), one Hop each out. A hop fails only for a fault of its own; what it
cannot judge because an earlier hop failed is said in its evidence. Values arrive as SHA-256
digests, never as themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stack.settings import PROJECT, Settings
from stages.external_secret.ready import ready_condition
from stages.fix_commands import Commands
from stages.hop import CannotRead, Hop, cannot_check, fail, ok
from stages.kube_reader import SecretFacts
from stages.live import Live
from stages.parameter.ssm_reader import ParameterFacts
from stages.redaction import prefix
from stages.timestamps import iso, parse_time


def changed_since_sync(es: Mapping[str, Any] | None, facts: ParameterFacts | None) -> bool | None:
    """Did SSM change after ESO's last sync? None when either side is unknown.

    `refreshTime` has whole seconds; SSM's time has milliseconds. A sync in the same second as
    the change (ESO syncing the parameter `pulumi up` just wrote) counts as after it.
    """
    refreshed = parse_time(((es or {}).get("status") or {}).get("refreshTime"))
    if refreshed is None or facts is None:
        return None
    return refreshed < facts.last_modified.replace(microsecond=0)


def _spec_problems(settings: Settings, es: Mapping[str, Any]) -> list[str]:
    spec = es.get("spec") or {}
    e = settings.external_secret
    problems = []
    store = spec.get("secretStoreRef") or {}
    if (store.get("name"), store.get("kind")) != (e.store_name, e.store_kind):
        problems.append(
            f"it reads through {store.get('kind')} {store.get('name')}, the stack sets "
            f"{e.store_kind} {e.store_name}"
        )
    target = (spec.get("target") or {}).get("name")
    if target != settings.secret_name:
        problems.append(f"it writes Secret {target}, the stack's is {settings.secret_name}")
    entry = next((d for d in spec.get("data") or [] if d.get("secretKey") == e.secret_key), None)
    if entry is None:
        problems.append(f"it has no data entry for key {e.secret_key}")
    elif (entry.get("remoteRef") or {}).get("key") != settings.token.parameter_name:
        problems.append(
            f"its key {e.secret_key} reads {(entry.get('remoteRef') or {}).get('key')}, "
            f"not {settings.token.parameter_name}"
        )
    return problems


def store_cause(store: Mapping[str, Any] | CannotRead | None, kind: str, name: str) -> str:
    """Why ESO cannot sync, as far as its store says."""
    if isinstance(store, CannotRead):
        return f"(the {kind} {name} could not be read: {store.summary})"
    if store is None:
        return f"its {kind} {name} does not exist"
    condition = ready_condition(store)
    if condition.get("status") != "True":
        message = " ".join(str(condition.get("message") or "").split())[:200]
        return f"its {kind} {name} is not Ready ({condition.get('reason')}: {message})"
    return (
        f"its {kind} {name} is Ready, so ESO reaches Parameter Store but cannot read this "
        "parameter: the store's IAM role or the KMS key policy, or the parameter is missing"
    )


def external_secret_hop(
    settings: Settings,
    es: Mapping[str, Any] | None,
    parameter: ParameterFacts | None,
    values_agree: bool | None,
    store: Mapping[str, Any] | CannotRead | None,
    c: Commands,
) -> Hop:
    """`store` is read only when the ExternalSecret is not Ready (for the cause)."""
    ns, name = settings.namespace, settings.external_secret_name
    where = f"ExternalSecret {ns}/{name}"
    if es is None:
        return fail(
            "externalSecret",
            f"{where} does not exist",
            "deleted outside Pulumi, or the last `pulumi up` failed before it",
            c.up_refresh,
        )
    problems = _spec_problems(settings, es)
    if problems:
        return fail(
            "externalSecret",
            f"{where}: " + "; ".join(problems),
            "its spec was edited outside Pulumi",
            c.up_refresh,
        )
    condition = ready_condition(es)
    reason, message = condition.get("reason"), " ".join(str(condition.get("message") or "").split())
    said = f"{condition.get('status', 'no')} Ready condition, reason {reason}: {message[:200]}"
    if condition.get("status") != "True" or reason != "SecretSynced":
        e = settings.external_secret
        return fail(
            "externalSecret",
            f"{where} is not Ready/SecretSynced ({reason})",
            "ESO cannot read the parameter: "
            + store_cause(store, e.store_kind, e.store_name)
            + "; repair that, then force a sync",
            c.force_sync(ns, name),
            said,
        )
    refresh = ((es.get("status") or {}).get("refreshTime")) or "never"
    evidence = [said, f"last synced (refreshTime) {refresh}"]
    changed = changed_since_sync(es, parameter)
    if parameter is None:
        evidence.append("refreshTime not compared: the parameter could not be read (see ssm)")
    elif changed is None:
        evidence.append("refreshTime missing or unreadable: not compared")
    elif changed and values_agree:
        evidence.append(
            f"synced before the parameter's last modification ({iso(parameter.last_modified)}), "
            "but the Secret holds the current value (a change of description or tier)"
        )
    elif changed:
        return fail(
            "externalSecret",
            f"{where} last synced at {refresh}, before the parameter changed "
            f"({iso(parameter.last_modified)}, version {parameter.version})",
            "the SSM value was changed outside Pulumi (Pulumi changes it only together with a "
            "new ExternalSecret); this puts the stack's token back (to keep the new value, "
            f"rotate instead: pulumi config set --path '{PROJECT}:token.rotation' <next>)",
            c.up_refresh,
            *evidence,
        )
    else:
        evidence.append(
            f"synced after the parameter's last modification (version {parameter.version}, "
            f"{iso(parameter.last_modified)})"
        )
    return ok("externalSecret", f"{where} Ready/SecretSynced, synced {refresh}", *evidence)


# --- secret ---------------------------------------------------------------------------------


def secret_hop(
    settings: Settings,
    facts: SecretFacts | None,
    parameter: ParameterFacts | None,
    ssm: Hop,
    changed: bool | None,
    c: Commands,
) -> Hop:
    """`ssm` is that hop's verdict (its cause when the value could not be read); `changed`
    whether SSM changed after ESO's last sync (None: unknown)."""
    ns, name, key = settings.namespace, settings.secret_name, settings.external_secret.secret_key
    where = f"Secret {ns}/{name}"
    es = settings.external_secret_name
    if facts is None:
        return fail(
            "secret",
            f"{where} does not exist",
            "deleted by hand; ESO re-creates the Secret of an Owner ExternalSecret when it syncs",
            c.force_sync(ns, es),
        )
    if facts.digest is None:
        return fail(
            "secret",
            f"{where} has no key {key} (its keys: {', '.join(facts.keys) or 'none'})",
            "the Secret was edited by hand; ESO writes the key back when it syncs",
            c.force_sync(ns, es),
        )
    evidence = [f"key {key}: {facts.length} bytes, sha256 {prefix(facts.digest)}"]
    if facts.owner != f"ExternalSecret/{es}":
        return fail(
            "secret",
            f"{where} is controlled by {facts.owner or 'nothing'}, not ExternalSecret {es}",
            "the Secret existed before ESO created it (ESO does not adopt it), or was replaced",
            f"{c.kubectl} -n {ns} delete secret {name} && {c.force_sync(ns, es)}",
            *evidence,
        )
    if parameter is None or parameter.digest is None:
        problem = CannotRead(
            f"{where}'s value not compared with SSM: the parameter could not be read",
            "see the ssm hop: " + (ssm.cause or ssm.summary),
            ssm.fix or c.up_refresh,
        )
        return cannot_check("secret", problem, *evidence)
    if facts.digest != parameter.digest:
        summary = (
            f"{where}'s value differs from SSM (Secret sha256 {prefix(facts.digest)}, "
            f"SSM sha256 {prefix(parameter.digest)})"
        )
        if changed:
            return fail(
                "secret",
                summary,
                "the SSM value was changed outside Pulumi after ESO's last sync (see "
                "externalSecret); this puts the stack's token back into SSM",
                c.up_refresh,
                *evidence,
            )
        return fail(
            "secret",
            summary,
            "the Secret was edited by hand after ESO's last sync; a sync writes SSM's value back",
            c.force_sync(ns, es),
            *evidence,
        )
    return ok(
        "secret",
        f"{where} key {key} holds the SSM value (sha256 {prefix(facts.digest)})",
        *evidence,
        f"controlled by ExternalSecret {es}",
    )


def judge(live: Live, before: Mapping[str, Hop]) -> tuple[Hop, ...]:
    """`before["ssm"]` is the parameter stage's verdict, the cause when its value was unread."""
    s, c = live.settings, live.commands
    digest = live.parameter.digest if live.parameter else None
    agree = None if digest is None or live.secret is None else live.secret.digest == digest
    changed = changed_since_sync(live.external_secret, live.parameter)
    return (
        live.in_cluster(
            "externalSecret",
            live.es_problem,
            lambda: external_secret_hop(
                s, live.external_secret, live.parameter, agree, live.store, c
            ),
        ),
        live.in_cluster(
            "secret",
            live.secret_problem,
            lambda: secret_hop(s, live.secret, live.parameter, before["ssm"], changed, c),
        ),
    )
