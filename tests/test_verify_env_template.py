"""The env hop's verdict on the Deployment itself, each failure as a person reads it.

Before any pod is looked at (tests/test_verify_env_pods.py), the hop judges the Deployment
(stages.env_entry.verify.env_hop): that it exists and has the container, that its pod template
holds the entry and no earlier rotation's Secret, and that it has rolled out. Each failure is
held whole: summary, cause, fix and evidence, as `./bin/verify` prints them.
"""

from __future__ import annotations

from typing import Any

from test_verify_hops import ENV, KEY, OURS, R0, R1, UP_REFRESH, C, M, S, deployment

from stages.env_entry.pod_spec import entry
from stages.env_entry.verify import env_hop
from stages.hop import fail
from stages.kubernetes_meta import FIELD_MANAGER

R2 = "openclaw-cron-webhook-r2"
WHERE = "Deployment openclaw/openclaw"
EVIDENCE = f"container openclaw: {ENV} ← Secret {R1} key {KEY}"
ROLLOUT_STATUS = "kubectl -n openclaw rollout status deployment/openclaw"


def test_a_missing_deployment_waits_for_the_app() -> None:
    assert env_hop(S, None, [], C, M) == fail(
        "env",
        f"{WHERE} does not exist",
        "the app is not deployed (its GitOps controller owns the Deployment); once it is "
        "back, this re-applies the env entry",
        UP_REFRESH,
    )


def test_a_missing_container_lists_the_ones_there_are() -> None:
    wrong = deployment(OURS)
    wrong["spec"]["template"]["spec"]["containers"][0]["name"] = "gateway"

    assert env_hop(S, wrong, [], C, M) == fail(
        "env",
        f"{WHERE} has no container openclaw (its containers: gateway, otel)",
        "deployment.container names a container the Deployment does not have",
        "pulumi config set --path 'openclaw-cron-webhook:deployment.container' <one of those> "
        "&& pulumi up --stack dev",
    )


def test_an_entry_changed_behind_the_stacks_back_is_put_back_by_a_refreshing_up() -> None:
    assert env_hop(S, deployment([entry(ENV, R0, KEY)]), [], C, M) == fail(
        "env",
        f"{WHERE} container openclaw takes env {ENV} from Secret {R0}, not {R1}",
        "the env entry was removed or changed by hand, or by a GitOps sync (self-heal), or a "
        "rotation's `pulumi up` did not finish",
        UP_REFRESH,
    )


def owning_the_reference(manager: str, operation: str = "Update") -> dict[str, Any]:
    """A managedFields record holding the entry's secretKeyRef (atomic: one leaf)."""
    item: dict[str, Any] = {"f:valueFrom": {"f:secretKeyRef": {}}}
    containers = {'k:{"name":"openclaw"}': {"f:env": {f'k:{{"name":"{ENV}"}}': item}}}
    fields = {"f:spec": {"f:template": {"f:spec": {"f:containers": containers}}}}
    return {"manager": manager, "operation": operation, "fieldsV1": fields}


def test_an_entry_other_managers_took_over_names_them_and_is_taken_back_by_force() -> None:
    """The stack's own manager and the legacy one are not "other"; everyone else is named."""
    taken = deployment([entry(ENV, R0, KEY)])
    taken["metadata"]["managedFields"] = [
        owning_the_reference(M, "Apply"),
        owning_the_reference(FIELD_MANAGER, "Apply"),
        owning_the_reference("kubectl-edit"),
        owning_the_reference("argocd-controller"),
    ]

    assert env_hop(S, taken, [], C, M) == fail(
        "env",
        f"{WHERE} container openclaw takes env {ENV} from Secret {R0}, not {R1}",
        "argocd-controller, kubectl-edit changed the entry and now owns its secretKeyRef "
        "(managedFields): `pulumi up` would stop on that conflict, as it never forces one; "
        "this gives the entry back to the stack (if that is a GitOps controller, change the "
        "entry in Git instead)",
        "printf '%s' '"
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"openclaw",'
        '"namespace":"openclaw"},"spec":{"template":{"spec":{"containers":[{"name":"openclaw",'
        f'"env":[{{"name":"{ENV}","valueFrom":{{"secretKeyRef":'
        f'{{"name":"{R1}","key":"{KEY}"}}}}}}]}}]}}}}}}}}'
        "' | kubectl apply --server-side --force-conflicts "
        "--field-manager=openclaw-cron-webhook/dev -f -",
    )


def test_a_template_naming_earlier_rotations_names_them_all() -> None:
    env = [*OURS, entry("COPY", R2, KEY), entry("OLDER", R0, KEY)]

    assert env_hop(S, deployment(env), [], C, M) == fail(
        "env",
        f"{WHERE}'s pod template still reads Secret {R0}, {R2}",
        "an earlier rotation's Secret is named by another env entry (added by hand or by Git)",
        "kubectl -n openclaw edit deployment openclaw   (or its source in Git)",
        EVIDENCE,
    )


def test_an_unfinished_or_stuck_rollout_says_how_far_it_got() -> None:
    assert env_hop(S, deployment(OURS, observedGeneration=1), [], C, M) == fail(
        "env",
        f"{WHERE} has not rolled out: {WHERE}: waiting for the controller to observe the change",
        "pods are still being replaced, or cannot start (see the pods' events)",
        ROLLOUT_STATUS,
        EVIDENCE,
    )
    deadline = {"type": "Progressing", "reason": "ProgressDeadlineExceeded", "message": "slow"}
    assert env_hop(S, deployment(OURS, conditions=[deadline]), [], C, M) == fail(
        "env",
        f"{WHERE} has not rolled out: {WHERE} exceeded its progress deadline: slow",
        "pods are still being replaced, or cannot start (see the pods' events)",
        ROLLOUT_STATUS,
        EVIDENCE,
    )
