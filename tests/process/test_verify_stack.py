"""verify's edges: reading a stack through a Pulumi CLI, the printed permissions, what the SSM,
Kubernetes and git readers say when they cannot read, and the report's two renderings.

The Pulumi CLI here is a stand-in script on PATH that answers the few commands the Automation
API's LocalWorkspace runs and logs every argument list, so the tests can show that verify never
asks for a decrypted output and never changes the selected stack.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.config import Config
from botocore.stub import Stubber
from fake_kube_api import FakeKubeApi
from kubernetes.client import ApiClient, Configuration

from stack.settings import GitSettings
from stages.hop import CannotRead, Hop
from stages.kube_connection import KubeTarget
from stages.kube_reader import ClusterReader
from stages.parameter import ssm_reader
from stages.redaction import Redactor
from stages.section.git import branch_head
from tools.verify import app as verify
from tools.verify import permissions as verify_permissions
from tools.verify.check import kubectl_for
from tools.verify.model import Report, headline, overall
from tools.verify.output import as_dict, as_text
from tools.verify.stack import read_stack, settings_from_config

pytestmark = pytest.mark.process  # the user's git, and botocore's models

TOKEN = "5f" * 32
KUBECONFIG_SECRET = "kubeconfig-client-key-0123456789abcdef"
PERMISSIONS_FIX = "./bin/verify --stack dev --print-permissions"
FAKE_PULUMI = """#!{python} -S
import json, os, sys
args = [a for a in sys.argv[1:] if a != "--non-interactive"]
with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
stack = args[args.index("--stack") + 1] if "--stack" in args else None
if stack not in (None, "dev"):
    sys.stderr.write("error: no stack named '" + stack + "' found\\n")
    sys.exit(255)
if args == ["version"]:
    print("v3.274.1")
elif args[:2] == ["stack", "ls"]:
    print(json.dumps([{{"name": "dev", "current": os.environ["FAKE_PULUMI_CURRENT"] == "1"}}]))
elif args[:1] == ["config"]:
    print(json.dumps({{
        "openclaw-cron-webhook:token": {{"value": json.dumps({{"rotation": 2}}), "secret": False}},
        "kubernetes:context": {{"value": "prod", "secret": False}},
        "kubernetes:kubeconfig": {{"value": "{kubeconfig}", "secret": True}},
        "aws:region": {{"value": "eu-west-1", "secret": False}},
    }}))
elif args[:2] == ["stack", "output"]:
    secret = "{token}" if "--show-secrets" in args else "[secret]"
    print(json.dumps({{"secretName": "openclaw-cron-webhook-r2", "webhookToken": secret}}))
else:
    sys.stderr.write("error: unexpected " + " ".join(args) + "\\n")
    sys.exit(1)
