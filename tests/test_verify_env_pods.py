"""The env hop's verdict on the Deployment's pods, each failure as a person reads it.

After the pod template holds the entry and the rollout is done, the pods themselves are judged
(stages.env_entry.verify): several pods can be wrong at once, and the hop names every one of
them, in the summary and in the one command that fixes them all, with the template's entry as
its evidence. tests/test_verify_hops.py holds the hop's other branches.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_verify_hops import ENV, FORCE_SYNC, KEY, OURS, R0, R1, C, M, S, deployment, pod

from stages.env_entry.pod_spec import entry
from stages.env_entry.verify import env_hop
from stages.hop import fail, ok

R2 = "openclaw-cron-webhook-r2"
EVIDENCE = f"container openclaw: {ENV} ← Secret {R1} key {KEY}"
CANNOT_START = {
    "containerStatuses": [{"state": {"waiting": {"reason": "CreateContainerConfigError"}}}]
}


def test_every_pod_still_reading_an_earlier_rotation_is_named_and_deleted_at_once() -> None:
    """An interrupted rollout can leave pods of two earlier rotations behind."""
    pods = [
        pod("p-new", OURS),
        pod("p-a", [entry(ENV, R0, KEY)], "False"),
        pod("p-b", [entry(ENV, R2, KEY), entry("COPY", R0, KEY)], "False"),
    ]

    assert env_hop(S, deployment(OURS), pods, C, M) == fail(
        "env",
        f"pods still read an earlier rotation's Secret: p-a reads {R0}; p-b reads {R0}, {R2}",
        "old pods outlived the rollout (terminating, or left by an interrupted rollout)",
        "kubectl -n openclaw delete pod p-a p-b",
        EVIDENCE,
    )


def test_every_ready_pod_without_the_entry_is_named() -> None:
    pods = [pod("p-0", []), pod("p-1", OURS), pod("p-2", [entry(ENV, R1, "OTHER")])]

    assert env_hop(S, deployment(OURS), pods, C, M) == fail(
        "env",
        "Ready pods without the current env entry: p-0, p-2",
        "these pods started from an older pod template and were not replaced",
        "kubectl -n openclaw rollout restart deployment/openclaw",
        EVIDENCE,
    )


def test_every_pod_that_cannot_start_for_its_secret_is_named() -> None:
    pods = [
        pod("p-0", OURS),
        pod("p-1", OURS, "False", **CANNOT_START),
        pod("p-2", OURS, "False", **CANNOT_START),
    ]

    assert env_hop(S, deployment(OURS), pods, C, M) == fail(
        "env",
        "pods cannot start: CreateContainerConfigError (p-1, p-2)",
        "the Secret or key the env entry names is missing (see secret)",
        FORCE_SYNC,
        EVIDENCE,
    )


@pytest.mark.parametrize(
    "reads",
    [
        {"initContainers": [{"name": "migrate", "env": [entry("SEED", R0, KEY)]}]},
        {
            "containers": [
                {
                    "name": "openclaw",
                    "env": OURS,
                    "envFrom": [
                        {"configMapRef": {"name": "openclaw-env"}},
                        {"secretRef": {"name": R0}},
                    ],
                }
            ]
        },
    ],
    ids=["an init container's variable", "all of the Secret, by envFrom"],
)
def test_every_way_a_pod_takes_an_earlier_rotations_secret_counts(reads: dict[str, Any]) -> None:
    old = pod("p-old", OURS, "False")
    old["spec"].update(reads)

    assert env_hop(S, deployment(OURS), [pod("p-0", OURS), old], C, M) == fail(
        "env",
        f"pods still read an earlier rotation's Secret: p-old reads {R0}",
        "old pods outlived the rollout (terminating, or left by an interrupted rollout)",
        "kubectl -n openclaw delete pod p-old",
        EVIDENCE,
    )


def test_no_ready_pod_of_several_wanted_is_a_failure() -> None:
    rolled_out = deployment(OURS, replicas=2, updatedReplicas=2, availableReplicas=2)
    rolled_out["spec"]["replicas"] = 2
    pods = [pod("p-0", OURS, "False"), pod("p-1", OURS, "False")]

    assert env_hop(S, rolled_out, pods, C, M) == fail(
        "env",
        "Deployment openclaw/openclaw wants 2 pod(s), none is Ready",
        "the pods cannot start or become Ready (see their events)",
        "kubectl -n openclaw rollout status deployment/openclaw",
        EVIDENCE,
    )


def test_every_ready_pod_is_named_and_a_scaled_down_deployment_has_none() -> None:
    rolled_out = deployment(OURS, replicas=2, updatedReplicas=2, availableReplicas=2)
    rolled_out["spec"]["replicas"] = 2
    pods = [pod("p-0", OURS), pod("p-1", OURS)]
    assert env_hop(S, rolled_out, pods, C, M) == ok(
        "env",
        f"Deployment openclaw/openclaw rolled out; 2 Ready pod(s) read Secret {R1} (p-0, p-1)",
        EVIDENCE,
    )
    scaled = deployment(OURS)
    scaled["spec"]["replicas"] = 0
    for count in ("replicas", "updatedReplicas", "availableReplicas"):  # zero: left out
        del scaled["status"][count]
    assert env_hop(S, scaled, [], C, M) == ok(
        "env",
        f"Deployment openclaw/openclaw rolled out; 0 Ready pod(s) read Secret {R1}",
        EVIDENCE,
        "scaled to zero: no pod to check",
    )
