"""How verify checks a stack: read every system once, then walk the stages to judge each hop.

Why one pass of reads before any verdict: several hops judge the same facts (the parameter's
digest decides the secret hop, its last modification the ExternalSecret's), and OpenClaw's own
validation of the live document runs in the background while SSM and the cluster are read.
Each read that fails for verify's own reasons (access, reachability) becomes a CannotRead for
the hops that needed it, never an exception out of `check`. The verdicts are the stages' own
(stages/<stage>/verify.py), judged in stages.ORDER, the order the token travels, each stage
seeing the verdicts before it. `Access` is how each system is reached; the tests replace the
parts they fake.
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

import stages
from openclaw_runtime import judge as plan_judge
from openclaw_runtime import verdict as plan_openclaw
from openclaw_runtime.errors import OpenClawError
from openclaw_runtime.verdict import NOT_JUDGED, Judgement, OpenClaw, Validation
from stack.settings import GitSettings
from stages.env_entry import verify as env_entry_verify
from stages.env_entry.pod_spec import selector_of
from stages.external_secret import verify as external_secret_verify
from stages.external_secret.ready import ready_condition
from stages.fix_commands import Commands
from stages.hop import CannotRead, Hop
from stages.kube_connection import KubeTarget
from stages.kube_reader import ClusterReader
from stages.live import Live
from stages.parameter import ssm_reader
from stages.parameter import verify as parameter_verify
from stages.redaction import Redactor
from stages.section import verify as section_verify
from stages.section.git import branch_head
from stages.section.git import verify as section_git_verify
from stages.token import verify as token_verify
from tools.verify import stack as verify_stack
from tools.verify.model import Report, headline, overall
from tools.verify.stack import StackView

T = TypeVar("T")
# A run of characters like a key, token or certificate: such a message is not repeated.
_CREDENTIAL_LIKE = re.compile(r"[A-Za-z0-9+/=_.\-]{24,}")


@dataclass(frozen=True)
class Access:
    """How verify reaches each system; the tests substitute the parts they fake."""

    read_stack: Callable[[str | None, Path, Redactor], StackView] = verify_stack.read_stack
    kube_client: Callable[[KubeTarget], client.ApiClient] = KubeTarget.api_client
    ssm_client: Callable[[str | None], Any] = ssm_reader.ssm_client
    openclaw: Callable[[], OpenClaw | None] = plan_judge.pinned_if_installed
    read_git: Callable[[GitSettings], branch_head.BranchHead] = branch_head.read_branch_file


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


def _read_cluster(view: StackView, reader: ClusterReader, live: Live) -> None:
    s, ns = view.settings, view.settings.namespace
    live.deployment, live.env_problem = _attempt(lambda: reader.deployment(ns, s.deployment.name))
    if live.deployment is not None:
        selector = selector_of(live.deployment)
        live.pods, live.env_problem = _attempt(lambda: reader.pods(ns, selector))
    live.config_map, live.config_problem = _attempt(
        lambda: reader.config_map(ns, s.config.config_map)
    )


def _read_secrets(view: StackView, reader: ClusterReader, live: Live) -> None:
    s, ns = view.settings, view.settings.namespace
    live.external_secret, live.es_problem = _attempt(
        lambda: reader.external_secret(ns, s.external_secret_name)
    )
    es = live.external_secret
    if es is not None and ready_condition(es).get("status") != "True":
        e = s.external_secret
        store, problem = _attempt(lambda: reader.secret_store(e.store_kind, ns, e.store_name))
        live.store = problem or store
    live.secret, live.secret_problem = _attempt(
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


def _start_validation(view: StackView, access: Access, live: Live) -> tuple[Validation | None, str]:
    """OpenClaw's own check of the live document, started now and awaited last."""
    document = ((live.config_map or {}).get("data") or {}).get(view.settings.config.key)
    openclaw = access.openclaw()
    if openclaw is None:
        return None, NOT_JUDGED
    if document is None:
        return None, "not judged by OpenClaw: no live document"
    try:
        variables = _variables(view, live.deployment)
        return Validation(openclaw, document, variables, plan_openclaw.verdict_cache()), ""
    except OpenClawError as error:
        return None, f"not judged by OpenClaw: {error}"


def _judge(validation: Validation | None, note: str) -> tuple[Judgement | None, str]:
    if validation is None:
        return None, note
    with validation:
        try:
            return validation.result(), ""
        except OpenClawError as error:
            return None, f"not judged by OpenClaw: {error}"


# Each stage's judge, walked in stages.ORDER; the section's git backend judges the gitops hop.
JUDGES: dict[str, tuple[Callable[[Live, Mapping[str, Hop]], tuple[Hop, ...]], ...]] = {
    "token": (token_verify.judge,),
    "parameter": (parameter_verify.judge,),
    "external_secret": (external_secret_verify.judge,),
    "env_entry": (env_entry_verify.judge,),
    "section": (section_verify.judge, section_git_verify.judge),
}


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
    live = Live(view.name, s, view.outputs, c)
    reader, live.no_cluster = _attempt(lambda: _cluster(view, access, redactor, c))
    if reader is not None:
        _read_cluster(view, reader, live)
    validation, note = _start_validation(view, access, live)
    try:
        ssm = access.ssm_client(view.region)
        live.parameter = ssm_reader.read_parameter(
            ssm, s.token.parameter_name, redactor, c.permissions
        )
    except CannotRead as problem:
        live.ssm_problem = problem
    if reader is not None:
        _read_secrets(view, reader, live)
    if s.section.target == "git" and s.section.git is not None:
        live.git = _read_git(access, s.section.git)
    live.judgement, live.judge_note = _judge(validation, note)
    hops = judged(live)
    return Report(view.name, overall(hops), headline(hops), hops)


def _read_git(access: Access, git_settings: GitSettings) -> branch_head.BranchHead | CannotRead:
    try:
        return access.read_git(git_settings)
    except CannotRead as problem:
        return problem


def judged(live: Live) -> tuple[Hop, ...]:
    """Every stage's hops in the order the token travels, each stage seeing those before it."""
    before: dict[str, Hop] = {}
    for stage in stages.ORDER:
        for judge in JUDGES[stage]:
            before.update((hop.name, hop) for hop in judge(live, before))
    return tuple(before.values())
