"""The stack a plan evaluates: Pulumi.yaml's project and config, merged with a stack file's.

Why here, read by the plan itself: the plan runs with no Pulumi CLI, so it reads the two files
the way Pulumi does — a bare key belongs to the project, `{secure: …}` is a secret — and
refuses, naming the key, anything Pulumi could not hand to a program.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.yaml_input import MiB
from tools.plan.errors import PlanError
from tools.plan.masking import SECRET
from tools.plan.reading import load_yaml_documents, read_text

# Pulumi's rule for a stack's name (the last segment of `org/project/stack`).
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
STACK_FILE = re.compile(r"^Pulumi\.(?P<name>.+)\.yaml$")


@dataclass(frozen=True)
class StackConfig:
    """A stack's config as the program will see it, with which keys are secret."""

    values: dict[str, Any]
    secret_keys: tuple[str, ...]


@dataclass(frozen=True)
class Stack:
    """Which stack is planned, from which file, and its merged config."""

    name: str
    project: str
    file: Path
    config: StackConfig


def add_stack_options(parser: argparse.ArgumentParser) -> None:
    """`--stack` or `--stack-file`: how every tool that reads a stack's file is told which,
    as `load_stack` takes them."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--stack", help="NAME, ORG/NAME or ORG/PROJECT/NAME: reads Pulumi.NAME.yaml (default dev)"
    )
    which.add_argument(
        "--stack-file", metavar="FILE", help="a Pulumi.NAME.yaml anywhere; the stack is NAME"
    )


def load_project(root: Path) -> tuple[str, dict[str, Any]]:
    """The project's name and the config values Pulumi.yaml declares for every stack."""
    path = root / "Pulumi.yaml"
    documents = load_yaml_documents(read_text(path, "project file", MiB, "too large"), path)
    project_file = documents[0] if documents else None
    if not isinstance(project_file, dict) or not isinstance(project_file.get("name"), str):
        raise PlanError(f"{path}: a project file needs a `name:`")
    project: str = project_file["name"]
    values: dict[str, Any] = {}
    declared = project_file.get("config") or {}
    if not isinstance(declared, dict):
        raise PlanError(f"{path}: `config:` must be a mapping")
    for key, spec in declared.items():
        full = _full_key(key, project, path)
        if isinstance(spec, Mapping):
            if "value" in spec or "default" in spec:
                values[full], _ = _config_value(spec.get("value", spec.get("default")), full)
        else:
            values[full], _ = _config_value(spec, full)
    return project, values


def stack_name(value: str, project: str) -> str:
    """`dev`, `org/dev` or `org/project/dev` (the form CI uses) → `dev`."""
    parts = value.split("/")
    if len(parts) == 3 and parts[1] != project:
        raise PlanError(
            f"--stack {value}: that stack belongs to project {parts[1]!r}, this is {project!r}"
        )
    if len(parts) > 3 or not STACK_NAME.match(parts[-1]):
        raise PlanError(
            f"--stack {value!r}: a stack is NAME, ORG/NAME or ORG/PROJECT/NAME, where NAME is "
            "1-100 letters, digits, '-', '_' or '.'"
        )
    return parts[-1]


def load_stack(root: Path, stack: str | None, stack_file: Path | None) -> Stack:
    """The stack named by `--stack` (its file in `root`) or by `--stack-file` (anywhere)."""
    project, values = load_project(root)
    if stack_file is None:
        name = stack_name(stack or "dev", project)
        stack_file = root / f"Pulumi.{name}.yaml"
        if not stack_file.is_file():
            raise PlanError(
                f"no stack file {stack_file.name} in {root}: create it, pick another --stack, "
                "or give --stack-file"
            )
    else:
        match = STACK_FILE.match(stack_file.name)
        if not match or not STACK_NAME.match(match["name"]):
            raise PlanError(
                f"--stack-file {stack_file}: the file must be named Pulumi.<stack>.yaml "
                "(the stack's name is taken from it)"
            )
        name = match["name"]
    text = read_text(stack_file, "stack file", MiB, "far too large for a stack file")
    documents = load_yaml_documents(text, stack_file)
    if len(documents) > 1:
        raise PlanError(f"{stack_file}: holds {len(documents)} YAML documents; a stack file is one")
    stack_doc = documents[0] if documents else {}
    if not isinstance(stack_doc, dict):
        raise PlanError(
            f"{stack_file}: a stack file is a mapping with a `config:` key, not a "
            f"{type(stack_doc).__name__}"
        )
    stack_values = stack_doc.get("config") or {}
    if not isinstance(stack_values, dict):
        raise PlanError(f"{stack_file}: `config:` must be a mapping of keys to values")
    secret_keys: list[str] = []
    for key, value in stack_values.items():
        full = _full_key(key, project, stack_file)
        values[full], secret = _config_value(value, f"{stack_file.name}: config key {full}")
        if secret:
            secret_keys.append(full)
    return Stack(name, project, stack_file, StackConfig(values, tuple(secret_keys)))


def _full_key(key: Any, project: str, path: Path) -> str:
    """`namespace:name`; a bare name belongs to the project, as in Pulumi."""
    if not isinstance(key, str) or not re.match(r"^[^:\s]+(?::[^:\s]+)?$", key):
        raise PlanError(
            f"{path}: config key {key!r} is not of the form <namespace>:<name> or <name>"
        )
    return key if ":" in key else f"{project}:{key}"


def _config_value(value: Any, where: str) -> tuple[Any, bool]:
    """The value as the program gets it, and whether it was secret (`{secure: …}`).

    Ciphertexts are replaced by `[secret]`: the plan never decrypts. Anything Pulumi could not
    hand to a program as JSON (a null, a date, a non-string key, NaN) is refused here, with
    the key's path, instead of surfacing as a traceback later.
    """
    if value is None:
        raise PlanError(f"{where} is null: give it a value or delete the key")
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            if not isinstance(value["secure"], str):
                raise PlanError(f"{where}: `secure:` must hold the ciphertext string")
            return SECRET, True
        masked: dict[str, Any] = {}
        any_secret = False
        for key, item in value.items():
            if not isinstance(key, str):
                raise PlanError(f"{where}: key {key!r} is not a string (quote it)")
            masked[key], secret = _config_value(item, f"{where}.{key}")
            any_secret = any_secret or secret
        return masked, any_secret
    if isinstance(value, list):
        items = [_config_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return [item for item, _ in items], any(secret for _, secret in items)
    if isinstance(value, float) and not math.isfinite(value):
        raise PlanError(f"{where}: {value} is not a number JSON can carry")
    if isinstance(value, (str, int, float)):
        return value, False
    raise PlanError(f"{where}: a {type(value).__name__} is not a config value ({value!r:.60})")
