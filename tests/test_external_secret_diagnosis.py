"""The message a failed ExternalSecret wait ends with (issue 22, fault 1: the store cannot read
the parameter): which ExternalSecret, what ESO's Ready condition says, which store and whether
it is ready itself, ESO's last warning (the provider's actual error), and what to do.

The objects are shaped as ESO v0.16 writes them (conditions, Warning events with reasons).
"""

from __future__ import annotations

import socket
from typing import Any

from kubernetes.client import ApiClient, Configuration

from stages.external_secret.diagnosis import explain, read_and_explain
from stages.kube_connection import KubeTarget

NS, NAME = "openclaw", "openclaw-cron-webhook-r1"
FAILED_ES: dict[str, Any] = {
    "metadata": {"name": NAME, "namespace": NS, "uid": "u-1"},
    "status": {
        "conditions": [
            {
                "type": "Ready",
                "status": "False",
                "reason": "SecretSyncedError",
                "message": "could not get secret data from provider",
            }
        ]
    },
}
VALID_STORE: dict[str, Any] = {
    "status": {
        "conditions": [
            {"type": "Ready", "status": "True", "reason": "Valid", "message": "store validated"}
        ]
    }
}
MISSING_KEY = (
    "error processing spec.data[0] (key: /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN), err: "
    "unable to create session: could not fetch SecretAccessKey secret: cannot find secret data "
    'for key: "secret-access-key"'
)
EVENTS = [
    {"type": "Normal", "reason": "Created", "message": "created", "lastTimestamp": "t3"},
    {"type": "Warning", "reason": "UpdateFailed", "message": "older", "lastTimestamp": "t1"},
    {"type": "Warning", "reason": "UpdateFailed", "message": MISSING_KEY, "lastTimestamp": "t2"},
]
FIX = (
    "Nothing after this stage was changed (no env entry, no section, no pod restarted). Fix the "
    f"store or the parameter (`kubectl -n {NS} describe externalsecret {NAME}`), then run "
    "`pulumi up` again."
)


def test_a_failed_sync_names_the_external_secret_its_condition_the_store_and_eso_s_warning() -> (
    None
):
    message = explain(
        NS, NAME, "ClusterSecretStore", "parameterstore", FAILED_ES, VALID_STORE, EVENTS, 20
    )

    assert message.splitlines() == [
        f"ExternalSecret {NS}/{NAME} was not synced within 20 s (timeouts.externalSecretSeconds): "
        "Ready=False, SecretSyncedError: could not get secret data from provider.",
        "Its store, ClusterSecretStore parameterstore: Ready=True, Valid: store validated.",
        f"ESO's last warning about it (UpdateFailed): {MISSING_KEY}",
        FIX,
    ]


def test_a_missing_store_says_which_keys_name_it() -> None:
    message = explain(NS, NAME, "SecretStore", "typo", FAILED_ES, None, [], 300)

    assert message.splitlines()[1:] == [
        "Its store, SecretStore typo, does not exist: check externalSecret.storeName and "
        "externalSecret.storeKind.",
        FIX,
    ]


def test_an_external_secret_eso_has_not_seen_yet() -> None:
    fresh = {"metadata": {"name": NAME, "namespace": NS, "uid": "u-2"}}

    message = explain(NS, NAME, "ClusterSecretStore", "s", fresh, {}, [], 300)

    assert message.splitlines()[:2] == [
        f"ExternalSecret {NS}/{NAME} was not synced within 300 s (timeouts.externalSecretSeconds): "
        "no Ready condition yet (ESO has not reconciled it).",
        "Its store, ClusterSecretStore s: no Ready condition yet (ESO has not reconciled it).",
    ]


def test_an_external_secret_the_api_server_refused_is_said_to_be_absent() -> None:
    assert explain(NS, NAME, "ClusterSecretStore", "s", None, None, [], 300) == (
        f"ExternalSecret {NS}/{NAME} does not exist: the API server did not accept it (see the "
        "error below)."
    )


def test_a_cluster_that_does_not_answer_is_said_not_raised() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api_client = ApiClient(Configuration(host=f"http://127.0.0.1:{port}"))
    api_client.configuration.retries = 0

    message = read_and_explain(
        KubeTarget(), NS, NAME, "ClusterSecretStore", "s", 20, client_for=lambda _t: api_client
    )

    assert message.startswith(f"ExternalSecret {NS}/{NAME} did not sync; reading why failed too: ")
    assert "Connection refused" in message


def test_a_wait_cut_short_by_ctrl_c_is_not_called_a_timeout() -> None:
    failure = "failed to fully initialize or become live: context canceled"

    message = explain(
        NS, NAME, "ClusterSecretStore", "parameterstore", FAILED_ES, VALID_STORE, [], 20, failure
    )

    assert message.splitlines()[0] == (
        f"ExternalSecret {NS}/{NAME} was not synced when its wait was interrupted: Ready=False, "
        "SecretSyncedError: could not get secret data from provider."
    )


def test_a_warning_recorded_through_events_k8s_io_is_dated_by_its_event_time() -> None:
    """An event written through the events.k8s.io API has `eventTime` and no `lastTimestamp`;
    one with neither date counts as the oldest, never as the last warning."""
    events = [
        {
            "type": "Warning",
            "reason": "UpdateFailed",
            "message": MISSING_KEY,
            "eventTime": "2026-12-07T10:00:05.000000+00:00",
        },
        {
            "type": "Warning",
            "reason": "UpdateFailed",
            "message": "older",
            "lastTimestamp": "2026-12-07T10:00:03+00:00",
        },
        {"type": "Warning", "reason": "UpdateFailed", "message": "undated"},
    ]

    message = explain(NS, NAME, "ClusterSecretStore", "s", FAILED_ES, VALID_STORE, events, 20)

    assert message.splitlines()[2] == f"ESO's last warning about it (UpdateFailed): {MISSING_KEY}"


def test_a_ready_condition_without_reason_or_message_says_only_what_it_has() -> None:
    external_secret = {
        "metadata": {"name": NAME, "namespace": NS, "uid": "u-3"},
        "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Deleted"}]},
    }
    store = {"status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}}

    message = explain(NS, NAME, "ClusterSecretStore", "s", external_secret, store, [], 20)

    assert message.splitlines()[:2] == [
        f"ExternalSecret {NS}/{NAME} was not synced within 20 s (timeouts.externalSecretSeconds): "
        "Ready=False, Deleted.",
        "Its store, ClusterSecretStore s: Ready=Unknown.",
    ]
