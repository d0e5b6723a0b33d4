"""Give back what was there before (issue 30, item 3), in cluster mode, against the fake API
server through the real Kubernetes client.

A `cron` section that was in the document before the stack (spelled by hand: one line, its own
key order) is adopted at create, and the state records it and its bytes. Destroy puts those
bytes back, also after the stack changed the section; a section edited by hand since the last
`pulumi up` is still removed or given back, and destroy says what it found and what it did (the
keys, never a value). An old state without the record behaves as before: destroy removes.
A section this program wrote itself (the ConfigMap's managedFields say so) is not adopted: a
state that lost it (the documented upgrade's `pulumi state delete`) removes it on destroy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_kube_api import FakeKubeApi
from kubernetes.client import (
    ApiClient,
    Configuration,
    V1ConfigMap,
    V1ManagedFieldsEntry,
    V1ObjectMeta,
)
from pulumi.dynamic import Config, ConfigureRequest

import stages.section.cluster.provider as provider_module
from components.configmap_section_provider import JsonSectionProvider
from stages.kubernetes_meta import FIELD_MANAGER, GIVE_BACK_FIELD_MANAGER
from stages.section.adoption import differing_keys, give_back, record_at_create
from stages.section.cluster.authorship import written_by_this_program
from stages.section.document import LossyDocumentError, read_section, set_section

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
ORIGINAL = (FIXTURES / "openclaw.json").read_bytes().decode("utf-8")
# Equal to CRON as JSON, spelled the way its author wrote it, not the way the stack would.
BY_HAND = (
    '{"webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}", "sessionRetention": "24h", "enabled": true}'
)
CLOSE = ORIGINAL.rindex("}")
SEEDED = ORIGINAL[:CLOSE].rstrip() + ',\n  "cron": ' + BY_HAND + "\n" + ORIGINAL[CLOSE:]
LITERAL = "tok-3f9a-pasted-by-hand"


@pytest.fixture
def fake() -> Iterator[FakeKubeApi]:
    with FakeKubeApi() as server:
        server.add_config_map(NAMESPACE, NAME, {KEY: ORIGINAL})
        yield server


@pytest.fixture
def provider(fake: FakeKubeApi) -> Iterator[JsonSectionProvider]:
    api_client = ApiClient(Configuration(host=fake.host))
    provider = JsonSectionProvider(lambda _target: api_client)
    provider.configure(ConfigureRequest(Config({}, "project")))
    yield provider
    api_client.close()


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines destroy sends to the engine's log (stages.provider_log.warn)."""
    said: list[str] = []
    monkeypatch.setattr(provider_module, "warn", said.append)
    return said


def live_text(fake: FakeKubeApi) -> str:
    text: str = fake.get(NAMESPACE, NAME)["data"][KEY]
    return text


def seed(fake: FakeKubeApi, text: str, manager: str | None = None) -> None:
    fake.edit_data(NAMESPACE, NAME, KEY, lambda _: text, manager=manager)


def key_owners(fake: FakeKubeApi) -> list[tuple[str, str]]:
    """(manager, operation) of the managedFields records that own the document's key."""
    return [
        (entry["manager"], entry["operation"])
        for entry in fake.get(NAMESPACE, NAME)["metadata"].get("managedFields") or []
        if "f:" + KEY in entry["fieldsV1"].get("f:data", {})
    ]


def hand_edit(fake: FakeKubeApi, value: object) -> None:
    fake.edit_data(NAMESPACE, NAME, KEY, lambda text: set_section(text, "cron", value, context=""))


def created(provider: JsonSectionProvider) -> dict[str, Any]:
    outs = provider.create(dict(PROPS)).outs
    assert outs is not None
    return outs


def test_an_adopted_section_is_recorded_with_its_bytes(
    fake: FakeKubeApi, provider: JsonSectionProvider
) -> None:
    seed(fake, SEEDED)

    outs = created(provider)

    assert outs == {**PROPS, "adopted": True, "before": BY_HAND}
    assert live_text(fake) == SEEDED
    assert fake.puts() == []


