"""Each hop's verdict as a pure function: facts in, one Hop out (no cluster, no AWS).

tests/process/test_verify_live.py drives the same functions through the real readers; here every
branch gets its exact summary, cause and fix, including the ones a live world cannot easily
produce (a String parameter, a store that cannot be read, a rollout past its deadline).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from openclaw_runtime.verdict import Issue, Judgement
from stages.env_entry.pod_spec import entry
from stages.env_entry.verify import env_hop
from stages.external_secret.verify import external_secret_hop, secret_hop
from stages.fix_commands import Commands
from stages.hop import CannotRead, Hop, fail, ok
from stages.kube_reader import SecretFacts
from stages.live import Live
from stages.parameter.ssm_reader import ParameterFacts
from stages.parameter.verify import same_kms_key, ssm_hop
from stages.section.document import set_section
from stages.section.git.branch_head import BranchHead
from stages.section.git.verify import gitops_hop
from stages.section.verify import config_hop, differences
from stages.section.verify import judge as judge_config
from stages.token.verify import stack_hop
from tools.verify.stack import settings_from_config

S = settings_from_config({}, "dev")
C = Commands("dev")
M = "openclaw-cron-webhook/dev"  # the stack's field manager
NAME = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV = KEY = "OPENCLAW_CRON_WEBHOOK_TOKEN"
R1, R0 = "openclaw-cron-webhook-r1", "openclaw-cron-webhook-r0"
DIGEST = "0123456789abcdef" * 4
OTHER = "fedcba9876543210" * 4
OLD_TOKEN = "a1" * 32
MODIFIED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
UP_REFRESH = "pulumi up --refresh --stack dev"
FORCE_SYNC = f"kubectl -n openclaw annotate externalsecret {R1} force-sync=$(date +%s) --overwrite"
DOCUMENT = '{\n  "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}\n}\n'


def parameter(**changes: Any) -> ParameterFacts:
    facts: dict[str, Any] = {
        "name": NAME,
        "type": "SecureString",
        "key_id": "alias/aws/ssm",
        "version": 3,
        "last_modified": MODIFIED,
        "tags": dict(S.token.tags),
        "digest": DIGEST,
        "shape": "64 hex characters",
    }
    return ParameterFacts(**{**facts, **changes})


def shown(hop: Hop) -> str:
    return " ".join([hop.summary, *hop.evidence, hop.cause, hop.fix])


# --- stack ----------------------------------------------------------------------------------


def test_the_stack_hop_names_the_outputs_a_pending_config_change_would_alter() -> None:
    outputs = {"externalSecretName": "openclaw-cron-webhook-r0", "secretName": R0, "envName": ENV}
    hop = stack_hop("dev", S, outputs, C)
    assert (hop.status, hop.fix) == ("fail", "pulumi up --stack dev")
    assert hop.summary == (
        "stack dev's config differs from its last update (externalSecretName, secretName)"
    )
    assert hop.evidence == (
        f"externalSecretName: openclaw-cron-webhook-r0 → {R1}",
        f"secretName: {R0} → {R1}",
    )
    assert stack_hop("dev", S, {"secretName": R1}, C).status == "ok"


def test_each_output_the_config_decides_is_compared_and_the_section_is_not_quoted() -> None:
    """The outputs of the last update (__main__.py exports them) against the current config;
    the section is named, not shown (the stack's own section is checked by the config hop)."""
    outputs = {
        "parameterName": "/old/OPENCLAW_CRON_WEBHOOK_TOKEN",
        "externalSecretName": R1,
        "secretName": R1,
        "envName": "OLD_TOKEN",
        "cronSection": {"webhookToken": "${OLD_TOKEN}"},
    }

    assert stack_hop("dev", S, outputs, C) == fail(
        "stack",
        "stack dev's config differs from its last update (parameterName, envName, cronSection)",
        "the config was changed (for example token.rotation) and `pulumi up` has not run since; "
        "the hops below are checked against the new config",
        "pulumi up --stack dev",
        f"parameterName: /old/OPENCLAW_CRON_WEBHOOK_TOKEN → {NAME}",
        f"envName: OLD_TOKEN → {ENV}",
        "cronSection: the section's keys differ",
    )


def test_outputs_the_last_update_applied_hold_with_or_without_the_section() -> None:
    """With `section.present: false` the program exports `cronSection` as null."""
    applied = {"parameterName": NAME, "secretName": R1, "envName": ENV}
    off = settings_from_config(
        {"openclaw-cron-webhook:section": (json.dumps({"present": False}), False)}, "dev"
    )
    held = ok("stack", "stack dev: the last update applied the current config (rotation 1)")

    assert stack_hop("dev", S, {**applied, "cronSection": S.cron_section()}, C) == held
    assert stack_hop("dev", off, {**applied, "cronSection": None}, C) == held


# --- ssm ------------------------------------------------------------------------------------


def test_a_healthy_parameter_shows_its_facts_and_12_digest_characters() -> None:
    hop = ssm_hop(S, parameter(), C)
    assert hop == ok(
        "ssm",
        f"SecureString {NAME}, version 3, sha256 {DIGEST[:12]}",
        "SecureString, version 3, last modified 2026-11-30T09:00:00+00:00",
        "KMS key alias/aws/ssm",
        "tags app=openclaw, component=cron-webhook, managed-by=pulumi",
        "value: 64 hex characters",
    )
    assert DIGEST[:13] not in shown(hop)


def test_a_missing_parameter_is_put_back_by_a_refreshing_up() -> None:
    hop = ssm_hop(S, None, C)
    assert (hop.status, hop.summary, hop.fix) == (
        "fail",
        f"parameter {NAME} does not exist",
        UP_REFRESH,
    )


def test_type_key_and_tags_changed_outside_pulumi_are_each_named() -> None:
    tags = {"app": "openclaw", "component": "other"}
    hop = ssm_hop(S, parameter(type="String", key_id="alias/other", tags=tags), C)
    assert hop.status == "fail"
    assert hop.summary == (
        f"parameter {NAME}: its type is String, not SecureString; its KMS key is alias/other, "
        "the stack sets alias/aws/ssm; tag component is 'other', the stack sets "
        "'cron-webhook'; tag managed-by is missing"
    )
    assert hop.fix == UP_REFRESH


def test_a_version_other_than_the_last_updates_was_written_by_someone_else() -> None:
    hop = ssm_hop(S, parameter(version=4), C, recorded_version=3)
    assert hop.summary == (
        f"parameter {NAME}: its version is 4, the stack's last update left version 3"
    )
    assert hop.fix == UP_REFRESH
    assert ssm_hop(S, parameter(version=3), C, recorded_version=3).status == "ok"


@pytest.mark.parametrize(
    ("live", "wanted", "same"),
    [
        (None, "alias/aws/ssm", True),
        ("arn:aws:kms:eu-west-1:123456789012:key/1234", "1234", True),
        ("1234", "arn:aws:kms:eu-west-1:123456789012:key/1234", True),
        ("arn:aws:kms:eu-west-1:123456789012:alias/openclaw", "alias/openclaw", True),
        ("1234", "5678", False),
        ("alias/a", "alias/b", False),
        ("1234", "alias/openclaw", None),
    ],
)
def test_kms_keys_are_compared_across_spellings(
    live: str | None, wanted: str, same: bool | None
) -> None:
    assert same_kms_key(live, wanted) is same


def test_an_alias_and_a_key_id_are_not_called_different() -> None:
    settings = settings_from_config(
        {"openclaw-cron-webhook:token": (json.dumps({"kmsKeyId": "alias/openclaw"}), False)}, "d"
    )
    hop = ssm_hop(settings, parameter(key_id="1234abcd"), C)
    assert hop.status == "ok"
    assert "KMS key not compared with alias/openclaw (an alias and a key id)" in hop.evidence


def test_an_unreadable_value_is_a_check_that_could_not_run() -> None:
    problem = CannotRead("AWS denies kms:Decrypt", "may not kms:Decrypt", "grant it")
    hop = ssm_hop(S, parameter(digest=None, shape=None, value_problem=problem), C)
    assert (hop.status, hop.summary, hop.cause, hop.fix) == (
        "error",
        "AWS denies kms:Decrypt",
        "may not kms:Decrypt",
        "grant it",
    )


# --- externalSecret -------------------------------------------------------------------------


def external_secret(
    refreshed: datetime = MODIFIED + timedelta(minutes=1), **condition: str
) -> dict[str, Any]:
    ready = {"type": "Ready", "status": "True", "reason": "SecretSynced", "message": "ok"}
    return {
        "spec": {
            "secretStoreRef": {"name": "parameterstore", "kind": "ClusterSecretStore"},
            "target": {"name": R1},
            "data": [{"secretKey": KEY, "remoteRef": {"key": NAME}}],
        },
        "status": {
            "conditions": [{**ready, **condition}],
            "refreshTime": refreshed.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }


def test_a_synced_external_secret_holds() -> None:
    hop = external_secret_hop(S, external_secret(), parameter(), True, None, C)
    assert hop.status == "ok"
    assert hop.summary == (
        f"ExternalSecret openclaw/{R1} Ready/SecretSynced, synced 2026-11-30T09:01:00Z"
    )
    assert hop.evidence[-1] == (
        "synced after the parameter's last modification (version 3, 2026-11-30T09:00:00+00:00)"
    )


def test_a_missing_external_secret_is_recreated_by_a_refreshing_up() -> None:
    hop = external_secret_hop(S, None, parameter(), None, None, C)
    assert (hop.status, hop.summary, hop.fix) == (
        "fail",
        f"ExternalSecret openclaw/{R1} does not exist",
        UP_REFRESH,
    )


def test_a_spec_edited_outside_pulumi_names_every_difference() -> None:
    es = external_secret()
    es["spec"]["secretStoreRef"] = {"name": "other", "kind": "SecretStore"}
    es["spec"]["target"]["name"] = "elsewhere"
    es["spec"]["data"][0]["remoteRef"]["key"] = "/other"
    hop = external_secret_hop(S, es, parameter(), True, None, C)
    assert hop.summary == (
        f"ExternalSecret openclaw/{R1}: it reads through SecretStore other, the stack sets "
        "ClusterSecretStore parameterstore; it writes Secret elsewhere, the stack's is "
        f"{R1}; its key {KEY} reads /other, not {NAME}"
    )
    assert (hop.cause, hop.fix) == ("its spec was edited outside Pulumi", UP_REFRESH)


@pytest.mark.parametrize(
    ("store", "cause"),
    [
        (None, "its ClusterSecretStore parameterstore does not exist"),
        (
            {
                "status": {
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "False",
                            "reason": "Invalid",
                            "message": "unable to\n validate",
                        }
                    ]
                }
            },
            "its ClusterSecretStore parameterstore is not Ready (Invalid: unable to validate)",
        ),
        (
            {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
            "its ClusterSecretStore parameterstore is Ready, so ESO reaches Parameter Store but "
            "cannot read this parameter: the store's IAM role or the KMS key policy, or the "
            "parameter is missing",
        ),
        (
            CannotRead("Kubernetes denies `get`", "x", "y"),
            "(the ClusterSecretStore parameterstore could not be read: Kubernetes denies `get`)",
        ),
        (  # a condition without a message (ESO omits an empty one): nothing is made up
            {"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Invalid"}]}},
            "its ClusterSecretStore parameterstore is not Ready (Invalid: )",
        ),
        (  # a long provider error is cut at 200 characters
            {
                "status": {
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "False",
                            "reason": "X",
                            "message": "denied " * 40,
                        }
                    ]
                }
            },
            "its ClusterSecretStore parameterstore is not Ready (X: " + "denied " * 28 + "deni)",
        ),
    ],
)
def test_an_external_secret_that_is_not_synced_says_what_its_store_says(
    store: Any, cause: str
) -> None:
    es = external_secret(status="False", reason="SecretSyncedError", message="could not get")
    hop = external_secret_hop(S, es, parameter(), None, store, C)
    assert (
        hop.summary == f"ExternalSecret openclaw/{R1} is not Ready/SecretSynced (SecretSyncedError)"
    )
    assert hop.cause == f"ESO cannot read the parameter: {cause}; repair that, then force a sync"
    assert hop.fix == FORCE_SYNC
    assert hop.evidence == ("False Ready condition, reason SecretSyncedError: could not get",)


