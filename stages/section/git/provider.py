"""What the git-mode section's dynamic provider does: create, read, diff, update and delete one
top-level section of `openclaw.json` through the GitOps repository.

Why through Git (`section.target: git`): where a GitOps controller with self-heal owns the
ConfigMap (Argo CD in the reference cluster), an in-cluster edit of the document is reverted
within seconds. So this resource commits the section to the ConfigMap's manifest in the repo
(`stages.section.git.manifest`: every other byte of the file stays; `stages.section.git.repo`:
the user's own git, a concurrent push kept), then waits until the live ConfigMap carries it
(`stages.section.git.delivery`). diff and refresh compare with the file at the branch head: a
no-op preview shows no change, and a hand edit of the section in Git shows as drift.

Nothing about the connection is stored: the cluster is the Kubernetes provider's, the
repository is reached with the user's git setup, and the state holds only the repository URL,
which must carry no credential (`repo_url.url_problem`). Why functions given a `Delivery`: the
provider class Pulumi pickles stays pinned in components/git_section_provider.py and only says
how to reach the cluster and which clock to wait by; everything it does lives here.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from stages.provider_log import warn
from stages.section.adoption import adopted_before, carried, record_at_create
from stages.section.document import json_equal, read_section
from stages.section.git.clone import GitFile
from stages.section.git.delivery import Delivery, carries, restored
from stages.section.git.manifest import (
    ManifestTarget,
    add_section_to_manifest,
    find_document,
    give_back_in_manifest,
    set_section_in_manifest,
)
from stages.section.git.repo import GitFileMissing, commit_edit, last_change_message, read_head
from stages.section.git.repo_url import redact_url
from stages.section.identity import GIT_REPLACE_ON
from stages.section.token_placeholder import masked_section

# Changing these is an update: the section (or how it is delivered) changes in place.
_UPDATE_PROPS = ("value", "author", "deliveryTimeoutSeconds", "application", "applicationNamespace")
_PROPS = (*GIT_REPLACE_ON, *_UPDATE_PROPS, "stack")


def create(delivery: Delivery, props: dict[str, Any]) -> CreateResult:
    """Commit the section unless an equal one is there (adopted unless this stack committed
    it: recorded, with its bytes, for destroy to give back), refusing someone else's different
    section and a missing Phase 1 before anything is committed; then await it."""
    target, file, section = _target(props), _file(props), props["section"]
    record: dict[str, Any] = {}

    def edit(text: str) -> str:
        edited = add_section_to_manifest(text, target, section, props["value"], source=file.source)
        embedded = find_document(text, target, source=file.source)
        document, context = embedded.document, embedded.context
        own = edited == text and committed_by_this_stack(file, props)
        record.update(record_at_create(document, section, context=context, own=own))
        return edited

    result = commit_edit(file, edit, author=props["author"], message=commit_message(props, "set"))
    delivery.deliver(props, result, carries(props), source=file.source)
    return CreateResult(_resource_id(props), {**_outputs(props, result.commit), **record})


def update(delivery: Delivery, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
    """Rewrite our section (whatever it holds now, even if edited by hand), then await it; an
    adoption stays recorded."""
    target, file, section = _target(news), _file(news), news["section"]

    def edit(text: str) -> str:
        return set_section_in_manifest(text, target, section, news["value"], source=file.source)

    result = commit_edit(file, edit, author=news["author"], message=commit_message(news, "update"))
    delivery.deliver(news, result, carries(news), source=file.source)
    return UpdateResult({**_outputs(news, result.commit), **carried(olds)})


def delete(delivery: Delivery, props: dict[str, Any]) -> None:
    """Remove exactly our section, or commit back the one the stack adopted, byte for byte
    (stages.section.adoption; a hand edit found is said, naming the commit that still holds
    it), then wait until the live document is, byte for byte, the one at that commit. A
    manifest already gone from the branch leaves nothing to do."""
    target, file, section = _target(props), _file(props), props["section"]
    findings: list[str] = []

    def edit(text: str) -> str:
        given = give_back_in_manifest(text, target, section, props, source=file.source)
        findings[:] = [given.finding] if given.finding else []
        return given.text

    verb = "remove" if adopted_before(props) is None else "restore"
    try:
        message = commit_message(props, verb)
        result = commit_edit(file, edit, author=props["author"], message=message)
    except GitFileMissing:
        return
    for finding in findings:
        where = f" The hand-edited file is in the history: the parent of commit {result.commit}."
        warn(finding + (where if result.pushed else ""))
    expected = find_document(result.text, target, source=file.source).document
    delivery.deliver(props, result, restored(props, expected, result.commit), source=file.source)


def diff(olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
    """Replace on a new target; update on a new value or delivery setting, or when the
    section at the branch head is not the desired one (someone edited it in Git).

    Values compare as JSON. A replacement deletes first: two spellings of one repository's
    URL are different targets, and creating first would let the delete remove the section
    the create just adopted.
    """
    replaces = [name for name in GIT_REPLACE_ON if olds.get(name) != news.get(name)]
    if replaces:
        return DiffResult(changes=True, replaces=replaces, delete_before_replace=True)
    changed = not json_equal(olds.get("value"), news.get("value")) or any(
        olds.get(name) != news.get(name) for name in _UPDATE_PROPS if name != "value"
    )
    if not changed:
        present, head = _section_at_head(news)
        changed = not present or not json_equal(head, news.get("value"))
    return DiffResult(changes=changed, replaces=[], delete_before_replace=True)


def read(id_: str, props: dict[str, Any]) -> ReadResult:
    """The section at the branch head, so `pulumi refresh` shows hand edits in Git; gone if
    the manifest or the section is. A `webhookToken` that is not a placeholder is stored
    masked (stages.section.token_placeholder)."""
    present, head = _section_at_head(props)
    if not present:
        return ReadResult(None, {})
    value = masked_section(head)
    outputs = {**_outputs(props, props.get("commit")), **carried(props), "value": value}
    return ReadResult(id_, outputs)


def committed_by_this_stack(file: GitFile, props: dict[str, Any]) -> bool:
    """The last commit that changed the file is this stack's `set` or `update` of the section
    (a `restore` commit gave back someone else's bytes, so it does not count). Why it matters,
    and the cluster-mode twin: stages.section.cluster.authorship."""
    message = last_change_message(file).strip()
    return any(message == commit_message(props, verb).strip() for verb in ("set", "update"))


def commit_message(props: dict[str, Any], verb: str) -> str:
    """The commit message: subject naming the stack and the change; body saying who owns it.

    Public because the offline plan (tools.plan.gitops) shows the very message a commit gets."""
    stack, section, key = props["stack"], props["section"], props["key"]
    return (
        f"{stack}: {verb} {section} section in {key} (Phase 2)\n\n"
        f'Pulumi stack {stack} owns the top-level "{section}" section of {key} in ConfigMap\n'
        f"{props['namespace']}/{props['configMap']}; nothing else in this file was changed.\n"
        "Change or remove it through the stack (pulumi up / pulumi destroy).\n"
    )


def _section_at_head(props: dict[str, Any]) -> tuple[bool, object]:
    file = _file(props)
    text = read_head(file).text
    if text is None:
        return False, None
    embedded = find_document(text, _target(props), source=file.source)
    return read_section(embedded.document, props["section"], context=embedded.context)


def _file(props: dict[str, Any]) -> GitFile:
    return GitFile(props["repo"], props["branch"], props["path"])


def _target(props: dict[str, Any]) -> ManifestTarget:
    return ManifestTarget(props["namespace"], props["configMap"], props["key"])


def _resource_id(props: dict[str, Any]) -> str:
    return f"{redact_url(props['repo'])}#{props['branch']}:{props['path']}#{props['section']}"


def _outputs(props: dict[str, Any], commit: object) -> dict[str, Any]:
    return {**{name: props.get(name) for name in _PROPS}, "commit": commit}
