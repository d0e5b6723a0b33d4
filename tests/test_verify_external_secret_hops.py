"""The externalSecret and secret hops' verdicts held whole: name, summary, cause, fix, evidence.

tests/test_verify_hops.py states which faults the hops find; here each verdict is the one
`./bin/verify` prints, since the cause is what a person reads before running the fix and the
evidence is what they compare with `kubectl get externalsecret -o yaml`. The last tests go
through `judge`, which works out from the live facts what the two hops are told.
"""

from __future__ import annotations

from datetime import timedelta

from test_verify_hops import (
    DIGEST,
    FORCE_SYNC,
    KEY,
    MODIFIED,
    NAME,
    OTHER,
    R1,
    SSM_OK,
    UP_REFRESH,
    C,
    S,
    external_secret,
    facts,
    parameter,
)

from stages.external_secret.verify import external_secret_hop, judge, secret_hop
from stages.hop import CannotRead, Hop, fail, ok
from stages.live import Live

ES = f"ExternalSecret openclaw/{R1}"
SECRET = f"Secret openclaw/{R1}"
HELD = f"key {KEY}: 64 bytes, sha256 {DIGEST[:12]}"
SSM_CHANGED = (
    "the SSM value was changed outside Pulumi (Pulumi changes it only together with a new "
    "ExternalSecret); this puts the stack's token back (to keep the new value, rotate instead: "
    "pulumi config set --path 'openclaw-cron-webhook:token.rotation' <next>)"
)


# --- externalSecret -------------------------------------------------------------------------


def test_a_missing_external_secret_says_who_likely_removed_it() -> None:
    assert external_secret_hop(S, None, parameter(), None, None, C) == fail(
        "externalSecret",
        f"{ES} does not exist",
        "deleted outside Pulumi, or the last `pulumi up` failed before it",
        UP_REFRESH,
    )


def test_an_external_secret_without_the_stacks_data_entry_names_the_key() -> None:
    es = external_secret()
    es["spec"]["data"] = [{"secretKey": "OTHER", "remoteRef": {"key": NAME}}]

    assert external_secret_hop(S, es, parameter(), True, None, C) == fail(
        "externalSecret",
        f"{ES}: it has no data entry for key {KEY}",
        "its spec was edited outside Pulumi",
        UP_REFRESH,
    )


def test_an_external_secret_without_a_ready_condition_says_so_and_makes_nothing_up() -> None:
    """Before ESO reconciles it, an ExternalSecret has no conditions: no status, no message."""
    es = external_secret()
    es["status"]["conditions"] = []
    store = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}

    hop = external_secret_hop(S, es, parameter(), None, store, C)

    assert (hop.name, hop.status, hop.summary, hop.fix) == (
        "externalSecret",
        "fail",
        f"{ES} is not Ready/SecretSynced (None)",
        FORCE_SYNC,
    )
    assert hop.evidence == ("no Ready condition, reason None: ",)


def test_a_long_sync_error_is_cut_at_200_characters_in_the_evidence() -> None:
    es = external_secret(status="False", reason="SecretSyncedError", message="x" * 300)

    hop = external_secret_hop(S, es, parameter(), None, None, C)

    assert hop.evidence == ("False Ready condition, reason SecretSyncedError: " + "x" * 200,)


def test_a_sync_time_esos_status_lacks_is_never_and_not_compared() -> None:
    es = external_secret()
    del es["status"]["refreshTime"]

    assert external_secret_hop(S, es, parameter(), True, None, C) == ok(
        "externalSecret",
        f"{ES} Ready/SecretSynced, synced never",
        "True Ready condition, reason SecretSynced: ok",
        "last synced (refreshTime) never",
        "refreshTime missing or unreadable: not compared",
    )


def test_a_sync_older_than_the_parameter_holds_when_the_secret_has_its_value() -> None:
    """Describing or re-tiering the parameter changes its time, not its value: no re-sync."""
    old = external_secret(MODIFIED - timedelta(hours=1))

    assert external_secret_hop(S, old, parameter(), True, None, C) == ok(
        "externalSecret",
        f"{ES} Ready/SecretSynced, synced 2026-11-30T08:00:00Z",
        "True Ready condition, reason SecretSynced: ok",
        "last synced (refreshTime) 2026-11-30T08:00:00Z",
        "synced before the parameter's last modification (2026-11-30T09:00:00+00:00), but the "
        "Secret holds the current value (a change of description or tier)",
    )


