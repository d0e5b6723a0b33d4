"""The offline plan: what a stack will do, shown with no cloud, no cluster and no Pulumi CLI.

Why: reviewers and new users must see every resource and every Kubernetes object a stack
declares before anyone holds credentials. This evaluates the unchanged `__main__.py` on
Pulumi's mock runtime with the stack's config (secure values stay `[secret]`, never
decrypted), then prints and writes what it declared, validates the Kubernetes objects
against the official schemas, and shows the openclaw.json that results from the section.

    python -m tools.plan --stack dev [--base-config FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from components.openclaw_document import DocumentError, add_section
from tools.mock_runtime import (
    ROOT,
    SECRET_SIG,
    SIG_KEY,
    ProgramFailed,
    Recording,
    Registration,
    flatten,
    run_program,
)

KUBERNETES_VERSION = "1.33"
SECRET = "[secret]"
DEFAULT_BASE = ROOT / "examples" / "openclaw.json"
SAMPLE_DEPLOYMENT = ROOT / "examples" / "deployment.yaml"
SECTION_TYPE = "pulumi-python:dynamic/openclaw:JsonSection"
PATCH_TYPE = "kubernetes:apps/v1:DeploymentPatch"
# Inputs that are plumbing, not intent: the pickled dynamic provider.
HIDDEN_INPUTS = ("__provider",)


class PlanError(Exception):
    """A problem the plan reports and exits non-zero on (bad config, invalid object)."""


@dataclass(frozen=True)
class StackConfig:
    """A stack's config as the program will see it, with which keys are secret."""

    values: dict[str, Any]
    secret_keys: tuple[str, ...]


def _mask_secure(value: Any) -> tuple[Any, bool]:
    """Replaces `{secure: ...}` ciphertexts with a marker; we never decrypt."""
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            return SECRET, True
        masked: dict[str, Any] = {}
        any_secret = False
        for key, item in value.items():
            masked[key], secret = _mask_secure(item)
            any_secret = any_secret or secret
        return masked, any_secret
    return value, False


def load_stack_config(stack: str, root: Path = ROOT) -> tuple[str, StackConfig]:
    """Project name and merged config: Pulumi.yaml's project config, then the stack file."""
    project_file = yaml.safe_load((root / "Pulumi.yaml").read_text())
    project = project_file["name"]
    values: dict[str, Any] = {}
    for key, spec in (project_file.get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(spec, Mapping) and ("value" in spec or "default" in spec):
            values[full] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, Mapping):
            values[full] = spec
    stack_file = root / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        raise PlanError(f"no stack file {stack_file.name}: create it or pick another --stack")
    secret_keys: list[str] = []
    stack_values = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
    for key, value in stack_values.items():
        full = key if ":" in key else f"{project}:{key}"
        values[full], secret = _mask_secure(value)
        if secret:
            secret_keys.append(full)
    return project, StackConfig(values, tuple(secret_keys))


def masked_inputs(registration: Registration) -> dict[str, Any]:
    """The resource's inputs with every secret replaced by `[secret]`, ready to show.

    Keys are sorted and whole numbers are ints again: the wire format (a protobuf Struct)
    keeps neither member order nor the int/float distinction, and a plan must read the same
    on every run.
    """

    def mask(value: Any) -> Any:
        if isinstance(value, dict):
            if value.get(SIG_KEY) == SECRET_SIG:
                return SECRET
            return {k: mask(value[k]) for k in sorted(value) if k not in HIDDEN_INPUTS}
        if isinstance(value, list):
            return [mask(v) for v in value]
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    masked: dict[str, Any] = mask(registration.wire_inputs)
    return masked


def target_of(registration: Registration) -> str:
    """The real-world object a resource acts on, in the words an operator uses."""
    inputs = registration.inputs
    if registration.type.startswith("kubernetes:"):
        meta = inputs.get("metadata", {})
        verb = "patch of " if registration.type.endswith("Patch") else ""
        return (
            f"{verb}{inputs.get('apiVersion')} {inputs.get('kind')} "
            f"{meta.get('namespace')}/{meta.get('name')}"
        )
    if registration.type == "aws:ssm/parameter:Parameter":
        return f"AWS SSM parameter {inputs.get('name')} ({inputs.get('type')})"
    if registration.type == SECTION_TYPE:
        return (
            f'top-level "{inputs.get("section")}" of data["{inputs.get("key")}"] in '
            f"ConfigMap {inputs.get('namespace')}/{inputs.get('configMap')}"
        )
    if registration.type == "random:index/randomBytes:RandomBytes":
        return "Pulumi state only (a generated value, no cloud object)"
    return registration.type


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, default_flow_style=False)


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
        and all(isinstance(i, dict) and "name" in i for i in base + patch)
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


def _validate(obj: dict[str, Any], what: str) -> None:
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        raise PlanError(f"{what} is not a valid {obj.get('kind')}: {exc}") from exc


