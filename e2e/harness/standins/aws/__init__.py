"""A STAND-IN for the pulumi-aws provider plugin: `aws:ssm/parameter:Parameter` against moto.

Why it exists: the real pulumi-aws provider cannot be built on these machines (it imports a
`shim` package that only exists after Pulumi's patches are applied to a git submodule of
terraform-provider-aws, and neither is served by the Go module proxy). The e2e still has to run
the real Pulumi engine over the one AWS resource the stack registers, so this stand-in serves
the engine's gRPC ResourceProvider protocol (through `e2e.harness.standins.service`) and talks to
moto
(a local AWS API) with boto3.

It is honest only while it is named as one: every line it writes says `aws stand-in (moto)`,
its schema says so, and any other resource type or function is refused with a message naming it.
Its plugin version is the installed pulumi_aws SDK's, the version the SDK's resources ask for.
It never talks to real AWS: Configure refuses to proceed without an explicit SSM endpoint
(AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL or `aws:endpoints`).

Its behaviour follows the real provider (terraform-provider-aws `aws_ssm_parameter` through the
Terraform bridge) where the stack can observe it: the same input and output property names, the
same replace-vs-update decisions, `value` always a secret, tags kept apart from `Overwrite`.

Layout: `config` (provider configuration: region, endpoint, credentials), `provider` (the
Parameter's logic: check, diff, create/read/update/delete against an SSM client), `schema`,
`standin` (the `Standin` the shared servicer drives), `__main__` (what
`bin/pulumi-resource-aws` runs).
"""

from __future__ import annotations

LABEL = "aws stand-in (moto)"
PARAMETER_TYPE = "aws:ssm/parameter:Parameter"
