"""Awaiting the env entry's rollout: its status, the poll, and API outages waited out.

Why the rollout is awaited (and on delete too): the ExternalSecret pair that the entry
points at is created before it and deleted after it. Until the Deployment has replaced every
old pod, a restarting old container would look up a Secret that is about to vanish and fail
with CreateContainerConfigError; and a new `${VAR}` in openclaw.json must not reach pods that
lack the variable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import urllib3
from kubernetes.client.exceptions import ApiException

ROLLOUT_TIMEOUT_SECONDS = 600.0
POLL_SECONDS = 1.0


class RolloutFailed(RuntimeError):
    """The rollout did not complete (deadline exceeded, or our own timeout)."""


def rollout_status(deployment: dict[str, Any]) -> tuple[bool, str]:
    """(done, what is left), by the same rules as `kubectl rollout status`."""
    meta, spec = deployment.get("metadata", {}), deployment.get("spec", {})
    status = deployment.get("status") or {}
    name = f"{meta.get('namespace')}/{meta.get('name')}"
    if status.get("observedGeneration", 0) < meta.get("generation", 0):
        return False, f"Deployment {name}: waiting for the controller to observe the change"
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Progressing" and (
            condition.get("reason") == "ProgressDeadlineExceeded"
        ):
            raise RolloutFailed(
                f"Deployment {name} exceeded its progress deadline: {condition.get('message')}"
            )
    wanted = spec.get("replicas", 1)
    updated = status.get("updatedReplicas", 0)
    if updated < wanted:
        return False, f"Deployment {name}: {updated} of {wanted} replicas updated"
    if status.get("replicas", 0) > updated:
        return False, f"Deployment {name}: {status['replicas'] - updated} old replicas terminating"
    if status.get("availableReplicas", 0) < updated:
        available = status.get("availableReplicas", 0)
        return False, f"Deployment {name}: {available} of {updated} updated replicas available"
    return True, f"Deployment {name}: rolled out"


# Answers of an API server that is restarting or overloaded, not a verdict on the request.
_PASSING_STATUSES = frozenset({429, 500, 502, 503, 504})


def through_outages(check: Callable[[], tuple[bool, str]]) -> Callable[[], tuple[bool, str]]:
    """`check`, except that an API server that cannot be reached, or answers 429 or 5xx, is
    waited out like a rollout still in progress, until the wait's own deadline.

    Why: the rollout goes on in the cluster whether or not this process can watch it, so a
    control-plane restart of a few seconds must not fail a wait of up to ten minutes (and, on
    create, take the entry back out). What `check` last said is kept, so a wait that gives up
    during an outage still says how far the rollout had got, and that the API was away.
    """
    last = ["no answer from the API server yet"]

    def checked() -> tuple[bool, str]:
        try:
            done, waiting_for = check()
        except (urllib3.exceptions.HTTPError, ApiException) as error:
            if isinstance(error, ApiException) and error.status not in _PASSING_STATUSES:
                raise
            return False, f"{last[0]} (then the API server did not answer: {_cause(error)})"
        last[0] = waiting_for
        return done, waiting_for

    return checked


def _cause(error: Exception) -> str:
    """A failed read in one line: the status, or what the connection said (urllib3 names the
    host and port, e.g. `HTTPSConnection(host='10.0.0.1', port=6443): ... Connection refused`)."""
    if isinstance(error, ApiException):
        return f"{error.status} {error.reason}"
    return str(getattr(error, "reason", None) or error)


def wait_until(
    check: Callable[[], tuple[bool, str]],
    timeout: float = ROLLOUT_TIMEOUT_SECONDS,
    poll: float = POLL_SECONDS,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> None:
    """Poll `check` until done; on timeout, fail with the last thing it was waiting for."""
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    deadline = clock() + timeout
    while True:
        done, waiting_for = check()
        if done:
            return
        if clock() >= deadline:
            raise RolloutFailed(f"gave up after {timeout:.0f} s: {waiting_for}")
        sleep(poll)
