"""YAML the product reads from files others write, refused before anything in it expands.

Why: an alias (`*name`) stands for its anchor's whole value, so a few nested ones make a file of
under a kilobyte expand into gigabytes when it is loaded (each level multiplies the work by ten
or so: seconds, then minutes), and a merge key (`<<: *name`) over such aliases expanded
exponentially inside PyYAML itself before 6.0.4 (yaml/pyyaml#897). No manifest, stack file or
kubeconfig needs either: aliases only save typing, and a merge key only reuses an anchored
value. So `refuse_references` reads the parser's events, the level below composing, and stops at
the first alias or merge key: nothing has been composed or constructed yet, so the check costs
one pass over the text, whatever the file holds. Anchors alone stay allowed: they expand
nothing.

`MANIFEST_LIMIT` is the API server's: it refuses a request body over 3 MiB, so no manifest a
controller applies is larger; a larger file is refused before it is read or parsed at all.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import yaml

MiB = 1024 * 1024
MANIFEST_LIMIT = 3 * MiB
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlRefused(yaml.YAMLError):
    """YAML the product refuses: the message says where, what, and what to do about it."""


def refuse_references(text: str) -> None:
    """Raise YamlRefused at the first alias or merge key in `text` (any YAMLError of the text
    itself comes through as it is)."""
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            problem = (
                f"a YAML alias (*{event.anchor}): aliases are refused, because a few nested "
                "ones expand into gigabytes and no manifest, stack file or kubeconfig needs "
                "one; write the value out"
            )
        elif isinstance(event, yaml.ScalarEvent) and (
            event.tag == _MERGE_TAG
            or (event.tag is None and event.implicit[0] and event.value == "<<")
        ):
            problem = (
                "a YAML merge key (<<): merge keys are refused, because they only reuse an "
                "anchored value and nested ones expand exponentially; write the keys out"
            )
        else:
            continue
        raise YamlRefused(f"{_where(event.start_mark)}: {problem}")


def refuse_duplicate_keys(nodes: list[yaml.Node]) -> None:
    """Raise YamlRefused at a mapping that repeats a key: kubectl and Argo CD refuse it, while
    PyYAML silently keeps the last, so the stack could edit a value no controller ever applies.
    (`nodes` share no node: `refuse_references` ran first.)"""
    pending = list(nodes)
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            keys = Counter(k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode))
            repeated = sorted(key for key, count in keys.items() if count > 1)
            if repeated:
                raise YamlRefused(
                    f"the mapping at line {node.start_mark.line + 1} repeats the key "
                    f"{', '.join(repeated)}, which Kubernetes tools refuse to apply. Keep one"
                )
            pending.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def _where(mark: Any) -> str:
    """A parser event's position (libyaml's or PyYAML's mark), counted from 1."""
    return f"line {mark.line + 1}, column {mark.column + 1}"
