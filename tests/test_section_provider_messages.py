"""Every refusal the section provider reports names the ConfigMap and key it was working on.

`pulumi up`, `refresh` and `destroy` print the provider's exception and nothing else, so its
message is all an operator has: it must say which object to fix, whichever operation (create,
update, delete, refresh) ran into the problem, and whether the object, its key, or the document
in it is what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_kube_api import FakeKubeApi
from kubernetes.client import ApiClient, Configuration

from components.configmap_section_provider import JsonSectionProvider
from stages.section.cluster.configmaps import ConfigMapNotFound
from stages.section.document import (
    InvalidDocumentError,
    LossyDocumentError,
    PreconditionError,
    set_section,
)

NAMESPACE, NAME, KEY = "gateway", "gw-config", "config.json"
CONTEXT = f"ConfigMap {NAMESPACE}/{NAME} key {KEY}"
RESOURCE_ID = f"{NAMESPACE}/{NAME}/{KEY}#cron"
PROPS: dict[str, Any] = {
    "namespace": NAMESPACE,
    "configMap": NAME,
    "key": KEY,
    "section": "cron",
    "value": {"enabled": True},
}
FIXTURES = Path(__file__).parent / "fixtures"
ORIGINAL = (FIXTURES / "openclaw.json").read_text()
JSON5_WITH_SECTION = (
    (FIXTURES / "openclaw-comments.json5")
    .read_text()
    .replace("\n  /* Phase 1", "\n  cron: {enabled: false}, // by hand\n  /* Phase 1")
)


@pytest.fixture
def fake() -> Iterator[FakeKubeApi]:
    with FakeKubeApi() as server:
        server.add_config_map(NAMESPACE, NAME, {KEY: ORIGINAL})
        yield server


@pytest.fixture
def provider(fake: FakeKubeApi) -> Iterator[JsonSectionProvider]:
    api_client = ApiClient(Configuration(host=fake.host))
    yield JsonSectionProvider(lambda _target: api_client)
    api_client.close()


def document(fake: FakeKubeApi, text: str) -> None:
    fake.edit_data(NAMESPACE, NAME, KEY, lambda _: text)


def test_update_without_phase1_names_the_config_map(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    document(fake, set_section("{}", "cron", {"enabled": False}, context=""))

    with pytest.raises(PreconditionError) as raised:
        provider.update(RESOURCE_ID, dict(PROPS), dict(PROPS))

    assert str(raised.value).startswith(f"{CONTEXT}: Phase 1 is not complete")


def test_update_of_a_json5_document_names_the_config_map(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    document(fake, JSON5_WITH_SECTION)

    with pytest.raises(LossyDocumentError) as raised:
        provider.update(RESOURCE_ID, dict(PROPS), dict(PROPS))

    assert str(raised.value).startswith(f"{CONTEXT} contains JSON5-only syntax")


def test_delete_from_a_json5_document_names_the_config_map(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    document(fake, JSON5_WITH_SECTION)

    with pytest.raises(LossyDocumentError) as raised:
        provider.delete(RESOURCE_ID, dict(PROPS))

    assert str(raised.value).startswith(f"{CONTEXT} contains JSON5-only syntax")
    assert fake.get(NAMESPACE, NAME)["data"][KEY] == JSON5_WITH_SECTION


def test_refresh_of_a_broken_document_names_the_config_map(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    document(fake, '{"cron": {"enabled": true}')

    with pytest.raises(InvalidDocumentError) as raised:
        provider.read(RESOURCE_ID, dict(PROPS))

    assert str(raised.value).startswith(f"{CONTEXT} is not valid JSON5")


def test_a_config_map_without_any_data_says_so(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    fake.add_config_map(NAMESPACE, "empty", {})

    with pytest.raises(ConfigMapNotFound) as raised:
        provider.create({**PROPS, "configMap": "empty"})

    assert str(raised.value).startswith(
        f"ConfigMap {NAMESPACE}/empty has no data key {KEY} (its keys: none). "
    )


def test_a_config_map_deleted_before_the_write_is_named_with_its_key(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    fake.before_next_put = lambda: fake.delete_config_map(NAMESPACE, NAME)

    with pytest.raises(ConfigMapNotFound) as raised:
        provider.update(RESOURCE_ID, dict(PROPS), {**PROPS, "value": {"enabled": False}})

    assert str(raised.value).startswith(
        f"ConfigMap {NAMESPACE}/{NAME} does not exist, so its key {KEY} cannot be edited."
    )