def test_a_sync_older_than_the_parameter_fails_only_when_the_values_differ() -> None:
    old = external_secret(MODIFIED - timedelta(hours=1))
    hop = external_secret_hop(S, old, parameter(), False, None, C)
    assert hop.status == "fail"
    assert hop.summary == (
        f"ExternalSecret openclaw/{R1} last synced at 2026-11-30T08:00:00Z, before the parameter "
        "changed (2026-11-30T09:00:00+00:00, version 3)"
    )
    assert hop.fix == UP_REFRESH
    same = external_secret_hop(S, old, parameter(), True, None, C)
    assert same.status == "ok"
    assert "but the Secret holds the current value" in same.evidence[-1]


def test_a_sync_in_the_second_of_the_change_counts_as_after_it() -> None:
    same_second = parameter(last_modified=MODIFIED + timedelta(milliseconds=700))
    hop = external_secret_hop(S, external_secret(MODIFIED), same_second, False, None, C)
    assert hop.status == "ok"
    earlier = external_secret(MODIFIED - timedelta(seconds=1))
    assert external_secret_hop(S, earlier, same_second, False, None, C).status == "fail"


def test_without_the_parameter_the_sync_time_is_not_compared() -> None:
    hop = external_secret_hop(S, external_secret(), None, None, None, C)
    assert hop.status == "ok"
    assert hop.evidence[-1] == (
        "refreshTime not compared: the parameter could not be read (see ssm)"
    )


