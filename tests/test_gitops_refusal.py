"""The refusal a user reads when a GitOps controller tracks the ConfigMap, word for word.

`pulumi preview` stops with this text (stages/section/tracking.py), and the user acts on it by
copying: the three commands of the Git route, or the Argo CD stanza into their Application and
the one command that then lets the stack write. A misspelt config key or a stanza field Argo CD
does not know (`ignoredifferences`, `kind: configmap`) would be copied as faithfully as a right
one, so both are pinned here exactly rather than compared with what the module renders.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from fake_kube_api import FakeKubeApi
from kubernetes.client import ApiClient, Configuration
from pulumi.dynamic import Config, ConfigureRequest

from components.configmap_section_provider import JsonSectionProvider
from stages.section.tracking import ignore_differences_stanza

NAMESPACE, NAME, KEY = "openclaw", "openclaw-config", "openclaw.json"
PROPS = {
    "namespace": NAMESPACE,
    "configMap": NAME,
    "key": KEY,
    "section": "cron",
    "value": {"enabled": True},
}
TRACKING_ID = "openclaw:/ConfigMap:openclaw/openclaw-config"


@pytest.fixture
def provider() -> Iterator[JsonSectionProvider]:
    """The provider against a cluster where Argo CD tracks the ConfigMap by annotation."""
    with FakeKubeApi() as server:
        server.add_config_map(
            NAMESPACE,
            NAME,
            {KEY: '{"plugins": {}}\n'},
            annotations={"argocd.argoproj.io/tracking-id": TRACKING_ID},
        )
        api_client = ApiClient(Configuration(host=server.host))
        provider = JsonSectionProvider(lambda _target: api_client)
        provider.configure(ConfigureRequest(Config({}, "project")))
        yield provider
        api_client.close()


def test_the_preview_refusal_word_for_word(provider: JsonSectionProvider) -> None:
    """The whole message of check's failure: the controller, both ways forward as commands, and
    the stanza indented under "add to the Application"."""
    (failure,) = provider.check({}, dict(PROPS)).failures

    assert failure.reason == (
        "ConfigMap openclaw/openclaw-config is tracked by a GitOps controller: Argo CD "
        "Application openclaw (annotation argocd.argoproj.io/tracking-id). With self-heal it "
        "reverts an in-cluster edit of openclaw.json within seconds, so this stack does not "
        "write the cron section there.\n"
        "Recommended: send the section through the GitOps repository:\n"
        "  pulumi config set --path 'openclaw-cron-webhook:section.target' git\n"
        "  pulumi config set --path 'openclaw-cron-webhook:section.git.repo' "
        "<the repo URL the controller syncs>\n"
        "  pulumi config set --path 'openclaw-cron-webhook:section.git.path' "
        "<the ConfigMap manifest in it>\n"
        "Or let this stack win on that field (every later Git edit of the document then stops "
        "landing): add to the Application\n"
        "    spec:\n"
        "      ignoreDifferences:\n"
        "      - kind: ConfigMap\n"
        "        name: openclaw-config\n"
        "        namespace: openclaw\n"
        "        jsonPointers:\n"
        "        - /data/openclaw.json\n"
        "      syncPolicy:\n"
        "        syncOptions:\n"
        "        - RespectIgnoreDifferences=true\n"
        "  and run: pulumi config set --path "
        "'openclaw-cron-webhook:section.writeTrackedConfigMap' true"
    )


def test_the_stanza_is_the_application_fields_argo_cd_reads() -> None:
    """Argo CD matches ignoreDifferences by kind, name and namespace and ignores the JSON pointer
    into the ConfigMap's data; RespectIgnoreDifferences keeps syncs from writing it back. The
    fields keep the order of Argo CD's documentation, so the stanza reads like the docs' one."""
    stanza = ignore_differences_stanza("gateway", "agents-config", "config.json")

    assert stanza == (
        "spec:\n"
        "  ignoreDifferences:\n"
        "  - kind: ConfigMap\n"
        "    name: agents-config\n"
        "    namespace: gateway\n"
        "    jsonPointers:\n"
        "    - /data/config.json\n"
        "  syncPolicy:\n"
        "    syncOptions:\n"
        "    - RespectIgnoreDifferences=true\n"
    )
    assert yaml.safe_load(stanza) == {
        "spec": {
            "ignoreDifferences": [
                {
                    "kind": "ConfigMap",
                    "name": "agents-config",
                    "namespace": "gateway",
                    "jsonPointers": ["/data/config.json"],
                }
            ],
            "syncPolicy": {"syncOptions": ["RespectIgnoreDifferences=true"]},
        }
    }
