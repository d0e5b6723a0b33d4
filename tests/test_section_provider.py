"""The section provider against a fake API server, through the real Kubernetes client.

What matters is what ends up in the cluster: the other writer's edits survive ours, retries are
bounded, errors name what is missing, and delete gives back the document's original bytes.
"""

from __future__ import annotations

import base64
import pickletools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dill  # type: ignore[import-untyped]
import pytest
from fake_kube_api import FakeKubeApi
from kubernetes.client import ApiClient, Configuration
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from components.configmap_section_provider import JsonSectionProvider
from stages.kube_connection import KubeTarget
from stages.section.cluster.configmaps import (
    FIELD_MANAGER,
    ConfigMapNotFound,
    ConflictError,
)
from stages.section.cluster.provider import MAX_ATTEMPTS
from stages.section.document import LossyDocumentError, PreconditionError, set_section

FIXTURES = Path(__file__).parent / "fixtures"
NAMESPACE, NAME, KEY = "openclaw", "openclaw-config", "openclaw.json"
CONTEXT = f"ConfigMap {NAMESPACE}/{NAME} key {KEY}"
RESOURCE_ID = "openclaw/openclaw-config/openclaw.json#cron"
CRON = {
    "enabled": True,
    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
    "sessionRetention": "24h",
}
PROPS: dict[str, Any] = {
    "namespace": NAMESPACE,
    "configMap": NAME,
    "key": KEY,
    "section": "cron",
    "value": CRON,
}
LABELS = {"app.kubernetes.io/instance": "openclaw"}
ANNOTATIONS = {"argocd.argoproj.io/tracking-id": "openclaw:/ConfigMap:openclaw/openclaw-config"}
OTHER_DATA = {"AGENTS.md": "# Agents\n"}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


ORIGINAL = fixture("openclaw.json")


def other_writer(fake: FakeKubeApi) -> None:
    """Someone else (a GitOps sync, say) changes another section of the same document."""
    fake.edit_data(
        NAMESPACE,
        NAME,
        KEY,
        lambda text: set_section(text, "logging", {"level": "debug"}, context="other writer"),
    )


@pytest.fixture
def fake() -> Iterator[FakeKubeApi]:
    with FakeKubeApi() as server:
        server.add_config_map(
            NAMESPACE, NAME, {KEY: ORIGINAL, **OTHER_DATA}, labels=LABELS, annotations=ANNOTATIONS
        )
        yield server


@pytest.fixture
def targets() -> list[KubeTarget]:
    """The clusters the provider asked its client factory for."""
    return []


@pytest.fixture
def provider(fake: FakeKubeApi, targets: list[KubeTarget]) -> Iterator[JsonSectionProvider]:
    """Configured as the engine does it, with the stack's current `kubernetes:*` config."""
    api_client = ApiClient(Configuration(host=fake.host))

    def client_factory(target: KubeTarget) -> ApiClient:
        targets.append(target)
        return api_client

    provider = JsonSectionProvider(client_factory)
    provider.configure(ConfigureRequest(Config({"kubernetes:context": "lolice"}, "project")))
    yield provider
    api_client.close()


def live_text(fake: FakeKubeApi) -> str:
    text: str = fake.get(NAMESPACE, NAME)["data"][KEY]
    return text


def methods(fake: FakeKubeApi) -> list[str]:
    return [request.method for request in fake.requests]


def test_create_writes_the_section_and_nothing_else(
    fake: FakeKubeApi, provider: JsonSectionProvider, targets: list[KubeTarget]
) -> None:
    read_version = fake.get(NAMESPACE, NAME)["metadata"]["resourceVersion"]

    result = provider.create(dict(PROPS))

    assert (result.id, result.outs) == (RESOURCE_ID, {**PROPS, "adopted": False, "before": None})
    assert live_text(fake) == set_section(ORIGINAL, "cron", CRON, context=CONTEXT)
    live = fake.get(NAMESPACE, NAME)
    assert {k: v for k, v in live["data"].items() if k != KEY} == OTHER_DATA
    assert (live["metadata"]["labels"], live["metadata"]["annotations"]) == (LABELS, ANNOTATIONS)
    assert methods(fake) == ["GET", "PUT"]
    (put,) = fake.puts()
    assert put.path == f"/api/v1/namespaces/{NAMESPACE}/configmaps/{NAME}"
    assert put.query == {"fieldManager": [FIELD_MANAGER]}
    assert put.body is not None
    assert put.body["metadata"]["resourceVersion"] == read_version
    assert "managedFields" not in put.body["metadata"]
    assert targets == [KubeTarget(kubeconfig=None, context="lolice")]


