"""The offline plan: what a stack will do, shown with no cloud, no cluster and no Pulumi CLI.

Why: reviewers and new users must see every resource and every Kubernetes object a stack
declares — and what a change or a destroy does — before anyone holds credentials. This
evaluates the unchanged `__main__.py` on Pulumi's mock runtime with the stack's config (secure
values stay `[secret]`, never decrypted), validates what it declares against the Kubernetes
schemas, the live (or sample) Deployment and the real OpenClaw (`openclaw_runtime.judge`), and
writes
plan.txt, plan.json (shape: `tools.plan.model`), plan.md (the pull-request comment),
kubernetes/*.yaml and openclaw.json. In git mode it also shows the commit to the GitOps
repository, and in cluster mode it refuses a base a GitOps controller tracks, as the preview
does (`tools.plan.gitops`).

    python -m tools.plan [--stack NAME | --stack-file Pulumi.NAME.yaml] [--out DIR]
                         [--base-config FILE] [--base-deployment FILE]
                         [--compare PREVIOUS/plan.json]
                         [--openclaw PATH | --openclaw-version X | --no-openclaw]
                         [--artifact-url URL]

Every problem with an input is one message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from openclaw_runtime.judge import OLDEST_JUDGING, Skipped, given, pinned, requested
from openclaw_runtime.verdict import BeforeAndAfter, OpenClaw, Verdict, verdict_cache
from stages.section.git.repo import redact_url
from tools.plan import image as plan_image
from tools.plan import output as plan_output
from tools.plan.compare import compare, option_notes, summary, up_steps
from tools.plan.errors import PlanError
from tools.plan.gitops import git_base, tracked_base
from tools.plan.image import PodImage, image_of
from tools.plan.inputs import (
    SECRET,
    Stack,
    StackConfig,
    load_stack,
    read_base_config,
    read_base_deployment,
)
from tools.plan.kubernetes_files import (
    KUBERNETES_VERSION,
    KubernetesFile,
    deployment_file,
    object_file,
)
from tools.plan.markdown import markdown
from tools.plan.markdown_text import link_target
from tools.plan.mock_runtime import (
    ROOT,
    SECRET_SIG,
    SIG_KEY,
    ProgramFailed,
    Recording,
    Registration,
    run_program,
)
from tools.plan.model import (
    CommitPlan,
    DestroyStep,
    DocumentPlan,
    Plan,
    PlannedResource,
    TrackedPlan,
    load_previous,
)
from tools.plan.preview import compare_components
from tools.plan.resources import GIT_SECTION, SECTIONS, kind_of
from tools.plan.section import SectionResult, apply_section
from tools.plan.text import render, verdict_lines

DEFAULT_BASE = ROOT / "examples" / "openclaw.json"
SAMPLE_DEPLOYMENT = ROOT / "examples" / "deployment.yaml"
# bin/plan runs from the repository; it passes the caller's folder so that relative paths
# mean what the user typed.
CALLER_DIR_ENV = "OPENCLAW_PLAN_CALLER_DIR"
# Inputs that are plumbing, not intent: the pickled dynamic provider.
HIDDEN_INPUTS = ("__provider",)


@dataclass(frozen=True)
class Options:
    """The command line, with every path already resolved against the caller's folder."""

    stack: str | None
    stack_file: Path | None
    base_config: Path | None
    base_deployment: Path | None
    out: Path
    compare: Path | None
    openclaw: Path | None
    openclaw_version: str | None = None
    no_openclaw: bool = False
    artifact_url: str | None = None


def load_stack_config(stack: str, root: Path = ROOT) -> tuple[str, StackConfig]:
    """Project name and merged config of the stack `stack` in `root`, as the program sees it."""
    loaded = load_stack(root, stack, None)
    return loaded.project, loaded.config


def masked(value: Any) -> Any:
    """A wire value with every secret replaced by `[secret]`, ready to show.

    Keys are sorted and whole numbers are ints again: the wire format (a protobuf Struct)
    keeps neither member order nor the int/float distinction, and a plan must read the same
    on every run.
    """
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return SECRET
        return {k: masked(value[k]) for k in sorted(value) if k not in HIDDEN_INPUTS}
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def shown(path: Path) -> str:
    """A path as plan files show it: relative to the repository when inside it, so that a
    plan reads the same on every machine."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def resource_id(registration: Registration) -> str:
    """Type and name: unique among a program's resources, and the same in every stack."""
    return f"{registration.type}::{registration.name}"


