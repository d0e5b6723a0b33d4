"""`verify`: is every hop of token → SSM → ExternalSecret → Secret → pod env → openclaw.json
consistent right now, and if not, which hop is broken and what fixes it.

Why: after `pulumi up`, after a rotation, or when a webhook receiver answers 401, an operator
needs one answer instead of five commands to run and interpret. verify reads the stack's
settings and outputs through Pulumi (tools.verify_stack; never a decrypted output), reads each
system with read-only calls (tools.verify_aws, tools.verify_kube, tools.verify_git), judges each
hop with pure functions (tools.verify_hops, verify_env_hop, verify_document_hops) and prints one
✔/✘ line per hop with its evidence, and for a ✘ the likely cause and one command that fixes it.

    ./bin/verify [--stack NAME] [--json] [--project-dir DIR] [--print-permissions]

Exit status: 0 every hop holds; 1 a hop fails, or Phase 2 is absent (the stack has no outputs:
destroyed or never deployed; status `absent`); 2 the check could not run or a hop could not be
checked (no stack, no credentials, no access, unreachable). `--print-permissions` prints the
Role and IAM policy verify needs (tools.verify_permissions). The token never leaves: values
are hashed where they are read, and everything printed passes through a Redactor that knows
every secret value this process touched (tools.verify_model).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from kubernetes import client
from kubernetes.config import ConfigException

from components.deployments import selector_of
from components.kube_connection import KubeTarget
from components.settings import GitSettings
from tools import plan_openclaw, verify_aws, verify_git, verify_permissions, verify_stack
from tools.plan_errors import PlanError
from tools.plan_openclaw import NOT_JUDGED, Judgement, OpenClaw, Validation
from tools.verify_aws import ParameterFacts
from tools.verify_document_hops import BranchHead, config_hop, gitops_hop
from tools.verify_env_hop import env_hop
from tools.verify_hops import (
    Commands,
    changed_since_sync,
    external_secret_hop,
    ready_condition,
    secret_hop,
    ssm_hop,
    stack_hop,
)
from tools.verify_kube import ClusterReader
from tools.verify_model import CannotRead, Hop, Redactor, Report, cannot_check, headline, overall
from tools.verify_output import render
from tools.verify_stack import StackView

ROOT = Path(__file__).resolve().parents[1]
# Client libraries that log request and response bodies at DEBUG: a Secret's data, an SSM
# value. Held at WARNING whatever the root logger's level is, so no log handler ever sees one.
QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "kubernetes")
# bin/verify runs from the repository; it passes the caller's folder for a relative path.
CALLER_DIR_ENV = "OPENCLAW_VERIFY_CALLER_DIR"
T = TypeVar("T")
# A run of characters like a key, token or certificate: such a message is not repeated.
_CREDENTIAL_LIKE = re.compile(r"[A-Za-z0-9+/=_.\-]{24,}")


@dataclass(frozen=True)
class Access:
    """How verify reaches each system; the tests substitute the parts they fake."""

    read_stack: Callable[[str | None, Path, Redactor], StackView] = verify_stack.read_stack
    kube_client: Callable[[KubeTarget], client.ApiClient] = KubeTarget.api_client
    ssm_client: Callable[[str | None], Any] = verify_aws.ssm_client
    openclaw: Callable[[], OpenClaw | None] = plan_openclaw.pinned
    read_git: Callable[[GitSettings], BranchHead] = verify_git.read_branch_file


def _attempt(read: Callable[[], T]) -> tuple[T | None, CannotRead | None]:
    try:
        return read(), None
    except CannotRead as problem:
        return None, problem


def kubectl_for(target: KubeTarget) -> str:
    """`kubectl` aimed where verify looked, so a printed fix acts on the same cluster."""
    words = ["kubectl"]
    if target.kubeconfig and "\n" not in target.kubeconfig:
        words.append(f"--kubeconfig {target.kubeconfig}")
    if target.context:
        words.append(f"--context {target.context}")
    return " ".join(words)


def _cluster(view: StackView, access: Access, redactor: Redactor, c: Commands) -> ClusterReader:
    try:
        api_client = access.kube_client(view.kube)
    except (ConfigException, ValueError, OSError) as error:
        message = redactor.scrub(" ".join(str(error).split()))
        said = "" if _CREDENTIAL_LIKE.search(message) else f": {message[:200]}"
        raise CannotRead(
            "no Kubernetes connection",
            f"{type(error).__name__}{said} (kubernetes:kubeconfig / kubernetes:context of the "
            "stack, else KUBECONFIG)",
            f"pulumi config set kubernetes:context <context> --stack {view.name}",
        ) from None
    return ClusterReader(api_client, redactor, c.permissions)


@dataclass
class _Facts:
    """What the readers saw; a CannotRead where a read failed."""

    parameter: ParameterFacts | None = None
    ssm_problem: CannotRead | None = None
    deployment: dict[str, Any] | None = None
    pods: list[dict[str, Any]] | None = None
    env_problem: CannotRead | None = None
    config_map: dict[str, Any] | None = None
    config_problem: CannotRead | None = None
    external_secret: dict[str, Any] | None = None
    es_problem: CannotRead | None = None
    store: Mapping[str, Any] | CannotRead | None = None
    secret: Any = None
    secret_problem: CannotRead | None = None
    git: BranchHead | CannotRead | None = None


def _read_cluster(view: StackView, reader: ClusterReader, facts: _Facts) -> None:
    s, ns = view.settings, view.settings.namespace
    facts.deployment, facts.env_problem = _attempt(lambda: reader.deployment(ns, s.deployment.name))
    if facts.deployment is not None:
        selector = selector_of(facts.deployment)
        facts.pods, facts.env_problem = _attempt(lambda: reader.pods(ns, selector))
    facts.config_map, facts.config_problem = _attempt(
        lambda: reader.config_map(ns, s.config.config_map)
    )


def _read_secrets(view: StackView, reader: ClusterReader, facts: _Facts) -> None:
    s, ns = view.settings, view.settings.namespace
    facts.external_secret, facts.es_problem = _attempt(
        lambda: reader.external_secret(ns, s.external_secret_name)
    )
    es = facts.external_secret
    if es is not None and ready_condition(es).get("status") != "True":
        e = s.external_secret
        store, problem = _attempt(lambda: reader.secret_store(e.store_kind, ns, e.store_name))
        facts.store = problem or store
    facts.secret, facts.secret_problem = _attempt(
        lambda: reader.secret(ns, s.secret_name, s.external_secret.secret_key)
    )


def _variables(view: StackView, deployment: Mapping[str, Any] | None) -> list[str]:
    """The env names the app's container defines: they are set when OpenClaw reads the file."""
    names = {view.settings.deployment.env_name}
    spec = ((deployment or {}).get("spec") or {}).get("template", {}).get("spec") or {}
    for container in spec.get("containers") or []:
        if container.get("name") == view.settings.deployment.container:
            names.update(str(item.get("name")) for item in container.get("env") or [])
    return sorted(names)


