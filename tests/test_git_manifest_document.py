"""The `cron` section spliced into a ConfigMap manifest's block scalar, changing no other byte.

The file is a GitOps repo's, reviewed as a diff and handed back by `pulumi destroy`: the exact
new file is pinned for the common shapes, and for every shape a manifest can take (indentation
indicator, chomping, CRLF, comments, tags, several documents, deeper nesting) adding then
removing the section must give back the original bytes, while YAML reads the spliced document
in that one key and everything else exactly as before. Every refusal is pinned word for word:
the message is all an operator sees, and nothing may be half-edited.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from stages.section.document import (
    LossyDocumentError,
    PreconditionError,
    add_section,
)
from stages.section.git.embedded_document import ManifestError
from stages.section.git.manifest import (
    ManifestTarget,
    add_section_to_manifest,
    find_document,
    give_back_in_manifest,
    set_section_in_manifest,
)

ALIAS = (
    "a YAML alias (*{}): aliases are refused, because a few nested ones expand into gigabytes "
    "and no manifest, stack file or kubeconfig needs one; write the value out"
)
MERGE = (
    "a YAML merge key (<<): merge keys are refused, because they only reuse an anchored value "
    "and nested ones expand exponentially; write the keys out"
)
TARGET = ManifestTarget("openclaw", "openclaw-config", "openclaw.json")
SOURCE = "apps/openclaw/configmap.yaml (branch main of file:///srv/gitops.git)"
CONTEXT = f"openclaw.json of ConfigMap openclaw/openclaw-config in {SOURCE}"
CRON = {"enabled": True, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"}
DOCUMENT = """{
  "gateway": {
    "port": 18789
  },
  "plugins": {
    "entries": {
      "diagnostics-otel": {
        "enabled": true
      }
    }
  }
}"""
WITH_CRON = (
    DOCUMENT[:-2]
    + """,
  "cron": {
    "enabled": true,
    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"
  }
}"""
)
HEAD = """\
# The gateway's configuration; Argo CD applies this file.
apiVersion: v1
kind: ConfigMap
metadata:
  name: openclaw-config
  namespace: openclaw
  labels:
    app.kubernetes.io/name: "openclaw"   # quoted on purpose
data:
  AGENTS.md: |
    # Agents