def _secret_sources(registration: Registration, ids: Mapping[str, str]) -> dict[str, list[str]]:
    """Each secret input path → the resources it was computed from (by id)."""
    sources: dict[str, list[str]] = {}
    for path in registration.secret_paths():
        prop = path.split(".")[0].split("[")[0]
        deps = registration.property_dependencies.get(prop, [])
        sources[path] = [ids[urn] for urn in deps if urn in ids]
    return sources


def _the_section(recording: Recording) -> Registration:
    sections = [r for r in recording.resources if r.type in SECTIONS]
    if len(sections) != 1:
        raise PlanError(
            f"the program registers {len(sections)} sections ({' or '.join(SECTIONS)}), expected 1"
        )
    return sections[0]


def _owned(previous: dict[str, Any] | None, section: Registration, ids: Mapping[str, str]) -> bool:
    """Whether the compared plan's stack already owns the section where it goes now: then
    `pulumi up` updates it (the provider's update-time edit) instead of creating it."""
    if previous is None:
        return False
    inputs = _shown_inputs(section)
    return any(
        old["id"] == ids[section.urn]
        and old["action"] != "delete"
        and all(old["inputs"].get(k) == inputs.get(k) for k in kind_of(section.type).replace_on)
        for old in previous["resources"]
    )


def _shown_inputs(registration: Registration) -> dict[str, Any]:
    """The inputs a plan shows: secrets masked, and the GitOps repo's URL without userinfo (a
    token written as its user name must not reach a plan file or a PR comment)."""
    inputs: dict[str, Any] = masked(registration.wire_inputs)
    if registration.type == GIT_SECTION and isinstance(inputs.get("repo"), str):
        inputs["repo"] = redact_url(inputs["repo"])
    return inputs


def _kubernetes_file(
    manifest: dict[str, Any], into_deployment: bool, options: Options
) -> tuple[KubernetesFile, PodImage | None]:
    """The object a resource applies, validated (a partial Deployment merged into its base),
    and, for a Deployment given with --base-deployment, the image its pods run."""
    if not into_deployment:
        return object_file(manifest), None
    namespace, name = manifest["metadata"]["namespace"], manifest["metadata"]["name"]
    path = options.base_deployment or SAMPLE_DEPLOYMENT
    base = read_base_deployment(path, namespace, name, default=options.base_deployment is None)
    source = (
        f"Deployment {namespace}/{name} in {shown(path)}"
        if options.base_deployment
        else f"the sample {shown(path)} (give yours: --base-deployment)"
    )
    written = deployment_file(manifest, base, source)
    if options.base_deployment is None:  # the sample's image says nothing about the pods
        return written, None
    container = manifest["spec"]["template"]["spec"]["containers"][0]["name"]
    return written, image_of(base, container, shown(path))


def _configmap_file(result: SectionResult) -> KubernetesFile:
    meta = result.configmap["metadata"]
    return KubernetesFile(
        f"configmap-{meta['namespace']}-{meta['name']}.yaml",
        result.configmap,
        f"the ConfigMap with the section: valid (k8s {KUBERNETES_VERSION})",
    )


def _planned(
    registration: Registration,
    ids: Mapping[str, str],
    inputs: dict[str, Any],
    written: KubernetesFile | None,
) -> PlannedResource:
    """A registered resource as plan.json shows it; `create` until compared."""
    kind = kind_of(registration.type)
    return PlannedResource(
        id=ids[registration.urn],
        urn=registration.urn,
        type=registration.type,
        name=registration.name,
        action="create",
        replace_mode=None,
        changes=[],
        target=kind.target(inputs),
        inputs=inputs,
        depends_on=[ids[d] for d in registration.dependencies if d in ids],
        retain_on_delete=registration.retain_on_delete,
        waits=kind.waits(inputs),
        pods=kind.pods(inputs),
        kubernetes=(
            {"file": f"kubernetes/{written.name}", "validation": written.validation}
            if written
            else None
        ),
    )


def _compared(
    resources: list[PlannedResource],
    previous: dict[str, Any],
    ordered: list[Registration],
    ids: Mapping[str, str],
) -> tuple[list[PlannedResource], list[str], list[str]]:
    """Every resource with its action (deleted ones last), the ids of both plans in creation
    order (deletes run in its reverse), and notes on changed resource options."""
    deleted = compare(resources, previous, {ids[r.urn]: _secret_sources(r, ids) for r in ordered})
    earlier = [r["id"] for r in previous["resources"]]
    order = earlier + [r.id for r in resources if r.id not in earlier]
    return resources + deleted, order, option_notes(resources, previous)


