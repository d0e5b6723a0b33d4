"""The whole Phase 2 path as one component, wired in the only safe order.

token → SSM parameter → ExternalSecret (awaited until synced) → env entry (awaited rollout)
→ `cron` section. Each arrow is an explicit `depends_on`, not just data flow, because the
order is about the cluster's state (a Secret that exists, pods that carry the variable), which
Outputs alone do not express. Pulumi deletes in reverse, so destroy removes the section first
and the parameter last. Each stage takes the settings it reads (its slice of `Settings`, or
the whole where it needs the names derived there) and the upstream Outputs it consumes, so a
setting is named once, where it is read.

The two rollbacks by config are registrations left out, which the next `up` deletes as a
destroy would, in the same reverse order: `enabled: false` leaves out the whole component
(__main__.py), `section.present: false` only the section.
"""

from __future__ import annotations

import pulumi

from stack.settings import Settings
from stages.env_entry.resource import EnvEntry
from stages.external_secret.resource import ExternalSecret
from stages.identity import component_type
from stages.kubernetes_meta import stack_field_manager
from stages.parameter.resource import Parameter
from stages.section.resource import GitSection, Section
from stages.token.resource import Token

# The whole path's component: its class keeps the type's name, which is in every state's URNs.
COMPONENT_TYPE = component_type("CronWebhookDelivery")


def verification_commands(settings: Settings) -> dict[str, str]:
    """One read-only command per hop; none of them prints the token."""
    ns = settings.namespace
    key = settings.config.key.replace(".", "\\.")
    return {
        "ssm": (
            f"aws ssm get-parameter --name {settings.token.parameter_name} "
            "--query 'Parameter.[Type,Version]' --output text"
        ),
        "externalSecret": (
            f"kubectl -n {ns} get externalsecret {settings.external_secret_name} "
            "-o jsonpath='{.status.conditions[?(@.type==\"Ready\")].reason}'"
        ),
        "secret": f"kubectl -n {ns} describe secret {settings.secret_name}",
        "env": (
            f"kubectl -n {ns} exec deploy/{settings.deployment.name} "
            f"-c {settings.deployment.container} -- "
            f"sh -c 'printf %s \"${settings.deployment.env_name}\" | wc -c'"
        ),
        "config": (
            f"kubectl -n {ns} get configmap {settings.config.config_map} "
            f"-o jsonpath='{{.data.{key}}}' | jq .cron"
        ),
    }


def cron_section(settings: Settings, opts: pulumi.ResourceOptions) -> Section | GitSection:
    """The last stage, where `section.target` says: in the live ConfigMap, or in the GitOps
    repository's manifest of it (then the controller delivers it). One resource name for
    both: switching the target replaces the section, the old place's removal included."""
    git = settings.section.git
    if settings.section.target == "git" and git is not None:
        return GitSection("openclaw-cron-section", settings, git, opts)
    return Section("openclaw-cron-section", settings, opts)


class CronWebhookDelivery(pulumi.ComponentResource):
    """Phase 2 (cron webhook delivery) for one OpenClaw gateway."""

    token: pulumi.Output[str]
    parameter_name: pulumi.Output[str]
    parameter_arn: pulumi.Output[str]
    parameter_version: pulumi.Output[int]
    external_secret_name: pulumi.Output[str]
    secret_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: Settings,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        token = Token("cron-webhook-token", settings.token, child)
        parameter = Parameter(
            "cron-webhook-token",
            settings.token,
            token.value,
            pulumi.ResourceOptions(parent=self, depends_on=[token]),
        )
        external_secret = ExternalSecret(
            "cron-webhook",
            settings,
            parameter.name,
            pulumi.ResourceOptions(parent=self, depends_on=[parameter]),
        )
        env_entry = EnvEntry(
            "openclaw-cron-webhook-env",
            settings,
            external_secret.secret_name,
            stack_field_manager(pulumi.get_project(), pulumi.get_stack()),
            pulumi.ResourceOptions(parent=self, depends_on=[external_secret]),
        )
        if settings.section.present:
            cron_section(settings, pulumi.ResourceOptions(parent=self, depends_on=[env_entry]))

        self.token = token.value
        self.parameter_name = parameter.name
        self.parameter_arn = parameter.arn
        # What verify compares the live parameter with: a value written outside Pulumi bumps it.
        self.parameter_version = parameter.version
        self.external_secret_name = external_secret.name
        self.secret_name = external_secret.secret_name
        self.register_outputs(
            {
                "token": self.token,
                "parameter_name": self.parameter_name,
                "parameter_arn": self.parameter_arn,
                "parameter_version": self.parameter_version,
                "external_secret_name": self.external_secret_name,
                "secret_name": self.secret_name,
            }
        )