# --- secret ---------------------------------------------------------------------------------


def facts(**changes: Any) -> SecretFacts:
    values: dict[str, Any] = {
        "keys": (KEY,),
        "digest": DIGEST,
        "length": 64,
        "owner": f"ExternalSecret/{R1}",
    }
    return SecretFacts(**{**values, **changes})


SSM_OK = ssm_hop(S, parameter(), C)


def test_a_secret_holding_the_ssm_value_holds() -> None:
    hop = secret_hop(S, facts(), parameter(), SSM_OK, False, C)
    assert hop == ok(
        "secret",
        f"Secret openclaw/{R1} key {KEY} holds the SSM value (sha256 {DIGEST[:12]})",
        f"key {KEY}: 64 bytes, sha256 {DIGEST[:12]}",
        f"controlled by ExternalSecret {R1}",
    )


@pytest.mark.parametrize(
    ("secret", "changed", "summary", "fix"),
    [
        (None, None, f"Secret openclaw/{R1} does not exist", FORCE_SYNC),
        (
            facts(keys=("OTHER",), digest=None),
            None,
            f"Secret openclaw/{R1} has no key {KEY} (its keys: OTHER)",
            FORCE_SYNC,
        ),
        (
            facts(owner=None),
            None,
            f"Secret openclaw/{R1} is controlled by nothing, not ExternalSecret {R1}",
            f"kubectl -n openclaw delete secret {R1} && {FORCE_SYNC}",
        ),
        (
            facts(digest=OTHER),
            False,
            f"Secret openclaw/{R1}'s value differs from SSM (Secret sha256 {OTHER[:12]}, SSM "
            f"sha256 {DIGEST[:12]})",
            FORCE_SYNC,
        ),
        (
            facts(digest=OTHER),
            True,
            f"Secret openclaw/{R1}'s value differs from SSM (Secret sha256 {OTHER[:12]}, SSM "
            f"sha256 {DIGEST[:12]})",
            UP_REFRESH,
        ),
    ],
)
def test_a_wrong_secret_is_named_with_the_command_that_fixes_it(
    secret: SecretFacts | None, changed: bool | None, summary: str, fix: str
) -> None:
    hop = secret_hop(S, secret, parameter(), SSM_OK, changed, C)
    assert (hop.status, hop.summary, hop.fix) == ("fail", summary, fix)


