"""The section provider when the API server says no: anything but 404 and 409 fails the step.

Only two statuses are decisions: 404 (the ConfigMap is gone: an error for create and update,
done for delete, gone for refresh) and 409 (someone wrote in between: redo the edit). Anything
else — RBAC's 403, an API server's 500 — must reach Pulumi as a failure. Swallowed, it would be
worse than a crash: `pulumi up` would record a section it never wrote, `destroy` would forget a
section still in the document, and `refresh` would drop a live resource from state.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_kube_api import FakeKubeApi
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException

from components.configmap_section_provider import JsonSectionProvider
from stages.section.document import set_section

NAMESPACE, NAME, KEY = "openclaw", "openclaw-config", "openclaw.json"
RESOURCE_ID = f"{NAMESPACE}/{NAME}/{KEY}#cron"
CRON = {"enabled": True, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"}
PROPS: dict[str, Any] = {
    "namespace": NAMESPACE,
    "configMap": NAME,
    "key": KEY,
    "section": "cron",
    "value": CRON,
}
ORIGINAL = (Path(__file__).parent / "fixtures" / "openclaw.json").read_text()
WITH_SECTION = set_section(ORIGINAL, "cron", CRON, context="")


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


def live_text(fake: FakeKubeApi) -> str:
    text: str = fake.get(NAMESPACE, NAME)["data"][KEY]
    return text


def methods(fake: FakeKubeApi) -> list[str]:
    return [request.method for request in fake.requests]


def with_section_written(fake: FakeKubeApi) -> None:
    fake.edit_data(NAMESPACE, NAME, KEY, lambda _: WITH_SECTION)


@pytest.mark.parametrize("status", [403, 500])
def test_create_fails_when_the_write_is_refused_and_does_not_retry(
    fake: FakeKubeApi, provider: JsonSectionProvider, status: int
) -> None:
    fake.fail_next("PUT", status)

    with pytest.raises(ApiException) as raised:
        provider.create(dict(PROPS))

    assert raised.value.status == status
    assert methods(fake) == ["GET", "PUT"]
    assert live_text(fake) == ORIGINAL


@pytest.mark.parametrize("status", [403, 500])
def test_create_fails_when_the_read_is_refused(
    fake: FakeKubeApi, provider: JsonSectionProvider, status: int
) -> None:
    fake.fail_next("GET", status)

    with pytest.raises(ApiException) as raised:
        provider.create(dict(PROPS))

    assert raised.value.status == status
    assert methods(fake) == ["GET"]


def test_update_fails_when_the_write_is_refused(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    with_section_written(fake)
    fake.fail_next("PUT", 403)

    with pytest.raises(ApiException) as raised:
        provider.update(RESOURCE_ID, dict(PROPS), {**PROPS, "value": {"enabled": False}})

    assert raised.value.status == 403
    assert live_text(fake) == WITH_SECTION


@pytest.mark.parametrize(("method", "status"), [("GET", 500), ("GET", 403), ("PUT", 500)])
def test_delete_fails_rather_than_forget_a_section_still_there(
    fake: FakeKubeApi, provider: JsonSectionProvider, method: str, status: int
) -> None:
    """Only a 404 means "already gone"; after any other error the section may still be live."""
    with_section_written(fake)
    fake.fail_next(method, status)

    with pytest.raises(ApiException) as raised:
        provider.delete(RESOURCE_ID, dict(PROPS))

    assert raised.value.status == status
    assert live_text(fake) == WITH_SECTION


@pytest.mark.parametrize("status", [403, 500])
def test_refresh_fails_rather_than_report_the_section_gone(
    fake: FakeKubeApi, provider: JsonSectionProvider, status: int
) -> None:
    with_section_written(fake)
    fake.fail_next("GET", status)

    with pytest.raises(ApiException) as raised:
        provider.read(RESOURCE_ID, dict(PROPS))

    assert raised.value.status == status


def test_after_a_refused_write_the_next_run_succeeds(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    """A failure is not remembered: fixing RBAC and running again is all it takes."""
    fake.fail_next("PUT", 403)
    with pytest.raises(ApiException):
        provider.create(dict(PROPS))

    provider.create(dict(PROPS))

    assert live_text(fake) == WITH_SECTION
