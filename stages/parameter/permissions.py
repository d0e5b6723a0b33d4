"""The parameter stage's IAM: the token's SSM parameter, and its KMS key when it is a customer's.

Evidence, call by call:
- Reads (every role). The AWS provider's Parameter (terraform-provider-aws, `ssm/parameter.go`)
  reads back with GetParameter(WithDecryption: true), DescribeParameters (filtered by name:
  the tier, the key, the policies) and ListTagsForResource, on `pulumi refresh`, on
  `preview --refresh` and after every create and update; verify's reader
  (`stages.parameter.ssm_reader.ACTIONS`) makes the same three calls. DescribeParameters takes
  no resource ARN in IAM, hence `*`.
- Writes (deployer). Create and a new value: PutParameter with Tags, and IAM authorises a
  PutParameter that carries tags as AddTagsToResource too; a tag change: AddTagsToResource
  and RemoveTagsFromResource; destroy and a replacement: DeleteParameter, unless
  `token.retainOnDestroy` keeps the parameter (Pulumi's retainOnDelete: no delete is sent).
- KMS. A SecureString is encrypted by SSM with the parameter's key on the caller's behalf: the
  caller needs kms:Encrypt for PutParameter (a standard-tier parameter, which this stage
  writes: no `tier` is set, so no envelope GenerateDataKey) and kms:Decrypt for the decrypting
  read. The AWS-managed key aws/ssm needs no statement: its key policy already lets every
  principal of the account use it through SSM. Each KMS statement is held to SSM
  (`kms:ViaService`), so the identity cannot use the key directly.
"""

from __future__ import annotations

from typing import Any

from stages.parameter.ssm_reader import ACTIONS
from stages.permissions import AwsStatement, Role, Rule, Scope

WRITES = ("ssm:PutParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource")
DELETE = "ssm:DeleteParameter"


def rules(scope: Scope, role: Role) -> list[Rule]:
    found: list[Rule] = [
        AwsStatement(
            "ReadTheTokenParameter",
            (ACTIONS["GetParameter"], ACTIONS["ListTagsForResource"]),
            scope.token_parameter_arn,
        ),
        AwsStatement("DescribeParameters", (ACTIONS["DescribeParameters"],), "*"),
    ]
    if role == "deployer":
        retained = scope.settings.token.retain_on_destroy
        writes = WRITES if retained else (*WRITES, DELETE)
        found.append(AwsStatement("WriteTheTokenParameter", writes, scope.token_parameter_arn))
    key = scope.settings.token.kms_key_id
    if key:
        found.append(_through_ssm(scope, key, "DecryptThroughSsm", "kms:Decrypt"))
        if role == "deployer":
            found.append(_through_ssm(scope, key, "EncryptThroughSsm", "kms:Encrypt"))
    return found


def _through_ssm(scope: Scope, key: str, sid: str, action: str) -> AwsStatement:
    """`action` on the customer key `token.kmsKeyId`, only through SSM in the stack's region.

    The key as configured: a key ARN is the resource itself; an alias (`alias/x` or its ARN)
    cannot be a policy resource for use of the key, so the key is matched by its alias
    (`kms:ResourceAliases`); a bare key id becomes its ARN in the stack's region.
    """
    via: dict[str, Any] = {"StringEquals": {"kms:ViaService": f"ssm.{scope.region}.amazonaws.com"}}
    if key.startswith("arn:") and ":key/" in key:
        return AwsStatement(sid, (action,), key, via)
    if "alias/" in key:
        alias = key[key.index("alias/") :]
        via["ForAnyValue:StringEquals"] = {"kms:ResourceAliases": alias}
        return AwsStatement(sid, (action,), "*", via)
    return AwsStatement(
        sid, (action,), f"arn:aws:kms:{scope.region}:{scope.account}:key/{key}", via
    )
