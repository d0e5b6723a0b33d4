"""`KubernetesConfigMapApi` keeps the `ConfigMapApi` contract over real HTTP.

404 becomes ConfigMapNotFound and 409 ConflictError, each naming the object, so a caller (and
the traceback an operator reads) can tell which ConfigMap was missing or contended; every other
status passes through unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from fake_kube_api import FakeKubeApi
from kubernetes.client import (
    ApiClient,
    Configuration,
    V1ConfigMap,
    V1ManagedFieldsEntry,
    V1ObjectMeta,
)
from kubernetes.client.exceptions import ApiException

from stages.kubernetes_meta import FIELD_MANAGER
from stages.section.cluster.configmaps import (
    ConfigMapNotFound,
    ConflictError,
    KubernetesConfigMapApi,
    read_document,
    write_document,
)

NAMESPACE, NAME = "gateway", "gw-config"


@pytest.fixture
def fake() -> Iterator[FakeKubeApi]:
    with FakeKubeApi() as server:
        server.add_config_map(NAMESPACE, NAME, {"config.json": "{}"})
        yield server


@pytest.fixture
def api(fake: FakeKubeApi) -> Iterator[KubernetesConfigMapApi]:
    api_client = ApiClient(Configuration(host=fake.host))
    yield KubernetesConfigMapApi(api_client)
    api_client.close()


def test_reading_a_missing_config_map_names_it(api: KubernetesConfigMapApi) -> None:
    with pytest.raises(ConfigMapNotFound) as raised:
        api.read(NAMESPACE, "absent")

    assert str(raised.value) == f"ConfigMap {NAMESPACE}/absent not found"
    assert isinstance(raised.value.__cause__, ApiException)


def test_replacing_a_deleted_config_map_names_it(
    fake: FakeKubeApi, api: KubernetesConfigMapApi
) -> None:
    live = api.read(NAMESPACE, NAME)
    fake.delete_config_map(NAMESPACE, NAME)

    with pytest.raises(ConfigMapNotFound, match=f"^ConfigMap {NAMESPACE}/{NAME} not found$"):
        api.replace(NAMESPACE, NAME, live, FIELD_MANAGER)


def test_replacing_a_changed_config_map_is_a_conflict_naming_it(
    fake: FakeKubeApi, api: KubernetesConfigMapApi
) -> None:
    live = api.read(NAMESPACE, NAME)
    fake.edit_data(NAMESPACE, NAME, "config.json", lambda _: '{"theirs": 1}')

    with pytest.raises(ConflictError) as raised:
        api.replace(NAMESPACE, NAME, live, FIELD_MANAGER)

    assert str(raised.value) == (
        f"ConfigMap {NAMESPACE}/{NAME} was changed by someone else since it was read"
    )
    assert fake.get(NAMESPACE, NAME)["data"] == {"config.json": '{"theirs": 1}'}


@pytest.mark.parametrize(("method", "status"), [("GET", 403), ("GET", 500), ("PUT", 422)])
def test_other_statuses_pass_through_unchanged(
    fake: FakeKubeApi, api: KubernetesConfigMapApi, method: str, status: int
) -> None:
    live = api.read(NAMESPACE, NAME)
    fake.fail_next(method, status)

    def request() -> None:
        if method == "GET":
            api.read(NAMESPACE, NAME)
        else:
            api.replace(NAMESPACE, NAME, live, FIELD_MANAGER)

    with pytest.raises(ApiException) as raised:
        request()

    assert raised.value.status == status
    assert not isinstance(raised.value, ConfigMapNotFound | ConflictError)


class RecordingApi:
    """A ConfigMapApi that keeps what it was asked to write."""

    def __init__(self, source: V1ConfigMap) -> None:
        self.source = source
        self.written: list[V1ConfigMap] = []

    def read(self, namespace: str, name: str) -> V1ConfigMap:
        return copy.deepcopy(self.source)

    def replace(
        self, namespace: str, name: str, config_map: V1ConfigMap, field_manager: str
    ) -> None:
        self.written.append(config_map)


def test_a_write_leaves_the_document_it_was_read_as_untouched() -> None:
    """The read object is evidence of what was there (frozen); the write works on a copy."""
    managed = [V1ManagedFieldsEntry(manager="argocd-controller", operation="Apply")]
    api = RecordingApi(
        V1ConfigMap(
            metadata=V1ObjectMeta(name=NAME, namespace=NAMESPACE, managed_fields=managed),
            data={"config.json": "{}", "AGENTS.md": "# Agents\n"},
        )
    )
    document = read_document(api, NAMESPACE, NAME, "config.json")
    as_read = copy.deepcopy(document.source)

    write_document(api, document, '{"cron": {}}')

    assert document.source == as_read
    (written,) = api.written
    assert written.data == {"config.json": '{"cron": {}}', "AGENTS.md": "# Agents\n"}
    assert written.metadata is not None
    assert written.metadata.managed_fields is None
