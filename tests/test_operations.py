"""Day-2 operations as config changes: compare what two runs register, field by field.

Each operation is one `pulumi config set` + `pulumi up`; what Pulumi will change is exactly
the set of inputs that differ between the run before and the run after. These tests pin that
set, so an operation can never grow a side effect (a restart, a rename) unnoticed.
"""

from __future__ import annotations

import copy
from typing import Any

from components.deployment_env_provider import EnvEntryProvider
from stages.env_entry.identity import TYPE as ENV_ENTRY
from stages.external_secret.identity import TYPE as EXTERNAL_SECRET
from stages.parameter.identity import TYPE as PARAMETER
from stages.section.identity import CLUSTER_TYPE as SECTION
from stages.token import identity as token_identity
from stages.token.identity import TYPE as RANDOM
from tools.plan.mock_runtime import Recording, fake_token, flatten, run_program


def changes(before: Recording, after: Recording) -> dict[str, dict[str, tuple[Any, Any]]]:
    """{resource type: {input path: (before, after)}} for every input that differs.

    The pickled section provider (`__provider`) is compared too: if it differed, Pulumi would
    report the section as changed on every run.
    """
    assert [r.type for r in before.resources] == [r.type for r in after.resources]
    diff: dict[str, dict[str, tuple[Any, Any]]] = {}
    for old, new in zip(before.resources, after.resources, strict=True):
        old_leaves, new_leaves = flatten(old.inputs), flatten(new.inputs)
        changed = {
            path: (old_leaves.get(path), new_leaves.get(path))
            for path in sorted(set(old_leaves) | set(new_leaves))
            if old_leaves.get(path) != new_leaves.get(path)
        }
        if changed:
            diff[old.type] = changed
    return diff


def with_changes(config: dict[str, Any], **sections: dict[str, Any]) -> dict[str, Any]:
    updated = copy.deepcopy(config)
    for section, values in sections.items():
        key = f"openclaw-cron-webhook:{section}"
        updated[key] = {**updated.get(key, {}), **values}
    return updated


def test_a_rerun_with_no_config_change_changes_nothing(
    cluster_config: dict[str, Any], cluster_run: Recording
) -> None:
    assert changes(cluster_run, run_program(cluster_config)) == {}


def test_rotation_changes_exactly_token_value_names_and_the_env_reference(
    cluster_config: dict[str, Any], cluster_run: Recording
) -> None:
    rotated = run_program(with_changes(cluster_config, token={"rotation": "2"}))
    assert changes(cluster_run, rotated) == {
        token_identity.GUARD_TYPE: {"rotation": ("1", "2")},
        RANDOM: {"keepers.rotation": ("1", "2")},
        PARAMETER: {"value": (fake_token({"rotation": "1"}), fake_token({"rotation": "2"}))},
        EXTERNAL_SECRET: {
            "metadata.name": ("openclaw-cron-webhook-r1", "openclaw-cron-webhook-r2"),
            "spec.target.name": ("openclaw-cron-webhook-r1", "openclaw-cron-webhook-r2"),
        },
        ENV_ENTRY: {"secretName": ("openclaw-cron-webhook-r1", "openclaw-cron-webhook-r2")},
    }
    # The section is untouched: no config reload, and it never names the Secret.
    assert SECTION not in changes(cluster_run, rotated)


def test_rotation_replaces_the_external_secret_create_before_delete(
    cluster_config: dict[str, Any],
) -> None:
    """A new name means a new object next to the old one: the old pair goes last."""
    rotated = run_program(with_changes(cluster_config, token={"rotation": "2"}))
    es = rotated.one(EXTERNAL_SECRET)
    assert es.delete_before_replace is False
    # The env entry reads the new Secret's name from the new ExternalSecret, so it can only
    # roll out after ESO reported the new Secret synced.
    assert es.urn in rotated.one(ENV_ENTRY).dependencies


def test_config_only_rollback_changes_only_the_section(
    cluster_config: dict[str, Any], cluster_run: Recording
) -> None:
    disabled = run_program(with_changes(cluster_config, cron={"enabled": False}))
    assert changes(cluster_run, disabled) == {SECTION: {"value.enabled": (True, False)}}


def test_retention_change_is_config_only(
    cluster_config: dict[str, Any], cluster_run: Recording
) -> None:
    longer = run_program(with_changes(cluster_config, cron={"sessionRetention": "14d"}))
    assert changes(cluster_run, longer) == {SECTION: {"value.sessionRetention": ("7d", "14d")}}


def test_a_timeout_change_updates_only_the_wait_of_the_external_secret(
    cluster_config: dict[str, Any], cluster_run: Recording
) -> None:
    """The env entry records its new timeout, but its provider sees no change: no rollout."""
    slower = run_program(
        with_changes(
            cluster_config, timeouts={"externalSecretSeconds": 900, "rolloutSeconds": 1200}
        )
    )

    assert changes(cluster_run, slower) == {
        EXTERNAL_SECRET: {"metadata.annotations.pulumi.com/timeoutSeconds": ("300", "900")},
        ENV_ENTRY: {"rolloutTimeoutSeconds": (600, 1200)},
    }
    old, new = cluster_run.one(ENV_ENTRY).inputs, slower.one(ENV_ENTRY).inputs
    assert EnvEntryProvider().diff("id", dict(old), dict(new)).changes is False


def test_destroy_reverses_the_path(cluster_run: Recording) -> None:
    """Pulumi deletes dependents first: section, env entry, ESO pair, parameter, token, and
    last the rotation guard; `enabled: false` (nothing registered) deletes in this order too."""
    destroy_order = [r.type for r in reversed(cluster_run.dependency_order())]
    guard = token_identity.GUARD_TYPE
    assert destroy_order == [SECTION, ENV_ENTRY, EXTERNAL_SECRET, PARAMETER, RANDOM, guard]


def test_retain_on_destroy_keeps_only_the_parameter(
    cluster_config: dict[str, Any], cluster_run: Recording
) -> None:
    kept = run_program(with_changes(cluster_config, token={"retainOnDestroy": True}))
    assert [r.type for r in kept.resources if r.retain_on_delete] == [PARAMETER]
    assert changes(cluster_run, kept) == {}


def test_the_dedicated_secret_goes_with_its_external_secret(cluster_run: Recording) -> None:
    """`Owner` makes ESO set an ownerReference: the garbage collector deletes the Secret."""
    target = cluster_run.one(EXTERNAL_SECRET).inputs["spec"]["target"]
    assert target["creationPolicy"] == "Owner"
    # No Secret is registered by the stack itself: ESO creates it, Kubernetes removes it.
    assert not [r for r in cluster_run.resources if r.type == "kubernetes:core/v1:Secret"]


def test_section_present_false_removes_only_the_section(
    cluster_config: dict[str, Any], cluster_run: Recording
) -> None:
    """The section-only rollback: the section goes, token, Secret and env entry stay as they
    are (no input changes: no rollout)."""
    without = run_program(with_changes(cluster_config, section={"present": False}))
    kept = {r.type: r.inputs for r in without.resources}
    assert kept == {r.type: r.inputs for r in cluster_run.resources if r.type != SECTION}
