"""How the document's lines are found in the manifest's literal block and rewritten there.

`stages.section.git.embedded_document` maps the block's file lines one to one onto the
document's lines, so that an edit rewrites only the lines that changed. The mapping must agree
with YAML's own reading for any block YAML reads (whatever its first and last lines hold), and
the rewrite must be refused, naming the file, whenever the edited file would not read back as
the same objects: tests/test_git_manifest_document.py pins the edits of the common shapes, here
are the edges of that mapping.
"""

from __future__ import annotations

import pytest
import yaml
from test_git_manifest_document import CONTEXT, CRON, DOCUMENT, SOURCE, TARGET, block

from stages.section.git.embedded_document import ManifestError
from stages.section.git.manifest import add_section_to_manifest, find_document


def manifest(document: str = DOCUMENT, tail: str = "") -> str:
    """The manifest without the shared one's leading comment: the block's edges are the subject."""
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        "  namespace: openclaw\ndata:\n  openclaw.json: |\n" + block(document) + tail
    )


def indented(document: str) -> str:
    """Every line one space deeper than the first: YAML takes the block's indentation from the
    first line with content, so the others keep that space in the value."""
    return "\n ".join(document.split("\n"))


FIRST_AND_LAST_LINES = {
    # JSON5 (which verify reads) counts a no-break space as whitespace.
    "no-break-space-first": "\u00a0\n " + indented(DOCUMENT),
    "trailing-spaces-last": DOCUMENT + "   ",
    # A hand-broken document is located as it is; its JSON is judged (and refused) after.
    "stray-marker-first": "XXX\n " + indented(DOCUMENT),
    "stray-marker-last": DOCUMENT + "\nXXX",
}


@pytest.mark.parametrize("document", FIRST_AND_LAST_LINES.values(), ids=FIRST_AND_LAST_LINES)
def test_the_document_found_is_what_yaml_reads_whatever_its_edge_lines_hold(
    document: str,
) -> None:
    text = manifest(document)

    found = find_document(text, TARGET, source=SOURCE).document

    assert found == yaml.safe_load(text)["data"]["openclaw.json"] == document + "\n"


def test_a_blank_line_among_the_changed_lines_stays_empty() -> None:
    """New lines get the block's indentation, but an empty one gets none: no trailing spaces
    in the reviewed diff."""
    embedded = find_document(manifest(), TARGET, source=SOURCE)
    document = DOCUMENT.replace("18789", "18790").replace('\n  "plugins"', '\n\n  "plugins"')

    assert embedded.replace(document + "\n") == manifest(document)


def test_a_tag_yaml_cannot_construct_is_refused_naming_the_file() -> None:
    """Finding the document only composes the file; the read-back check constructs it, and a
    tag PyYAML's safe loader does not know stops the edit there."""
    with pytest.raises(ManifestError) as raised:
        add_section_to_manifest(
            manifest(tail="  extra: !vault secret\n"), TARGET, "cron", CRON, source=SOURCE
        )

    assert str(raised.value).startswith(
        f"{CONTEXT}: the file cannot be read as plain YAML (could not determine a constructor "
        "for the tag '!vault'"
    )
    assert str(raised.value).endswith(").")


def test_a_document_yaml_cannot_carry_is_refused_by_the_read_back() -> None:
    """A C0 control character (which JSON itself would escape) cannot stand in a YAML file:
    the edited file would not load, so nothing is written."""
    embedded = find_document(manifest(), TARGET, source=SOURCE)

    with pytest.raises(ManifestError) as raised:
        embedded.replace(DOCUMENT.replace("18789", '"\x01"') + "\n")

    assert str(raised.value).startswith(f"{CONTEXT}: the file cannot be read as plain YAML (")