@pytest.mark.parametrize(
    ("changed", "cause", "fix"),
    [
        (
            False,
            "the Secret was edited by hand after ESO's last sync; a sync writes SSM's value back",
            FORCE_SYNC,
        ),
        (
            True,
            "the SSM value was changed outside Pulumi after ESO's last sync (see "
            "externalSecret); this puts the stack's token back into SSM",
            UP_REFRESH,
        ),
    ],
)
def test_a_differing_value_says_which_side_was_changed_and_what_the_secret_holds(
    changed: bool, cause: str, fix: str
) -> None:
    """Whether SSM changed after ESO's last sync decides who changed the value, and so the
    fix: a sync puts a hand-edited Secret right, a refreshing up puts a changed SSM value back."""
    hop = secret_hop(S, facts(digest=OTHER), parameter(), SSM_OK, changed, C)

    assert hop.cause == cause
    assert hop.fix == fix
    assert hop.evidence == (f"key {KEY}: 64 bytes, sha256 {OTHER[:12]}",)


def test_a_secret_cannot_be_compared_when_ssm_could_not_be_read() -> None:
    ssm = Hop("ssm", "error", "AWS denies", (), "may not ssm:GetParameter", "grant it")
    hop = secret_hop(S, facts(), None, ssm, None, C)
    assert (hop.status, hop.cause, hop.fix) == (
        "error",
        "see the ssm hop: may not ssm:GetParameter",
        "grant it",
    )
    assert hop.evidence == (f"key {KEY}: 64 bytes, sha256 {DIGEST[:12]}",)


