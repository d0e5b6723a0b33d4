"""moto's server, with each SSM call authorised against the parameter it names: the stand-in
for AWS IAM in the e2e (issue 29, item 3).

Why a wrapper: moto checks a request against its caller's IAM policies once its access control
is on (`POST /moto-api/reset-auth`), but it matches a statement's `Resource` against what the
service's response class says the call is about, and SSM's says nothing: every SSM call is
checked against `*`, so a policy scoped to the parameter's ARN (what `./bin/permissions`
prints) would deny everything, and a policy on `*` would hide a missing scope. moto's own hook
for that (`_determine_resource`, as its SQS has) is given to SSM here: the parameter's ARN for
the calls on one parameter, `*` for DescribeParameters (IAM takes no resource for it either).

The users come first: `MOTO_IAM_USERS` (a JSON file, `e2e.harness.identities.moto_users`)
names each user, its access key pair and its inline policy, created before the server answers,
with access control on from the first request (so a restarted moto knows the same keys).

A refusal reads as AWS's own: for the JSON protocol services (SSM), moto answers with the XML
body of its query protocol, which boto3 shows raw; here it is AWS's `AccessDeniedException`,
naming the user, the action and the resource.

Not modelled, so not enforced here: IAM conditions (moto has no `kms:ViaService`), and KMS (moto's
SSM never calls KMS): a stack with `token.kmsKeyId` runs its KMS statements unchecked.

    python -m e2e.harness.standins.moto_iam -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from moto import settings
from moto.core.exceptions import JsonRESTError
from moto.iam.access_control import IAMRequest
from moto.iam.models import iam_backends
from moto.server import main
from moto.ssm.responses import SimpleSystemManagerResponse

# The SSM actions that name one parameter, and the request field that names it.
NAMED_BY = {
    "GetParameter": "Name",
    "GetParameterHistory": "Name",
    "PutParameter": "Name",
    "DeleteParameter": "Name",
    "LabelParameterVersion": "Name",
    "ListTagsForResource": "ResourceId",
    "AddTagsToResource": "ResourceId",
    "RemoveTagsFromResource": "ResourceId",
}


def parameter_arn(partition_region_account: tuple[str, str, str], name: str) -> str:
    """The ARN IAM evaluates for a parameter: `parameter/x` for `x`, `parameter/a/b` for `/a/b`."""
    partition, region, account = partition_region_account
    return f"arn:{partition}:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


def _determine_resource(self: SimpleSystemManagerResponse) -> str:
    field = NAMED_BY.get(self._get_action())
    name = self._get_param(field) if field else None
    if not isinstance(name, str) or not name:
        return "*"
    if name.startswith("arn:"):
        return name
    return parameter_arn(("aws", self.region, self.current_account), name)


def _check_action_permitted(self: IAMRequest, resource: str) -> None:
    self._checked_resource = resource  # type: ignore[attr-defined]
    _moto_check(self, resource)


def _raise_access_denied(self: IAMRequest) -> None:
    if "X-Amz-Target" not in self._headers:  # a query-protocol service: moto's XML is right
        _moto_denied(self)
    action, resource = self._action, getattr(self, "_checked_resource", "*")
    raise JsonRESTError(
        "AccessDeniedException",
        f"User: {self._access_key.arn} is not authorized to perform: {action} on resource: "
        f"{resource} because no identity-based policy allows the {action} action",
    )


def create_users(path: Path) -> None:
    """Each user with the given key pair and inline policy, in moto's own IAM backend."""
    wanted = json.loads(path.read_text())
    backend = iam_backends[wanted["account"]]["aws"]
    for user in wanted["users"]:
        backend.create_user("us-east-1", user["name"])
        key = backend.create_access_key(user["name"])
        del backend.access_keys[key.physical_resource_id]
        key.access_key_id, key.secret_access_key = user["access_key_id"], user["secret_access_key"]
        backend.access_keys[key.physical_resource_id] = key
        if user["policy"] is not None:
            backend.put_user_policy(user["name"], wanted["policy_name"], json.dumps(user["policy"]))


SimpleSystemManagerResponse._determine_resource = _determine_resource  # type: ignore[attr-defined]
_moto_check, _moto_denied = IAMRequest.check_action_permitted, IAMRequest._raise_access_denied
IAMRequest.check_action_permitted = _check_action_permitted  # type: ignore[method-assign,assignment]
IAMRequest._raise_access_denied = _raise_access_denied  # type: ignore[method-assign]

if __name__ == "__main__":
    create_users(Path(os.environ["MOTO_IAM_USERS"]))
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    main()
