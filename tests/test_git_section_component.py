"""The git-mode stage as the engine sees it: one dynamic resource, its own provider, ordered.

The component must register the git section resource with the pickled provider the engine
will run at every later `up`, `refresh` and `destroy`; hand it the stack's name for commit
messages; parent it (so it shows under the stage) and give it the stage's `depends_on` (so the
commit comes only after the env rollout, and is removed first on destroy).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import dill  # type: ignore[import-untyped]

from components.git_section_provider import GitJsonSectionProvider
from stages.section.identity import GIT_COMPONENT_TYPE as COMPONENT
from stages.section.identity import GIT_TYPE as SECTION
from tools.plan.mock_runtime import Recording, run_program

PROGRAM = """
import pulumi

from stack.settings import ConfigSettings, GitSettings, Settings
from stages.section.resource import GitSection

gate = pulumi.CustomResource("test:index:Gate", "env-rollout", {})
section = GitSection(
    "openclaw-cron-section",
    Settings(
        namespace="gateway",
        config=ConfigSettings(config_map="gw-config", key="config.json"),
        cron={"enabled": True},
    ),
    GitSettings(
        repo="ssh://git@git.example.org/platform/gitops.git",
        path="apps/gw/configmap.yaml",
        delivery_timeout_seconds=120,
        application="gw",
        **EXTRA,
    ),
    pulumi.ResourceOptions(depends_on=[gate]),
)
pulumi.export("value", section.value)
pulumi.export("commit", section.commit)
"""
VALUE = {"enabled": True, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"}


def run(tmp_path: Path, extra: str = "{}") -> Recording:
    main = tmp_path / "__main__.py"
    main.write_text(PROGRAM.replace("**EXTRA", f"**{extra}"))
    return run_program({}, main=main, stack="staging")


def inputs(recording: Recording) -> dict[str, Any]:
    return {k: v for k, v in recording.one(SECTION).inputs.items() if k != "__provider"}


def test_the_git_section_is_registered_with_its_provider_and_the_stack_name(
    tmp_path: Path,
) -> None:
    recording = run(tmp_path)

    pickled = recording.one(SECTION).inputs["__provider"]
    provider = dill.loads(base64.b64decode(pickled))  # noqa: S301 - the program's own pickle
    assert type(provider) is GitJsonSectionProvider
    assert vars(provider) == {
        "_client_factory": None,
        "_poll_seconds": None,
        "_clock": None,
        "_sleep": None,
    }
    assert inputs(recording) == {
        "repo": "ssh://git@git.example.org/platform/gitops.git",
        "branch": "main",
        "path": "apps/gw/configmap.yaml",
        "author": "openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>",
        "namespace": "gateway",
        "configMap": "gw-config",
        "key": "config.json",
        "section": "cron",
        "value": VALUE,
        "stack": "openclaw-cron-webhook/staging",
        "deliveryTimeoutSeconds": 120,
        "application": "gw",
        "applicationNamespace": "argocd",
    }
    assert recording.outputs["value"] == VALUE


def test_the_git_section_is_parented_and_waits_for_the_stage_before_it(tmp_path: Path) -> None:
    recording = run(tmp_path)

    section, component = recording.one(SECTION), recording.one(COMPONENT)
    gate = recording.one("test:index:Gate")
    assert section.parent == component.urn
    assert section.dependencies == [gate.urn]
    assert [r.type for r in recording.dependency_order()] == ["test:index:Gate", SECTION]


def test_every_setting_reaches_the_resource(tmp_path: Path) -> None:
    extra = (
        "dict(branch='gitops', author='Ops <ops@example.org>', "
        "application_namespace='gitops-system')"
    )

    recording = run(tmp_path, extra)

    assert {
        key: inputs(recording)[key] for key in ("branch", "author", "applicationNamespace")
    } == {
        "branch": "gitops",
        "author": "Ops <ops@example.org>",
        "applicationNamespace": "gitops-system",
    }
