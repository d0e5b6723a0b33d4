"""Which cluster a dynamic provider reaches, for each way the stack can name it.

test_kube_connection.py covers the main cases; these are the remaining choices an operator
makes: a kubeconfig file *and* a context, kubeconfig contents as CI exports them (a long
certificate block included), a value that is neither, and a provider the engine never
configured.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from kubernetes.client import ApiClient

from components.configmap_section_provider import JsonSectionProvider
from stages.kube_connection import KubeTarget

CLUSTERS = {"blue": "https://127.0.0.1:6443", "green": "https://127.0.0.2:6443"}
# A CA certificate's worth of base64 with no "/" in it: as a file name, one 2 KiB component.
CA_DATA = base64.b64encode(bytes(1536)).decode()


def kubeconfig(current: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": current,
            "clusters": [
                {"name": n, "cluster": {"server": s, "certificate-authority-data": CA_DATA}}
                for n, s in CLUSTERS.items()
            ],
            "users": [{"name": "admin", "user": {"token": "not-a-real-token"}}],
            "contexts": [{"name": n, "context": {"cluster": n, "user": "admin"}} for n in CLUSTERS],
        }
    )


def host(target: KubeTarget) -> str:
    host_: str = target.api_client().configuration.host
    return host_


def test_a_kubeconfig_file_with_a_context_uses_that_context(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(kubeconfig("green"))

    assert host(KubeTarget(kubeconfig=str(path), context="blue")) == CLUSTERS["blue"]


def test_kubeconfig_contents_as_ci_exports_them_are_never_taken_for_a_path() -> None:
    """Contents hold line breaks; treated as a path, a long line is a name too long to stat."""
    assert host(KubeTarget(kubeconfig=kubeconfig("blue"), context="green")) == CLUSTERS["green"]


def test_a_value_that_is_neither_file_nor_contents_says_how_to_set_it() -> None:
    with pytest.raises(ValueError, match=r"^kubernetes:kubeconfig is neither") as raised:
        KubeTarget(kubeconfig="~/.kube/no-such-config").api_client()

    assert str(raised.value) == (
        "kubernetes:kubeconfig is neither a readable file nor kubeconfig contents; fix it with "
        '`pulumi config set --secret kubernetes:kubeconfig "$(cat FILE)"`'
    )


def test_a_provider_the_engine_did_not_configure_uses_the_current_kubeconfig() -> None:
    seen: list[KubeTarget] = []

    def client_factory(target: KubeTarget) -> ApiClient:
        seen.append(target)
        return ApiClient()

    JsonSectionProvider(client_factory).api_client()

    assert seen == [KubeTarget(kubeconfig=None, context=None)]