def test_a_value_changed_in_ssm_after_the_sync_is_put_back_or_rotated() -> None:
    old = external_secret(MODIFIED - timedelta(hours=1))

    assert external_secret_hop(S, old, parameter(), False, None, C) == fail(
        "externalSecret",
        f"{ES} last synced at 2026-11-30T08:00:00Z, before the parameter changed "
        "(2026-11-30T09:00:00+00:00, version 3)",
        SSM_CHANGED,
        UP_REFRESH,
        "True Ready condition, reason SecretSynced: ok",
        "last synced (refreshTime) 2026-11-30T08:00:00Z",
    )


# --- secret ---------------------------------------------------------------------------------


def test_a_missing_secret_is_re_created_by_a_sync() -> None:
    assert secret_hop(S, None, parameter(), SSM_OK, None, C) == fail(
        "secret",
        f"{SECRET} does not exist",
        "deleted by hand; ESO re-creates the Secret of an Owner ExternalSecret when it syncs",
        FORCE_SYNC,
    )


def test_a_secret_without_the_key_lists_the_keys_it_has() -> None:
    edited = "the Secret was edited by hand; ESO writes the key back when it syncs"

    assert secret_hop(S, facts(keys=("A", "B"), digest=None), parameter(), SSM_OK, None, C) == (
        fail("secret", f"{SECRET} has no key {KEY} (its keys: A, B)", edited, FORCE_SYNC)
    )
    assert secret_hop(S, facts(keys=(), digest=None), parameter(), SSM_OK, None, C) == (
        fail("secret", f"{SECRET} has no key {KEY} (its keys: none)", edited, FORCE_SYNC)
    )


def test_a_secret_another_owner_controls_is_deleted_for_eso_to_write_it() -> None:
    assert secret_hop(S, facts(owner="Deployment/x"), parameter(), SSM_OK, None, C) == fail(
        "secret",
        f"{SECRET} is controlled by Deployment/x, not ExternalSecret {R1}",
        "the Secret existed before ESO created it (ESO does not adopt it), or was replaced",
        f"kubectl -n openclaw delete secret {R1} && {FORCE_SYNC}",
        HELD,
    )


def test_a_secret_not_compared_with_ssm_says_why_and_where() -> None:
    ssm = Hop("ssm", "error", "AWS denies", (), "may not ssm:GetParameter", "grant it")

    assert secret_hop(S, facts(), None, ssm, None, C) == Hop(
        "secret",
        "error",
        f"{SECRET}'s value not compared with SSM: the parameter could not be read",
        (HELD,),
        "see the ssm hop: may not ssm:GetParameter",
        "grant it",
    )


# --- judge ----------------------------------------------------------------------------------


def synced_an_hour_before(secret_digest: str) -> Live:
    """ESO synced before the parameter's last change; the Secret holds `secret_digest`."""
    return Live(
        "dev",
        S,
        {},
        C,
        parameter=parameter(),
        external_secret=external_secret(MODIFIED - timedelta(hours=1)),
        secret=facts(digest=secret_digest),
    )


def test_judge_lets_an_old_sync_hold_when_the_secret_agrees_with_ssm() -> None:
    es, secret = judge(synced_an_hour_before(DIGEST), {"ssm": SSM_OK})

    assert (es.status, es.evidence[-1]) == (
        "ok",
        "synced before the parameter's last modification (2026-11-30T09:00:00+00:00), but the "
        "Secret holds the current value (a change of description or tier)",
    )
    assert secret.status == "ok"


def test_judge_tells_the_secret_hop_that_ssm_changed_after_the_sync() -> None:
    """A Secret that differs from an SSM value changed after the sync is put back by an up."""
    es, secret = judge(synced_an_hour_before(OTHER), {"ssm": SSM_OK})

    assert (es.status, es.cause, es.fix) == ("fail", SSM_CHANGED, UP_REFRESH)
    assert secret == fail(
        "secret",
        f"{SECRET}'s value differs from SSM (Secret sha256 {OTHER[:12]}, SSM sha256 {DIGEST[:12]})",
        "the SSM value was changed outside Pulumi after ESO's last sync (see externalSecret); "
        "this puts the stack's token back into SSM",
        UP_REFRESH,
        f"key {KEY}: 64 bytes, sha256 {OTHER[:12]}",
    )


def test_judge_gives_the_external_secret_hop_the_store_it_read() -> None:
    live = Live(
        "dev",
        S,
        {},
        C,
        parameter=parameter(),
        external_secret=external_secret(status="False", reason="SecretSyncedError"),
        store=CannotRead("Kubernetes denies `get`", "x", "y"),
        secret=facts(),
    )

    es, _ = judge(live, {"ssm": SSM_OK})

    assert es.cause == (
        "ESO cannot read the parameter: (the ClusterSecretStore parameterstore could not be "
        "read: Kubernetes denies `get`); repair that, then force a sync"
    )
