"""The permissions each role is granted, generated from a stack's file (./bin/permissions).

The documents are held exactly, for the reference stack (git mode under Argo CD) and the
cluster-mode example, with and without a customer KMS key: a rule that appears or disappears
is a change of what an identity may do, and must show up here as such.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack import permissions
from stack.settings import parse_settings
from stages.permissions import Scope, kube
from tools.permissions import app

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "Pulumi.dev.yaml"
CLUSTER = ROOT / "examples" / "cluster-mode" / "Pulumi.dev.yaml"
ARN = "arn:aws:ssm:ap-northeast-1:*:parameter/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
RBAC = "rbac.authorization.k8s.io"
KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ES = "external-secrets.io"


def rule(group: str, resource: str, verbs: list[str], *names: str) -> dict[str, Any]:
    found: dict[str, Any] = {"apiGroups": [group], "resources": [resource]}
    if names:
        found["resourceNames"] = list(names)
    return {**found, "verbs": verbs}


def bound(role: str, namespace: str | None, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kind = "Role" if namespace else "ClusterRole"
    metadata: dict[str, Any] = {"name": f"openclaw-cron-webhook-{role}"}
    if namespace:
        metadata["namespace"] = namespace
    return [
        {"apiVersion": f"{RBAC}/v1", "kind": kind, "metadata": metadata, "rules": rules},
        {
            "apiVersion": f"{RBAC}/v1",
            "kind": f"{kind}Binding",
            "metadata": metadata,
            "subjects": [
                {"kind": "Group", "apiGroup": RBAC, "name": f"openclaw-cron-webhook:{role}"}
            ],
            "roleRef": {"apiGroup": RBAC, "kind": kind, "name": f"openclaw-cron-webhook-{role}"},
        },
    ]


READ_PARAMETER = {
    "Sid": "ReadTheTokenParameter",
    "Effect": "Allow",
    "Action": ["ssm:GetParameter", "ssm:ListTagsForResource"],
    "Resource": ARN,
}
DESCRIBE = {
    "Sid": "DescribeParameters",
    "Effect": "Allow",
    "Action": "ssm:DescribeParameters",
    "Resource": "*",
}
WRITE_PARAMETER = {
    "Sid": "WriteTheTokenParameter",
    "Effect": "Allow",
    "Action": [
        "ssm:PutParameter",
        "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource",
        "ssm:DeleteParameter",
    ],
    "Resource": ARN,
}
VIA_SSM = {"StringEquals": {"kms:ViaService": "ssm.ap-northeast-1.amazonaws.com"}}
DECRYPT = {
    "Sid": "DecryptThroughSsm",
    "Effect": "Allow",
    "Action": "kms:Decrypt",
    "Resource": KEY,
    "Condition": VIA_SSM,
}
ENCRYPT = {**DECRYPT, "Sid": "EncryptThroughSsm", "Action": "kms:Encrypt"}
DEPLOYER_ES = rule(ES, "externalsecrets", ["get", "list", "watch", "create", "patch", "delete"])
VERIFY_READS = [
    rule("", "secrets", ["get"], "openclaw-cron-webhook-r1"),
    rule(ES, "externalsecrets", ["get"], "openclaw-cron-webhook-r1"),
    rule("apps", "deployments", ["get"], "openclaw"),
    rule("", "pods", ["list"]),
    rule("", "configmaps", ["get"], "openclaw-config"),
]


def store(role: str) -> list[dict[str, Any]]:
    return bound(role, None, [rule(ES, "clustersecretstores", ["get"], "parameterstore")])


def printed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[tuple[str, str], Any]:
    """{(role, part heading): document} of the printed stream, each document parsed."""
    assert app.main(argv) == 0
    out = capsys.readouterr().out
    found: dict[tuple[str, str], Any] = {}
    for text in out.split("---\n"):
        head, _, body = text.partition("\n")
        role, part = head.removeprefix("# stack dev, role ").split(": ", 1)
        key = (role, part)
        assert key not in found or part.startswith("Kubernetes"), head
        found.setdefault(key, [])
        found[key].append(yaml.safe_load(body))
    return found


def with_key(path: Path, tmp_path: Path, key: str | None) -> Path:
    copy = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(path, copy)
    if key:
        document = yaml.safe_load(copy.read_text())
        document["config"]["openclaw-cron-webhook:token"]["kmsKeyId"] = key
        copy.write_text(yaml.safe_dump(document))
    return copy


@pytest.mark.parametrize("key", [None, KEY])
def test_the_reference_stack_git_mode(
    key: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = printed(["--stack-file", str(with_key(REFERENCE, tmp_path, key))], capsys)
    decrypt, encrypt = ([DECRYPT], [ENCRYPT]) if key else ([], [])
    kube = {
        role: found.pop((role, "Kubernetes Role")) for role in ("preview", "deployer", "verify")
    }
    assert kube["preview"] == [
        {**bound("preview", "openclaw", [])[0], "rules": [
            rule(ES, "externalsecrets", ["get"]),
            rule("apps", "deployments", ["get"], "openclaw"),
        ]}
    ]  # fmt: skip
    assert kube["deployer"] == [
        {**bound("deployer", "openclaw", [])[0], "rules": [
            DEPLOYER_ES,
            rule("", "events", ["list"]),
            rule("apps", "deployments", ["get", "patch"], "openclaw"),
            rule("", "pods", ["list"]),
            rule("", "configmaps", ["get"], "openclaw-config"),
        ]},
        {**bound("deployer", "argocd", [])[0], "rules": [
            rule("argoproj.io", "applications", ["patch"], "openclaw"),
        ]},
    ]  # fmt: skip
    assert kube["verify"] == [{**bound("verify", "openclaw", [])[0], "rules": VERIFY_READS}]
    assert found.pop(("preview", "Kubernetes RoleBinding")) == [bound("preview", "openclaw", [])[1]]
    assert found.pop(("deployer", "Kubernetes RoleBinding")) == [
        bound("deployer", "openclaw", [])[1],
        bound("deployer", "argocd", [])[1],
    ]
    assert found.pop(("verify", "Kubernetes RoleBinding")) == [bound("verify", "openclaw", [])[1]]
    for role in ("deployer", "verify"):
        assert found.pop((role, "Kubernetes ClusterRole")) == [store(role)[0]]
        assert found.pop((role, "Kubernetes ClusterRoleBinding")) == [store(role)[1]]
    reads = [READ_PARAMETER, DESCRIBE]
    iam = {role: found.pop((role, "AWS IAM policy")) for role in ("preview", "deployer", "verify")}
    assert (
        iam["preview"]
        == iam["verify"]
        == [{"Version": "2012-10-17", "Statement": [*reads, *decrypt]}]
    )
    assert iam["deployer"] == [
        {"Version": "2012-10-17", "Statement": [*reads, WRITE_PARAMETER, *decrypt, *encrypt]}
    ]
    repo = {
        "repository": "git@github.com:boxp/lolice.git",
        "branch": "main",
        "path": "argoproj/openclaw/configmap-openclaw.yaml",
    }
    credential = "what the GitOps repository's credential must be allowed"
    assert found.pop(("preview", credential)) == found.pop(("verify", credential)) == [
        {**repo, "access": "read", "allowed": "read the repository (clone and fetch); no push"}
    ]  # fmt: skip
    assert found.pop(("deployer", credential)) == [
        {
            **repo,
            "access": "push",
            "allowed": "read the repository and push to branch main (no force push)",
        }
    ]
    assert found == {}


@pytest.mark.parametrize("key", [None, KEY])
def test_the_cluster_mode_example(
    key: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = printed(["--stack-file", str(with_key(CLUSTER, tmp_path, key))], capsys)
    decrypt, encrypt = ([DECRYPT], [ENCRYPT]) if key else ([], [])
    assert found.pop(("preview", "Kubernetes Role")) == [
        {**bound("preview", "openclaw", [])[0], "rules": [
            rule(ES, "externalsecrets", ["get"]),
            rule("apps", "deployments", ["get"], "openclaw"),
            rule("", "configmaps", ["get"], "openclaw-config"),
        ]}
    ]  # fmt: skip
    assert found.pop(("deployer", "Kubernetes Role")) == [
        {**bound("deployer", "openclaw", [])[0], "rules": [
            DEPLOYER_ES,
            rule("", "events", ["list"]),
            rule("apps", "deployments", ["get", "patch"], "openclaw"),
            rule("", "pods", ["list"]),
            rule("", "configmaps", ["get", "update"], "openclaw-config"),
        ]}
    ]  # fmt: skip
    assert found.pop(("verify", "Kubernetes Role")) == [
        {**bound("verify", "openclaw", [])[0], "rules": VERIFY_READS}
    ]
    for role in ("preview", "deployer", "verify"):
        assert found.pop((role, "Kubernetes RoleBinding")) == [bound(role, "openclaw", [])[1]]
    for role in ("deployer", "verify"):
        assert found.pop((role, "Kubernetes ClusterRole")) == [store(role)[0]]
        assert found.pop((role, "Kubernetes ClusterRoleBinding")) == [store(role)[1]]
    reads = [READ_PARAMETER, DESCRIBE]
    assert (
        found.pop(("preview", "AWS IAM policy"))
        == found.pop(("verify", "AWS IAM policy"))
        == [{"Version": "2012-10-17", "Statement": [*reads, *decrypt]}]
    )
    assert found.pop(("deployer", "AWS IAM policy")) == [
        {"Version": "2012-10-17", "Statement": [*reads, WRITE_PARAMETER, *decrypt, *encrypt]}
    ]
    assert found == {}, "cluster mode has no repository credential"


def test_the_parameter_arn_is_the_stacks_region_account_and_name() -> None:
    settings = parse_settings(
        {"token": {"parameterName": "/team/prod/TOKEN", "retainOnDestroy": True}}
    )
    scope = Scope(settings, "eu-west-1", "123456789012")
    arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/team/prod/TOKEN"
    statements = permissions.iam(scope, "deployer")["Statement"]
    assert [(s["Sid"], s["Resource"]) for s in statements] == [
        ("ReadTheTokenParameter", arn),
        ("DescribeParameters", "*"),
        ("WriteTheTokenParameter", arn),
    ]
    # retainOnDestroy: Pulumi never deletes the parameter, so the deployer may not either.
    assert statements[2]["Action"] == [
        "ssm:PutParameter",
        "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource",
    ]
    known = "arn:aws:ssm:eu-west-1:210987654321:parameter/team/prod/TOKEN"
    deployed = Scope(settings, "eu-west-1", parameter_arn=known)
    assert {s["Resource"] for s in permissions.iam(deployed, "verify")["Statement"]} == {known, "*"}


def test_a_namespaced_store_is_a_role_rule_and_no_cluster_role_is_printed() -> None:
    settings = parse_settings({"externalSecret": {"storeKind": "SecretStore"}})
    manifests = permissions.kubernetes(Scope(settings), "verify")
    assert [m["kind"] for m in manifests] == ["Role", "RoleBinding"]
    assert rule(ES, "secretstores", ["get"], "parameterstore") in manifests[0]["rules"]
    cluster_wide = permissions.kubernetes(Scope(parse_settings({})), "verify")
    assert [m["kind"] for m in cluster_wide] == [
        "Role",
        "RoleBinding",
        "ClusterRole",
        "ClusterRoleBinding",
    ]
    assert cluster_wide[2]["rules"] == [rule(ES, "clustersecretstores", ["get"], "parameterstore")]


def test_a_verb_outside_the_ordered_ones_is_refused_by_name() -> None:
    """A rule is built from RBAC's verbs in order, so a verb not among them (a typo, or
    `deletecollection`) would drop out of the Role unnoticed; a stage stating one is refused."""
    refusal = "^not an RBAC verb this module orders: \\['deletecollection', 'escalate'\\]$"
    with pytest.raises(ValueError, match=refusal):
        kube("", "configmaps", ["get", "escalate", "deletecollection"], "openclaw")


def test_one_role_and_one_part_print_only_the_policy(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--stack", "dev", "--role", "deployer", "--part", "iam"]
    argv += ["--aws-account-id", "123456789012"]
    assert app.main(argv) == 0
    head, _, policy = capsys.readouterr().out.partition("\n")
    assert head == "# stack dev, role deployer: AWS IAM policy"
    assert json.loads(policy)["Statement"][0]["Resource"] == ARN.replace(":*:", ":123456789012:")


def test_a_bad_stack_file_or_setting_is_one_message_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "Pulumi.dev.yaml"
    bad.write_text("config:\n  openclaw-cron-webhook:namespace: Bad_Label\n")
    assert app.main(["--stack-file", str(bad)]) == 2
    said = capsys.readouterr().err
    assert said.startswith("permissions failed: Pulumi.dev.yaml: the stack's config is invalid\n")
    assert 'openclaw-cron-webhook:namespace = "Bad_Label"' in said
    bad.write_text("config:\n  openclaw-cron-webhook:namespace:\n    secure: v1:abc\n")
    assert app.main(["--stack-file", str(bad)]) == 2
    assert capsys.readouterr().err == (
        "permissions failed: Pulumi.dev.yaml: openclaw-cron-webhook:namespace is set as a "
        "secret, but no setting of this stack is sensitive (pulumi up refuses it too)\n"
        "  fix: pulumi config set --path 'openclaw-cron-webhook:namespace' <value> --stack dev"
        "   (no --secret)\n"
    )
    with pytest.raises(SystemExit):
        app.main(["--aws-account-id", "12"])
    assert "an account id is 12 digits" in capsys.readouterr().err


def test_values_as_pulumi_config_set_writes_them_are_read_as_the_program_reads_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pulumi config set --path 'P:enabled' true` stores the text "true": the program decodes
    it (stack.settings.decoded), so the permissions are those of the file that says `true`."""
    as_set = tmp_path / "set" / "Pulumi.dev.yaml"
    as_set.parent.mkdir()
    document = yaml.safe_load(REFERENCE.read_text())
    document["config"]["openclaw-cron-webhook:enabled"] = "true"
    as_set.write_text(yaml.safe_dump(document))

    assert printed(["--stack-file", str(as_set)], capsys) == printed(
        ["--stack-file", str(REFERENCE)], capsys
    )