# --- env ------------------------------------------------------------------------------------


def deployment(env: list[dict[str, Any]], **status: Any) -> dict[str, Any]:
    app = {"name": "openclaw", "image": "openclaw:1", "env": env}
    return {
        "metadata": {"name": "openclaw", "namespace": "openclaw", "generation": 2},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "openclaw"}},
            "template": {"spec": {"containers": [app, {"name": "otel", "image": "o"}]}},
        },
        "status": {
            "observedGeneration": 2,
            "replicas": 1,
            "updatedReplicas": 1,
            "availableReplicas": 1,
            **status,
        },
    }


def pod(name: str, env: list[dict[str, Any]], ready: str = "True", **status: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "openclaw", "env": env}]},
        "status": {"conditions": [{"type": "Ready", "status": ready}], **status},
    }


OURS = [entry(ENV, R1, KEY)]


def test_a_rolled_out_deployment_whose_ready_pods_read_the_current_secret_holds() -> None:
    hop = env_hop(S, deployment(OURS), [pod("p-0", OURS)], C, M)
    assert hop == ok(
        "env",
        f"Deployment openclaw/openclaw rolled out; 1 Ready pod(s) read Secret {R1} (p-0)",
        f"container openclaw: {ENV} ← Secret {R1} key {KEY}",
    )


@pytest.mark.parametrize(
    ("env", "summary"),
    [
        ([], f"Deployment openclaw/openclaw container openclaw has no env {ENV}"),
        (
            [{"name": ENV, "value": OLD_TOKEN}],
            f"Deployment openclaw/openclaw container openclaw sets env {ENV} without a "
            "secretKeyRef (a literal value: the token in the spec)",
        ),
        (
            [entry(ENV, R0, KEY)],
            f"Deployment openclaw/openclaw container openclaw takes env {ENV} from Secret {R0}, "
            f"not {R1}",
        ),
        (
            [entry(ENV, R1, "OTHER")],
            f"Deployment openclaw/openclaw container openclaw takes env {ENV} from key OTHER, "
            f"not {KEY}",
        ),
    ],
)
def test_a_wrong_env_entry_is_put_back_by_a_refreshing_up_and_never_quoted(
    env: list[dict[str, Any]], summary: str
) -> None:
    hop = env_hop(S, deployment(env), [], C, M)
    assert (hop.status, hop.summary, hop.fix) == ("fail", summary, UP_REFRESH)
    assert OLD_TOKEN not in shown(hop)


def test_a_missing_deployment_or_container_is_named() -> None:
    assert env_hop(S, None, [], C, M).summary == "Deployment openclaw/openclaw does not exist"
    wrong = deployment(OURS)
    wrong["spec"]["template"]["spec"]["containers"][0]["name"] = "gateway"
    hop = env_hop(S, wrong, [], C, M)
    assert hop.summary == (
        "Deployment openclaw/openclaw has no container openclaw (its containers: gateway, otel)"
    )
    assert hop.fix == (
        "pulumi config set --path 'openclaw-cron-webhook:deployment.container' <one of those> "
        "&& pulumi up --stack dev"
    )


def test_a_template_still_naming_an_earlier_rotation_fails_even_beside_the_right_entry() -> None:
    env = [*OURS, {"name": "COPY", "valueFrom": {"secretKeyRef": {"name": R0, "key": KEY}}}]
    hop = env_hop(S, deployment(env), [pod("p-0", env)], C, M)
    assert hop.summary == f"Deployment openclaw/openclaw's pod template still reads Secret {R0}"
    via_env_from = deployment(OURS)
    container = via_env_from["spec"]["template"]["spec"]["containers"][0]
    container["envFrom"] = [{"secretRef": {"name": R0}}]
    assert env_hop(S, via_env_from, [], C, M).status == "fail"


def test_an_unfinished_rollout_is_waited_for_and_a_stuck_one_says_why() -> None:
    pending = deployment(OURS, observedGeneration=1)
    hop = env_hop(S, pending, [], C, M)
    assert hop.summary == (
        "Deployment openclaw/openclaw has not rolled out: Deployment openclaw/openclaw: waiting "
        "for the controller to observe the change"
    )
    assert hop.fix == "kubectl -n openclaw rollout status deployment/openclaw"
    stuck = deployment(
        OURS,
        conditions=[
            {"type": "Progressing", "reason": "ProgressDeadlineExceeded", "message": "too slow"}
        ],
    )
    assert "exceeded its progress deadline: too slow" in env_hop(S, stuck, [], C, M).summary


