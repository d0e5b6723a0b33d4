"""The printed permissions are laid out for the person who grants them.

Why held as text: the stream is read and pasted by a person (kubectl apply, the IAM console,
the Git host's settings), so a Kubernetes document keeps apiVersion/kind/metadata first, the
GitOps credential's access reads repository, branch, path and then what it may do, and the IAM
policy is JSON indented as the console shows it. `tests/test_permissions.py` holds what each
document grants (parsed); this holds how it is printed.
"""

from __future__ import annotations

import pytest

from tools.permissions import app

CLUSTER_BINDING = """\
# stack dev, role verify: Kubernetes ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: openclaw-cron-webhook-verify
subjects:
- kind: Group
  apiGroup: rbac.authorization.k8s.io
  name: openclaw-cron-webhook:verify
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: openclaw-cron-webhook-verify
"""

ARN = "arn:aws:ssm:ap-northeast-1:*:parameter/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
POLICY = """\
# stack dev, role verify: AWS IAM policy
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadTheTokenParameter",
      "Effect": "Allow",
      "Action": [
        "ssm:GetParameter",
        "ssm:ListTagsForResource"
      ],
      "Resource": "ARN"
    },
    {
      "Sid": "DescribeParameters",
      "Effect": "Allow",
      "Action": "ssm:DescribeParameters",
      "Resource": "*"
    }
  ]
}
""".replace("ARN", ARN)

GIT_ACCESS = """\
# stack dev, role verify: what the GitOps repository's credential must be allowed
repository: git@github.com:boxp/lolice.git
branch: main
path: argoproj/openclaw/configmap-openclaw.yaml
access: read
allowed: read the repository (clone and fetch); no push
"""


def test_each_document_is_printed_in_the_order_a_person_reads_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parts = ["--part", "kubernetes", "--part", "iam", "--part", "git"]
    assert app.main(["--stack", "dev", "--role", "verify", *parts]) == 0
    documents = capsys.readouterr().out.split("---\n")
    assert documents[3:] == [CLUSTER_BINDING, POLICY, GIT_ACCESS]
