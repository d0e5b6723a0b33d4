"""The dynamic resources as the engine sees them: their own provider, their outputs by name.

A dynamic resource carries its provider in its inputs (`__provider`, the pickled object): that
is what the engine unpickles to run create, diff, update and delete, today and at every later
`pulumi up`, `refresh` or `destroy`. Registered without one, the program would still evaluate
and only fail in the engine. And the provider's camelCase outputs (`configMap`, `envName`)
must land on the Python attributes (`config_map`, `env_name`) that the rest of the program and
the stack outputs read.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import dill  # type: ignore[import-untyped]

from components.configmap_section_provider import JsonSectionProvider
from components.deployment_env_provider import EnvEntryProvider
from components.git_section_provider import GitJsonSectionProvider
from components.rotation_guard_provider import RotationGuardProvider
from stages.env_entry.identity import TYPE as ENV_ENTRY
from stages.section.identity import CLUSTER_TYPE as SECTION
from stages.section.identity import GIT_TYPE as GIT_SECTION
from stages.token.identity import GUARD_TYPE
from tools.plan.mock_runtime import Recording, run_program

PROGRAM = """
import pulumi

from stages.env_entry.dynamic_resource import EnvEntryResource
from stages.env_entry.pod_spec import EnvTarget
from stages.section.cluster.dynamic_resource import SectionResource

section = SectionResource(
    "section",
    namespace="gateway",
    config_map="gw-config",
    key="config.json",
    section="cron",
    value={"enabled": True},
)
entry = EnvEntryResource(
    "entry",
    target=EnvTarget("gateway", "gw", "app", "HOOK_TOKEN"),
    secret_name="hook-r1",
    secret_key="HOOK",
    field_manager="gw-project/prod",
)
pulumi.export("section", {
    "namespace": section.namespace,
    "config_map": section.config_map,
    "key": section.key,
    "section": section.section,
    "value": section.value,
})
pulumi.export("entry", {
    "namespace": entry.namespace,
    "deployment": entry.deployment,
    "container": entry.container,
    "env_name": entry.env_name,
    "secret_name": entry.secret_name,
    "secret_key": entry.secret_key,
    "field_manager": entry.field_manager,
})
"""


def run(tmp_path: Path) -> Recording:
    """A fresh evaluation per test: mutation testing credits a run to the test that made it."""
    main = tmp_path / "__main__.py"
    main.write_text(PROGRAM)
    return run_program({}, main=main)


def registered_provider(run: Recording, type_: str) -> Any:
    pickled = run.one(type_).inputs["__provider"]
    return dill.loads(base64.b64decode(pickled))  # noqa: S301 - the program's own pickle


def inputs(run: Recording, type_: str) -> dict[str, Any]:
    return {k: v for k, v in run.one(type_).inputs.items() if k != "__provider"}


def test_the_section_resource(tmp_path: Path) -> None:
    recording = run(tmp_path)

    provider = registered_provider(recording, SECTION)
    assert type(provider) is JsonSectionProvider
    assert vars(provider) == {"_client_factory": None}, "only the real cluster in state"
    assert inputs(recording, SECTION) == {
        "namespace": "gateway",
        "configMap": "gw-config",
        "key": "config.json",
        "section": "cron",
        "value": {"enabled": True},
        "writeTrackedConfigMap": False,
    }
    assert recording.outputs["section"] == {
        "namespace": "gateway",
        "config_map": "gw-config",
        "key": "config.json",
        "section": "cron",
        "value": {"enabled": True},
    }


def test_the_env_entry_resource(tmp_path: Path) -> None:
    recording = run(tmp_path)

    provider = registered_provider(recording, ENV_ENTRY)
    assert type(provider) is EnvEntryProvider
    assert vars(provider) == {"_client_factory": None}, "only the real cluster in state"
    assert inputs(recording, ENV_ENTRY) == {
        "namespace": "gateway",
        "deployment": "gw",
        "container": "app",
        "envName": "HOOK_TOKEN",
        "secretName": "hook-r1",
        "secretKey": "HOOK",
        "rolloutTimeoutSeconds": 600,
        "fieldManager": "gw-project/prod",
    }
    assert recording.outputs["entry"] == {
        "namespace": "gateway",
        "deployment": "gw",
        "container": "app",
        "env_name": "HOOK_TOKEN",
        "secret_name": "hook-r1",
        "secret_key": "HOOK",
        "field_manager": "gw-project/prod",
    }


GIT_PROGRAM = """
import pulumi