def test_pods_are_judged_each_by_its_own_spec() -> None:
    old = [entry(ENV, R0, KEY)]
    stale = env_hop(S, deployment(OURS), [pod("p-new", OURS), pod("p-old", old, "False")], C, M)
    assert stale.summary == f"pods still read an earlier rotation's Secret: p-old reads {R0}"
    assert stale.fix == "kubectl -n openclaw delete pod p-old"
    without = env_hop(S, deployment(OURS), [pod("p-0", [])], C, M)
    assert without.summary == "Ready pods without the current env entry: p-0"
    assert without.fix == "kubectl -n openclaw rollout restart deployment/openclaw"
    waiting = {
        "containerStatuses": [{"state": {"waiting": {"reason": "CreateContainerConfigError"}}}]
    }
    blocked = env_hop(
        S, deployment(OURS), [pod("p-0", OURS), pod("p-1", OURS, "False", **waiting)], C, M
    )
    assert blocked.summary == "pods cannot start: CreateContainerConfigError (p-1)"
    assert blocked.fix == FORCE_SYNC
    none_ready = env_hop(S, deployment(OURS), [pod("p-0", OURS, "False")], C, M)
    assert none_ready.summary == "Deployment openclaw/openclaw wants 1 pod(s), none is Ready"
    scaled = deployment(OURS)
    scaled["spec"]["replicas"] = 0
    assert env_hop(S, scaled, [], C, M).evidence[-1] == "scaled to zero: no pod to check"


# --- config ---------------------------------------------------------------------------------


def config_map(document: str | None, **meta: Any) -> dict[str, Any]:
    data = {} if document is None else {"openclaw.json": document}
    return {"metadata": {"name": "openclaw-config", **meta}, "data": data}


WITH_SECTION = set_section(DOCUMENT, "cron", S.cron_section(), context="t")
WHERE = "ConfigMap openclaw/openclaw-config key openclaw.json"


def test_the_stacks_section_holds_and_says_who_judged_the_document() -> None:
    judged = Judgement("2026.9.6", True, (), (Issue("cron", "a warning"),))
    hop = config_hop(S, config_map(WITH_SECTION), judged, "", C)
    assert hop == ok(
        "config",
        f"{WHERE} has exactly the stack's `cron` section (3 keys, webhookToken "
        "${OPENCLAW_CRON_WEBHOOK_TOKEN})",
        "openclaw.json judged by OpenClaw 2026.9.6: valid",
        "warning cron: a warning",
    )
    assert config_hop(S, config_map(WITH_SECTION), None, "not judged", C).evidence == (
        "not judged",
    )


def test_differences_are_described_key_by_key_without_quoting_a_live_token() -> None:
    live = {"enabled": False, "webhookToken": OLD_TOKEN, "extra": [1]}
    assert differences(live, S.cron_section()) == [
        "enabled is false (stack: true)",
        "webhookToken is not the placeholder ${OPENCLAW_CRON_WEBHOOK_TOKEN} (a literal value: "
        "a token in a ConfigMap)",
        'sessionRetention is missing (stack: "7d")',
        "extra is [1], which the stack does not set",
    ]
    assert differences("on", S.cron_section()) == ["the live `cron` is str, not an object"]


@pytest.mark.parametrize(
    ("meta", "cause"),
    [
        ({}, "edited or removed by hand in the cluster"),
        (
            {"labels": {"app.kubernetes.io/instance": "openclaw"}},
            "reverted by Argo CD Application openclaw (label app.kubernetes.io/instance) "
            "(self-heal; see gitops), or edited by hand",
        ),
    ],
)
def test_a_missing_section_names_who_likely_removed_it(meta: dict[str, Any], cause: str) -> None:
    hop = config_hop(S, config_map(DOCUMENT, **meta), None, "", C)
    assert (hop.summary, hop.cause, hop.fix) == (
        f"{WHERE}: there is no `cron` section",
        cause,
        UP_REFRESH,
    )