def _start_validation(
    view: StackView, access: Access, facts: _Facts
) -> tuple[Validation | None, str]:
    """OpenClaw's own check of the live document, started now and awaited last."""
    document = ((facts.config_map or {}).get("data") or {}).get(view.settings.config.key)
    openclaw = access.openclaw()
    if openclaw is None:
        return None, NOT_JUDGED
    if document is None:
        return None, "not judged by OpenClaw: no live document"
    try:
        variables = _variables(view, facts.deployment)
        return Validation(openclaw, document, variables, plan_openclaw.verdict_cache()), ""
    except PlanError as error:
        return None, f"not judged by OpenClaw: {error}"


def _judge(validation: Validation | None, note: str) -> tuple[Judgement | None, str]:
    if validation is None:
        return None, note
    with validation:
        try:
            return validation.result(), ""
        except PlanError as error:
            return None, f"not judged by OpenClaw: {error}"


def check(view: StackView, access: Access, redactor: Redactor) -> Report:
    """Read every system once, then judge every hop."""
    s = view.settings
    c = Commands(view.name, kubectl_for(view.kube))
    if not view.deployed:
        return Report(
            view.name,
            "absent",
            f"Phase 2 absent: stack {view.name} has no outputs (destroyed, or never deployed)",
            cause="nothing to verify: `pulumi destroy` removed the path, or `pulumi up` never ran",
            fix=f"{c.up}   (to roll Phase 2 out)",
        )
    facts = _Facts()
    reader, no_cluster = _attempt(lambda: _cluster(view, access, redactor, c))
    if reader is not None:
        _read_cluster(view, reader, facts)
    validation, note = _start_validation(view, access, facts)
    try:
        ssm = access.ssm_client(view.region)
        facts.parameter = verify_aws.read_parameter(
            ssm, s.token.parameter_name, redactor, c.permissions
        )
    except CannotRead as problem:
        facts.ssm_problem = problem
    if reader is not None:
        _read_secrets(view, reader, facts)
    if s.section.target == "git" and s.section.git is not None:
        facts.git = _read_git(access, s.section.git)
    judgement, note = _judge(validation, note)
    hops = _hops(view, facts, c, no_cluster, judgement, note)
    return Report(view.name, overall(hops), headline(hops), hops)


