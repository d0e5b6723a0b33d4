"""The dynamic providers reach the cluster the Kubernetes provider reaches, from config only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from kubernetes.client.exceptions import ApiException
from pulumi.dynamic import Config, ConfigureRequest

from components.configmap_section_provider import JsonSectionProvider
from components.deployment_env_provider import EnvEntryProvider
from components.kube_connection import KubeTarget, api_errors


def kubeconfig(current: str) -> str:
    """Two clusters, one context each, so a test can see which one a client points at."""
    clusters = [("blue", "https://127.0.0.1:6443"), ("green", "https://127.0.0.2:6443")]
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": current,
            "clusters": [{"name": n, "cluster": {"server": s}} for n, s in clusters],
            "users": [{"name": "admin", "user": {"token": "not-a-real-token"}}],
            "contexts": [
                {"name": n, "context": {"cluster": n, "user": "admin"}} for n, _ in clusters
            ],
        }
    )


def host(target: KubeTarget) -> str:
    host_: str = target.api_client().configuration.host
    return host_


def test_kubeconfig_contents_and_context_from_stack_config() -> None:
    target = KubeTarget(kubeconfig=kubeconfig("blue"), context="green")
    assert host(target) == "https://127.0.0.2:6443"
    assert host(KubeTarget(kubeconfig=kubeconfig("blue"))) == "https://127.0.0.1:6443"


def test_kubeconfig_as_a_path(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(kubeconfig("green"))
    assert host(KubeTarget(kubeconfig=str(path))) == "https://127.0.0.2:6443"


def test_without_config_the_kubeconfig_env_var_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config"
    path.write_text(kubeconfig("blue"))
    monkeypatch.setenv("KUBECONFIG", str(path))
    assert host(KubeTarget(context="green")) == "https://127.0.0.2:6443"


def test_a_kubeconfig_that_is_neither_file_nor_contents_names_the_key() -> None:
    with pytest.raises(ValueError, match=r"kubernetes:kubeconfig is neither a readable file"):
        KubeTarget(kubeconfig="/no/such/file").api_client()


@pytest.mark.parametrize("provider_type", [JsonSectionProvider, EnvEntryProvider])
def test_configure_follows_the_current_stack_config(provider_type: type) -> None:
    """`refresh`/`destroy` configure the provider with today's config, not creation's."""
    seen: list[KubeTarget] = []
    provider = provider_type(lambda target: seen.append(target))
    stack_config = {"kubernetes:context": "green", "kubernetes:kubeconfig": "contents"}
    provider.configure(ConfigureRequest(Config(stack_config, "openclaw-cron-webhook")))
    provider.api_client()
    assert seen == [KubeTarget(kubeconfig="contents", context="green")]


class Gone(LookupError):
    pass


class Raced(RuntimeError):
    pass


def answer(status: int) -> ApiException:
    error = ApiException(status=status, reason="from the API server")
    error.body = f'{{"code": {status}}}'
    return error


def translated(status: int) -> Exception:
    """What leaves `api_errors` when the API server answers `status`."""
    try:
        with api_errors(
            on_404=lambda error: Gone(f"gone: {error.body}"),
            on_409=lambda error: Raced(f"raced: {error.body}"),
        ):
            raise answer(status)
    except Exception as error:  # whatever leaves is what the test looks at
        return error
    raise AssertionError("api_errors swallowed the error")


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [(404, Gone, 'gone: {"code": 404}'), (409, Raced, 'raced: {"code": 409}')],
)
def test_the_statuses_a_caller_decides_become_its_own_exceptions(
    status: int, kind: type, message: str
) -> None:
    error = translated(status)

    assert (type(error), str(error)) == (kind, message)
    assert isinstance(error.__cause__, ApiException)
    assert error.__cause__.status == status


@pytest.mark.parametrize("status", [400, 403, 410, 422, 500])
def test_every_other_status_passes_unchanged(status: int) -> None:
    error = translated(status)

    assert type(error) is ApiException
    assert isinstance(error, ApiException)
    assert error.status == status


@pytest.mark.parametrize("status", [404, 409])
def test_a_status_without_a_translation_passes_unchanged(status: int) -> None:
    original = answer(status)

    with pytest.raises(ApiException) as raised, api_errors():
        raise original

    assert raised.value is original


def test_without_an_error_nothing_is_raised() -> None:
    with api_errors(on_404=lambda _: Gone("never")):
        result = "done"

    assert result == "done"
