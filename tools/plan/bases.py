"""The base documents a plan applies the stack to: the openclaw.json the section lands in, and
the Deployment the env entry lands on.

Why each is checked as its real consumer checks it: a base is usually a file the user just
exported (`kubectl get -o yaml`) or typed. Kubernetes caps a ConfigMap at 1 MiB, a manifest may
hold several objects or a `kind: List`, and the one object the stack targets must be found by
kind, namespace and name; every problem is one `PlanError` naming the file and the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.yaml_input import MANIFEST_LIMIT, MiB
from tools.plan.errors import PlanError
from tools.plan.reading import load_manifests, looks_like_json_object, read_text

# Kubernetes refuses a ConfigMap whose data exceeds 1 MiB in total (etcd's value limit).
CONFIGMAP_LIMIT = MiB


@dataclass(frozen=True)
class BaseConfig:
    """The openclaw.json the section is applied to, and the ConfigMap manifest it came in."""

    path: Path
    document: str
    manifest: dict[str, Any] | None


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