def _read_git(access: Access, git_settings: GitSettings) -> BranchHead | CannotRead:
    try:
        return access.read_git(git_settings)
    except CannotRead as problem:
        return problem


def _hops(
    view: StackView,
    facts: _Facts,
    c: Commands,
    no_cluster: CannotRead | None,
    judgement: Judgement | None,
    note: str,
) -> tuple[Hop, ...]:
    s = view.settings

    def kube(name: str, problem: CannotRead | None, judge: Callable[[], Hop]) -> Hop:
        found = no_cluster or problem
        return cannot_check(name, found) if found is not None else judge()

    ssm = (
        cannot_check("ssm", facts.ssm_problem)
        if facts.ssm_problem
        else ssm_hop(s, facts.parameter, c)
    )
    digest = facts.parameter.digest if facts.parameter else None
    agree = None if digest is None or facts.secret is None else facts.secret.digest == digest
    changed = changed_since_sync(facts.external_secret, facts.parameter)
    return (
        stack_hop(view.name, s, view.outputs, c),
        ssm,
        kube(
            "externalSecret",
            facts.es_problem,
            lambda: external_secret_hop(
                s, facts.external_secret, facts.parameter, agree, facts.store, c
            ),
        ),
        kube(
            "secret",
            facts.secret_problem,
            lambda: secret_hop(s, facts.secret, facts.parameter, ssm, changed, c),
        ),
        kube("env", facts.env_problem, lambda: env_hop(s, facts.deployment, facts.pods or [], c)),
        kube(
            "config",
            facts.config_problem,
            lambda: config_hop(s, facts.config_map, judgement, note, c),
        ),
        kube("gitops", facts.config_problem, lambda: gitops_hop(s, facts.config_map, facts.git, c)),
    )


def options_from(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="verify",
        description="Check every hop of the live path (SSM → ExternalSecret → Secret → pod env "
        "→ openclaw.json) read-only; exit 0 all hold, 1 a hop fails or Phase 2 is absent, "
        "2 the check cannot run.",
    )
    parser.add_argument("--stack", help="the stack (default: the selected one)")
    parser.add_argument("--json", action="store_true", help="one JSON object (schema_version 1)")
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=ROOT,
        help="the Pulumi project folder (default: this repository)",
    )
    parser.add_argument(
        "--print-permissions",
        action="store_true",
        help="print the Kubernetes Role and the IAM policy verify needs, then exit",
    )
    options = parser.parse_args(argv)
    options.project_dir = Path(os.environ.get(CALLER_DIR_ENV, "")) / options.project_dir
    return options


def main(argv: list[str] | None = None, access: Access | None = None) -> int:
    options = options_from(argv)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    access = access or Access()
    redactor = Redactor()
    started = time.monotonic()
    try:
        view = access.read_stack(options.stack, options.project_dir, redactor)
        if options.print_permissions:
            return _print_permissions(view, options.json, redactor)
        report = check(view, access, redactor)
    except CannotRead as problem:
        report = Report(
            options.stack or "(selected)",
            "error",
            f"cannot check: {problem.summary}",
            cause=problem.cause,
            fix=problem.fix,
        )
    except Exception as error:  # an unforeseen failure: no traceback text, which may quote values
        where = "; ".join(
            f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
            for frame in traceback.extract_tb(error.__traceback__)[-4:]
        )
        report = Report(
            options.stack or "(selected)",
            "error",
            f"verify failed: {type(error).__name__} (at {where})",
            cause="a bug in verify, or an answer it does not understand",
            fix="./bin/verify --json   (and report the output)",
        )
    text = render(report, time.monotonic() - started, as_json=options.json, redactor=redactor)
    cannot_run = report.status == "error" and not report.hops
    (sys.stderr if cannot_run and not options.json else sys.stdout).write(text)
    return report.exit_status


def _print_permissions(view: StackView, as_json: bool, redactor: Redactor) -> int:
    arn = view.outputs.get("parameterArn")
    known = arn if isinstance(arn, str) else None
    if as_json:
        document = {
            "rbac": verify_permissions.rbac(view.settings),
            "iam": verify_permissions.iam(view.settings, view.region, known),
        }
        sys.stdout.write(redactor.scrub(json.dumps(document, indent=2)) + "\n")
    else:
        text = verify_permissions.render(view.settings, view.name, view.region, known)
        sys.stdout.write(redactor.scrub(text))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    raise SystemExit(main())
