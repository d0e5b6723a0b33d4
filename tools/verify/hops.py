"""The verdicts on the token's hops, as pure functions of what the readers saw.

stack → ssm → externalSecret → secret: each function gets the settings and the facts of its
hop (None when the object does not exist) and returns one Hop, with the evidence a person
would otherwise collect with kubectl and the AWS CLI, and for a failure the likely cause and the
one command that fixes it (the runbook's troubleshooting table, docs/operations.md). A hop
fails only for a fault of its own; what it cannot judge because an earlier hop failed is said
in its evidence. The env hop is in tools.verify.env_hop, the section's hops (config, gitops)
in tools.verify.document_hops.

No function here sees a secret value: values arrive as SHA-256 digests, of which at most
DIGEST_PREFIX characters are printed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stack.settings import PROJECT, Settings
from stages.env_entry.deployments import EnvTarget, apply_body, entry
from stages.kubernetes_meta import FIELD_MANAGER
from stages.section.document import json_equal
from tools.verify.aws import ParameterFacts
from tools.verify.kube import SecretFacts
from tools.verify.model import DIGEST_PREFIX, CannotRead, Hop, cannot_check, fail, ok

DEFAULT_KMS_KEY = "alias/aws/ssm"


@dataclass(frozen=True)
class Commands:
    """The fix commands, spelled for this stack and the cluster verify reached."""

    stack: str
    kubectl: str = "kubectl"  # with --context / --kubeconfig when the stack names them

    @property
    def up(self) -> str:
        return f"pulumi up --stack {self.stack}"

    @property
    def up_refresh(self) -> str:
        """Refresh first: every resource of the stack reads the live object, so what was
        changed or removed behind Pulumi's back is found and put back."""
        return f"pulumi up --refresh --stack {self.stack}"

    @property
    def permissions(self) -> str:
        return f"./bin/verify --stack {self.stack} --print-permissions"

    def force_sync(self, namespace: str, external_secret: str) -> str:
        return (
            f"{self.kubectl} -n {namespace} annotate externalsecret {external_secret} "
            "force-sync=$(date +%s) --overwrite"
        )

    def rollout_status(self, namespace: str, deployment: str) -> str:
        return f"{self.kubectl} -n {namespace} rollout status deployment/{deployment}"

    def restart(self, namespace: str, deployment: str) -> str:
        return f"{self.kubectl} -n {namespace} rollout restart deployment/{deployment}"

    def take_back_env_entry(self, target: EnvTarget, secret_name: str, secret_key: str) -> str:
        """The env stage's own Server-Side Apply, forced: the stack's field manager owns the
        entry again (so `pulumi up` and `destroy` manage it), with the stack's value."""
        body = apply_body(target, [entry(target.env_name, secret_name, secret_key)])
        document = json.dumps(body, separators=(",", ":"))
        return (
            f"printf '%s' '{document}' | {self.kubectl} apply --server-side --force-conflicts "
            f"--field-manager={FIELD_MANAGER} -f -"
        )


def prefix(digest: str) -> str:
    return digest[:DIGEST_PREFIX]


# --- stack ----------------------------------------------------------------------------------


def applied_values(settings: Settings) -> dict[str, Any]:
    """The stack outputs the current config would produce (see __main__.py)."""
    return {
        "parameterName": settings.token.parameter_name,
        "externalSecretName": settings.external_secret_name,
        "secretName": settings.secret_name,
        "envName": settings.deployment.env_name,
        "cronSection": settings.cron_section(),
    }


def stack_hop(stack: str, settings: Settings, outputs: Mapping[str, Any], c: Commands) -> Hop:
    """Is the live path meant to match the current config? Only if `pulumi up` ran since."""
    pending = [
        key
        for key, want in applied_values(settings).items()
        if key in outputs and not json_equal(outputs[key], want)
    ]
    rotation = f"rotation {settings.token.rotation}"
    if pending:
        changes = [
            f"{key}: the section's keys differ"
            if key == "cronSection"
            else f"{key}: {outputs[key]} → {applied_values(settings)[key]}"
            for key in pending
        ]
        return fail(
            "stack",
            f"stack {stack}'s config differs from its last update ({', '.join(pending)})",
            "the config was changed (for example token.rotation) and `pulumi up` has not run "
            "since; the hops below are checked against the new config",
            c.up,
            *changes,
        )
    return ok("stack", f"stack {stack}: the last update applied the current config ({rotation})")


