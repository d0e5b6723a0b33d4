"""The GitOps side of the offline plan: the commit git mode makes, and a base a controller tracks.

Why git mode is planned from the repository's file: with `section.target: git` the change a
reviewer must approve is a commit to someone else's manifest, so the plan shows that commit —
repository, branch, file, the provider's own message, and the file's unified diff — computed
with the provider's own edit (`stages.section.git.manifest`: only the changed lines of the
literal block move, every other byte stays) on the file the user gives with `--base-config`.
What the provider would refuse (not a ConfigMap, another name, no such key, a folded scalar,
someone else's section) the plan refuses with the same message. Without `--base-config` a
sample manifest built from examples/openclaw.json stands in, and the plan says so.

Why a tracked base is refused in cluster mode: a controller with self-heal reverts an in-cluster
edit of the document within seconds, so the section provider refuses it at preview
(`stages.section.tracking`). The plan gives the same refusal when `--base-config` carries the
controller's marker (`kubectl get cm -o yaml` of the live object does; a manifest from Git
usually has only the label forms), and with `section.writeTrackedConfigMap` a warning instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.yaml_input import MANIFEST_LIMIT
from stages.section.document import DocumentError
from stages.section.git.manifest import (
    ManifestTarget,
    add_section_to_manifest,
    set_section_in_manifest,
)
from stages.section.git.provider import commit_message
from stages.section.git.repo_url import redact_url
from stages.section.plan import git_section_waits
from stages.section.tracking import ignore_differences_stanza, refusal, tracked_by
from tools.plan.bases import BaseConfig, parse_base_config
from tools.plan.errors import PlanError
from tools.plan.model import CommitPlan, TrackedPlan
from tools.plan.reading import looks_like_json_object, read_text
from tools.plan.section import masked_diff, unified_diff

# Fields only the API server sets: a manifest carrying them is `kubectl get` output.
_SERVER_FIELDS = ("resourceVersion", "uid", "managedFields", "creationTimestamp")


@dataclass(frozen=True)
class GitBase:
    """The commit, and the base the rest of the plan uses: the document inside the manifest."""

    commit: CommitPlan
    base: BaseConfig
    notes: tuple[str, ...]


def sample_manifest(document: str, namespace: str, config_map: str, key: str) -> str:
    """A ConfigMap manifest as a GitOps repository holds one: the document as a literal block,
    indented under its key, with the chomping indicator that keeps its final line breaks."""
    body = document.rstrip("\n")
    trailing = len(document) - len(body)
    chomping = "-" if trailing == 0 else "" if trailing == 1 else "+"
    lines = "".join(f"    {line}\n" if line else "\n" for line in body.split("\n"))
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {config_map}\n"
        f"  namespace: {namespace}\ndata:\n  {key}: |{chomping}\n"
        + lines
        + "\n" * max(trailing - 1, 0)
    )


def git_base(
    section: Mapping[str, Any],
    given: Path | None,
    sample: Path,
    name: Callable[[Path], str],
    *,
    owned: bool = False,
) -> GitBase:
    """Plan the commit of the GitJsonSection with these inputs on the `given` manifest (None:
    a sample built from the `sample` document), as its provider's create makes it, or its
    update when the stack already `owned` the section there; `name` shows a path as the plan
    does."""
    namespace, config_map, key = section["namespace"], section["configMap"], section["key"]
    file = str(section["path"])
    notes: list[str] = []
    if given is None:
        document = read_text(sample, "base document", MANIFEST_LIMIT, "too large")
        text = sample_manifest(document, namespace, config_map, key)
        path = sample
        base_name = (
            f"a sample manifest of ConfigMap {namespace}/{config_map} built from {name(sample)}"
        )
        source = base_name
        notes.append(
            f"no --base-config: the commit's diff is against {base_name}, not the repository's "
            f"{file}. Give that file: `git show {section['branch']}:{file} > configmap.yaml`, "
            "then --base-config configmap.yaml"
        )
    else:
        path = given
        text = read_text(given, "--base-config", MANIFEST_LIMIT, "larger than any manifest")
        base_name = name(given)
        source = (
            f"{base_name} (--base-config, standing for {file} on branch {section['branch']} of "
            f"{redact_url(str(section['repo']))})"
        )
        if looks_like_json_object(text):
            raise PlanError(
                f"--base-config {base_name} is JSON, but with section.target git the plan needs "
                f"the repository's ConfigMap manifest that the commit edits, in YAML with "
                f"{key} as a literal block: `git show {section['branch']}:{file} > "
                "configmap.yaml`, then --base-config configmap.yaml"
            )
    target = ManifestTarget(namespace, config_map, key)
    edit = set_section_in_manifest if owned else add_section_to_manifest
    try:
        edited = edit(text, target, section["section"], section["value"], source=source)
    except DocumentError as exc:
        raise PlanError(str(exc)) from None
    what = "--base-config" if given else "sample manifest"
    base = parse_base_config(text, path, namespace, config_map, key, what=what)
    if base.manifest is not None and given is not None:
        server = [f for f in _SERVER_FIELDS if f in (base.manifest.get("metadata") or {})]
        if server:
            notes.append(
                f"{base_name} carries fields only the API server sets ({', '.join(server)}): "
                "it looks like `kubectl get` output, but the commit edits the repository's "
                f"file, so its diff may differ. Give that file: `git show "
                f"{section['branch']}:{file} > configmap.yaml`"
            )
    adopted = edited == text
    commit = CommitPlan(
        repo=redact_url(str(section["repo"])),
        branch=str(section["branch"]),
        file=file,
        base=base_name,
        sample=given is None,
        author=str(section["author"]),
        message=commit_message(dict(section), "update" if owned else "set"),
        result="adopted" if adopted else "commit",
        # A literal webhookToken is masked; apply_section's note on the document says so.
        diff=""
        if adopted
        else masked_diff(unified_diff(text, edited, f"a/{file}", f"b/{file}"), text),
        waits=git_section_waits(section),
    )
    return GitBase(commit, base, tuple(notes))


def tracked_base(
    section: Mapping[str, Any], base: BaseConfig, base_name: str
) -> TrackedPlan | None:
    """In cluster mode: None when no GitOps controller tracks the base manifest; else the
    preview's refusal as a PlanError, or (`writeTrackedConfigMap`) the warning to show."""
    metadata = (base.manifest or {}).get("metadata") or {}
    annotations, labels = metadata.get("annotations"), metadata.get("labels")
    controller = tracked_by(
        annotations if isinstance(annotations, dict) else None,
        labels if isinstance(labels, dict) else None,
    )
    if not controller:
        return None
    namespace, config_map, key = section["namespace"], section["configMap"], section["key"]
    if section.get("writeTrackedConfigMap") is not True:
        raise PlanError(f"{base_name}: {refusal(namespace, config_map, key, controller)}")
    return TrackedPlan(
        by=controller,
        warning=(
            f"ConfigMap {namespace}/{config_map} in {base_name} is tracked by a GitOps "
            f"controller: {controller}. section.writeTrackedConfigMap is true, so "
            "`pulumi up` writes the section there; with self-heal the controller reverts "
            f"{key} within seconds unless the Application carries the stanza below (and then "
            f"every later Git edit of {key} stops landing)."
        ),
        ignore_differences=ignore_differences_stanza(namespace, config_map, key),
    )