def test_adopted_then_destroyed_gives_back_the_bytes_and_writes_nothing(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    seed(fake, SEEDED)
    outs = created(provider)

    provider.delete(RESOURCE_ID, outs)

    assert live_text(fake) == SEEDED
    assert (fake.puts(), warnings) == ([], [])


def test_adopted_updated_by_the_stack_then_destroyed_gives_back_the_bytes_before_the_stack(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    seed(fake, SEEDED)
    outs = created(provider)
    news = {**PROPS, "value": {**CRON, "enabled": False}}

    updated = provider.update(RESOURCE_ID, outs, news).outs

    assert updated == {**news, "adopted": True, "before": BY_HAND}
    assert read_section(live_text(fake), "cron", context="")[1] == news["value"]
    assert provider.diff(RESOURCE_ID, updated, news).changes is False

    provider.delete(RESOURCE_ID, updated)

    assert live_text(fake) == SEEDED
    assert warnings == []


def test_a_refresh_keeps_the_record(fake: FakeKubeApi, provider: JsonSectionProvider) -> None:
    seed(fake, SEEDED)
    outs = created(provider)

    refreshed = provider.read(RESOURCE_ID, outs)

    assert refreshed.outs == outs


def test_a_hand_edited_section_is_removed_and_destroy_says_so(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    outs = created(provider)
    hand_edit(fake, {**CRON, "enabled": False, "webhookToken": LITERAL, "maxConcurrentRuns": 2})

    provider.delete(RESOURCE_ID, outs)

    assert live_text(fake) == ORIGINAL
    assert warnings == [
        f'{CONTEXT}: the "cron" section is not the one the last `pulumi up` wrote (keys that '
        "differ: cron.enabled, cron.maxConcurrentRuns, cron.webhookToken; values not shown, they "
        "may hold a token). Destroy removed the section, hand edits included, as this stack "
        "created it."
    ]


def test_a_hand_edited_adopted_section_is_given_back_and_destroy_says_so(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    seed(fake, SEEDED)
    outs = created(provider)
    hand_edit(fake, {"enabled": True, "webhookToken": LITERAL, "retry": {"count": 3}})

    provider.delete(RESOURCE_ID, outs)

    assert live_text(fake) == SEEDED
    assert warnings == [
        f'{CONTEXT}: the "cron" section is not the one the last `pulumi up` wrote (keys that '
        "differ: cron.retry, cron.sessionRetention, cron.webhookToken; values not shown, they "
        "may hold a token). Destroy put back the section as it was before this stack adopted "
        "it; the hand edits are gone."
    ]


def test_an_adopted_section_removed_by_hand_is_not_put_back(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    seed(fake, SEEDED)
    outs = created(provider)
    seed(fake, ORIGINAL)

    provider.delete(RESOURCE_ID, outs)

    assert live_text(fake) == ORIGINAL
    assert fake.puts() == []
    assert warnings == [
        f'{CONTEXT} has no "cron" section any more (removed outside this stack): destroy did '
        "not put back the section this stack had adopted."
    ]


def test_an_old_state_without_the_record_is_removed_as_before(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    """States written before the record: an adopted section went on destroy, and still does;
    refresh and diff add nothing to them."""
    seed(fake, SEEDED)
    old_outs = dict(PROPS)

    assert provider.read(RESOURCE_ID, old_outs).outs == PROPS
    assert provider.diff(RESOURCE_ID, old_outs, dict(PROPS)).changes is False
    provider.delete(RESOURCE_ID, old_outs)

    assert live_text(fake) == ORIGINAL
    assert warnings == []


def test_the_differing_keys_are_dotted_paths_in_order() -> None:
    live = {"enabled": 1, "webhook": {"url": "a", "headers": {"x": 1}}, "new": True}
    recorded = {"enabled": True, "webhook": {"url": "a", "headers": {"x": 2}}, "gone": 1}

    assert differing_keys(live, recorded, "cron") == [
        "cron.enabled",
        "cron.gone",
        "cron.new",
        "cron.webhook.headers.x",
    ]
    assert differing_keys("off", recorded, "cron") == ["cron"]
    assert differing_keys(dict(reversed(list(recorded.items()))), recorded, "cron") == []


def test_a_json5_document_with_an_equal_section_is_adopted_and_left_as_it_was() -> None:
    json5 = (FIXTURES / "openclaw-comments.json5").read_text()
    text = json5.replace("\n  /* Phase 1", "\n  cron: {enabled: true}, // by hand\n  /* Phase 1")
    props = {**PROPS, "value": {"enabled": True}}

    record = record_at_create(text, "cron", context=CONTEXT, own=False)
    given = give_back(text, "cron", {**props, **record}, context=CONTEXT)

    assert record == {"adopted": True, "before": '{"enabled": true}'}
    assert (given.text, given.finding) == (text, None)


def test_a_json5_section_comes_back_with_its_text_as_written_once_the_document_is_strict() -> None:
    """A JSON5 section is recorded as JSON; once the document has become strict JSON, destroy
    splices that JSON back, so its non-ASCII text must come back as the team wrote it, not as
    `\\u` escapes nobody wrote."""
    json5 = (FIXTURES / "openclaw-comments.json5").read_text()
    adopted = '{enabled: true, failureAlert: {channel: "#通知"}}'
    text = json5.replace("\n  /* Phase 1", f"\n  cron: {adopted}, // by hand\n  /* Phase 1")
    record = record_at_create(text, "cron", context=CONTEXT, own=False)
    stacks = {**PROPS, "value": {"enabled": False}, **record}
    strict = ORIGINAL[:CLOSE].rstrip() + ',\n  "cron": {"enabled": false}\n' + ORIGINAL[CLOSE:]

    given = give_back(strict, "cron", stacks, context=CONTEXT)

    written = '{"enabled": true, "failureAlert": {"channel": "#通知"}}'
    assert (
        given.text
        == ORIGINAL[:CLOSE].rstrip() + ',\n  "cron": ' + written + "\n" + ORIGINAL[CLOSE:]
    )


def test_a_json5_document_whose_adopted_section_changed_is_refused_naming_the_document() -> None:
    """Destroy cannot splice the adopted bytes back into JSON5 without losing its comments, so
    it refuses; the refusal must name the ConfigMap key the operator has to convert."""
    json5 = (FIXTURES / "openclaw-comments.json5").read_text()
    text = json5.replace("\n  /* Phase 1", "\n  cron: {enabled: false}, // by hand\n  /* Phase 1")
    props = {**PROPS, "value": {"enabled": True}, "adopted": True, "before": '{"enabled": true}'}

    with pytest.raises(LossyDocumentError) as refused:
        give_back(text, "cron", props, context=CONTEXT)

    assert str(refused.value).startswith(
        "ConfigMap openclaw/openclaw-config key openclaw.json contains JSON5-only syntax"
    )


@pytest.mark.parametrize("manager", ["kubectl-edit", "openclaw-cron-webhook-fork", None])
def test_an_equal_section_written_by_someone_else_is_adopted_and_given_back(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str], manager: str | None
) -> None:
    """`kubectl edit`, a manager that only begins like this program's, or none recorded
    (the seeded ConfigMap's key stays argocd-controller's Apply): someone else's section."""
    seed(fake, SEEDED, manager)

    outs = created(provider)
    provider.delete(RESOURCE_ID, provider.update(RESOURCE_ID, outs, dict(PROPS)).outs or {})

    assert outs == {**PROPS, "adopted": True, "before": BY_HAND}
    assert live_text(fake) == SEEDED
    assert (fake.puts(), warnings) == ([], [])


def test_a_section_this_program_wrote_and_the_state_lost_is_not_adopted_and_goes_on_destroy(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    """The documented upgrade: `pulumi state delete --target-dependents` drops the section
    from the state, the cluster keeps it, and the next `pulumi up` creates it again."""
    created(provider)
    written = live_text(fake)
    assert key_owners(fake) == [(FIELD_MANAGER, "Update")]

    outs = created(provider)  # the state lost the first create's record
    assert outs == {**PROPS, "adopted": False, "before": None}
    assert (live_text(fake), len(fake.puts())) == (written, 1)

    provider.delete(RESOURCE_ID, outs)

    assert live_text(fake) == ORIGINAL
    assert warnings == []


def test_destroy_removes_a_section_the_stack_created_as_its_own_write(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    """Only bytes given back are written under the give-back manager: removing a section the
    stack created is the program's own change, and the API server records it as such."""
    outs = created(provider)

    provider.delete(RESOURCE_ID, outs)

    assert live_text(fake) == ORIGINAL
    assert key_owners(fake) == [(FIELD_MANAGER, "Update")]
    assert warnings == []


def test_a_stacks_own_field_manager_counts_as_this_program(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    seed(fake, SEEDED, "openclaw-cron-webhook/prod")

    outs = created(provider)
    provider.delete(RESOURCE_ID, outs)

    assert outs == {**PROPS, "adopted": False, "before": None}
    assert live_text(fake) == ORIGINAL


def entry(manager: str, operation: str, data: dict[str, Any]) -> V1ManagedFieldsEntry:
    return V1ManagedFieldsEntry(
        manager=manager, operation=operation, fields_v1={"f:data": data, "f:metadata": {}}
    )


def test_only_the_documents_key_owned_by_this_program_through_a_write_counts() -> None:
    def judged(*entries: V1ManagedFieldsEntry) -> bool:
        meta = V1ObjectMeta(name=NAME, namespace=NAMESPACE, managed_fields=list(entries))
        return written_by_this_program(V1ConfigMap(metadata=meta, data={}), KEY)

    ours: dict[str, Any] = {"f:" + KEY: {}}
    assert judged(entry(FIELD_MANAGER, "Update", ours))
    assert judged(entry("kubectl-edit", "Update", {}), entry(FIELD_MANAGER, "Apply", ours))
    assert judged(entry("openclaw-cron-webhook/staging", "Apply", ours))
    assert not judged(entry(FIELD_MANAGER, "Update", {"f:AGENTS.md": {}}))
    assert not judged(entry(GIVE_BACK_FIELD_MANAGER, "Update", ours))
    assert not judged(entry("openclaw-cron-webhook-fork", "Update", ours))
    assert not judged(entry(FIELD_MANAGER, "Unknown", ours))
    assert not judged()
    assert not written_by_this_program(V1ConfigMap(data={}), KEY)


def test_a_section_given_back_is_someone_elses_again_and_a_new_stack_adopts_it(
    fake: FakeKubeApi, provider: JsonSectionProvider, warnings: list[str]
) -> None:
    """Destroy gives back under its own manager, so the next stack's create does not take
    the bytes it put back for the program's own: it adopts them, and gives them back again."""
    seed(fake, SEEDED, "kubectl-edit")
    news = {**PROPS, "value": {**CRON, "enabled": False}}
    first = provider.update(RESOURCE_ID, created(provider), news).outs or {}
    assert key_owners(fake) == [(FIELD_MANAGER, "Update")]

    provider.delete(RESOURCE_ID, first)
    assert live_text(fake) == SEEDED
    assert key_owners(fake) == [(GIVE_BACK_FIELD_MANAGER, "Update")]

    again = created(provider)
    provider.delete(RESOURCE_ID, again)

    assert again == {**PROPS, "adopted": True, "before": BY_HAND}
    assert live_text(fake) == SEEDED
    assert warnings == []
