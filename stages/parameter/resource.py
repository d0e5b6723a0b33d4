"""Stage 2: the token at rest, as an SSM SecureString.

Why SSM is the source of truth (not a Kubernetes Secret written by Pulumi): the app's other
secrets already flow SSM → External Secrets → Secret, so operators keep one place to look,
and the token never has to be written to the cluster by Pulumi itself.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from stack.settings import TokenSettings
from stages.options import child_options
from stages.parameter.identity import COMPONENT_TYPE


class Parameter(pulumi.ComponentResource):
    """An `aws.ssm.Parameter` of type SecureString holding the token `value` (the token
    stage's Output); `token.retainOnDestroy` keeps it for receivers when the stack is torn
    down."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    version: pulumi.Output[int]

    def __init__(
        self,
        name: str,
        settings: TokenSettings,
        value: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        parameter = aws.ssm.Parameter(
            name,
            name=settings.parameter_name,
            type=aws.ssm.ParameterType.SECURE_STRING,
            value=pulumi.Output.secret(value),
            key_id=settings.kms_key_id,
            description=settings.description,
            tags=dict(settings.tags),
            opts=pulumi.ResourceOptions.merge(
                child_options(self, opts, retain_on_delete=settings.retain_on_destroy),
                # `pulumi import aws:ssm/parameter:Parameter cron-webhook-token <name>` (README:
                # the manual runbook already created the parameter) puts the parameter at the
                # stack's top level, where the CLI imports; this alias makes the next `pulumi up`
                # adopt that import as this child, instead of creating a second parameter
                # (ParameterAlreadyExists) and deleting the protected import.
                pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]),
            ),
        )
        self.name = parameter.name
        self.arn = parameter.arn
        self.version = parameter.version
        self.register_outputs({"name": self.name, "arn": self.arn, "version": self.version})
