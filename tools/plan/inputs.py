"""The offline plan's input files, read as Pulumi and Kubernetes would read them.

Why so strict: the plan is the first thing a new user or a reviewer runs, usually on a file
they just exported or typed. Each input (the stack file, the base openclaw.json, the base
Deployment) is checked the way its real consumer checks it — Pulumi refuses a duplicate key,
Kubernetes caps a ConfigMap at 1 MiB — and every problem surfaces as one `PlanError` naming
the file and the key, never as a traceback or, worse, a silently different reading.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stack.yaml_input import MANIFEST_LIMIT, MiB, YamlRefused, refuse_references
from tools.plan.errors import PlanError

# Kubernetes refuses a ConfigMap whose data exceeds 1 MiB in total (etcd's value limit).
CONFIGMAP_LIMIT = MiB
SECRET = "[secret]"
# Pulumi's rule for a stack's name (the last segment of `org/project/stack`).
STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
STACK_FILE = re.compile(r"^Pulumi\.(?P<name>.+)\.yaml$")
# Leading JSON5 whitespace and comments: what may precede the `{` of an openclaw.json.
_JSON5_PREAMBLE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)


class _StrictLoader(yaml.CSafeLoader):
    """YAML as Pulumi's and Kubernetes' Go parsers read it, not as YAML 1.1 does.

    A repeated key is an error (Pulumi refuses it; PyYAML silently keeps the last one);
    `yes`/`no`/`on`/`off` and dates stay strings (YAML 1.2, as Go reads them), so a value is
    never judged as something Pulumi would not see. Aliases and merge keys never reach it
    (`load_yaml_documents` refuses them first, from the parser's events).

    libyaml's parser (CSafeLoader, in PyYAML's wheels) reads ~9x faster than the pure-Python
    one (1 ms against 9 ms for an 8 kB Deployment and ConfigMap).
    """

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.constructed_objects[key_node]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return mapping


# Go's YAML (v3) has no dates and no base-60 numbers, and knows only true/false as booleans.
_REPLACED = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


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


@dataclass(frozen=True)
class BaseConfig:
    """The openclaw.json the section is applied to, and the ConfigMap manifest it came in."""

    path: Path
    document: str
    manifest: dict[str, Any] | None


def read_text(path: Path, what: str, limit: int, why: str) -> str:
    """A UTF-8 text file of at most `limit` bytes, or a PlanError that says what is wrong."""
    try:
        if path.is_dir():
            raise PlanError(f"{what} {path} is a folder, not a file")
        size = path.stat().st_size
        if size > limit:
            raise PlanError(f"{what} {path} is {size:,} bytes: {why}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise PlanError(f"{what} {path}: no such file") from None
    except OSError as exc:
        raise PlanError(f"{what} {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError(
            f"{what} {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}): is it a binary file?"
        ) from None
    if "\x00" in text:
        raise PlanError(f"{what} {path} contains NUL bytes: is it a binary file?")
    return text


def _yaml_error(path: Path, exc: yaml.YAMLError) -> PlanError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        return PlanError(f"{path}: invalid YAML at {where}: {problem}")
    return PlanError(f"{path}: invalid YAML: {' '.join(str(exc).split())}")


def load_yaml_documents(text: str, path: Path) -> list[Any]:
    """Every YAML document in `text` (empty ones dropped), strictly; errors name the file."""
    try:
        refuse_references(text)
        return [doc for doc in yaml.load_all(text, Loader=_StrictLoader) if doc is not None]
    except YamlRefused as exc:
        raise PlanError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except RecursionError:
        raise PlanError(f"{path}: nested too deeply to be a stack file or manifest") from None


def _load_json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise PlanError(f"{path}: nested too deeply to be a manifest") from None


def looks_like_json_object(text: str) -> bool:
    match = _JSON5_PREAMBLE.match(text)
    return text[match.end() if match else 0 :].startswith("{")


def load_manifests(text: str, path: Path) -> list[Any]:
    """The objects in a manifest file: JSON or YAML, several documents, `kind: List` unrolled.

    `kubectl get -o yaml` of several objects prints a List; kustomize prints documents.
    """
    if looks_like_json_object(text):
        documents = [_load_json(text, path)]
    else:
        documents = load_yaml_documents(text, path)
    objects: list[Any] = []
    for document in documents:
        if isinstance(document, dict) and isinstance(document.get("items"), list):
            objects.extend(document["items"])
        else:
            objects.append(document)
    return objects


def _describe(obj: Any) -> str:
    if isinstance(obj, dict):
        meta = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
        name = "/".join(str(meta[k]) for k in ("namespace", "name") if meta.get(k))
        return f"{obj.get('kind', 'an object without kind')} {name}".strip()
    return f"a {type(obj).__name__}"


def _select(
    objects: list[Any],
    kind: str,
    namespace: str,
    name: str,
    path: Path,
    config_key: str,
    *,
    by_name: bool,
) -> dict[str, Any]:
    """The one object of `kind` named `namespace/name` (a manifest without namespace matches).

    Without `by_name`, a file holding a single object of that kind is taken whatever its name.
    """
    candidates = [o for o in objects if isinstance(o, dict) and o.get("kind") == kind]
    if by_name or len(candidates) > 1:
        candidates = [
            o
            for o in candidates
            if isinstance(o.get("metadata"), dict)
            and o["metadata"].get("name") == name
            and o["metadata"].get("namespace", namespace) == namespace
        ]
    if len(candidates) != 1:
        found = ", ".join(_describe(o) for o in objects) or "nothing"
        raise PlanError(
            f"{path}: expected one {kind} (the stack's {config_key} is {namespace}/{name}); "
            f"found {found}"
        )
    selected: dict[str, Any] = candidates[0]
    if not isinstance(selected.get("metadata"), dict):
        raise PlanError(f"{path}: the {kind} has no metadata")
    return selected


# --- the stack -----------------------------------------------------------------------------


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


# --- the base openclaw.json ----------------------------------------------------------------

_LIMIT_WHY = f"a ConfigMap holds at most 1 MiB ({CONFIGMAP_LIMIT:,} bytes), so none can carry it"


def read_base_config(
    path: Path, namespace: str, config_map: str, data_key: str, *, default: bool
) -> BaseConfig:
    """A raw openclaw.json (JSON or JSON5), or a ConfigMap manifest carrying it at `data_key`."""
    what = "base document" if default else "--base-config"
    text = read_text(path, what, MANIFEST_LIMIT, _LIMIT_WHY)
    return parse_base_config(text, path, namespace, config_map, data_key, what=what)


def parse_base_config(
    text: str, path: Path, namespace: str, config_map: str, data_key: str, *, what: str
) -> BaseConfig:
    """`read_base_config` of text already read (or built: git mode's sample manifest); `path`
    and `what` name it in messages."""
    manifest: dict[str, Any] | None = None
    if looks_like_json_object(text):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            parsed = None  # JSON5 or broken: the document parser says which, with the position
        if isinstance(parsed, dict) and parsed.get("kind") == "ConfigMap":
            manifest = parsed
    else:
        objects = load_manifests(text, path)
        if not any(isinstance(o, dict) and o.get("kind") == "ConfigMap" for o in objects):
            raise PlanError(
                f"{what} {path} is neither an openclaw.json document (a JSON object) nor a "
                f"ConfigMap manifest; found {', '.join(map(_describe, objects)) or 'nothing'}"
            )
        manifest = _select(
            objects, "ConfigMap", namespace, config_map, path, "config.configMap", by_name=False
        )
    document = text if manifest is None else _data_value(manifest, data_key, path)
    size = len(document.encode())
    if size > CONFIGMAP_LIMIT:
        raise PlanError(f"{what} {path}: the document is {size:,} bytes: {_LIMIT_WHY}")
    return BaseConfig(path, document, manifest)


def _data_value(manifest: dict[str, Any], data_key: str, path: Path) -> str:
    data = manifest.get("data")
    if not isinstance(data, dict) or data_key not in data:
        keys = ", ".join(map(str, data)) if isinstance(data, dict) else "none"
        raise PlanError(
            f"{path}: the ConfigMap has no data key {data_key!r} (the stack's config.key); "
            f"its keys: {keys}"
        )
    value = data[data_key]
    if not isinstance(value, str):
        raise PlanError(f"{path}: data[{data_key!r}] is a {type(value).__name__}, not a string")
    return value


# --- the base Deployment -------------------------------------------------------------------


def read_base_deployment(path: Path, namespace: str, name: str, *, default: bool) -> dict[str, Any]:
    """The Deployment the env entry lands on, from a manifest (`kubectl get -o yaml`, Git)."""
    what = "sample Deployment" if default else "--base-deployment"
    text = read_text(path, what, MANIFEST_LIMIT, "larger than the API server accepts (3 MiB)")
    objects = load_manifests(text, path)
    return _select(objects, "Deployment", namespace, name, path, "deployment.name", by_name=True)