# --- ssm ------------------------------------------------------------------------------------


def _key_kind(key: str) -> str:
    return "alias" if "alias/" in key else "key"


def same_kms_key(live: str | None, wanted: str) -> bool | None:
    """Whether two spellings name one key: an id, an ARN or an alias. None: cannot tell
    without kms:DescribeKey (an alias on one side, a key id on the other)."""
    live = live or DEFAULT_KMS_KEY
    if _key_kind(live) != _key_kind(wanted):
        return None
    return any(
        a == b or a.endswith("/" + b) or a.endswith(":" + b)
        for a, b in ((live, wanted), (wanted, live))
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def ssm_hop(
    settings: Settings, facts: ParameterFacts | None, c: Commands, recorded_version: Any = None
) -> Hop:
    """`recorded_version`: the stack output `parameterVersion`, the version the last update
    left (None when the stack does not export it). Pulumi is the only writer of the value, so
    any other version means someone else wrote it, even after ESO has copied their value."""
    name = settings.token.parameter_name
    if facts is None:
        return fail(
            "ssm",
            f"parameter {name} does not exist",
            "deleted outside Pulumi (console, CLI), or the last `pulumi up` failed before it",
            c.up_refresh,
        )
    wanted_key = settings.token.kms_key_id or DEFAULT_KMS_KEY
    tags = ", ".join(f"{k}={v}" for k, v in sorted(facts.tags.items())) or "none"
    evidence = [
        f"{facts.type}, version {facts.version}, last modified {_iso(facts.last_modified)}",
        f"KMS key {facts.key_id or DEFAULT_KMS_KEY}",
        f"tags {tags}",
    ]
    problems = []
    if facts.type != "SecureString":
        problems.append(f"its type is {facts.type}, not SecureString")
    same = same_kms_key(facts.key_id, wanted_key)
    if same is False:
        problems.append(f"its KMS key is {facts.key_id}, the stack sets {wanted_key}")
    elif same is None:
        evidence.append(f"KMS key not compared with {wanted_key} (an alias and a key id)")
    if isinstance(recorded_version, int) and recorded_version != facts.version:
        problems.append(
            f"its version is {facts.version}, the stack's last update left version "
            f"{recorded_version}"
        )
    for tag, value in sorted(settings.token.tags.items()):
        if tag not in facts.tags:
            problems.append(f"tag {tag} is missing")
        elif facts.tags[tag] != value:
            problems.append(f"tag {tag} is {facts.tags[tag]!r}, the stack sets {value!r}")
    if problems:
        return fail(
            "ssm",
            f"parameter {name}: " + "; ".join(problems),
            "the parameter was changed outside Pulumi (console, CLI, another tool)",
            c.up_refresh,
            *evidence,
        )
    if facts.digest is None or facts.shape is None:
        problem = facts.value_problem or CannotRead("value unreadable", "unknown", c.permissions)
        return cannot_check("ssm", problem, *evidence)
    evidence.append(f"value: {facts.shape}")
    return ok(
        "ssm",
        f"SecureString {name}, version {facts.version}, sha256 {prefix(facts.digest)}",
        *evidence,
    )


# --- externalSecret -------------------------------------------------------------------------


def parse_time(text: Any) -> datetime | None:
    """An RFC 3339 timestamp as Kubernetes writes it (`2026-11-30T08:51:55Z`)."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def ready_condition(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    conditions = (obj.get("status") or {}).get("conditions") or []
    return next((cond for cond in conditions if cond.get("type") == "Ready"), {})


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
            f"synced before the parameter's last modification ({_iso(parameter.last_modified)}), "
            "but the Secret holds the current value (a change of description or tier)"
        )
    elif changed:
        return fail(
            "externalSecret",
            f"{where} last synced at {refresh}, before the parameter changed "
            f"({_iso(parameter.last_modified)}, version {parameter.version})",
            "the SSM value was changed outside Pulumi (Pulumi changes it only together with a "
            "new ExternalSecret); this puts the stack's token back (to keep the new value, "
            f"rotate instead: pulumi config set --path '{PROJECT}:token.rotation' <next>)",
            c.up_refresh,
            *evidence,
        )
    else:
        evidence.append(
            f"synced after the parameter's last modification (version {parameter.version}, "
            f"{_iso(parameter.last_modified)})"
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
