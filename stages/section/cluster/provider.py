"""What the cluster-mode section's dynamic provider does: check, create, read, diff, update and
delete one top-level section of a JSON document inside a ConfigMap.

Why a dynamic provider at all: `data["openclaw.json"]` is one string owned by someone else, and
any Kubernetes patch of it owns (and on delete, erases) the whole document. This resource reads
the document, splices in exactly its own section (`stages.section.document`), and writes it
back guarded by the object's resourceVersion (`stages.section.cluster.configmaps`); a 409 means
someone else wrote in between, so it re-reads and redoes the edit instead of overwriting theirs.

Why functions given a way to connect: the provider class Pulumi pickles stays pinned in
components/configmap_section_provider.py and only says how to reach the cluster; everything it
does lives here. The connection is made when an operation first needs it, as it always was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from stages.kubernetes_meta import FIELD_MANAGER, GIVE_BACK_FIELD_MANAGER
from stages.provider_log import warn
from stages.section.adoption import adopted_before, carried, give_back, record_at_create
from stages.section.cluster.authorship import written_by_this_program
from stages.section.cluster.configmaps import (
    ConfigMapApi,
    ConfigMapDocument,
    ConfigMapNotFound,
    ConflictError,
    read_document,
    write_document,
)
from stages.section.document import (
    add_section,
    json_equal,
    read_section,
    require_otel_diagnostics,
    set_section,
)
from stages.section.identity import CLUSTER_REPLACE_ON
from stages.section.token_placeholder import masked_section
from stages.section.tracking import refusal, tracked_by

MAX_ATTEMPTS = 5

_PROPS = (*CLUSTER_REPLACE_ON, "value")
# The user's explicit choice to write into a ConfigMap a GitOps controller tracks; it changes
# what `check` allows, never the world, so diff ignores it.
WRITE_TRACKED = "writeTrackedConfigMap"

# The cluster's ConfigMaps, reached when first called (the Kubernetes provider's cluster).
Connect = Callable[[], ConfigMapApi]
_Edit = Callable[[ConfigMapDocument], str]


def check(connect: Connect, news: dict[str, Any]) -> CheckResult:
    """Refuse, already in `pulumi preview`, a section a GitOps controller would revert.

    Runs before any write (and `pulumi up` previews first), so a reviewer sees the refusal
    and its two fixes in the PR's preview; a missing ConfigMap is left to create's error.
    """
    if news.get(WRITE_TRACKED) is True:
        return CheckResult(news, [])
    namespace, name, key = news["namespace"], news["configMap"], news["key"]
    try:
        document = read_document(connect(), namespace, name, key)
    except ConfigMapNotFound:
        return CheckResult(news, [])
    metadata = document.source.metadata
    controller = tracked_by(metadata.annotations, metadata.labels) if metadata else ""
    if not controller:
        return CheckResult(news, [])
    return CheckResult(news, [CheckFailure("configMap", refusal(namespace, name, key, controller))])


def create(connect: Connect, props: dict[str, Any]) -> CreateResult:
    """Write the section, refusing to take over one that someone else wrote differently.

    An existing section equal to the desired one is not written again, so a section already
    committed to the document's source does not block the stack. Unless this program wrote
    it (stages.section.cluster.authorship), it is adopted: the state records it and how it
    was spelled, for destroy to give back (stages.section.adoption).
    """
    section, desired = props["section"], props["value"]
    record: dict[str, Any] = {}

    def edit(document: ConfigMapDocument) -> str:
        text = add_section(document.text, section, desired, context=document.context)
        own = written_by_this_program(document.source, document.key)
        record.update(record_at_create(document.text, section, context=document.context, own=own))
        return text

    _edit(connect, props, edit)
    return CreateResult(_resource_id(props), {**_outputs(props), **record})


def update(connect: Connect, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
    """Rewrite our section; whatever it holds now is ours, even if edited by hand. What it
    held before the stack adopted it (if it did) stays recorded for destroy."""
    section, desired = news["section"], news["value"]

    def edit(document: ConfigMapDocument) -> str:
        require_otel_diagnostics(document.text, context=document.context)
        return set_section(document.text, section, desired, context=document.context)

    _edit(connect, news, edit)
    return UpdateResult({**_outputs(news), **carried(olds)})


def delete(connect: Connect, props: dict[str, Any]) -> None:
    """Remove exactly our section, or put back the one the stack adopted, byte for byte; if
    the ConfigMap, key or section is gone, so is ours (a ConfigMap or key deleted out of band,
    or a hand-edited section, is said in the output, not only skipped)."""
    section = props["section"]
    findings: list[str] = []
    # Bytes given back are not the program's: written under another name, a later create
    # adopts them again instead of taking them for its own.
    manager = FIELD_MANAGER if adopted_before(props) is None else GIVE_BACK_FIELD_MANAGER

    def edit(document: ConfigMapDocument) -> str:
        given = give_back(document.text, section, props, context=document.context)
        findings[:] = [given.finding] if given.finding else []
        return given.text

    _edit(connect, props, edit, missing_is_done=True, manager=manager)
    for finding in findings:
        warn(finding)


def diff(olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
    """Replace on a new target, update on a new value; nothing else is compared.

    Values compare as JSON (`true` is not `1`, member order does not matter). Creating the
    replacement before deleting the old one is safe because the two targets differ.
    """
    replaces = [name for name in CLUSTER_REPLACE_ON if olds.get(name) != news.get(name)]
    changes = bool(replaces) or not json_equal(olds.get("value"), news.get("value"))
    return DiffResult(changes=changes, replaces=replaces, delete_before_replace=False)


def read(connect: Connect, id_: str, props: dict[str, Any]) -> ReadResult:
    """Report the live section, so `pulumi refresh` shows hand edits and removals; a
    `webhookToken` that is not a placeholder is stored masked
    (stages.section.token_placeholder)."""
    api = connect()
    try:
        document = read_document(api, props["namespace"], props["configMap"], props["key"])
    except ConfigMapNotFound:
        return ReadResult(None, {})
    present, live = read_section(document.text, props["section"], context=document.context)
    if not present:
        return ReadResult(None, {})
    return ReadResult(id_, {**_outputs(props), **carried(props), "value": masked_section(live)})


def _edit(
    connect: Connect,
    props: dict[str, Any],
    edit: _Edit,
    *,
    missing_is_done: bool = False,
    manager: str = FIELD_MANAGER,
) -> None:
    """Read, edit and write until a write is not beaten by someone else's, a few times.

    Each attempt redoes the whole edit, checks included, on the freshly read document, so
    a concurrent change to another section survives and our checks see the current state.
    """
    api = connect()
    namespace, name, key = props["namespace"], props["configMap"], props["key"]
    for _ in range(MAX_ATTEMPTS):
        try:
            document = read_document(api, namespace, name, key)
            text = edit(document)
            if text != document.text:
                write_document(api, document, text, manager=manager)
            return
        except ConflictError:
            continue
        except ConfigMapNotFound:
            if missing_is_done:
                warn(
                    f"ConfigMap {namespace}/{name} key {key} is already gone (deleted outside "
                    f"this stack): its {props['section']} section went with it, nothing to "
                    "remove."
                )
                return
            raise
    raise ConflictError(
        f"Gave up after {MAX_ATTEMPTS} conflicting writes to ConfigMap {namespace}/{name} key "
        f"{key}: someone else changed the ConfigMap between each read and write. Nothing was "
        "written; run `pulumi up` (or `pulumi destroy`) again."
    )


def _resource_id(props: dict[str, Any]) -> str:
    return f"{props['namespace']}/{props['configMap']}/{props['key']}#{props['section']}"


def _outputs(props: dict[str, Any]) -> dict[str, Any]:
    return {name: props.get(name) for name in _PROPS}
