"""How verify checks a stack: read every system once, then judge every hop.

Why one pass of reads before any verdict: several hops judge the same facts (the parameter's
digest decides the secret hop, its last modification the ExternalSecret's), and OpenClaw's own
validation of the live document runs in the background while SSM and the cluster are read.
Each read that fails for verify's own reasons (access, reachability) becomes a CannotRead for
the hops that needed it, never an exception out of `check`. `Access` is how each system is
reached; the tests replace the parts they fake.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from kubernetes import client
from kubernetes.config import ConfigException

from openclaw_runtime import judge as plan_judge
from openclaw_runtime import verdict as plan_openclaw
from openclaw_runtime.verdict import NOT_JUDGED, Judgement, OpenClaw, Validation
from stack.settings import GitSettings
from stages.env_entry.deployments import selector_of
from stages.kube_connection import KubeTarget
from tools.plan.errors import PlanError
from tools.verify import aws as verify_aws
from tools.verify import git as verify_git
from tools.verify import stack as verify_stack
from tools.verify.aws import ParameterFacts
from tools.verify.document_hops import BranchHead, config_hop, gitops_hop
from tools.verify.env_hop import env_hop
from tools.verify.hops import (
    Commands,
    changed_since_sync,
    external_secret_hop,
    ready_condition,
    secret_hop,
    ssm_hop,
    stack_hop,
)
from tools.verify.kube import ClusterReader, SecretFacts
from tools.verify.model import CannotRead, Hop, Redactor, Report, cannot_check, headline, overall
from tools.verify.stack import StackView

T = TypeVar("T")
# A run of characters like a key, token or certificate: such a message is not repeated.
_CREDENTIAL_LIKE = re.compile(r"[A-Za-z0-9+/=_.\-]{24,}")


@dataclass(frozen=True)
class Access:
    """How verify reaches each system; the tests substitute the parts they fake."""

    read_stack: Callable[[str | None, Path, Redactor], StackView] = verify_stack.read_stack
    kube_client: Callable[[KubeTarget], client.ApiClient] = KubeTarget.api_client
    ssm_client: Callable[[str | None], Any] = verify_aws.ssm_client
    openclaw: Callable[[], OpenClaw | None] = plan_judge.pinned_if_installed
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
    except (ConfigException, ValueError, OSError, yaml.YAMLError) as error:
        message = redactor.scrub(" ".join(str(error).split()))
        said = "" if _CREDENTIAL_LIKE.search(message) else f": {message[:200]}"
        raise CannotRead(
            "no Kubernetes connection",
            f"{type(error).__name__}{said} (kubernetes:kubeconfig / kubernetes:context of the "
            "stack, else KUBECONFIG)",
            f"pulumi config set kubernetes:context <context> --stack {view.name}",
        ) from None
    return ClusterReader(api_client, redactor, c.permissions, c.kubectl)


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
    secret: SecretFacts | None = None
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
        else ssm_hop(s, facts.parameter, c, view.outputs.get("parameterVersion"))
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
