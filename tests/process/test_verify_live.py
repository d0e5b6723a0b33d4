"""verify end to end in one process: the real readers against the fake API server and moto.

The world is Phase 2 after a rotation to `-r2`, healthy: SSM (moto) holds TOKEN; the fake API
server serves the ExternalSecret (Ready/SecretSynced, synced after the parameter's last change),
its Secret (TOKEN, base64, controlled by the ExternalSecret), the Deployment and its Ready pod
with the env entry, and the ConfigMap whose openclaw.json has the stack's section. Each test
injects one fault and checks which hop reports it, with which cause and fix, and the exit
status. The last test runs every path, failing ones included, and greps all output for the
token and its base64 forms, and for an older token that no Redactor knows.

The fake API server is the shared tests/fake_kube_api.py, extended here (not there) with
Secrets, ExternalSecrets, a ClusterSecretStore and 403 answers for chosen paths. Pulumi itself
is not involved: `read_stack` is replaced by a StackView built from config through the parser
the program uses (tests/test_verify_stack.py covers reading a real workspace).
"""

from __future__ import annotations

import base64
import copy
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from fake_kube_api import FakeKubeApi
from fake_openclaw import answer, install_fake, seen
from kubernetes.client import ApiClient, Configuration
from kubernetes.config import ConfigException
from moto import mock_aws

from openclaw_runtime.verdict import PLACEHOLDER, OpenClaw
from stages.env_entry.pod_spec import entry
from stages.hop import CannotRead
from stages.parameter import ssm_reader
from stages.redaction import Redactor, digest_of
from stages.section.document import remove_section, set_section
from stages.token.verify import applied_values
from tools.verify import app as verify
from tools.verify.stack import StackView, settings_from_config

pytestmark = pytest.mark.process  # a fake openclaw process, and botocore's models through moto

TOKEN = "5f" * 32
OLD_TOKEN = "a1" * 32  # an earlier token: no Redactor knows it, only not quoting protects it
NS = "openclaw"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
KEY = ENV = "OPENCLAW_CRON_WEBHOOK_TOKEN"
R2, R1 = "openclaw-cron-webhook-r2", "openclaw-cron-webhook-r1"
LABELS = {"app.kubernetes.io/name": "openclaw"}
ESO = "/apis/external-secrets.io/v1"
ES_PATH = f"{ESO}/namespaces/{NS}/externalsecrets/{R2}"
SECRET_PATH = f"/api/v1/namespaces/{NS}/secrets/{R2}"
STORE_PATH = f"{ESO}/clustersecretstores/parameterstore"
DOCUMENT = (Path(__file__).parent.parent / "fixtures" / "openclaw-2026.9.6.json").read_text()
CONFIG = {"openclaw-cron-webhook:token": (json.dumps({"rotation": "2"}), False)}
SETTINGS = settings_from_config(CONFIG, "dev")
REGION = "eu-west-1"


_REASONS = {403: "Forbidden", 500: "InternalError"}