def _build(
    options: Options, stack: Stack, previous: dict[str, Any] | None, openclaw: OpenClaw | None
) -> tuple[Plan, dict[str, str]]:
    try:
        recording = run_program(
            stack.config.values,
            project=stack.project,
            stack=stack.name,
            secret_keys=stack.config.secret_keys,
        )
    except ProgramFailed as failed:
        raise PlanError(f"{shown(stack.file)}: {failed.cause}") from None
    ordered = recording.dependency_order()
    ids = {r.urn: resource_id(r) for r in ordered}
    if len(set(ids.values())) != len(ids):
        raise PlanError("two resources share a type and a name; the plan cannot tell them apart")

    section = _the_section(recording)
    owned = _owned(previous, section, ids)
    commit: CommitPlan | None = None
    tracked: TrackedPlan | None = None
    git_notes: tuple[str, ...] = ()
    if section.type == GIT_SECTION:  # the base is the repository's manifest of the ConfigMap
        git = git_base(section.inputs, options.base_config, DEFAULT_BASE, shown, owned=owned)
        base, commit, git_notes = git.base, git.commit, git.notes
    else:
        base = read_base_config(
            options.base_config or DEFAULT_BASE,
            section.inputs["namespace"],
            section.inputs["configMap"],
            section.inputs["key"],
            default=options.base_config is None,
        )
        tracked = tracked_base(section.inputs, base, shown(base.path))
    result = apply_section(section.inputs, base, shown(base.path), owned=owned)

    files: dict[str, str] = {}
    resources: list[PlannedResource] = []
    variables: set[str] = set()
    pod: PodImage | None = None
    for registration in ordered:
        kind, inputs = kind_of(registration.type), _shown_inputs(registration)
        written: KubernetesFile | None = None
        if kind.manifest is not None:
            written, image = _kubernetes_file(kind.manifest(inputs), kind.into_deployment, options)
            pod = pod or image
            variables.update(written.variables)
        elif registration is section:
            written = _configmap_file(result)
        if written is not None:
            files[f"kubernetes/{written.name}"] = _yaml(written.obj)
        resources.append(_planned(registration, ids, inputs, written))

    # Not cloud objects, but `pulumi preview` counts them (tools.plan.preview).
    components, component_notes = compare_components(
        [resource_id(r) for r in recording.registrations if not r.custom], previous
    )
    # The app's variables (those a document references are set to a placeholder for OpenClaw).
    everything, order = resources, [r.id for r in resources]
    notes = [*result.notes, *git_notes, *component_notes]
    judging = (
        BeforeAndAfter(openclaw, base.document, result.document, variables, verdict_cache())
        if openclaw
        else Skipped()
    )
    with judging:
        if previous is not None:  # while OpenClaw thinks
            everything, order, compare_notes = _compared(resources, previous, ordered, ids)
            notes += compare_notes
        verdict = judging.result()
    document = DocumentPlan(
        base=shown(base.path),
        configmap=f"{result.configmap['metadata']['namespace']}/"
        f"{result.configmap['metadata']['name']}",
        key=section.inputs["key"],
        section=section.inputs["section"],
        result="adopted" if result.adopted else "written",
        file="openclaw.json",
        diff="" if result.adopted else result.diff,
    )
    plan = Plan(
        stack=stack.name,
        project=stack.project,
        stack_file=shown(stack.file),
        compared_with=(
            {"file": shown(options.compare), "stack": str(previous["stack"])}
            if previous is not None and options.compare is not None
            else None
        ),
        summary=summary(everything),
        resources=everything,
        steps=up_steps(everything, previous, order),
        destroy=[
            DestroyStep(r.id, kind_of(r.type).on_destroy(r.inputs, r.retain_on_delete))
            for r in reversed(resources)
        ],
        outputs={
            name: SECRET if name in recording.secret_outputs else value
            for name, value in recording.outputs.items()
        },
        document=document,
        openclaw=_openclaw_verdict(verdict, pod),
        commit=commit,
        tracked=tracked,
        components=components,
        notes=notes,
    )
    if verdict.rejects_the_change:
        raise PlanError("\n".join(verdict_lines(plan.openclaw)))
    files["openclaw.json"] = result.document
    return plan, files


def _openclaw_verdict(verdict: Verdict, pod: PodImage | None) -> dict[str, Any]:
    """plan.json's `openclaw`: the verdicts, and the image the pod runs beside the judge."""
    return {
        "version": verdict.version,
        "skipped": verdict.version is None,  # only --no-openclaw leaves a plan unjudged
        "valid": verdict.valid,
        "base_valid": verdict.base_valid,
        "issues": [vars(i) for i in verdict.added],
        "already_in_base": [vars(i) for i in verdict.already],
        "warnings": [vars(w) for w in verdict.warnings],
        "pod": None
        if pod is None
        else {
            **vars(pod),
            "same_release": plan_image.same_release(pod.image, verdict.version),
            "note": plan_image.note(pod.image, verdict.version),
        },
    }


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, default_flow_style=False, allow_unicode=True)


