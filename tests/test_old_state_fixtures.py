"""Old state works with new code: the dynamic providers as stacks' states hold them.

Pulumi pickles each dynamic resource's provider into the state (dill, by reference: the
module path and class name, plus the instance's attributes) and unpickles it, skipping
__init__, for every later refresh, update and destroy. So a state written by any earlier
release must still unpickle into today's class, and today's code may read no attribute that an
older instance lacks. tests/fixtures/old_state/ keeps each provider as the first release of it
wrote it and as today's code writes it (`<module>-<commit>.b64`, `<module>-head.b64`), with
what its create returned (the `.json` beside it), all made by running that release's own code
with the SDK's own serializer: `.venv/bin/python -m devtools.old_state_fixtures` remakes
today's (`--first` also the first releases', from `git archive COMMIT`). Today's operations
on those states: tests/test_old_state_operations.py, tests/process/test_old_state_git.py.
"""

from __future__ import annotations

import ast
import base64
import inspect
import pickletools
import textwrap
from pathlib import Path

import dill  # type: ignore[import-untyped]
import pytest
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

from components.configmap_section_provider import JsonSectionProvider
from components.deployment_env_provider import EnvEntryProvider
from components.git_section_provider import GitJsonSectionProvider
from components.rotation_guard_provider import RotationGuardProvider

FIXTURES = Path(__file__).parent / "fixtures" / "old_state"
# Every (module, class) a state of this stack references. A state written by any release
# names one of these, so none may move or be renamed: removing one would leave those stacks
# unable to refresh or destroy (docs/operations.md: destroy, or switch off, first).
STATE_REFERENCES = {
    ("components.configmap_section_provider", "JsonSectionProvider"),
    ("components.deployment_env_provider", "EnvEntryProvider"),
    ("components.git_section_provider", "GitJsonSectionProvider"),
    ("components.rotation_guard_provider", "RotationGuardProvider"),
}
PROVIDERS = (JsonSectionProvider, EnvEntryProvider, GitJsonSectionProvider, RotationGuardProvider)
# The first release of each provider, as its fixture names it.
FIRST = {
    JsonSectionProvider: "configmap_section_provider-43b8183",
    EnvEntryProvider: "deployment_env_provider-b8a56d3",
    GitJsonSectionProvider: "git_section_provider-0ea9f98",
    RotationGuardProvider: "rotation_guard_provider-1b4e884",
}


def references(serialized: str) -> set[tuple[str, str]]:
    """The (module, name) pairs a pickle imports when it is loaded."""
    strings: list[str] = []
    found: set[tuple[str, str]] = set()
    for opcode, argument, _ in pickletools.genops(base64.b64decode(serialized)):
        if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(str(argument))
        elif opcode.name == "STACK_GLOBAL":
            found.add((strings[-2], strings[-1]))
        elif opcode.name == "GLOBAL":
            module, name = str(argument).split(" ", 1)
            found.add((module, name))
    return found


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=lambda c: c.__name__)
def test_the_first_releases_state_unpickles_into_todays_class(
    provider_class: type[ResourceProvider],
) -> None:
    serialized = (FIXTURES / f"{FIRST[provider_class]}.b64").read_text().strip()
    assert references(serialized) <= STATE_REFERENCES
    restored = dill.loads(base64.b64decode(serialized))  # noqa: S301 - our own fixture
    assert type(restored) is provider_class
    for name in attributes_read(provider_class):
        getattr(restored, name)  # an attribute added since has a class-level default


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=lambda c: c.__name__)
def test_todays_serialization_is_the_head_fixture(
    provider_class: type[ResourceProvider],
) -> None:
    """A change of what today's state holds needs a new fixture (`python -m
    devtools.old_state_fixtures`), so that later code is tested against this state too."""
    stem = FIRST[provider_class].split("-")[0]
    head = (FIXTURES / f"{stem}-head.b64").read_text().strip()
    assert serialize_provider(provider_class()) == head


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=lambda c: c.__name__)
def test_todays_state_references_only_the_pinned_paths(
    provider_class: type[ResourceProvider],
) -> None:
    assert references(serialize_provider(provider_class())) == {
        (provider_class.__module__, provider_class.__name__)
    }


def test_every_referenced_path_still_imports() -> None:
    assert {(c.__module__, c.__name__) for c in PROVIDERS} == STATE_REFERENCES


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=lambda c: c.__name__)
def test_every_attribute_a_provider_reads_has_a_class_level_default(
    provider_class: type[ResourceProvider],
) -> None:
    instance_only = [n for n in attributes_read(provider_class) if not hasattr(provider_class, n)]
    assert instance_only == []


def test_the_stage_base_is_among_the_classes_read() -> None:
    """The base's one attribute is found (so the walk reaches beyond components/)."""
    assert "_client_factory" in attributes_read(JsonSectionProvider)


def attributes_read(provider_class: type) -> set[str]:
    """`self.NAME` read anywhere in the class or its bases of this project (the pinned module's
    class and the stage base it inherits from, stages.kube_connection.KubeResourceProvider)."""
    names: set[str] = set()
    for klass in provider_class.__mro__:
        if klass.__module__.split(".")[0] not in ("components", "stages"):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                names.add(node.attr)
    return names
