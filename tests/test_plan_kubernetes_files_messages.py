"""The Kubernetes files of a plan, stated exactly: each file's name, object and validation note,
and the words of every refusal (which container, which entry, which source, the fix)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tools.plan.errors import PlanError
from tools.plan.kubernetes_files import deployment_file, merge_by_name, object_file

SOURCE = "Deployment openclaw/openclaw in deploy/app.yaml"
SECRET = {"secretKeyRef": {"name": "openclaw-hooks", "key": "HOOK_TOKEN"}}


def deployment(containers: list[dict[str, Any]] | None) -> dict[str, Any]:
    """A valid Deployment openclaw/openclaw with these containers (None: no spec at all)."""
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "openclaw", "namespace": "openclaw"},
    }
    if containers is not None:
        obj["spec"] = {
            "selector": {"matchLabels": {"app": "openclaw"}},
            "template": {
                "metadata": {"labels": {"app": "openclaw"}},
                "spec": {"containers": containers},
            },
        }
    return obj


def patch(container: str = "openclaw", entry: dict[str, Any] | None = None) -> dict[str, Any]:
    """The partial Deployment an env entry applies: one entry of one container."""
    env = entry or {"name": "HOOK_TOKEN", "valueFrom": SECRET}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "openclaw", "namespace": "openclaw"},
        "spec": {"template": {"spec": {"containers": [{"name": container, "env": [env]}]}}},
    }


BASE = deployment(
    [
        {"name": "openclaw", "image": "app:1", "env": [{"name": "NODE_OPTIONS", "value": "x"}]},
        {"name": "config-manager", "image": "app:1"},
    ]
)


def refusal(base: dict[str, Any], partial: dict[str, Any]) -> str:
    with pytest.raises(PlanError) as caught:
        deployment_file(partial, base, SOURCE, "enventry")
    return str(caught.value)


FIX = (
    "the env entry would add a second container without an image. Fix it with "
    "`pulumi config set --path 'openclaw-cron-webhook:deployment.container' <one of those>`"
)


def test_a_container_not_in_the_base_is_refused_naming_the_ones_there_and_the_fix() -> None:
    assert refusal(BASE, patch("opnclaw")) == (
        f"deployment.container 'opnclaw' is not a container of {SOURCE} "
        f"(its containers: openclaw, config-manager): {FIX}"
    )


@pytest.mark.parametrize(
    "base",
    [
        deployment(None),
        {**deployment(None), "spec": {"template": {}}},
        {**deployment(None), "spec": {"template": {"spec": {}}}},
        {**deployment(None), "spec": {"template": {"spec": {"containers": None}}}},
        {**deployment(None), "spec": "not a mapping"},
    ],
    ids=["no spec", "no pod spec", "no containers", "containers null", "spec a string"],
)
def test_a_base_without_containers_says_none_rather_than_crashing(base: dict[str, Any]) -> None:
    assert refusal(base, patch()) == (
        f"deployment.container 'openclaw' is not a container of {SOURCE} "
        f"(its containers: none): {FIX}"
    )


def test_an_entry_the_base_sets_literally_is_refused_naming_container_and_entry() -> None:
    partial = patch(entry={"name": "NODE_OPTIONS", "valueFrom": SECRET})
    assert refusal(BASE, partial) == (
        f"{SOURCE}: container openclaw already sets NODE_OPTIONS to a literal value; "
        "Kubernetes refuses `value` and `valueFrom` together. "
        "Remove that entry from the Deployment's source first"
    )


def test_an_invalid_merge_is_reported_as_the_env_entry_merged_into_the_source() -> None:
    partial = patch(entry={"name": "HOOK_TOKEN", "valueFrom": SECRET, "bogus": 1})
    assert refusal(BASE, partial).startswith(
        f"the env entry merged into {SOURCE} is not a valid Deployment (k8s 1.33): "
        "spec.template.spec.containers.0.env.1: "
    )


def test_an_invalid_base_is_reported_as_the_source_itself() -> None:
    base = {**copy.deepcopy(BASE), "bogus": 1}
    assert refusal(base, patch()).startswith(f"{SOURCE} is not a valid Deployment (k8s 1.33): ")


def test_the_deployment_file_holds_the_patch_as_applied_named_after_the_resource() -> None:
    partial = patch()
    written = deployment_file(partial, copy.deepcopy(BASE), SOURCE, "enventry")
    assert written.name == "enventry-openclaw-openclaw.yaml"
    assert written.obj == patch()
    assert written.text().startswith("apiVersion: apps/v1\nkind: Deployment\n")
    assert written.validation == f"merged into {SOURCE}: valid (k8s 1.33)"
    assert written.variables == ("NODE_OPTIONS", "HOOK_TOKEN")


CONFIGMAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "hooks", "namespace": "openclaw"},
    "data": {"a": "b"},
}


def test_a_whole_object_file_holds_the_object_and_says_it_is_valid() -> None:
    written = object_file(copy.deepcopy(CONFIGMAP))
    assert written.name == "configmap-openclaw-hooks.yaml"
    assert written.obj == CONFIGMAP
    assert written.text().startswith("apiVersion: v1\nkind: ConfigMap\n")
    assert written.validation == "valid (k8s 1.33)"


def test_a_custom_resource_file_says_it_was_not_schema_validated() -> None:
    obj = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "hooks", "namespace": "openclaw"},
        "spec": {},
    }
    written = object_file(copy.deepcopy(obj))
    assert written.name == "externalsecret-openclaw-hooks.yaml"
    assert written.obj == obj
    assert written.validation == "custom resource: no bundled schema, not schema-validated"


def test_an_invalid_object_is_reported_under_its_file_name() -> None:
    with pytest.raises(PlanError) as caught:
        object_file({**CONFIGMAP, "bogus": 1})
    assert str(caught.value) == (
        "configmap-openclaw-hooks.yaml is not a valid ConfigMap (k8s 1.33): (top): "
        "Additional properties are not allowed ('bogus' was unexpected)"
    )
    with pytest.raises(PlanError) as caught:
        object_file({**CONFIGMAP, "apiVersion": None})
    assert str(caught.value) == (
        "configmap-openclaw-hooks.yaml has no valid apiVersion and kind (None, 'ConfigMap')"
    )


def test_a_patch_replaces_what_is_not_a_mapping_or_named_list_in_the_base() -> None:
    # the API server's merge: a mapping over a null, a null over a list — the patch wins
    assert merge_by_name({"strategy": None}, {"strategy": {"type": "Recreate"}}) == {
        "strategy": {"type": "Recreate"}
    }
    assert merge_by_name({"strategy": {"type": "Recreate"}}, {"strategy": None}) == {
        "strategy": None
    }
    named = [{"name": "A", "value": "1"}]
    assert merge_by_name({"env": named}, {"env": None}) == {"env": None}
    assert merge_by_name({"env": named}, {"env": {"name": "B"}}) == {"env": {"name": "B"}}


def test_a_list_of_objects_without_names_is_replaced_by_the_patch() -> None:
    """Only lists whose every item is an object with a string `name` merge by name (containers,
    env); any other list, e.g. a container's ports, is replaced, as Server-Side Apply's atomic
    lists are."""
    base = {"ports": [{"containerPort": 80}, {"containerPort": 81}], "env": [{"name": "A"}]}
    patch = {"ports": [{"containerPort": 8080}], "env": [{"name": 1}]}

    assert merge_by_name(base, patch) == {
        "ports": [{"containerPort": 8080}],
        "env": [{"name": 1}],
    }