"""


@pytest.fixture
def pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Pulumi CLI stand-in first on PATH; returns its argument log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "pulumi"
    script.write_text(
        FAKE_PULUMI.format(python=sys.executable, kubeconfig=KUBECONFIG_SECRET, token=TOKEN)
    )
    script.chmod(0o755)
    log = tmp_path / "pulumi.log"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_PULUMI_LOG", str(log))
    monkeypatch.setenv("FAKE_PULUMI_CURRENT", "1")
    monkeypatch.setenv("PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", "true")
    return log


def logged(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_the_stack_is_read_without_selecting_it_or_decrypting_an_output(
    pulumi: Path, tmp_path: Path
) -> None:
    redactor = Redactor()
    view = read_stack(None, tmp_path, redactor)
    assert view.name == "dev"
    assert view.settings.token.rotation == "2"
    assert view.outputs == {"secretName": "openclaw-cron-webhook-r2"}
    assert (view.kube.context, view.region) == ("prod", "eu-west-1")
    assert view.kube.kubeconfig == KUBECONFIG_SECRET
    assert redactor.scrub(f"key {KUBECONFIG_SECRET}") == "key [redacted]"
    calls = logged(pulumi)
    assert not [
        call for call in calls if call[:2] == ["stack", "output"] and "--show-secrets" in call
    ]
    assert not [call for call in calls if call[:2] == ["stack", "select"]]


def test_an_unknown_or_unselected_stack_cannot_be_checked(
    pulumi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(CannotRead) as unknown:
        read_stack("nope", tmp_path, Redactor())
    assert unknown.value.summary == "cannot read stack nope through Pulumi"
    assert unknown.value.cause == "error: no stack named 'nope' found"
    monkeypatch.setenv("FAKE_PULUMI_CURRENT", "0")
    with pytest.raises(CannotRead) as unselected:
        read_stack(None, tmp_path, Redactor())
    assert unselected.value.fix == "./bin/verify --stack <name>   (see: pulumi stack ls)"


def test_without_a_pulumi_cli_the_check_cannot_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CannotRead) as missing:
        read_stack("dev", tmp_path, Redactor())
    assert missing.value.summary == "cannot run the Pulumi CLI"


def test_the_command_line_prints_permissions_through_a_real_workspace(
    pulumi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        verify.main(["--stack", "dev", "--print-permissions", "--project-dir", str(tmp_path)]) == 0
    )
    out = capsys.readouterr().out
    assert "# Kubernetes: what ./bin/verify --stack dev reads" in out
    assert KUBECONFIG_SECRET not in out
    status = verify.main(["--stack", "nope", "--json", "--project-dir", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    assert (status, report["status"], report["hops"]) == (2, "error", [])
    assert report["headline"] == "cannot check: cannot read stack nope through Pulumi"


def test_a_secret_or_invalid_setting_stops_the_check_with_the_fix() -> None:
    with pytest.raises(CannotRead) as secret:
        settings_from_config({"openclaw-cron-webhook:namespace": ("openclaw", True)}, "dev")
    assert secret.value.fix == (
        "pulumi config set --path 'openclaw-cron-webhook:namespace' <value> --stack dev   "
        "(no --secret)"
    )
    with pytest.raises(CannotRead) as invalid:
        settings_from_config({"openclaw-cron-webhook:namespace": ("Bad_Label", False)}, "dev")
    assert invalid.value.cause.startswith('openclaw-cron-webhook:namespace = "Bad_Label": ')


# --- permissions ----------------------------------------------------------------------------


def test_the_role_grants_exactly_the_reads_verify_makes() -> None:
    settings = settings_from_config({}, "dev")
    role, binding, store, store_binding = verify_permissions.rbac(settings)
    assert role["kind"] == "Role"
    assert role["metadata"] == {"name": "openclaw-cron-webhook-verify", "namespace": "openclaw"}
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"],
         "resourceNames": ["openclaw-cron-webhook-r1"], "verbs": ["get"]},
        {"apiGroups": ["external-secrets.io"], "resources": ["externalsecrets"],
         "resourceNames": ["openclaw-cron-webhook-r1"], "verbs": ["get"]},
        {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["openclaw"],
         "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
        {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["openclaw-config"],
         "verbs": ["get"]},
    ]  # fmt: skip
    assert (binding["kind"], binding["roleRef"]["name"]) == (
        "RoleBinding",
        role["metadata"]["name"],
    )
    assert store["kind"] == "ClusterRole"
    assert store["rules"] == [
        {"apiGroups": ["external-secrets.io"], "resources": ["clustersecretstores"],
         "resourceNames": ["parameterstore"], "verbs": ["get"]}
    ]  # fmt: skip
    assert store_binding["kind"] == "ClusterRoleBinding"
    namespaced = settings_from_config(
        {"openclaw-cron-webhook:externalSecret": ('{"storeKind": "SecretStore"}', False)}, "dev"
    )
    only, _ = verify_permissions.rbac(namespaced)
    assert only["rules"][2]["resources"] == ["secretstores"]


@pytest.mark.parametrize(
    ("key", "resource", "condition"),
    [
        (
            "arn:aws:kms:eu-west-1:123456789012:key/k1",
            "arn:aws:kms:eu-west-1:123456789012:key/k1",
            {"StringEquals": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"}},
        ),
        (
            "alias/openclaw",
            "*",
            {
                "StringEquals": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"},
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/openclaw"},
            },
        ),
        (
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:eu-west-1:*:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            {"StringEquals": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"}},
        ),
    ],
)
def test_the_iam_policy_decrypts_only_with_a_customer_key_through_ssm(
    key: str, resource: str, condition: dict[str, Any]
) -> None:
    token = json.dumps({"kmsKeyId": key})
    settings = settings_from_config({"openclaw-cron-webhook:token": (token, False)}, "dev")
    policy = verify_permissions.iam(settings, "eu-west-1", None)
    read, describe, decrypt = policy["Statement"]
    assert read["Action"] == ["ssm:GetParameter", "ssm:ListTagsForResource"]
    assert read["Resource"] == (
        "arn:aws:ssm:eu-west-1:*:parameter/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    )
    assert (describe["Action"], describe["Resource"]) == ("ssm:DescribeParameters", "*")
    assert (decrypt["Action"], decrypt["Resource"], decrypt["Condition"]) == (
        "kms:Decrypt",
        resource,
        condition,
    )


def test_the_printed_permissions_parse_and_use_the_known_parameter_arn() -> None:
    settings = settings_from_config({}, "dev")
    arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
    text = verify_permissions.render(settings, "dev", "eu-west-1", arn)
    rbac, iam = text.split("\n# AWS IAM policy for verify's identity:\n")
    assert [doc["kind"] for doc in yaml.safe_load_all(rbac)] == [
        "Role",
        "RoleBinding",
        "ClusterRole",
        "ClusterRoleBinding",
    ]
    statements = json.loads(iam)["Statement"]
    assert [s["Sid"] for s in statements] == ["ReadTheTokenParameter", "DescribeParameters"]
    assert statements[0]["Resource"] == arn


# --- readers that cannot read ---------------------------------------------------------------


def test_the_ssm_endpoint_comes_from_the_environment_like_the_aws_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    both = {"AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:4001", "AWS_ENDPOINT_URL": "http://x:1"}
    assert ssm_reader.ssm_client("eu-west-1", both).meta.endpoint_url == "http://127.0.0.1:4001"
    generic = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4002"}
    assert ssm_reader.ssm_client("eu-west-1", generic).meta.endpoint_url == "http://127.0.0.1:4002"
    # verify gives no environment: the process's own is read.
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:4003")
    assert ssm_reader.ssm_client("eu-west-1").meta.endpoint_url == "http://127.0.0.1:4003"


def test_no_region_is_a_check_that_cannot_run(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(CannotRead) as missing:
        ssm_reader.ssm_client(None, {})
    assert (missing.value.summary, missing.value.cause, missing.value.fix) == (
        "no AWS region",
        "the stack sets no aws:region and the environment has no AWS_REGION",
        "pulumi config set aws:region <region>",
    )


def test_a_missing_profile_is_a_check_that_cannot_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(CannotRead) as missing:
        ssm_reader.ssm_client("eu-west-1", {})
    assert (missing.value.summary, missing.value.cause, missing.value.fix) == (
        "no SSM client (ProfileNotFound)",
        "boto3 cannot set up a client from this environment (AWS_PROFILE, ~/.aws/config)",
        "aws configure list   (shows which profile and credentials boto3 would use)",
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_an_unreachable_ssm_names_its_endpoint(aws_credentials: None) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    client = boto3.client(
        "ssm", region_name="eu-west-1", endpoint_url=endpoint,
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )  # fmt: skip
    with pytest.raises(CannotRead) as unreachable:
        ssm_reader.read_parameter(client, "/p", Redactor(), PERMISSIONS_FIX)
    assert (unreachable.value.summary, unreachable.value.cause, unreachable.value.fix) == (
        f"cannot reach SSM at {endpoint} (EndpointConnectionError)",
        "the SSM endpoint is unreachable from here (network, proxy, or a wrong "
        "AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL)",
        f"aws ssm describe-parameters --max-results 1 --endpoint-url {endpoint}",
    )


def test_no_credentials_is_a_check_that_cannot_run(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(name, "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    endpoint = {"AWS_ENDPOINT_URL_SSM": f"http://127.0.0.1:{_closed_port()}"}
    client = ssm_reader.ssm_client("eu-west-1", endpoint)
    with pytest.raises(CannotRead) as missing:
        ssm_reader.read_parameter(client, "/p", Redactor(), PERMISSIONS_FIX)
    assert (missing.value.summary, missing.value.cause, missing.value.fix) == (
        "no AWS credentials",
        "boto3 found no credentials (environment, profile, SSO, instance role)",
        "export AWS_PROFILE=<a profile allowed what --print-permissions lists>",
    )


# What SSM says when KMS refuses verify's identity the key (the wording as
# hashicorp/terraform-provider-aws#42849 quotes it).
KMS_REFUSAL = (
    "User: arn:aws:iam::111122223333:user/verify is not authorized to perform: kms:Decrypt on "
    "resource: arn:aws:kms:eu-west-1:111122223333:key/k (Service: AWSKMS; Status Code: 400)"
)


@pytest.mark.parametrize(
    ("code", "said", "summary", "cause", "fix"),
    [
        (
            "AccessDeniedException",
            "refused",
            "AWS denies ssm:DescribeParameters on /p (AccessDeniedException)",
            "verify's AWS identity may not ssm:DescribeParameters on the parameter /p",
            f"{PERMISSIONS_FIX}   (grant the IAM policy it prints)",
        ),
        (
            "AccessDenied",
            "refused",
            "AWS denies ssm:DescribeParameters on /p (AccessDenied)",
            "verify's AWS identity may not ssm:DescribeParameters on the parameter /p",
            f"{PERMISSIONS_FIX}   (grant the IAM policy it prints)",
        ),
        (
            "AccessDeniedException",
            KMS_REFUSAL,
            "AWS denies kms:Decrypt on /p (AccessDeniedException)",
            "verify's AWS identity may not kms:Decrypt on the parameter /p",
            f"{PERMISSIONS_FIX}   (grant the IAM policy it prints)",
        ),
        (  # a code of KMS's own (the key pending deletion), should SSM pass one on
            "KMSInvalidStateException",
            "refused",
            "AWS denies kms:Decrypt on /p (KMSInvalidStateException)",
            "verify's AWS identity may not kms:Decrypt on the parameter /p",
            f"{PERMISSIONS_FIX}   (grant the IAM policy it prints)",
        ),
        *(
            (
                code,
                "refused",
                f"AWS rejects the credentials ({code})",
                "the credentials boto3 found are invalid or expired",
                "aws sts get-caller-identity   (then refresh the credentials, e.g. aws sso login)",
            )
            for code in (
                "UnrecognizedClientException",
                "InvalidClientTokenId",
                "ExpiredTokenException",
            )
        ),
        (
            "ThrottlingException",
            "Rate exceeded",
            "SSM DescribeParameters on /p failed: ThrottlingException",
            "SSM answered ThrottlingException to ssm:DescribeParameters",
            "aws ssm describe-parameters --parameter-filters Key=Name,Values=/p",
        ),
    ],
)
def test_each_ssm_refusal_is_said_in_our_words(
    aws_credentials: None, code: str, said: str, summary: str, cause: str, fix: str
) -> None:
    client = boto3.client("ssm", region_name="eu-west-1")
    with Stubber(client) as stub:
        stub.add_client_error("describe_parameters", code, f"{said} {TOKEN}")
        with pytest.raises(CannotRead) as refused:
            ssm_reader.read_parameter(client, "/p", Redactor(), PERMISSIONS_FIX)
    assert (refused.value.summary, refused.value.cause, refused.value.fix) == (summary, cause, fix)


def test_kubernetes_refusals_and_silence_are_said_in_our_words() -> None:
    with FakeKubeApi() as fake:
        reader = ClusterReader(ApiClient(Configuration(host=fake.host)), Redactor(), "x")
        fake.fail_next("GET", 401)
        with pytest.raises(CannotRead) as rejected:
            reader.config_map("openclaw", "openclaw-config")
        assert rejected.value.summary == "Kubernetes rejects the credentials (401 Unauthorized)"
        fake.fail_next("GET", 403)
        with pytest.raises(CannotRead) as denied:
            reader.pods("openclaw", "app=openclaw")
        assert denied.value.summary == (
            "Kubernetes denies `list` on pods in namespace openclaw (403 Forbidden)"
        )
    host = f"http://127.0.0.1:{_closed_port()}"
    silent = ClusterReader(ApiClient(Configuration(host=host)), Redactor(), "x")
    with pytest.raises(CannotRead) as unreachable:
        silent.deployment("openclaw", "openclaw")
    assert unreachable.value.summary.startswith(f"cannot reach the Kubernetes API at {host} (")


def test_printed_kubectl_commands_aim_at_the_cluster_verify_read() -> None:
    assert kubectl_for(KubeTarget()) == "kubectl"
    assert kubectl_for(KubeTarget("~/.kube/prod", "prod")) == (
        "kubectl --kubeconfig ~/.kube/prod --context prod"
    )
    assert kubectl_for(KubeTarget("apiVersion: v1\nkind: Config\n", None)) == "kubectl"


def test_the_branch_head_is_read_with_the_users_git(tmp_path: Path) -> None:
    remote, work = tmp_path / "gitops.git", tmp_path / "work"

    def git(*args: str, cwd: Path = tmp_path) -> None:
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)  # noqa: S607

    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git("clone", "--quiet", str(remote), str(work))
    (work / "app").mkdir()
    (work / "app" / "cm.yaml").write_text("kind: ConfigMap\n")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "--allow-empty",
        "-m", "x", cwd=work)  # fmt: skip
    git("add", ".", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "cm", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    found = branch_head.read_branch_file(GitSettings(repo=f"file://{remote}", path="app/cm.yaml"))
    assert (found.text, len(found.commit)) == ("kind: ConfigMap\n", 40)
    assert found.where == f"app/cm.yaml (branch main of file://{remote})"
    assert (
        branch_head.read_branch_file(
            GitSettings(repo=f"file://{remote}", path="app/other.yaml")
        ).text
        is None
    )
    with pytest.raises(CannotRead) as unreadable:
        branch_head.read_branch_file(GitSettings(repo=f"file://{tmp_path}/none", path="a.yaml"))
    assert unreadable.value.fix.startswith(f"git ls-remote file://{tmp_path}/none main")


# --- the report -----------------------------------------------------------------------------


def test_a_failure_outweighs_a_check_that_could_not_run() -> None:
    good = Hop("ssm", "ok", "fine")
    bad = Hop("env", "fail", "wrong", (), "because", "do this")
    blind = Hop("secret", "error", "cannot", (), "no access", "grant")
    assert overall((good, blind)) == "error"
    assert overall((good, blind, bad)) == "fail"
    assert headline((good, blind, bad)) == "1 of 3 hops failed: env; could not check: secret"
    assert headline((good,)) == "all 1 hops hold"
    reports = [Report("s", "ok", ""), Report("s", "fail", ""), Report("s", "absent", "")]
    reports.append(Report("s", "error", ""))
    assert [report.exit_status for report in reports] == [0, 1, 1, 2]


def test_the_redactor_knows_every_spelling_of_a_value() -> None:
    redactor = Redactor()
    redactor.add(TOKEN)
    redactor.add("short")
    import base64

    encoded = base64.b64encode(TOKEN.encode()).decode()
    text = f"{TOKEN} {encoded} {encoded.rstrip('=')} short"
    assert redactor.scrub(text) == "[redacted] [redacted] [redacted] short"


def test_both_renderings_carry_the_same_verdicts() -> None:
    hops = (
        Hop("ssm", "ok", "fine", ("seen",)),
        Hop("env", "fail", "wrong", ("evidence",), "because", "do this"),
    )
    report = Report("dev", overall(hops), headline(hops), hops)
    assert as_text(report, 0.5) == (
        "✔ ssm             fine\n"
        "                  · seen\n"
        "✘ env             wrong\n"
        "                  · evidence\n"
        "                  cause: because\n"
        "                  fix:   do this\n"
        "✘ 1 of 2 hops failed: env  (stack dev, exit 1, 0.5 s)\n"
    )
    document = as_dict(report, 0.5)
    assert document == {
        "schema_version": 1,
        "stack": "dev",
        "status": "fail",
        "exit": 1,
        "headline": "1 of 2 hops failed: env",
        "seconds": 0.5,
        "failed": ["env"],
        "unchecked": [],
        "hops": [
            {"name": "ssm", "status": "ok", "summary": "fine", "evidence": ["seen"],
             "cause": "", "fix": ""},
            {"name": "env", "status": "fail", "summary": "wrong", "evidence": ["evidence"],
             "cause": "because", "fix": "do this"},
        ],
        "cause": "",
        "fix": "",
    }  # fmt: skip