from stages.section.git.dynamic_resource import GitSectionResource

section = GitSectionResource(
    "git-section",
    repo="ssh://git@git.example.org/platform/gitops.git",
    branch="main",
    path="apps/gw/configmap.yaml",
    author="Ops <ops@example.org>",
    namespace="gateway",
    config_map="gw-config",
    key="config.json",
    section="cron",
    value={"enabled": True},
    stack="gw-project/prod",
    delivery_timeout_seconds=120,
)
pulumi.export("section", {
    "repo": section.repo,
    "branch": section.branch,
    "path": section.path,
    "namespace": section.namespace,
    "config_map": section.config_map,
    "key": section.key,
    "section": section.section,
    "value": section.value,
    "delivery_timeout_seconds": section.delivery_timeout_seconds,
    "application": section.application,
    "application_namespace": section.application_namespace,
})
"""


def test_the_git_section_resource(tmp_path: Path) -> None:
    """Registered without an Application, it has none, and its namespace is Argo CD's usual
    `argocd`: the defaults of `section.git` (stack.settings.GitSettings)."""
    main = tmp_path / "__main__.py"
    main.write_text(GIT_PROGRAM)
    recording = run_program({}, main=main)

    assert type(registered_provider(recording, GIT_SECTION)) is GitJsonSectionProvider
    assert inputs(recording, GIT_SECTION) == {
        "repo": "ssh://git@git.example.org/platform/gitops.git",
        "branch": "main",
        "path": "apps/gw/configmap.yaml",
        "author": "Ops <ops@example.org>",
        "namespace": "gateway",
        "configMap": "gw-config",
        "key": "config.json",
        "section": "cron",
        "value": {"enabled": True},
        "stack": "gw-project/prod",
        "deliveryTimeoutSeconds": 120,
        "application": "",
        "applicationNamespace": "argocd",
    }
    assert recording.outputs["section"] == {
        "repo": "ssh://git@git.example.org/platform/gitops.git",
        "branch": "main",
        "path": "apps/gw/configmap.yaml",
        "namespace": "gateway",
        "config_map": "gw-config",
        "key": "config.json",
        "section": "cron",
        "value": {"enabled": True},
        "delivery_timeout_seconds": 120,
        "application": "",
        "application_namespace": "argocd",
    }


GUARD_PROGRAM = """
import pulumi

from stages.token.rotation_guard import RotationGuardResource

guard = RotationGuardResource("guard", "3", pulumi.ResourceOptions())
pulumi.export("guard", {"rotation": guard.rotation, "used": guard.used})
"""


def test_the_rotation_guard_resource(tmp_path: Path) -> None:
    """Its provider is what refuses a rotation that goes back: without it in `__provider` the
    engine has no `check` to run. `used` is sent unset (None, left off the wire) for `check`
    to fill in, yet it is an output of the resource: the mock runtime echoes the inputs, so
    here it resolves to None; in the engine it is the checked list."""
    main = tmp_path / "__main__.py"
    main.write_text(GUARD_PROGRAM)
    recording = run_program({}, main=main)

    assert type(registered_provider(recording, GUARD_TYPE)) is RotationGuardProvider
    assert inputs(recording, GUARD_TYPE) == {"rotation": "3"}
    assert recording.outputs["guard"] == {"rotation": "3", "used": None}
