"""Fuzzing the plan's three inputs: whatever the file holds, a result or a PlanError — never
another exception (a traceback, exit 1). Kept to a few seconds: the readers are fuzzed hard,
whole plan runs lightly."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stack_files import CLUSTER_STACK_FILE

from stages.env_entry.identity import TYPE as ENV_ENTRY
from stages.section.identity import CLUSTER_TYPE as JSON_SECTION
from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan.bases import read_base_config, read_base_deployment
from tools.plan.errors import PlanError
from tools.plan.kinds import kind_of
from tools.plan.kubernetes_files import KubernetesFile, deployment_file
from tools.plan.masking import masked
from tools.plan.mock_runtime import ROOT, Recording
from tools.plan.section import SectionResult, apply_section
from tools.plan.stack_file import load_stack

pytestmark = pytest.mark.usefixtures("shared_program_runs")

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T = TypeVar("T")
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=3),
    ),
    max_leaves=12,
)
yaml_texts = st.one_of(
    st.text(max_size=200),
    values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    st.dictionaries(st.text(max_size=30), values, max_size=3).map(
        lambda config: yaml.safe_dump({"config": config}, allow_unicode=True)
    ),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write(scratch: Path, data: str | bytes, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path


def outcome(action: Callable[[], T]) -> T | None:
    """The action's result, or None if it refused with a message; anything else propagates."""
    try:
        return action()
    except PlanError as exc:
        message = str(exc)
    assert message.strip()
    return None


@FAST
@given(yaml_texts)
def test_any_stack_file_is_read_or_refused(scratch: Path, text: str) -> None:
    path = write(scratch, text, "Pulumi.fuzz.yaml")
    stack = outcome(lambda: load_stack(ROOT, None, path))
    if stack is not None:  # what Pulumi hands the program is JSON
        json.dumps(stack.config.values, allow_nan=False)


DEV_KEYS = [
    "openclaw-cron-webhook:namespace",
    "openclaw-cron-webhook:token",
    "openclaw-cron-webhook:deployment",
    "openclaw-cron-webhook:cron",
    "openclaw-cron-webhook:config",
]


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)


@SLOW
@given(st.dictionaries(st.sampled_from(DEV_KEYS), values, min_size=1, max_size=2))
def test_any_stack_config_plans_or_exits_2(scratch: Path, config: dict[str, Any]) -> None:
    stack = yaml.safe_load(CLUSTER_STACK_FILE.read_text())
    stack["config"].update(config)
    path = write(scratch, yaml.safe_dump(stack), "Pulumi.fuzz.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plan_judging, "pinned", lambda: None)
        code = plan.main(["--stack-file", str(path), "--out", str(path.parent / "out")])
    assert code in (0, 2)


json_documents = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
base_configs = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    json_documents.map(json.dumps),
    json_documents.map(
        lambda doc: json.dumps(
            {"plugins": {"entries": {"diagnostics-otel": {"enabled": True}}}, "x": doc}
        )
    ),
    st.dictionaries(st.text(max_size=12), values, max_size=3).map(
        lambda data: yaml.safe_dump(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}
        )
    ),
)


@FAST
@given(base_configs)
def test_any_base_config_is_applied_or_refused(
    scratch: Path, cluster_run: Recording, data: str | bytes
) -> None:
    section = cluster_run.one(JSON_SECTION).inputs
    path = write(scratch, data, "openclaw.json")

    def apply() -> SectionResult:
        base = read_base_config(path, "openclaw", "openclaw-config", "openclaw.json", default=False)
        return apply_section(section, base, "base")

    result = outcome(apply)
    if result is not None:
        assert json.loads(result.configmap["data"]["openclaw.json"])["cron"] == section["value"]


containers = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["openclaw", "side", ""]), "image": st.text(max_size=5)},
        optional={"env": values},
    ),
    max_size=3,
)
deployments = st.one_of(
    yaml_texts,
    st.builds(
        lambda spec, containers, name: yaml.safe_dump(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "namespace": "openclaw"},
                "spec": {
                    **spec,
                    "selector": {"matchLabels": {"a": "b"}},
                    "template": {"spec": {"containers": containers}},
                },
            }
        ),
        st.dictionaries(st.sampled_from(["replicas", "paused", "strategy"]), values, max_size=2),
        containers,
        st.sampled_from(["openclaw", "other"]),
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deployments)
def test_any_base_deployment_is_merged_or_refused(
    scratch: Path, cluster_run: Recording, text: str
) -> None:
    inputs = masked(cluster_run.one(ENV_ENTRY).wire_inputs)
    manifest = kind_of(ENV_ENTRY).manifest
    assert manifest is not None
    path = write(scratch, text, "deployment.yaml")

    def merge() -> KubernetesFile:
        base = read_base_deployment(path, "openclaw", "openclaw", default=False)
        return deployment_file(manifest(inputs), base, str(path), "enventry")

    written = outcome(merge)
    if written is not None:
        assert written.obj == manifest(inputs)
