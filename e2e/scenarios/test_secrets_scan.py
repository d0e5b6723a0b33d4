"""The canary search over every operation, in both modes (issue 30, item 1): nothing secret
anywhere the product writes.

The canaries and the places are `e2e.harness.secrets_scan`'s: every stack of the session runs
with them (the passphrase, the AWS key, git's credential, the kubeconfig's token), each `up`
registers its webhook token, and the scenarios paste a literal token into the section (the
ConfigMap in cluster mode, Git in git mode) before a refresh. The operations are the ones the
other modules already run on their stacks (test_scenarios.py in cluster mode, test_git_mode.py
in git mode, each with the plan and verify on its stack file), so this module adds no stack:
it runs last (e2e/conftest.py), gathers what only the end of the session holds (the GitOps
repository's history, the Kubernetes objects, the control plane's logs, the argv the shims
recorded), searches every place for every secret and records it in report.json as
`secrets_scan`.
"""

from __future__ import annotations

import pytest

from e2e.harness.control_plane import ControlPlane
from e2e.harness.secrets_scan import RECORDER
from e2e.harness.stack_driver import Report
from e2e.harness.world import World

pytestmark = pytest.mark.e2e

OPERATIONS = {"preview", "up", "refresh", "destroy", "plan", "verify"}


def test_no_secret_in_any_place_after_every_operation_in_both_modes(
    control_plane: ControlPlane, world: World, e2e_report: Report
) -> None:
    if not RECORDER.operations:
        pytest.skip("no stack operation ran in this session (a -k subset without one)")
    for identity in control_plane.identities.values():
        RECORDER.secret(f"{identity.name}'s kubeconfig token", identity.kube_token)
        RECORDER.secret(f"{identity.name}'s AWS secret access key", identity.secret_access_key)
    with control_plane.api_client() as api:
        RECORDER.capture_cluster(api, "at the end of the session")
    RECORDER.capture_repo(world.repo.bare, "the GitOps repository")
    RECORDER.capture_files("the control plane's logs", control_plane.run_dir, "*.log")
    RECORDER.finish()

    hits = RECORDER.scan()

    e2e_report.secrets_scan = {
        "places_searched": len(RECORDER.places),
        "hits": len(hits),
        "found": [f"{secret} in {place}" for place, secret in hits],
        "secrets_searched": sorted(RECORDER.secrets),
        "not_a_hit_in": {name: list(parts) for name, parts in RECORDER.belongs.items() if parts},
        "operations": {mode: sorted(ops) for mode, ops in sorted(RECORDER.operations.items())},
    }
    assert hits == [], "\n".join(f"{secret} found in: {place}" for place, secret in hits)
    for mode, ran in RECORDER.operations.items():
        assert ran >= OPERATIONS, f"{mode} mode: not searched after {sorted(OPERATIONS - ran)}"