def test_a_missing_section_in_git_mode_or_a_chosen_tracked_map_names_its_own_cause() -> None:
    """In git mode the section comes from Git, so its absence is the controller's delay; with
    `writeTrackedConfigMap` chosen, a tracker's revert means the Application lacks the
    ignoreDifferences for the key, which is what the operator has to add."""
    instance = {"labels": {"app.kubernetes.io/instance": "openclaw"}}
    in_git = config_hop(GIT, config_map(DOCUMENT, **instance), None, "", C)
    assert (in_git.summary, in_git.cause, in_git.fix) == (
        f"{WHERE}: there is no `cron` section",
        "the GitOps controller has not delivered the section from Git (see gitops)",
        UP_REFRESH,
    )
    chosen = settings_with({"writeTrackedConfigMap": True})
    tracked = config_hop(chosen, config_map(DOCUMENT, **instance), None, "", C)
    assert tracked.cause == (
        "reverted by Argo CD Application openclaw (label app.kubernetes.io/instance) (self-heal; "
        "the Application must ignore /data/openclaw.json), or edited by hand"
    )


def test_a_missing_or_unloadable_document_fails() -> None:
    """Each failure says why and what to run; an unloadable one quotes the parser's reason
    with the ConfigMap key it is about, so the operator knows which document to fix."""
    missing = fail(
        "config",
        f"{WHERE} does not exist",
        "the app's configuration is not deployed (its GitOps source owns the ConfigMap); "
        "once it is back, this writes the section again",
        UP_REFRESH,
    )
    assert config_hop(S, None, None, "", C) == missing
    assert config_hop(S, config_map(None), None, "", C) == missing
    broken = config_hop(S, config_map("{"), None, "", C)
    assert broken.summary == f"{WHERE} is not a document OpenClaw can load"
    assert config_hop(S, config_map("[1]"), None, "", C) == fail(
        "config",
        f"{WHERE} is not a document OpenClaw can load",
        f"{WHERE} must be a JSON object at the top level, but it is a list. Fix the document "
        "in its source, then run `pulumi up` again.",
        "kubectl -n openclaw edit configmap openclaw-config   (or its source in Git)",
    )


def test_a_document_openclaw_rejects_fails_with_its_issues() -> None:
    """The section is right but OpenClaw refuses the document: the hop says the fault lies
    elsewhere in it, and lists OpenClaw's issues and warnings for the operator to fix."""
    judged = Judgement(
        "2026.9.6",
        False,
        (Issue("gateway.port", "must be a number"),),
        (Issue("cron", "a warning"),),
    )
    hop = config_hop(S, config_map(WITH_SECTION), judged, "", C)
    assert hop == fail(
        "config",
        f"{WHERE} has the stack's section, but OpenClaw 2026.9.6 rejects the document",
        "another part of the document is invalid for this OpenClaw (its issues below)",
        "kubectl -n openclaw edit configmap openclaw-config   (or its source in Git)",
        "gateway.port: must be a number",
        "warning cron: a warning",
    )


def test_a_section_that_differs_fails_naming_each_difference_and_the_verdict() -> None:
    changed = {**S.cron_section(), "enabled": False, "extra": 1}
    live = config_map(set_section(DOCUMENT, "cron", changed, context="t"))
    hop = config_hop(S, live, None, "not judged: OpenClaw is not installed", C)
    assert hop == fail(
        "config",
        f"{WHERE}: enabled is false (stack: true); extra is 1, which the stack does not set",
        "edited or removed by hand in the cluster",
        UP_REFRESH,
        "not judged: OpenClaw is not installed",
    )


def test_judge_gives_the_config_hop_from_what_verify_read() -> None:
    """The ConfigMap and the note on why OpenClaw did not judge it reach the hop; a ConfigMap
    verify could not read leaves the hop unchecked, with that reason."""
    read = Live("dev", S, {}, C, config_map=config_map(WITH_SECTION), judge_note="not judged")
    assert judge_config(read, {}) == (
        ok(
            "config",
            f"{WHERE} has exactly the stack's `cron` section (3 keys, webhookToken "
            "${OPENCLAW_CRON_WEBHOOK_TOKEN})",
            "not judged",
        ),
    )
    forbidden = CannotRead("cannot read ConfigMap openclaw/openclaw-config", "forbidden", "grant")
    unread = Live("dev", S, {}, C, config_problem=forbidden)
    assert judge_config(unread, {}) == (
        Hop(
            "config",
            "error",
            "cannot read ConfigMap openclaw/openclaw-config",
            (),
            "forbidden",
            "grant",
        ),
    )