class Cluster(FakeKubeApi):
    """The shared fake, plus the ESO objects verify reads, and errors for chosen paths (whose
    messages quote OLD_TOKEN: an error message is never repeated)."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict[str, Any]] = {}
        self.failing: dict[str, int] = {}

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        if path in self.failing:
            code = self.failing[path]
            message = f'user "oncall" cannot get resource at {path} ({OLD_TOKEN})'
            status = {"kind": "Status", "status": "Failure", "reason": _REASONS[code]}
            return code, {**status, "code": code, "message": message}
        if path.startswith((ESO, "/api/v1/namespaces/openclaw/secrets/")):
            if path in self.objects and method == "GET":
                return 200, copy.deepcopy(self.objects[path])
            return 404, {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404}
        return super().handle(method, path, query, body, content_type)


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ready(reason: str = "SecretSynced", status: str = "True", message: str = "ok") -> list[Any]:
    return [{"type": "Ready", "status": status, "reason": reason, "message": message}]


def external_secret(refreshed: datetime) -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": R2, "namespace": NS},
        "spec": {
            "secretStoreRef": {"name": "parameterstore", "kind": "ClusterSecretStore"},
            "target": {"name": R2, "creationPolicy": "Owner"},
            "data": [{"secretKey": KEY, "remoteRef": {"key": PARAMETER}}],
        },
        "status": {"conditions": ready(), "refreshTime": _time(refreshed)},
    }


def secret(value: str) -> dict[str, Any]:
    owner: dict[str, Any] = {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret"}
    owner.update({"name": R2, "uid": "u1", "controller": True})
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": R2, "namespace": NS, "ownerReferences": [owner]},
        "data": {KEY: base64.b64encode(value.encode()).decode()},
    }


def mark_pods_ready(cluster: Cluster) -> None:
    for pod in cluster.deployments.pods[NS]:
        pod["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}


def add_app(cluster: Cluster, env: list[dict[str, Any]]) -> None:
    app = {"name": "openclaw", "image": "openclaw:1", "env": env}
    sidecar = {"name": "otel", "image": "otel:1"}
    cluster.deployments.add(NS, "openclaw", [app, sidecar], labels=LABELS)
    mark_pods_ready(cluster)


@pytest.fixture(scope="module")
def ssm() -> Iterator[tuple[Any, Any]]:
    """One moto session for the module (moto's SSM backend takes seconds to import), with two
    clients: the test's own, and the one verify builds (its model loads in a fraction of one)."""
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION), ssm_reader.ssm_client(REGION, environ={})


@pytest.fixture
def world(ssm: tuple[Any, Any]) -> Iterator[World]:
    with healthy_world(*ssm) as world:
        yield world


@contextmanager
def healthy_world(ssm: Any, verify_client: Any) -> Iterator[World]:
    ssm.put_parameter(
        Name=PARAMETER,
        Value=TOKEN,
        Type="SecureString",
        Overwrite=False,
        Tags=[{"Key": k, "Value": v} for k, v in SETTINGS.token.tags.items()],
    )
    cluster = Cluster()
    with cluster:
        cluster.add_config_map(
            NS,
            "openclaw-config",
            {"openclaw.json": set_section(DOCUMENT, "cron", SETTINGS.cron_section(), context="t")},
        )
        add_app(cluster, [{"name": "NODE_ENV", "value": "production"}, entry(ENV, R2, KEY)])
        later = datetime.now(UTC) + timedelta(minutes=1)
        cluster.objects[ES_PATH] = external_secret(later)
        cluster.objects[SECRET_PATH] = secret(TOKEN)
        cluster.objects[STORE_PATH] = {"status": {"conditions": ready("Valid")}}
        yield World(cluster, ssm, verify_client)
    ssm.delete_parameters(Names=[PARAMETER])


