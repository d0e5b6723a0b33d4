"""A literal token pasted into the live `cron` section never reaches the stack's state.

`pulumi refresh` stores what `read` returns, unencrypted; a `webhookToken` that is not a
`${VAR}` placeholder is stored as a fixed marker instead (stages.section.token_placeholder), and
the masked state still differs from the desired section, so the next preview shows the update
that writes the placeholder back. The git-mode provider's twin is in
tests/process/test_git_section_provider.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_kube_api import FakeKubeApi
from kubernetes.client import ApiClient, Configuration
from test_section_provider import CRON, KEY, NAME, NAMESPACE, ORIGINAL, PROPS, RESOURCE_ID

from components.configmap_section_provider import JsonSectionProvider
from stages.section.document import set_section
from stages.section.token_placeholder import is_placeholder, masked_section

LITERAL = "5f" * 32
MARKER = "[literal value, not stored]"


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


@pytest.mark.parametrize(
    "token", [LITERAL, 12345, "${OPENCLAW_CRON_WEBHOOK_TOKEN} ", "${lower_case}", "$OPENCLAW"]
)
def test_read_stores_a_token_that_is_not_a_placeholder_masked(
    fake: FakeKubeApi, provider: JsonSectionProvider, token: object
) -> None:
    provider.create(dict(PROPS))
    pasted = {**CRON, "webhookToken": token}
    fake.edit_data(NAMESPACE, NAME, KEY, lambda text: set_section(text, "cron", pasted, context=""))

    result = provider.read(RESOURCE_ID, dict(PROPS))

    assert (result.id, result.outs) == (
        RESOURCE_ID,
        {**PROPS, "value": {**CRON, "webhookToken": MARKER}},
    )
    assert str(token) not in repr(result.outs)
    diff = provider.diff(RESOURCE_ID, result.outs or {}, dict(PROPS))
    assert (diff.changes, diff.replaces) == (True, [])


def test_a_placeholder_is_stored_as_it_is(fake: FakeKubeApi, provider: JsonSectionProvider) -> None:
    """Another variable is drift the refresh shows as it is: it names no secret."""
    provider.create(dict(PROPS))
    other = {**CRON, "webhookToken": "${OTHER_TOKEN_2}"}
    fake.edit_data(NAMESPACE, NAME, KEY, lambda text: set_section(text, "cron", other, context=""))

    result = provider.read(RESOURCE_ID, dict(PROPS))

    assert result.outs == {**PROPS, "value": other}


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [("${A}", True), ("${_A9}", True), ("${9A}", False), ("${A}\n", False), ("", False)],
)
def test_the_placeholder_grammar_is_openclaws(value: str, placeholder: bool) -> None:
    assert is_placeholder(value) is placeholder


def test_the_marker_is_never_a_placeholder_and_other_shapes_pass_unchanged() -> None:
    assert not is_placeholder(MARKER)
    assert masked_section({"enabled": True}) == {"enabled": True}
    assert masked_section("on") == "on"
    assert masked_section({"webhookToken": None}) == {"webhookToken": MARKER}