def test_a_missing_section_in_a_document_openclaw_rejects_says_so_with_the_issue_count() -> None:
    """The missing section is the failure named; the evidence must not call the document
    valid when OpenClaw rejected it, or the operator would put the section back into a
    document the app still cannot load."""
    judged = Judgement(
        "2026.9.6",
        False,
        (Issue("gateway.port", "must be a number"), Issue("gateway.bind", "unknown mode")),
    )
    hop = config_hop(S, config_map(DOCUMENT), judged, "", C)
    assert (hop.summary, hop.evidence) == (
        f"{WHERE}: there is no `cron` section",
        ("openclaw.json judged by OpenClaw 2026.9.6: INVALID, 2 issue(s)",),
    )


# --- gitops ---------------------------------------------------------------------------------

ARGO = {"annotations": {"argocd.argoproj.io/tracking-id": "openclaw:/ConfigMap:openclaw/x"}}
TRACKER = "Argo CD Application openclaw (annotation argocd.argoproj.io/tracking-id)"


def settings_with(section: dict[str, Any]) -> Any:
    return settings_from_config(
        {"openclaw-cron-webhook:section": (json.dumps(section), False)}, "dev"
    )


def test_in_cluster_mode_a_tracked_config_map_needs_the_explicit_choice() -> None:
    untracked = gitops_hop(S, config_map(WITH_SECTION), None, C)
    assert untracked.summary == (
        "no GitOps controller tracks ConfigMap openclaw/openclaw-config (section.target cluster)"
    )
    tracked = gitops_hop(S, config_map(WITH_SECTION, **ARGO), None, C)
    assert tracked.status == "fail"
    assert tracked.summary == (
        f"ConfigMap openclaw/openclaw-config is tracked by {TRACKER}, and section.target is cluster"
    )
    chosen = settings_with({"writeTrackedConfigMap": True})
    assert gitops_hop(chosen, config_map(WITH_SECTION, **ARGO), None, C).status == "ok"


GIT = settings_with(
    {
        "target": "git",
        "git": {"repo": "file:///srv/gitops.git", "path": "app/cm.yaml", "application": "openclaw"},
    }
)


def manifest(document: str) -> str:
    body = "".join(f"    {line}\n" for line in document.splitlines())
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        f"  namespace: openclaw\ndata:\n  openclaw.json: |\n{body}"
    )


def head(text: str | None) -> BranchHead:
    return BranchHead("app/cm.yaml (branch main of file:///srv/gitops.git)", "c0ffee" * 7, text)


def test_in_git_mode_the_branch_head_and_the_live_document_agree() -> None:
    hop = gitops_hop(GIT, config_map(WITH_SECTION, **ARGO), head(manifest(WITH_SECTION)), C)
    assert hop == ok(
        "gitops",
        "app/cm.yaml (branch main of file:///srv/gitops.git) (commit c0ffeec0ffee) and the live "
        "openclaw.json agree",
        f"tracked by {TRACKER}",
    )


def test_in_git_mode_each_disagreement_has_its_fix() -> None:
    live = config_map(WITH_SECTION, **ARGO)
    not_synced = gitops_hop(GIT, config_map(DOCUMENT, **ARGO), head(manifest(WITH_SECTION)), C)
    assert not_synced.summary == (
        "the live openclaw.json differs from app/cm.yaml (branch main of file:///srv/gitops.git) "
        "(commit c0ffeec0ffee) in: cron"
    )
    assert not_synced.fix == (
        "kubectl -n argocd annotate application openclaw argocd.argoproj.io/refresh=normal "
        "--overwrite"
    )
    reverted = gitops_hop(GIT, live, head(manifest(DOCUMENT)), C)
    assert reverted.summary.endswith("(commit c0ffeec0ffee): no `cron` section")
    assert reverted.fix == UP_REFRESH
    missing = gitops_hop(GIT, live, head(None), C)
    assert missing.summary.endswith("has no such file")
    unreadable = gitops_hop(GIT, live, CannotRead("cannot read", "auth", "git ls-remote x"), C)
    assert (unreadable.status, unreadable.fix) == ("error", "git ls-remote x")


def test_without_an_application_the_fix_names_the_setting_that_pokes_it() -> None:
    plain = settings_with(
        {"target": "git", "git": {"repo": "file:///srv/gitops.git", "path": "app/cm.yaml"}}
    )
    hop = gitops_hop(plain, config_map(DOCUMENT), head(manifest(WITH_SECTION)), C)
    assert hop.fix == (
        "pulumi config set --path 'openclaw-cron-webhook:section.git.application' <Application> && "
        "pulumi up --stack dev"
    )
    assert copy.deepcopy(hop) == hop