class World:
    def __init__(self, cluster: Cluster, ssm: Any, verify_client: Any) -> None:
        self.cluster, self.ssm, self.verify_client = cluster, ssm, verify_client
        self.outputs: dict[str, Any] = {
            **applied_values(SETTINGS),
            "parameterVersion": 1,
            "webhookToken": "[secret]",
        }
        self.config = dict(CONFIG)
        self.kube_error: Exception | None = None
        self.ssm_override: Any = None
        self.stack_error: Exception | None = None
        self.openclaw: OpenClaw | None = None

    def view(self, name: str | None, project_dir: Path, redactor: Redactor) -> StackView:
        if self.stack_error is not None:
            raise self.stack_error
        settings = settings_from_config(self.config, "dev")
        outputs = {k: v for k, v in self.outputs.items() if v != "[secret]"}
        return StackView(name or "dev", settings, outputs, {"aws:region": REGION})

    def api_client(self, _target: Any) -> ApiClient:
        if self.kube_error is not None:
            raise self.kube_error
        return ApiClient(Configuration(host=self.cluster.host))

    def access(self) -> verify.Access:
        return verify.Access(
            read_stack=self.view,
            kube_client=self.api_client,
            ssm_client=lambda region: self.ssm_override or self.verify_client,
            openclaw=lambda: self.openclaw,
        )

    def run(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        status = verify.main(["--stack", "dev", *argv], self.access())
        out, err = capsys.readouterr()
        assert leaks(out + err) == []
        return status, out, err

    def hops(self, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
        status, out, _ = self.run(capsys, "--json")
        report = json.loads(out)
        assert report["exit"] == status
        return status, {hop["name"]: hop for hop in report["hops"]}


def leaks(text: str) -> list[str]:
    """Every spelling of a token this file plants that shows up in `text`."""
    spellings = {
        "token": TOKEN,
        "token base64": base64.b64encode(TOKEN.encode()).decode(),
        "token bytes base64": base64.b64encode(bytes.fromhex(TOKEN)).decode(),
        "old token": OLD_TOKEN,
        "old token base64": base64.b64encode(OLD_TOKEN.encode()).decode(),
    }
    return [name for name, spelling in spellings.items() if spelling in text]


def test_a_healthy_world_holds_on_every_hop(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = world.run(capsys)
    assert status == 0, out
    assert err == ""
    lines = out.splitlines()
    digest = digest_of(TOKEN.encode())[:12]
    assert [line for line in lines if line[:1] in "✔✘"][:-1] == [
        "✔ stack           stack dev: the last update applied the current config (rotation 2)",
        f"✔ ssm             SecureString {PARAMETER}, version 1, sha256 {digest}",
        f"✔ externalSecret  ExternalSecret {NS}/{R2} Ready/SecretSynced, synced "
        + world.cluster.objects[ES_PATH]["status"]["refreshTime"],
        f"✔ secret          Secret {NS}/{R2} key {KEY} holds the SSM value (sha256 {digest})",
        f"✔ env             Deployment {NS}/openclaw rolled out; 1 Ready pod(s) read Secret {R2} "
        f"({world.cluster.deployments.pods[NS][0]['metadata']['name']})",
        f"✔ config          ConfigMap {NS}/openclaw-config key openclaw.json has exactly the "
        "stack's `cron` section (3 keys, webhookToken ${OPENCLAW_CRON_WEBHOOK_TOKEN})",
        "✔ gitops          no GitOps controller tracks ConfigMap openclaw/openclaw-config "
        "(section.target cluster)",
    ]
    assert lines[-1].startswith("✔ all 7 hops hold  (stack dev, exit 0, ")
    assert "                  · value: 64 hex characters" in lines
    assert digest_of(TOKEN.encode())[:13] not in out


def _edit_section(world: World, change: dict[str, Any] | None) -> None:
    """The live section with `change` merged in (None: the section removed)."""
    section = {**SETTINGS.cron_section(), **(change or {})}

    def edit(text: str) -> str:
        if change is None:
            return remove_section(text, "cron", context="t")
        return set_section(text, "cron", section, context="t")

    world.cluster.edit_data(NS, "openclaw-config", "openclaw.json", edit)


class DeniedSsm:
    """An SSM client whose identity may call nothing (or, with `only`, not that operation)."""

    def __init__(self, real: Any, only: str | None = None, message: str = "") -> None:
        self.real, self.only, self.message = real, only, message
        self.meta = real.meta

    def __getattr__(self, method: str) -> Any:
        operation = "".join(part.title() for part in method.split("_"))
        if self.only not in (None, operation):
            return getattr(self.real, method)

        def denied(**_: Any) -> Any:
            message = self.message or (
                "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: "
                f"ssm:{operation} on resource: arn:aws:ssm:{REGION}:123456789012:parameter"
                f"{PARAMETER}"
            )
            error = {"Code": "AccessDeniedException", "Message": message}
            raise ClientError({"Error": error}, operation)

        return denied


def _ssm_denied(world: World, only: str | None = None, message: str = "") -> None:
    world.ssm_override = DeniedSsm(world.verify_client, only, message)


def _old_pod(world: World) -> None:
    pod = copy.deepcopy(world.cluster.deployments.pods[NS][0])
    pod["metadata"]["name"] = "openclaw-0ld-0"
    pod["spec"]["containers"][0]["env"][-1] = entry(ENV, R1, KEY)
    pod["status"] = {"conditions": [{"type": "Ready", "status": "False"}]}
    world.cluster.deployments.pods[NS].append(pod)


def _reference_fields(reference: bool) -> dict[str, Any]:
    """managedFields' tree of the app container's env entry as the API server writes it (a
    SecretKeySelector is atomic: one leaf), with or without the reference."""
    item: dict[str, Any] = {".": {}, "f:name": {}}
    if reference:
        item["f:valueFrom"] = {"f:secretKeyRef": {}}
    containers = {'k:{"name":"openclaw"}': {"f:env": {f'k:{{"name":"{ENV}"}}': item}}}
    return {"f:spec": {"f:template": {"f:spec": {"f:containers": containers}}}}


def _reference_changed_by_hand(world: World, manager: str = "kubectl-edit") -> None:
    """`kubectl edit` pointed the entry at -r1: the edited field is now the editor's."""
    add_app(world.cluster, [{"name": "NODE_ENV", "value": "production"}, entry(ENV, R1, KEY)])
    metadata = world.cluster.deployments.objects[NS, "openclaw"]["metadata"]
    metadata["managedFields"] = [
        {
            "manager": "openclaw-cron-webhook",
            "operation": "Apply",
            "fieldsV1": _reference_fields(False),
        },
        {"manager": manager, "operation": "Update", "fieldsV1": _reference_fields(True)},
    ]


def _ssm_changed_behind_esos_back(w: World) -> None:
    w.cluster.objects[ES_PATH] = external_secret(datetime.now(UTC) - timedelta(hours=1))
    w.ssm.put_parameter(Name=PARAMETER, Value=OLD_TOKEN, Type="SecureString", Overwrite=True)


def _ssm_changed_and_synced(w: World) -> None:
    w.ssm.put_parameter(Name=PARAMETER, Value=OLD_TOKEN, Type="SecureString", Overwrite=True)
    w.cluster.objects[SECRET_PATH] = secret(OLD_TOKEN)


def _ssm_tag_changed(w: World) -> None:
    tag = {"Key": "managed-by", "Value": "terraform"}
    w.ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=PARAMETER, Tags=[tag])


def _store_broken(w: World) -> None:
    message = "could not get secret data from provider"
    w.cluster.objects[ES_PATH]["status"]["conditions"] = ready(
        "SecretSyncedError", "False", message
    )
    conditions = ready("InvalidProviderConfig", "False", "unable to validate store")
    w.cluster.objects[STORE_PATH] = {"status": {"conditions": conditions}}


def _tracked_by_argo(w: World) -> None:
    data = w.cluster.get(NS, "openclaw-config")["data"]
    tracking = {"argocd.argoproj.io/tracking-id": "openclaw:/ConfigMap:openclaw/openclaw-config"}
    w.cluster.add_config_map(NS, "openclaw-config", data, annotations=tracking)


def _rotation_not_applied(w: World) -> None:
    w.config["openclaw-cron-webhook:token"] = (json.dumps({"rotation": "3"}), False)


def _no_cluster(w: World) -> None:
    w.kube_error = ConfigException("Invalid kube-config file. No configuration found.")


def _kubeconfig_error_quoting_a_credential(w: World) -> None:
    w.kube_error = ValueError(f"client-key-data {OLD_TOKEN} is not valid")


@dataclass(frozen=True)
class Fault:
    inject: Callable[[World], object]
    exit: int
    statuses: dict[str, str]  # of every hop that is not ok
    fix: str  # of the first hop that is not ok


UP_REFRESH = "pulumi up --refresh --stack dev"
FORCE_SYNC = f"kubectl -n {NS} annotate externalsecret {R2} force-sync=$(date +%s) --overwrite"
PERMISSIONS = "./bin/verify --stack dev --print-permissions"
# The env stage's own apply, forced: the fix when another manager took the reference over.
TAKE_BACK = (
    "printf '%s' '"
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"openclaw",'
    '"namespace":"openclaw"},"spec":{"template":{"spec":{"containers":[{"name":"openclaw",'
    '"env":[{"name":"OPENCLAW_CRON_WEBHOOK_TOKEN","valueFrom":{"secretKeyRef":'
    '{"name":"openclaw-cron-webhook-r2","key":"OPENCLAW_CRON_WEBHOOK_TOKEN"}}}]}]}}}}'
    "' | kubectl apply --server-side --force-conflicts "
    "--field-manager=openclaw-cron-webhook/dev -f -"
)
FAULTS = {
    "ssm value changed behind ESO's back": Fault(
        _ssm_changed_behind_esos_back,
        1,
        {"ssm": "fail", "externalSecret": "fail", "secret": "fail"},
        UP_REFRESH,
    ),
    "ssm value changed, and ESO already copied it": Fault(
        _ssm_changed_and_synced, 1, {"ssm": "fail"}, UP_REFRESH
    ),
    "ssm parameter deleted": Fault(
        lambda w: w.ssm.delete_parameter(Name=PARAMETER),
        1,
        {"ssm": "fail", "secret": "error"},
        UP_REFRESH,
    ),
    "ssm tag changed": Fault(_ssm_tag_changed, 1, {"ssm": "fail"}, UP_REFRESH),
    "no access to AWS": Fault(
        _ssm_denied,
        2,
        {"ssm": "error", "secret": "error"},
        f"{PERMISSIONS}   (grant the IAM policy it prints)",
    ),
    "KMS key not usable": Fault(
        lambda w: _ssm_denied(w, "GetParameter", "not authorized to perform: kms:Decrypt"),
        2,
        {"ssm": "error", "secret": "error"},
        f"{PERMISSIONS}   (grant the IAM policy it prints)",
    ),
    "store broken": Fault(_store_broken, 1, {"externalSecret": "fail"}, FORCE_SYNC),
    "secret edited by hand": Fault(
        lambda w: w.cluster.objects.update({SECRET_PATH: secret(OLD_TOKEN)}),
        1,
        {"secret": "fail"},
        FORCE_SYNC,
    ),
    "secret deleted": Fault(
        lambda w: w.cluster.objects.pop(SECRET_PATH), 1, {"secret": "fail"}, FORCE_SYNC
    ),
    "secrets forbidden": Fault(
        lambda w: w.cluster.failing.update({SECRET_PATH: 403}),
        2,
        {"secret": "error"},
        f"{PERMISSIONS}   (grant the Role it prints)",
    ),
    "pods forbidden": Fault(  # not judged on an empty list: "none is Ready" would be false
        lambda w: w.cluster.failing.update({f"/api/v1/namespaces/{NS}/pods": 403}),
        2,
        {"env": "error"},
        f"{PERMISSIONS}   (grant the Role it prints)",
    ),
    "env entry removed by hand": Fault(
        lambda w: add_app(w.cluster, [{"name": "NODE_ENV", "value": "production"}]),
        1,
        {"env": "fail"},
        UP_REFRESH,
    ),
    "pod template names the old Secret": Fault(
        lambda w: add_app(w.cluster, [entry(ENV, R1, KEY)]), 1, {"env": "fail"}, UP_REFRESH
    ),
    "the pod template's reference changed by hand (the editor owns it)": Fault(
        _reference_changed_by_hand, 1, {"env": "fail"}, TAKE_BACK
    ),
    "a literal token in the env entry": Fault(
        lambda w: add_app(w.cluster, [{"name": ENV, "value": OLD_TOKEN}]),
        1,
        {"env": "fail"},
        UP_REFRESH,
    ),
    "an old pod still reads the old Secret": Fault(
        _old_pod, 1, {"env": "fail"}, f"kubectl -n {NS} delete pod openclaw-0ld-0"
    ),
    "section edited by hand": Fault(
        lambda w: _edit_section(w, {"sessionRetention": "24h", "webhookToken": OLD_TOKEN}),
        1,
        {"config": "fail"},
        UP_REFRESH,
    ),
    "section removed": Fault(lambda w: _edit_section(w, None), 1, {"config": "fail"}, UP_REFRESH),
    "the ConfigMap is tracked by Argo CD": Fault(
        _tracked_by_argo,
        1,
        {"gitops": "fail"},
        "pulumi config set --path 'openclaw-cron-webhook:section.target' git && "
        "pulumi config set --path 'openclaw-cron-webhook:section.git.repo' <repo URL> && "
        "pulumi config set --path 'openclaw-cron-webhook:section.git.path' <manifest path> && "
        "pulumi up --stack dev",
    ),
    "a rotation not applied yet": Fault(
        _rotation_not_applied,
        1,
        {"stack": "fail", "externalSecret": "fail", "secret": "fail", "env": "fail"},
        "pulumi up --stack dev",
    ),
    "a kubeconfig error quoting a credential": Fault(
        _kubeconfig_error_quoting_a_credential,
        2,
        dict.fromkeys(("externalSecret", "secret", "env", "config", "gitops"), "error"),
        "pulumi config set kubernetes:context <context> --stack dev",
    ),
    "no cluster": Fault(
        _no_cluster,
        2,
        dict.fromkeys(("externalSecret", "secret", "env", "config", "gitops"), "error"),
        "pulumi config set kubernetes:context <context> --stack dev",
    ),
    "the API server fails on the ExternalSecret": Fault(
        lambda w: w.cluster.failing.update({ES_PATH: 500}),
        2,
        {"externalSecret": "error"},
        f"kubectl get externalsecrets.external-secrets.io {R2} -n {NS}   (the same read with "
        "kubectl shows the API server's message)",
    ),
    "SSM fails with a message quoting a value": Fault(
        lambda w: _ssm_denied(w, "DescribeParameters", f"denied, value {OLD_TOKEN}"),
        2,
        {"ssm": "error", "secret": "error"},
        f"{PERMISSIONS}   (grant the IAM policy it prints)",
    ),
}


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, as a user debugging verify might set it: still no token."""
    caplog.set_level(logging.DEBUG)
    return caplog


def hop_lines(text: str) -> dict[str, str]:
    """{hop: its symbol} from the text output."""
    return {line.split()[1]: line[0] for line in text.splitlines()[:-1] if line[:1] in "✔✘"}


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_reported_on_its_hop_with_its_fix_and_no_token(
    world: World,
    capsys: pytest.CaptureFixture[str],
    debug_logs: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    FAULTS[fault].inject(world)
    status, hops = world.hops(capsys)
    not_ok = {name: hop["status"] for name, hop in hops.items() if hop["status"] != "ok"}
    assert not_ok == FAULTS[fault].statuses, json.dumps(hops, indent=1)
    first = next(hop for hop in hops.values() if hop["status"] != "ok")
    assert first["fix"] == FAULTS[fault].fix
    assert first["cause"]
    assert status == FAULTS[fault].exit
    text_status, out, err = world.run(capsys)
    assert text_status == status
    assert err == ""
    assert hop_lines(out) == {name: "✔" if h["status"] == "ok" else "✘" for name, h in hops.items()}
    assert f"cause: {first['cause']}" in out
    assert f"fix:   {first['fix']}" in out
    assert leaks(debug_logs.text) == []


def test_the_faults_reach_every_hop_and_every_exit_status() -> None:
    """So that running them all is running every path verify has."""
    reached = {hop for fault in FAULTS.values() for hop in fault.statuses}
    assert reached == {"stack", "ssm", "externalSecret", "secret", "env", "config", "gitops"}
    assert {fault.exit for fault in FAULTS.values()} == {1, 2}
    statuses = {status for fault in FAULTS.values() for status in fault.statuses.values()}
    assert statuses == {"fail", "error"}


def _invalid_config(w: World) -> None:
    w.config["openclaw-cron-webhook:namespace"] = ("Not_A_Label", False)


def _secret_config(w: World) -> None:
    w.config["openclaw-cron-webhook:namespace"] = ("openclaw", True)


def _crash(w: World) -> None:
    # An unforeseen error whose message holds the token: verify must not repeat it.
    w.stack_error = RuntimeError(f"unexpected answer: {TOKEN}")


# path → (inject, extra arguments, exit status, a line the output must hold)
OTHER_PATHS: dict[str, tuple[Callable[[World], object], list[str], int, str]] = {
    "healthy": (lambda w: None, [], 0, "all 7 hops hold"),
    "Phase 2 absent": (
        lambda w: w.outputs.clear(),
        [],
        1,
        "Phase 2 absent: stack dev has no outputs (destroyed, or never deployed)",
    ),
    "no stack": (
        lambda w: setattr(w, "stack_error", CannotRead("cannot read stack dev", "no such", "x")),
        [],
        2,
        "cannot check: cannot read stack dev",
    ),
    "invalid config": (_invalid_config, [], 2, "openclaw-cron-webhook:namespace = "),
    "a secret setting": (_secret_config, [], 2, "openclaw-cron-webhook:namespace is set as a"),
    "crash": (_crash, [], 2, "verify failed: RuntimeError (at "),
    "permissions": (lambda w: None, ["--print-permissions"], 0, "kind: Role"),
}


@pytest.mark.parametrize("path", OTHER_PATHS)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_every_other_path_says_what_it_is_and_no_token(
    world: World,
    capsys: pytest.CaptureFixture[str],
    debug_logs: pytest.LogCaptureFixture,
    path: str,
    as_json: bool,
) -> None:
    inject, argv, exit_status, said = OTHER_PATHS[path]
    inject(world)
    status, out, err = world.run(capsys, *argv, *(["--json"] if as_json else []))
    assert status == exit_status
    shown = out + err
    if as_json:
        assert err == ""
        document = json.loads(out)
        assert document.get("exit", 0) == status
        shown = json.dumps(document, ensure_ascii=False)
        said = said if path != "permissions" else '"kind": "Role"'
    assert said in shown
    assert leaks(debug_logs.text) == []


@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_openclaw_judges_the_live_document_with_the_containers_variables(
    world: World,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    valid: bool,
) -> None:
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))
    fake = install_fake(tmp_path / "bin" / "openclaw")
    issues = [] if valid else [{"path": "gateway.port", "message": "must be a number"}]
    answer(fake, {"valid": valid, "issues": issues})
    world.openclaw = OpenClaw((str(fake),), None, "2099.1.2")
    status, hops = world.hops(capsys)
    config = hops["config"]
    if valid:
        assert (status, config["status"]) == (0, "ok")
        assert config["evidence"] == ["openclaw.json judged by OpenClaw 2099.1.2: valid"]
    else:
        assert (status, config["status"]) == (1, "fail")
        assert config["evidence"] == ["gateway.port: must be a number"]
    env = seen(fake)["env"]
    assert (env["NODE_ENV"], env[ENV]) == (PLACEHOLDER, PLACEHOLDER)
    assert (
        seen(fake)["document"] == world.cluster.get(NS, "openclaw-config")["data"]["openclaw.json"]
    )


def test_a_reference_taken_over_by_another_manager_names_it_and_is_given_back(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pulumi up` never forces: when the editor owns the changed reference it would stop on
    the conflict, so the fix is the env stage's own apply, forced; the editor is named, and a
    GitOps controller's source is pointed at instead of fought."""
    _reference_changed_by_hand(world, "argocd-controller")
    _, hops = world.hops(capsys)
    env = hops["env"]
    assert env["summary"] == (
        f"Deployment {NS}/openclaw container openclaw takes env {ENV} from Secret {R1}, not {R2}"
    )
    assert env["cause"] == (
        "argocd-controller changed the entry and now owns its secretKeyRef (managedFields): "
        "`pulumi up` would stop on that conflict, as it never forces one; this gives the entry "
        "back to the stack (if that is a GitOps controller, change the entry in Git instead)"
    )
    assert env["fix"] == TAKE_BACK


def test_a_reference_the_stack_alone_owns_is_put_back_by_up(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same wrong reference, owned by the stack's manager only (no conflict to stop up)."""
    _reference_changed_by_hand(world)
    metadata = world.cluster.deployments.objects[NS, "openclaw"]["metadata"]
    metadata["managedFields"][1]["fieldsV1"] = _reference_fields(False)
    metadata["managedFields"][0]["fieldsV1"] = _reference_fields(True)
    _, hops = world.hops(capsys)
    assert hops["env"]["fix"] == UP_REFRESH
