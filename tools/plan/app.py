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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openclaw_runtime.errors import OpenClawError
from openclaw_runtime.judge import OLDEST_JUDGING
from openclaw_runtime.verdict import OpenClaw
from tools.plan import output as plan_output
from tools.plan.compare import compared, summary, up_steps
from tools.plan.document import plan_section
from tools.plan.errors import PlanError
from tools.plan.ids import component_ids, ids_of
from tools.plan.judging import chosen, judging, openclaw_verdict
from tools.plan.markdown import markdown
from tools.plan.markdown_text import link_target
from tools.plan.masking import shown_outputs
from tools.plan.mock_runtime import ROOT, ProgramFailed, Recording, run_program
from tools.plan.model import Plan
from tools.plan.paths import shown
from tools.plan.planned import destroy_steps, planned_resources
from tools.plan.preview import compare_components
from tools.plan.schema import load_previous
from tools.plan.stack_file import Stack, add_stack_options, load_stack
from tools.plan.switches import (
    RETAIN_NOTE,
    section_absent,
    switch_line,
    switched_off,
    switched_on,
)
from tools.plan.text import render, verdict_lines

# bin/plan runs from the repository; it passes the caller's folder so that relative paths
# mean what the user typed.
CALLER_DIR_ENV = "OPENCLAW_PLAN_CALLER_DIR"


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


def _recording(stack: Stack) -> Recording:
    """The unchanged program, run on Pulumi's mocks with the stack's config."""
    try:
        return run_program(
            stack.config.values,
            project=stack.project,
            stack=stack.name,
            secret_keys=stack.config.secret_keys,
        )
    except ProgramFailed as failed:
        raise PlanError(f"{shown(stack.file)}: {failed.cause}") from None


def _build(
    options: Options, stack: Stack, previous: dict[str, Any] | None, openclaw: OpenClaw | None
) -> tuple[Plan, dict[str, str]]:
    """The plan and its files: the program run, each stage explained, the section applied to
    its base and judged by OpenClaw (in the background, while an earlier plan is compared)."""
    recording = _recording(stack)
    ordered = recording.dependency_order()
    ids = ids_of(ordered)
    # A rollback switch that is off: the program with both on says what it removes.
    off = switched_off(recording) or section_absent(recording)
    on = (
        _recording(
            replace(
                stack,
                config=replace(
                    stack.config, values=switched_on(stack.config.values, stack.project)
                ),
            )
        )
        if off
        else recording
    )
    on_ids = ids_of(on.dependency_order())
    section = plan_section(on, on_ids, previous, options.base_config)
    section = section.removed() if off else section
    planned = planned_resources(
        ordered, ids, section.registration, section.result.configmap, options.base_deployment
    )
    resources = planned.resources
    on_resources = planned_resources(
        on.dependency_order(), on_ids, section.registration, section.result.configmap, None
    ).resources
    removed = [s for s in destroy_steps(on_resources) if s.id not in set(ids.values())]
    switch = switch_line(recording, removed, previous is not None, RETAIN_NOTE)
    # Not cloud objects, but `pulumi preview` counts them (tools.plan.preview).
    components, component_notes = compare_components(component_ids(recording), previous)
    everything, order = resources, [r.id for r in resources]
    notes = [*section.notes, *component_notes]
    with judging(
        openclaw, section.base.document, section.result.document, planned.variables
    ) as judge:
        if previous is not None:  # while OpenClaw thinks
            everything, order, compare_notes = compared(resources, previous, ordered, ids)
            notes += compare_notes
        verdict = judge.result()
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
        destroy=destroy_steps(resources),
        outputs=shown_outputs(recording),
        document=section.document(),
        openclaw=openclaw_verdict(verdict, planned.pod),
        commit=section.commit,
        tracked=section.tracked,
        components=components,
        notes=notes,
        switch=switch,
    )
    if verdict.rejects_the_change:
        raise PlanError("\n".join(verdict_lines(plan.openclaw)))
    return plan, {**planned.files, "openclaw.json": section.result.document}


def run(options: Options) -> str:
    """Plan, write the output folder (all or nothing), and return plan.txt's text.

    The OpenClaw judge's errors become the plan's here, its edge: to the plan, a document
    nobody could judge is an input problem like any other."""
    stack = load_stack(ROOT, options.stack, options.stack_file)
    previous = load_previous(options.compare) if options.compare else None
    plan_output.check(options.out)
    try:
        openclaw = chosen(options.openclaw, options.openclaw_version, options.no_openclaw)
        plan, files = _build(options, stack, previous, openclaw)
    except OpenClawError as error:
        raise PlanError(str(error)) from None
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
    add_stack_options(parser)
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
