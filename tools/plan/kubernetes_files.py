"""The Kubernetes objects a plan writes, each validated as the API server would see it.

Why merge before validating: the env stage applies a partial Deployment (one env entry of one
container) with Server-Side Apply. Alone it is not a valid Deployment; merged into the real
one (or the sample) it must be — and a container name that is not there would not be merged
but ADDED, as a second container without an image. So the plan checks the name against the
base first and reports the typo with the containers that exist. Its file is named after the
resource that applies it (the env entry), not after the Deployment it only touches.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes_validate
import kubernetes_validate.utils
import yaml

from tools.plan.bases import read_base_deployment
from tools.plan.errors import PlanError
from tools.plan.image import PodImage, image_of
from tools.plan.paths import SAMPLE_DEPLOYMENT, shown

KUBERNETES_VERSION = "1.33"

# kubernetes-validate parses its bundled schema files again on every call, _definitions.json
# (several MB) included: most of a plan's time went to json.load. The files never change while
# we run, and jsonschema only reads a schema, so each is parsed once per process.
kubernetes_validate.utils.schema_contents = functools.cache(
    kubernetes_validate.utils.schema_contents
)


@dataclass(frozen=True)
class KubernetesFile:
    """One file under `kubernetes/`: the object as applied, and how it was checked.

    `variables`: for a partial Deployment, every env name its containers have once merged
    (what the app will find set).
    """

    name: str
    obj: dict[str, Any]
    validation: str
    variables: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """Where it goes in the output folder."""
        return f"kubernetes/{self.name}"

    def text(self) -> str:
        return _yaml(self.obj)


def merge_by_name(base: Any, patch: Any) -> Any:
    """Server-Side Apply's merge for the lists a Deployment patch touches.

    Objects merge key by key; lists of named objects (containers, env) merge by `name`, so
    the result is what the API server would hold after the patch.
    """
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = merge_by_name(base[key], value) if key in base else value
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in base + patch)
    ):
        by_name = {item["name"]: item for item in base}
        order = [item["name"] for item in base]
        for item in patch:
            if item["name"] in by_name:
                by_name[item["name"]] = merge_by_name(by_name[item["name"]], item)
            else:
                order.append(item["name"])
                by_name[item["name"]] = item
        return [by_name[name] for name in order]
    return patch


def validate(obj: dict[str, Any], what: str) -> None:
    """Strict validation against the bundled schema of Kubernetes KUBERNETES_VERSION.

    Raises `kubernetes_validate.SchemaNotFoundError` for a kind without a bundled schema.
    """
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not (
        isinstance(api_version, str)
        and re.fullmatch(r"[a-z0-9.-]+/[a-z0-9]+|v1", api_version)
        and isinstance(kind, str)
        and re.fullmatch(r"[A-Za-z0-9]+", kind)
    ):
        raise PlanError(f"{what} has no valid apiVersion and kind ({api_version!r}, {kind!r})")
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        where = ".".join(map(str, exc.path)) or "(top)"
        raise PlanError(
            f"{what} is not a valid {kind} (k8s {KUBERNETES_VERSION}): {where}: {exc.message}"
        ) from None


def _containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """spec.template.spec.containers, whatever shape a hand-written manifest has."""
    spec: Any = obj
    for key in ("spec", "template", "spec"):
        spec = spec.get(key) if isinstance(spec, dict) else None
    containers = spec.get("containers") if isinstance(spec, dict) else None
    return [c for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []


def _check_containers(base: dict[str, Any], patch: dict[str, Any], source: str) -> None:
    existing = [c.get("name") for c in _containers(base)]
    for container in _containers(patch):
        if container.get("name") not in existing:
            raise PlanError(
                f"deployment.container {container.get('name')!r} is not a container of "
                f"{source} (its containers: {', '.join(map(str, existing)) or 'none'}): the "
                "env entry would add a second container without an image. Fix it with "
                "`pulumi config set --path 'openclaw-cron-webhook:deployment.container' "
                "<one of those>`"
            )


def _check_env_values(merged: dict[str, Any], patch: dict[str, Any], source: str) -> None:
    """An entry the base sets with a literal `value` cannot also take our `valueFrom`."""
    ours = [(c["name"], e["name"]) for c in _containers(patch) for e in c["env"]]
    for container in _containers(merged):
        env = container.get("env")
        for item in env if isinstance(env, list) else []:
            if (
                isinstance(item, dict)
                and (container.get("name"), item.get("name")) in ours
                and "value" in item
                and "valueFrom" in item
            ):
                raise PlanError(
                    f"{source}: container {container.get('name')} already sets "
                    f"{item.get('name')} to a literal value; Kubernetes refuses `value` and "
                    "`valueFrom` together. Remove that entry from the Deployment's source first"
                )


def deployment_file(
    patch: dict[str, Any], base: dict[str, Any], source: str, applied_by: str
) -> KubernetesFile:
    """The partial Deployment a resource applies, checked merged into `base`; its file is
    named `applied_by`-namespace-name."""
    _check_containers(base, patch, source)
    merged = merge_by_name(base, patch)
    _check_env_values(merged, patch, source)
    try:
        validate(merged, f"the env entry merged into {source}")
    except PlanError:
        validate(base, source)  # if the base itself is invalid, say so instead
        raise
    namespace, name = patch["metadata"].get("namespace"), patch["metadata"].get("name")
    patched = [c["name"] for c in _containers(patch)]
    return KubernetesFile(
        f"{applied_by}-{namespace}-{name}.yaml",
        patch,
        f"merged into {source}: valid (k8s {KUBERNETES_VERSION})",
        tuple(
            item["name"]
            for container in _containers(merged)
            if container["name"] in patched
            for item in container.get("env") or []
        ),
    )


def object_file(obj: dict[str, Any]) -> KubernetesFile:
    """A whole object a resource applies, validated alone (a custom resource has no schema)."""
    meta = obj.get("metadata") or {}
    file_name = f"{str(obj.get('kind')).lower()}-{meta.get('namespace')}-{meta.get('name')}.yaml"
    try:
        validate(obj, file_name)
        how = f"valid (k8s {KUBERNETES_VERSION})"
    except kubernetes_validate.SchemaNotFoundError:
        how = "custom resource: no bundled schema, not schema-validated"
    return KubernetesFile(file_name, obj, how)


def resource_file(
    type_: str, manifest: dict[str, Any], into_deployment: bool, base_deployment: Path | None
) -> tuple[KubernetesFile, PodImage | None]:
    """The object a resource of `type_` applies, validated (a partial Deployment merged into its
    base: `base_deployment`, else the sample), and, for a Deployment given with
    --base-deployment, the image its pods run."""
    if not into_deployment:
        return object_file(manifest), None
    namespace, name = manifest["metadata"]["namespace"], manifest["metadata"]["name"]
    path = base_deployment or SAMPLE_DEPLOYMENT
    base = read_base_deployment(path, namespace, name, default=base_deployment is None)
    source = (
        f"Deployment {namespace}/{name} in {shown(path)}"
        if base_deployment
        else f"the sample {shown(path)} (give yours: --base-deployment)"
    )
    written = deployment_file(manifest, base, source, type_.rsplit(":", 1)[-1].lower())
    if base_deployment is None:  # the sample's image says nothing about the pods
        return written, None
    container = manifest["spec"]["template"]["spec"]["containers"][0]["name"]
    return written, image_of(base, container, shown(path))


def configmap_file(configmap: dict[str, Any]) -> KubernetesFile:
    """The ConfigMap the section leaves, already validated where it was built."""
    meta = configmap["metadata"]
    return KubernetesFile(
        f"configmap-{meta['namespace']}-{meta['name']}.yaml",
        configmap,
        f"the ConfigMap with the section: valid (k8s {KUBERNETES_VERSION})",
    )


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, default_flow_style=False, allow_unicode=True)