def run(options: Options) -> str:
    """Plan, write the output folder (all or nothing), and return plan.txt's text."""
    stack = load_stack(ROOT, options.stack, options.stack_file)
    previous = load_previous(options.compare) if options.compare else None
    plan_output.check(options.out)
    if options.no_openclaw:
        openclaw: OpenClaw | None = None
    elif options.openclaw:
        openclaw = given(options.openclaw)
    elif options.openclaw_version:
        openclaw = requested(options.openclaw_version)
    else:
        openclaw = pinned()  # installed on first use
    plan, files = _build(options, stack, previous, openclaw)
    text = render(plan)
    files["plan.txt"] = text
    files["plan.json"] = plan.to_json()
    files["plan.md"] = markdown(plan, options.artifact_url)
    plan_output.write(options.out, files)
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.plan",
        description="Offline plan of a stack: no cloud, no cluster, no Pulumi CLI.",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--stack", help="NAME, ORG/NAME or ORG/PROJECT/NAME: reads Pulumi.NAME.yaml (default dev)"
    )
    which.add_argument(
        "--stack-file", metavar="FILE", help="a Pulumi.NAME.yaml anywhere; the stack is NAME"
    )
    parser.add_argument(
        "--base-config",
        metavar="FILE",
        help="openclaw.json to apply the section to: a raw document or a ConfigMap manifest "
        "(default examples/openclaw.json); with section.target git, the repository's ConfigMap "
        "manifest the commit edits (default: a sample built from examples/openclaw.json)",
    )
    parser.add_argument(
        "--base-deployment",
        metavar="FILE",
        help="the Deployment the env entry lands on, e.g. `kubectl get deploy -o yaml`; its "
        "image is shown beside the judging OpenClaw (default: the sample "
        "examples/deployment.yaml)",
    )
    parser.add_argument("--out", metavar="DIR", help="output folder (default rendered/plan/)")
    parser.add_argument(
        "--compare", metavar="PLAN_JSON", help="an earlier plan's plan.json: show what changes"
    )
    judge = parser.add_mutually_exclusive_group()
    judge.add_argument(
        "--openclaw",
        metavar="PATH",
        help="an `openclaw` executable or openclaw.mjs to validate openclaw.json with "
        "(default: the pinned release, installed into the cache on first use)",
    )
    judge.add_argument(
        "--openclaw-version",
        metavar="X",
        help="judge with OpenClaw release X (e.g. the one your pods run), installed into the "
        f"cache on first use; {OLDEST_JUDGING} or later",
    )
    judge.add_argument(
        "--no-openclaw",
        action="store_true",
        help="skip OpenClaw's verdict: install and run no OpenClaw; plan.txt, plan.json and "
        "plan.md say it was skipped",
    )
    parser.add_argument(
        "--artifact-url",
        metavar="URL",
        type=_artifact_url,
        help="where the output folder can be downloaded, e.g. the CI run that uploads it as "
        "its artifact; plan.md links to it (default: plan.md says the files are beside it)",
    )
    return parser


def _artifact_url(value: str) -> str:
    """--artifact-url as plan.md will link it: refused (exit 2) unless an http(s) URL."""
    try:
        link_target(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def options_from(argv: list[str] | None) -> Options:
    args = _parser().parse_args(argv)
    caller = Path(os.environ.get(CALLER_DIR_ENV, ""))

    def path(value: str | None) -> Path | None:
        return None if value is None else caller / value

    return Options(
        stack=args.stack,
        stack_file=path(args.stack_file),
        base_config=path(args.base_config),
        base_deployment=path(args.base_deployment),
        # Its own folder: rendered/ also holds other tools' output (rendered/e2e/).
        out=path(args.out) or ROOT / "rendered" / "plan",
        compare=path(args.compare),
        openclaw=path(args.openclaw),
        openclaw_version=args.openclaw_version,
        no_openclaw=args.no_openclaw,
        artifact_url=args.artifact_url,
    )


def main(argv: list[str] | None = None) -> int:
    options = options_from(argv)
    try:
        text = run(options)
    except PlanError as exc:
        print(f"plan failed: {exc}", file=sys.stderr)
        earlier = (options.out / plan_output.MARKER).is_file()
        kept = " (it still holds an EARLIER plan)" if earlier else ""
        print(f"nothing was written to {options.out}{kept}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    print(f"\nwritten to {options.out}/", file=sys.stderr)
    return 0