"""


def block(document: str, indent: str = "    ") -> str:
    return "".join(indent + line + "\n" if line else "\n" for line in document.split("\n"))


def manifest(document: str = DOCUMENT, header: str = "|", tail: str = "") -> str:
    return HEAD + f"  openclaw.json: {header}\n" + block(document) + tail


def add(text: str, value: Any = CRON) -> str:
    return add_section_to_manifest(text, TARGET, "cron", value, source=SOURCE)


def remove(text: str) -> str:
    return give_back_in_manifest(text, TARGET, "cron", {}, source=SOURCE).text


def test_the_section_lands_inside_the_block_and_nothing_else_changes() -> None:
    original = manifest(tail="  SOUL.md: |-\n    be kind\n# end\n")

    assert add(original) == manifest(WITH_CRON, tail="  SOUL.md: |-\n    be kind\n# end\n")


def test_crlf_manifest_gets_crlf_lines() -> None:
    original = manifest().replace("\n", "\r\n")

    spliced = add(original)

    assert spliced == manifest(WITH_CRON).replace("\n", "\r\n")
    assert yaml.safe_load(spliced)["data"]["openclaw.json"] == WITH_CRON + "\n"
    assert remove(spliced) == original


def test_an_update_rewrites_only_the_changed_lines() -> None:
    spliced = add(manifest())

    updated = set_section_in_manifest(
        spliced, TARGET, "cron", {**CRON, "enabled": False}, source=SOURCE
    )

    assert updated == manifest(WITH_CRON.replace('"enabled": true,', '"enabled": false,'))


def test_an_equal_section_is_adopted_as_the_same_bytes() -> None:
    spliced = add(manifest())

    assert add(spliced) == spliced
    assert add(spliced, dict(reversed(CRON.items()))) == spliced


def test_removing_an_absent_section_is_the_same_file() -> None:
    original = manifest()

    assert remove(original) == original


SHAPES = {
    "reference": manifest(),
    "strip-chomping-no-final-newline": manifest(header="|-").removesuffix("\n"),
    "keep-chomping-blank-lines-then-a-key": manifest(header="|+", tail="\n\n  other: x\n"),
    "clip-with-trailing-blank-lines": manifest(tail="\n   \n\n"),
    "indentation-indicator": HEAD + "  openclaw.json: |2\n" + block(DOCUMENT, "      "),
    "indicator-after-chomping": HEAD + "  openclaw.json: |-2\n" + block(DOCUMENT, "    "),
    "indicator-then-chomping": HEAD + "  openclaw.json: |4+\n" + block(DOCUMENT, "      "),
    "comment-after-header": manifest(header="|  # owned by the app team; cron by Pulumi"),
    "tag-and-anchor": manifest(header="&doc !!str |"),
    "crlf": manifest(tail="  other: x\n").replace("\n", "\r\n"),
    "crlf-no-final-newline": manifest().replace("\n", "\r\n").removesuffix("\r\n"),
    "deeper-nesting": (
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: openclaw-config}\ndata:\n"
        "      openclaw.json: |\n" + block(DOCUMENT, "          ")
    ),
    "blank-and-space-lines-inside": manifest(
        DOCUMENT.replace("\n  },\n", "\n  },\n\n").replace('"port"', ' "port"')
    ).replace("\n\n", "\n  \n", 1),
    "several-documents": (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openclaw\n---\n"
        + manifest()
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n"
        + "  openclaw.json: |\n"
        + block(DOCUMENT)
    ),
    "space-line-before-the-closing-brace": manifest(DOCUMENT.removesuffix("\n}") + "\n\n}").replace(
        "\n\n", "\n  \n", 1
    ),  # a blank line written shorter than the block's indent
    "minified-document": manifest(json.dumps(json.loads(DOCUMENT), separators=(",", ":"))),
    "crlf-minified-no-final-newline": manifest(
        json.dumps(json.loads(DOCUMENT), separators=(",", ":"))
    )
    .replace("\n", "\r\n")
    .removesuffix("\r\n"),  # the one line changes, and no line break follows it
    "bom-and-unicode": "\ufeff" + manifest(DOCUMENT.replace("18789", '"ポート\\u2028"')),
}


@pytest.mark.parametrize("original", SHAPES.values(), ids=SHAPES.keys())
def test_every_shape_round_trips_byte_for_byte(original: str) -> None:
    document = find_document(original, TARGET, source=SOURCE).document

    spliced = add(original)

    before, after = list(yaml.safe_load_all(original)), list(yaml.safe_load_all(spliced))
    index = next(i for i, d in enumerate(before) if d["metadata"]["name"] == "openclaw-config")
    before[index]["data"]["openclaw.json"] = add_section(document, "cron", CRON, context="")
    assert after == before
    assert remove(spliced) == original


@pytest.mark.parametrize("original", SHAPES.values(), ids=SHAPES.keys())
def test_every_shape_changes_only_lines_inside_the_block(original: str) -> None:
    spliced = add(original)

    old, new = original.split("\n"), spliced.split("\n")
    same_start = next(i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b)
    same_end = next(i for i in range(1, len(old)) if old[-i] != new[-i]) - 1
    changed = new[same_start : len(new) - same_end]
    # Only whole lines inside the block changed, each indented at least as deep as the block.
    block_indent = len(old[same_start]) - len(old[same_start].lstrip(" "))
    assert all(line.startswith(" " * block_indent) for line in changed)
    assert old[:same_start] == new[:same_start]
    assert old[len(old) - same_end :] == new[len(new) - same_end :]


def test_namespace_may_come_from_the_controller() -> None:
    original = manifest().replace("  namespace: openclaw\n", "")

    assert add(original) == manifest(WITH_CRON).replace("  namespace: openclaw\n", "")


PATH_FIX = "`pulumi config set --path 'openclaw-cron-webhook:section.git.path' <path>`"
REFUSALS = {
    "not-a-configmap": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: openclaw\n---\n{}\n",
        f"{SOURCE} is not a ConfigMap manifest (it holds: Deployment openclaw, ? ?), so it "
        "cannot carry ConfigMap openclaw/openclaw-config. Point the stack at the file that holds "
        f"it ({PATH_FIX}), or fix `config.configMap`.",
    ),
    "empty-file": (
        "",
        f"{SOURCE} is not a ConfigMap manifest (it holds: nothing), so it cannot carry "
        "ConfigMap openclaw/openclaw-config. Point the stack at the file that holds it "
        f"({PATH_FIX}), or fix `config.configMap`.",
    ),
    "wrong-name": (
        manifest().replace("name: openclaw-config", "name: openclaw-settings"),
        f"{SOURCE} holds ConfigMap openclaw-settings, not openclaw-config (the stack's "
        f"`config.configMap`). Point the stack at the file that holds it ({PATH_FIX}), or fix "
        "`config.configMap`.",
    ),
    "wrong-namespace": (
        manifest().replace("namespace: openclaw", "namespace: gateway"),
        f"ConfigMap openclaw-config in {SOURCE} is in namespace gateway, but the stack's "
        f"namespace is openclaw. Point the stack at the right file ({PATH_FIX}) or namespace "
        "(`pulumi config set --path 'openclaw-cron-webhook:namespace' gateway`).",
    ),
    "two-configmaps-same-name": (
        manifest() + "---\n" + manifest(),
        f"{SOURCE} holds 2 ConfigMaps named openclaw-config; the stack cannot tell which one "
        "the controller applies. Keep one per file, then run `pulumi up` again.",
    ),
    "other-configmaps": (
        manifest().replace("name: openclaw-config", "name: gateway-config")
        + "---\n"
        + manifest().replace("name: openclaw-config", "name: agents-config"),
        f"{SOURCE} holds ConfigMap gateway-config, agents-config, not openclaw-config (the "
        f"stack's `config.configMap`). Point the stack at the file that holds it ({PATH_FIX}), "
        "or fix `config.configMap`.",
    ),
    "key-missing": (
        manifest().replace("openclaw.json:", "openclaw.json5:"),
        f"ConfigMap openclaw/openclaw-config in {SOURCE} has no data key openclaw.json (its "
        "keys: AGENTS.md, openclaw.json5). Check the stack's `config.key`, or commit the "
        "application's configuration first, then run `pulumi up` again.",
    ),
    "no-data": (
        HEAD.split("\ndata:")[0] + "\n",
        f"ConfigMap openclaw/openclaw-config in {SOURCE} has no data key openclaw.json (its "
        "keys: none). Check the stack's `config.key`, or commit the application's "
        "configuration first, then run `pulumi up` again.",
    ),
    "not-a-string": (
        HEAD + "  openclaw.json:\n    gateway: {}\n",
        f"ConfigMap openclaw/openclaw-config in {SOURCE}: data key openclaw.json is not a string.",
    ),
    "a-number": (
        HEAD + "  openclaw.json: 18789\n",
        f"ConfigMap openclaw/openclaw-config in {SOURCE}: data key openclaw.json is not a string.",
    ),
    "duplicate-key": (
        manifest(tail="  AGENTS.md: again\n"),
        f"{SOURCE}: the mapping at line 10 repeats the key AGENTS.md, which Kubernetes tools "
        "refuse to apply. Keep one, then run `pulumi up` again.",
    ),
    "duplicate-keys": (
        manifest(tail="  openclaw.json: again\n  AGENTS.md: again\n"),
        f"{SOURCE}: the mapping at line 10 repeats the key AGENTS.md, openclaw.json, which "
        "Kubernetes tools refuse to apply. Keep one, then run `pulumi up` again.",
    ),
    "duplicate-key-in-a-list": (  # an item of a list is a mapping like any other
        manifest().replace(
            "  labels:\n",
            "  ownerReferences:\n    - kind: Application\n      name: gw\n      name: openclaw\n"
            "  labels:\n",
        ),
        f"{SOURCE}: the mapping at line 8 repeats the key name, which Kubernetes tools refuse "
        "to apply. Keep one, then run `pulumi up` again.",
    ),
    "alias": (
        manifest(header="&doc |", tail="  copy.json: *doc\n"),
        f"{SOURCE}: line 25, column 14: {ALIAS.format('doc')}, then run `pulumi up` again.",
    ),
    "nested-aliases": (  # ten times more at each level: refused at the first alias
        HEAD
        + "  l0: &l0 lol\n"
        + "".join(f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 9)),
        f"{SOURCE}: line 13, column 12: {ALIAS.format('l0')}, then run `pulumi up` again.",
    ),
    "merge-key": (
        manifest(tail="  extra:\n    <<: {a: b}\n"),
        f"{SOURCE}: line 26, column 5: {MERGE}, then run `pulumi up` again.",
    ),
    "invalid-yaml": (
        manifest() + "  bad: [\n",
        None,  # PyYAML's own words follow the prefix
    ),
    "comment-between-anchor-and-block": (
        HEAD + "  openclaw.json: &doc # the app's\n    |\n" + block(DOCUMENT),
        f"{CONTEXT}: cannot find the block's header line; nothing changed.",
    ),
    "block-header-ends-the-file": (
        HEAD + "  openclaw.json: |",
        f"{CONTEXT}: cannot find the block's header line; nothing changed.",
    ),
    "empty-block": (
        HEAD + "  openclaw.json: |\n\n  other: x\n",
        f"{CONTEXT} is empty, so there is no document to add a section to. Commit the "
        "application's configuration first, then run `pulumi up` again.",
    ),
}


@pytest.mark.parametrize(("text", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refusals_name_the_file_and_the_fix(text: str, message: str | None) -> None:
    with pytest.raises(ManifestError) as raised:
        add(text)

    if message is None:
        assert str(raised.value).startswith(f"{SOURCE} is not valid YAML (")
        assert str(raised.value).endswith(
            "), so no controller can apply it either. Fix the file in the repository, then run "
            "`pulumi up` again."
        )
    else:
        assert str(raised.value) == message


STYLES = {
    "folded": ("openclaw.json: >\n" + block(DOCUMENT), "folded block scalar (`>`)"),
    "double-quoted": ("openclaw.json: " + json.dumps(DOCUMENT) + "\n", "double-quoted string"),
    "single-quoted": ("openclaw.json: '{\"a\": 1}'\n", "single-quoted string"),
    "plain": ('openclaw.json: x{"a":1}\n', "plain scalar"),
}


@pytest.mark.parametrize(("entry", "style"), STYLES.values(), ids=STYLES.keys())
def test_styles_a_splice_cannot_preserve_are_refused_with_the_way_out(
    entry: str, style: str
) -> None:
    with pytest.raises(ManifestError) as raised:
        add(HEAD + "  " + entry)

    assert str(raised.value) == (
        f"ConfigMap openclaw/openclaw-config in {SOURCE}: data key openclaw.json is written as "
        f"a {style}. The stack edits the document by rewriting only the changed lines of a "
        "literal block scalar, which this style does not have. Rewrite the value once as a "
        "literal block (`openclaw.json: |` followed by the JSON, each line indented below the "
        "key), commit that, then run `pulumi up` again."
    )


UNMAPPABLE = (
    f"{CONTEXT}: the block's lines do not map one to one onto the document's lines (it holds "
    "characters YAML reads as line breaks, such as a lone carriage return, NEL, U+2028 or "
    "U+2029, or uses an unusual layout), so a splice could change other bytes. Rewrite the "
    "value as a plain literal block (`key: |` and the JSON indented below it, those characters "
    "escaped as \\u2028 etc.), then run `pulumi up` again."
)


@pytest.mark.parametrize("breaker", ["\u2028", "\x85", "\r"], ids=["u2028", "nel", "lone-cr"])
def test_yaml_line_breaks_inside_the_document_are_refused(breaker: str) -> None:
    # Valid YAML: the next "line" is indented like the block, so YAML reads on.
    text = manifest(DOCUMENT.replace('"port": ', f'"port":{breaker}        '))

    with pytest.raises(ManifestError) as raised:
        add(text)

    assert str(raised.value) == UNMAPPABLE


def test_an_edit_that_would_not_read_back_is_refused() -> None:
    """The read-back check, the net under the splice (aliases, which could make another key
    change with this one, are refused before): here, new lines at a wrong indentation."""
    embedded = dataclasses.replace(find_document(manifest(), TARGET, source=SOURCE), _indent=6)

    with pytest.raises(ManifestError) as raised:
        embedded.replace(add_section(embedded.document, "cron", CRON, context=CONTEXT))

    assert str(raised.value) == (
        f"{CONTEXT}: after the edit the file would not read back as the same objects with only "
        "this document changed, so nothing was changed. Rewrite the value once as a plain "
        "literal block (`key: |` and the JSON indented below it), then run `pulumi up` again."
    )


@pytest.mark.parametrize(
    "document",
    [DOCUMENT, json.dumps(json.loads(DOCUMENT), separators=(",", ":")), DOCUMENT + "\n\n"],
    ids=["one-fewer", "none-after-a-minified-document", "one-more"],
)
def test_an_edit_of_the_final_line_breaks_is_refused(document: str) -> None:
    """The block's value ends with one line break (clip chomping); an edit with fewer or more
    final line breaks is refused for that reason, before any line is rewritten."""
    embedded = find_document(manifest(), TARGET, source=SOURCE)

    with pytest.raises(ManifestError) as raised:
        embedded.replace(document)

    assert str(raised.value) == (
        f"{CONTEXT}: the edit would change the document's final line breaks, which the block "
        "scalar's chomping decides; nothing was changed."
    )


def test_someone_elses_section_is_refused() -> None:
    text = manifest(WITH_CRON.replace('"enabled": true,', '"enabled": false,'))

    with pytest.raises(PreconditionError) as raised:
        add(text)

    assert str(raised.value).startswith(
        f'{CONTEXT} already has a top-level "cron" section that this stack does not own, and it '
        "differs from the section this stack would write."
    )


def test_phase1_is_required_on_create_and_update() -> None:
    without = manifest(DOCUMENT.replace('"enabled": true', '"enabled": false'))

    for edit in (
        add,
        lambda text: set_section_in_manifest(text, TARGET, "cron", CRON, source=SOURCE),
    ):
        with pytest.raises(PreconditionError) as raised:
            edit(without)
        assert str(raised.value).startswith(
            f"{CONTEXT}: Phase 1 is not complete: plugins.entries.diagnostics-otel.enabled must "
            "be true, but it is false."
        )


def test_json5_documents_are_refused_not_rewritten() -> None:
    text = manifest(DOCUMENT.replace('"gateway": {', '"gateway": { // the port'))

    for edit in (
        add,
        lambda text: set_section_in_manifest(text, TARGET, "cron", CRON, source=SOURCE),
    ):
        with pytest.raises(LossyDocumentError, match=f"^{re.escape(CONTEXT)} contains JSON5-only"):
            edit(text)


# Any layout a literal block can have, any section value: add then remove is the same file.
layouts = st.fixed_dictionaries(
    {
        "indent": st.integers(1, 6),
        "header": st.sampled_from(["|", "|-", "|+", "|2", "|-1", "|+3"]),
        "crlf": st.booleans(),
        "trailing": st.sampled_from(["", "\n", "\n\n", "  next: x\n"]),
        "final_newline": st.booleans(),
    }
)
# Strings may hold what YAML 1.1 reads as a line break (NEL, U+2028): they must be escaped.
texts = st.text(st.characters(codec="utf-8") | st.sampled_from("\x85\u2028\u2029\r"), max_size=5)
section_values = st.dictionaries(
    texts, st.none() | st.booleans() | st.integers() | texts, max_size=3
)


@given(layout=layouts, value=section_values)
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
def test_any_layout_round_trips(layout: dict[str, Any], value: dict[str, Any]) -> None:
    header = layout["header"]
    extra = int(header[-1]) if header[-1].isdigit() else 0
    indent = " " * (2 + (extra or layout["indent"]))
    text = HEAD + f"  openclaw.json: {header}\n" + block(DOCUMENT, indent) + layout["trailing"]
    if not layout["final_newline"]:
        text = text.removesuffix("\n")
    if layout["crlf"]:
        text = text.replace("\n", "\r\n")

    spliced = add(text, value)

    loaded = yaml.safe_load(spliced)["data"]["openclaw.json"]
    assert json.loads(loaded)["cron"] == value
    assert remove(spliced) == text