def test_create_adopts_an_equal_section_without_writing(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    fake.edit_data(NAMESPACE, NAME, KEY, lambda text: set_section(text, "cron", CRON, context=""))
    before = live_text(fake)

    result = provider.create(dict(PROPS))

    assert live_text(fake) == before
    assert methods(fake) == ["GET"]
    spelled = (
        '{\n    "enabled": true,\n    "sessionRetention": "24h",\n'
        '    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n  }'
    )
    assert result.outs == {**PROPS, "adopted": True, "before": spelled}


def test_create_refuses_a_section_it_does_not_own(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    foreign = fixture("openclaw-foreign-cron.json")
    fake.edit_data(NAMESPACE, NAME, KEY, lambda _: foreign)

    with pytest.raises(PreconditionError) as raised:
        provider.create(dict(PROPS))

    assert str(raised.value) == (
        f'{CONTEXT} already has a top-level "cron" section that this stack does not own, and it '
        "differs from the section this stack would write. The stack will not overwrite someone "
        "else's settings: remove the section from the document's source, or make it equal to "
        "the desired section (the stack then adopts it), then run `pulumi up` again."
    )
    assert live_text(fake) == foreign
    assert fake.puts() == []


def test_create_requires_phase1(fake: FakeKubeApi, provider: JsonSectionProvider) -> None:
    fake.edit_data(NAMESPACE, NAME, KEY, lambda _: fixture("openclaw-without-phase1.json"))

    with pytest.raises(PreconditionError, match=r"^ConfigMap .*: Phase 1 is not complete: plugins"):
        provider.create(dict(PROPS))

    assert fake.puts() == []


def test_create_refuses_json5_with_comments(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    fake.edit_data(NAMESPACE, NAME, KEY, lambda _: fixture("openclaw-comments.json5"))

    with pytest.raises(LossyDocumentError, match="Convert the document to strict JSON"):
        provider.create(dict(PROPS))

    assert live_text(fake) == fixture("openclaw-comments.json5")
    assert fake.puts() == []


def test_concurrent_edit_of_another_section_is_not_lost(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    fake.before_next_put = lambda: other_writer(fake)

    provider.create(dict(PROPS))

    theirs = set_section(ORIGINAL, "logging", {"level": "debug"}, context="")
    assert live_text(fake) == set_section(theirs, "cron", CRON, context="")
    assert methods(fake) == ["GET", "PUT", "GET", "PUT"]


def test_retries_succeed_on_the_last_attempt(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    fake.inject_conflicts = MAX_ATTEMPTS - 1

    provider.create(dict(PROPS))

    assert live_text(fake) == set_section(ORIGINAL, "cron", CRON, context="")
    assert len(fake.puts()) == MAX_ATTEMPTS


def test_retries_are_bounded(fake: FakeKubeApi, provider: JsonSectionProvider) -> None:
    fake.inject_conflicts = 100

    with pytest.raises(ConflictError) as raised:
        provider.create(dict(PROPS))

    assert str(raised.value) == (
        f"Gave up after 5 conflicting writes to {CONTEXT}: someone else changed the ConfigMap "
        "between each read and write. Nothing was written; run `pulumi up` (or `pulumi destroy`) "
        "again."
    )
    assert methods(fake) == ["GET", "PUT"] * MAX_ATTEMPTS
    assert fake.inject_conflicts == 100 - MAX_ATTEMPTS
    assert live_text(fake) == ORIGINAL


def test_missing_config_map_is_named(provider: JsonSectionProvider) -> None:
    with pytest.raises(ConfigMapNotFound) as raised:
        provider.create({**PROPS, "configMap": "openclaw-settings"})

    assert str(raised.value) == (
        "ConfigMap openclaw/openclaw-settings does not exist, so its key openclaw.json cannot be "
        "edited. Check the stack's namespace and ConfigMap name, and that the application is "
        "deployed, then run `pulumi up` again."
    )


def test_config_map_deleted_between_read_and_write(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    fake.before_next_put = lambda: fake.delete_config_map(NAMESPACE, NAME)

    with pytest.raises(
        ConfigMapNotFound, match=f"^ConfigMap {NAMESPACE}/{NAME} does not exist, so"
    ):
        provider.create(dict(PROPS))

    assert methods(fake) == ["GET", "PUT"]


def test_missing_key_is_named(provider: JsonSectionProvider) -> None:
    with pytest.raises(ConfigMapNotFound) as raised:
        provider.update(RESOURCE_ID, dict(PROPS), {**PROPS, "key": "openclaw.json5"})

    assert str(raised.value) == (
        "ConfigMap openclaw/openclaw-config has no data key openclaw.json5 (its keys: AGENTS.md, "
        "openclaw.json). Check the stack's key name, and that the application's configuration "
        "is deployed, then run `pulumi up` again."
    )


def test_update_rewrites_our_section_even_after_a_hand_edit(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    provider.create(dict(PROPS))
    fake.edit_data(
        NAMESPACE, NAME, KEY, lambda text: set_section(text, "cron", {"enabled": 1}, context="")
    )
    news = {**PROPS, "value": {**CRON, "enabled": False}}

    result = provider.update(RESOURCE_ID, dict(PROPS), news)

    assert result.outs == news
    assert live_text(fake) == set_section(ORIGINAL, "cron", news["value"], context="")


def test_update_requires_phase1(fake: FakeKubeApi, provider: JsonSectionProvider) -> None:
    provider.create(dict(PROPS))
    fake.edit_data(
        NAMESPACE,
        NAME,
        KEY,
        lambda text: set_section(text, "plugins", {"entries": {}}, context=""),
    )

    with pytest.raises(PreconditionError, match="Phase 1 is not complete"):
        provider.update(RESOURCE_ID, dict(PROPS), {**PROPS, "value": {"enabled": False}})


def test_delete_gives_back_the_original_bytes(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    provider.create(dict(PROPS))

    provider.delete(RESOURCE_ID, dict(PROPS))

    assert live_text(fake) == ORIGINAL
    live = fake.get(NAMESPACE, NAME)
    assert {k: v for k, v in live["data"].items() if k != KEY} == OTHER_DATA
    assert (live["metadata"]["labels"], live["metadata"]["annotations"]) == (LABELS, ANNOTATIONS)


def test_delete_keeps_a_concurrent_edit(fake: FakeKubeApi, provider: JsonSectionProvider) -> None:
    provider.create(dict(PROPS))
    fake.before_next_put = lambda: other_writer(fake)

    provider.delete(RESOURCE_ID, dict(PROPS))

    assert live_text(fake) == set_section(ORIGINAL, "logging", {"level": "debug"}, context="")
    assert methods(fake)[2:] == ["GET", "PUT", "GET", "PUT"]


def test_delete_when_the_config_map_vanishes_before_the_write(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    provider.create(dict(PROPS))
    fake.before_next_put = lambda: fake.delete_config_map(NAMESPACE, NAME)

    provider.delete(RESOURCE_ID, dict(PROPS))

    assert methods(fake)[2:] == ["GET", "PUT"]


@pytest.mark.parametrize(
    "props",
    [PROPS, {**PROPS, "configMap": "gone"}, {**PROPS, "key": "gone.json"}],
    ids=["section-absent", "config-map-absent", "key-absent"],
)
def test_delete_of_what_is_already_gone_writes_nothing(
    fake: FakeKubeApi, provider: JsonSectionProvider, props: dict[str, Any]
) -> None:
    provider.delete(RESOURCE_ID, dict(props))

    assert live_text(fake) == ORIGINAL
    assert methods(fake) == ["GET"]


@pytest.mark.parametrize("target", ["namespace", "configMap", "key", "section"])
def test_diff_replaces_on_a_new_target(provider: JsonSectionProvider, target: str) -> None:
    result = provider.diff(RESOURCE_ID, dict(PROPS), {**PROPS, target: "other"})

    assert (result.changes, result.replaces) == (True, [target])
    assert result.delete_before_replace is False


def test_diff_updates_on_a_new_value(provider: JsonSectionProvider) -> None:
    result = provider.diff(RESOURCE_ID, dict(PROPS), {**PROPS, "value": {**CRON, "enabled": 1}})

    assert (result.changes, result.replaces) == (True, [])


def test_diff_ignores_a_kube_context_in_old_state_and_key_order(
    provider: JsonSectionProvider,
) -> None:
    """States written before the connection moved to `configure` still hold `kubeContext`."""
    olds = {**PROPS, "kubeContext": "lolice"}
    news = {**PROPS, "value": dict(reversed(CRON.items()))}

    result = provider.diff(RESOURCE_ID, olds, news)

    assert (result.changes, result.replaces) == (False, [])


def test_read_reports_the_live_section(fake: FakeKubeApi, provider: JsonSectionProvider) -> None:
    provider.create(dict(PROPS))
    hand_edited = {"enabled": False}
    fake.edit_data(
        NAMESPACE, NAME, KEY, lambda text: set_section(text, "cron", hand_edited, context="")
    )

    result = provider.read(RESOURCE_ID, dict(PROPS))

    assert (result.id, result.outs) == (RESOURCE_ID, {**PROPS, "value": hand_edited})


@pytest.mark.parametrize(
    "props", [PROPS, {**PROPS, "configMap": "gone"}], ids=["section-absent", "config-map-absent"]
)
def test_read_reports_a_removed_section_as_gone(
    provider: JsonSectionProvider, props: dict[str, Any]
) -> None:
    result = provider.read(RESOURCE_ID, dict(props))

    assert (result.id, result.outs) == (None, {})


def test_provider_is_pickled_by_reference() -> None:
    pickled = base64.b64decode(serialize_provider(JsonSectionProvider()))

    operations = list(pickletools.genops(pickled))
    strings = [argument for _, argument, _ in operations if isinstance(argument, str)]
    assert [op.name for op, _, _ in operations].count("STACK_GLOBAL") == 1
    assert strings[:2] == ["components.configmap_section_provider", "JsonSectionProvider"]
    restored = dill.loads(pickled)  # noqa: S301 - our own pickle, made two lines up
    assert type(restored) is JsonSectionProvider
    assert vars(restored) == {"_client_factory": None}


def test_check_refuses_a_configmap_argo_cd_tracks_in_preview(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    result = provider.check({}, dict(PROPS))

    # The inputs go back with the refusal: the engine's Check adds its provider key to them
    # before it reports the failures.
    assert result.inputs == PROPS
    (failure,) = result.failures
    assert failure.property == "configMap"
    assert failure.reason.startswith(
        "ConfigMap openclaw/openclaw-config is tracked by a GitOps controller: Argo CD "
        "Application openclaw (annotation argocd.argoproj.io/tracking-id). With self-heal it "
        "reverts an in-cluster edit of openclaw.json within seconds"
    )
    assert "pulumi config set --path 'openclaw-cron-webhook:section.target' git" in failure.reason
    assert "        jsonPointers:\n        - /data/openclaw.json\n" in failure.reason
    assert "RespectIgnoreDifferences=true" in failure.reason
    assert failure.reason.endswith(
        "pulumi config set --path 'openclaw-cron-webhook:section.writeTrackedConfigMap' true"
    )
    assert methods(fake) == ["GET"], "check only reads"


def test_check_allows_a_tracked_configmap_when_the_user_chose_it(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    news = {**PROPS, "writeTrackedConfigMap": True}
    result = provider.check({}, dict(news))
    assert (result.inputs, result.failures) == (news, [])
    assert methods(fake) == [], "the explicit choice needs no lookup"


def checked(labels: dict[str, str], news: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """check's inputs and failures (property: reason) for a ConfigMap with only these labels."""
    with FakeKubeApi() as server:
        server.add_config_map(NAMESPACE, NAME, {KEY: ORIGINAL}, labels=labels)
        api_client = ApiClient(Configuration(host=server.host))
        checker = JsonSectionProvider(lambda _target: api_client)
        checker.configure(ConfigureRequest(Config({}, "project")))
        result = checker.check({}, dict(news))
        api_client.close()
    return result.inputs, [f"{f.property}: {f.reason}" for f in result.failures]


def test_check_passes_an_untracked_or_missing_configmap() -> None:
    """The inputs come back as given: the engine uses them as the resource's inputs."""
    absent = {**PROPS, "configMap": "absent"}
    assert checked({}, PROPS) == (PROPS, [])
    assert checked({}, absent) == (absent, [])


@pytest.mark.parametrize(
    ("label", "controller"),
    [
        (
            "app.kubernetes.io/instance",
            "Argo CD Application openclaw (label app.kubernetes.io/instance)",
        ),
        (
            "kustomize.toolkit.fluxcd.io/name",
            "Flux kustomize openclaw (label kustomize.toolkit.fluxcd.io/name)",
        ),
        ("helm.toolkit.fluxcd.io/name", "Flux helm openclaw (label helm.toolkit.fluxcd.io/name)"),
    ],
)
def test_check_refuses_a_configmap_a_label_says_is_tracked(label: str, controller: str) -> None:
    """Argo CD's older label tracking and Flux's controllers set no annotation: the label alone
    is enough to refuse."""
    inputs, failures = checked({label: "openclaw"}, PROPS)

    assert inputs == PROPS
    assert [failure.split(". With self-heal")[0] for failure in failures] == [
        f"configMap: ConfigMap openclaw/openclaw-config is tracked by a GitOps controller: "
        f"{controller}"
    ]


def test_the_users_choice_is_not_a_change(provider: JsonSectionProvider) -> None:
    olds = {**PROPS, "writeTrackedConfigMap": False}
    assert (
        provider.diff(RESOURCE_ID, olds, {**PROPS, "writeTrackedConfigMap": True}).changes is False
    )