def kubernetes_objects(recording: Recording) -> dict[str, tuple[dict[str, Any], str]]:
    """{file name: (object as declared, how it was validated)} for every k8s resource."""
    objects: dict[str, tuple[dict[str, Any], str]] = {}
    for registration in recording.resources:
        if not registration.type.startswith("kubernetes:"):
            continue
        obj = masked_inputs(registration)
        meta = obj.get("metadata", {})
        patch = registration.type == PATCH_TYPE
        kind = obj["kind"].lower() + ("patch" if patch else "")
        file_name = f"{kind}-{meta.get('namespace')}-{meta.get('name')}.yaml"
        if patch:
            sample = yaml.safe_load(SAMPLE_DEPLOYMENT.read_text())
            _validate(merge_by_name(sample, obj), f"{file_name} merged into sample")
            how = f"merged into {SAMPLE_DEPLOYMENT.name}: valid (k8s {KUBERNETES_VERSION})"
        else:
            try:
                _validate(obj, file_name)
                how = f"valid (k8s {KUBERNETES_VERSION})"
            except kubernetes_validate.SchemaNotFoundError:
                how = "custom resource: no bundled schema, not schema-validated"
        objects[file_name] = (obj, how)
    return objects


def read_base_document(path: Path, data_key: str) -> str:
    """A raw openclaw.json, or the ConfigMap manifest that carries it under `data_key`."""
    text = path.read_text()
    try:
        manifest = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(manifest, dict) and manifest.get("kind") == "ConfigMap":
        data = manifest.get("data") or {}
        if data_key not in data:
            raise PlanError(f"{path}: ConfigMap has no data key {data_key!r}")
        return str(data[data_key])
    return text


def resulting_document(recording: Recording, base: Path) -> tuple[str, dict[str, Any]]:
    """openclaw.json after the section is applied, and the ConfigMap that would carry it."""
    section = recording.one(SECTION_TYPE).inputs
    document = read_base_document(base, section["key"])
    context = f"{base} ({section['key']})"
    try:
        result = add_section(document, section["section"], section["value"], context=context)
    except DocumentError as exc:
        raise PlanError(str(exc)) from exc
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": section["configMap"], "namespace": section["namespace"]},
        "data": {section["key"]: result},
    }
    _validate(configmap, "resulting ConfigMap")
    return result, configmap


def render_plan(stack: str, recording: Recording, objects: Mapping[str, tuple[Any, str]]) -> str:
    """The reviewer's view: resources in the order Pulumi creates them (destroy reverses it)."""
    ordered = recording.dependency_order()
    number = {r.urn: i for i, r in enumerate(ordered, 1)}
    lines = [f"Offline plan for stack '{stack}' (Pulumi mock runtime; nothing was contacted)", ""]
    for registration in ordered:
        after = sorted(number[d] for d in registration.dependencies if d in number)
        lines.append(f'{number[registration.urn]}. {registration.type}  "{registration.name}"')
        lines.append(f"   target: {target_of(registration)}")
        lines.append(f"   after:  {', '.join(map(str, after)) if after else '-'}")
        if registration.retain_on_delete:
            lines.append("   destroy: kept (retainOnDelete)")
        lines.append("   sets:")
        for path, value in flatten(masked_inputs(registration)).items():
            lines.append(f"     {path} = {json.dumps(value, ensure_ascii=False)}")
        lines.append("")
    lines.append("Kubernetes objects written:")
    lines.extend(f"  kubernetes/{name}: {how}" for name, (_, how) in sorted(objects.items()))
    lines.append("")
    lines.append("Stack outputs:")
    for name, value in recording.outputs.items():
        shown = SECRET if name in recording.secret_outputs else json.dumps(value)
        lines.append(f"  {name} = {shown}")
    return "\n".join(lines) + "\n"


def plan_json(recording: Recording) -> list[dict[str, Any]]:
    names = {r.urn: r.name for r in recording.resources}
    return [
        {
            "type": r.type,
            "name": r.name,
            "target": target_of(r),
            "inputs": masked_inputs(r),
            "depends_on": [names[d] for d in r.dependencies if d in names],
            "retain_on_delete": r.retain_on_delete,
        }
        for r in recording.dependency_order()
    ]


def run(stack: str, base: Path, out: Path) -> str:
    project, config = load_stack_config(stack)
    try:
        recording = run_program(
            config.values, project=project, stack=stack, secret_keys=config.secret_keys
        )
    except ProgramFailed as failed:
        raise PlanError(str(failed.cause)) from failed
    objects = kubernetes_objects(recording)
    document, configmap = resulting_document(recording, base)
    text = render_plan(stack, recording, objects)
    text += f"\nopenclaw.json after the section (base: {base}):\n{document}"

    kube_dir = out / "kubernetes"
    kube_dir.mkdir(parents=True, exist_ok=True)
    for stale in kube_dir.glob("*.yaml"):
        stale.unlink()
    for name, (obj, _) in objects.items():
        (kube_dir / name).write_text(_yaml(obj))
    meta = configmap["metadata"]
    (kube_dir / f"configmap-{meta['namespace']}-{meta['name']}.yaml").write_text(_yaml(configmap))
    (out / "openclaw.json").write_text(document)
    (out / "plan.json").write_text(json.dumps(plan_json(recording), indent=2) + "\n")
    (out / "plan.txt").write_text(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.plan", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument(
        "--base-config",
        type=Path,
        default=DEFAULT_BASE,
        help="openclaw.json to apply the section to: a raw document or a ConfigMap manifest",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "rendered", help="output folder")
    args = parser.parse_args(argv)
    try:
        text = run(args.stack, args.base_config, args.out)
    except PlanError as exc:
        print(f"plan failed: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    print(f"\nwritten to {args.out}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
