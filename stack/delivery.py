"""The whole Phase 2 path as one component, wired in the only safe order.

token → SSM parameter → ExternalSecret (awaited until synced) → env patch (awaited rollout)
→ `cron` section. Each arrow is an explicit `depends_on`, not just data flow, because the
order is about the cluster's state (a Secret that exists, pods that carry the variable), which
Outputs alone do not express. Pulumi deletes in reverse, so destroy removes the section first
and the parameter last.
"""

from __future__ import annotations

import pulumi

from stack.settings import Settings
from stages.env_entry.resource import TokenEnvPatch, TokenEnvPatchArgs
from stages.external_secret.resource import TokenExternalSecret, TokenExternalSecretArgs
from stages.parameter.resource import TokenParameter, TokenParameterArgs
from stages.section.resource import (
    CronConfigSection,
    CronConfigSectionArgs,
    CronGitSection,
    CronGitSectionArgs,
)
from stages.token.resource import WebhookToken, WebhookTokenArgs


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


def cron_section(
    settings: Settings, opts: pulumi.ResourceOptions
) -> CronConfigSection | CronGitSection:
    """The last stage, where `section.target` says: in the live ConfigMap, or in the GitOps
    repository's manifest of it (then the controller delivers it). One resource name for
    both: switching the target replaces the section, the old place's removal included."""
    git = settings.section.git
    if settings.section.target == "git" and git is not None:
        return CronGitSection(
            "openclaw-cron-section",
            CronGitSectionArgs(
                namespace=settings.namespace,
                config_map=settings.config.config_map,
                key=settings.config.key,
                value=settings.cron_section(),
                repo=git.repo,
                path=git.path,
                branch=git.branch,
                author=git.author,
                delivery_timeout_seconds=git.delivery_timeout_seconds,
                application=git.application,
                application_namespace=git.application_namespace,
            ),
            opts,
        )
    return CronConfigSection(
        "openclaw-cron-section",
        CronConfigSectionArgs(
            namespace=settings.namespace,
            config_map=settings.config.config_map,
            key=settings.config.key,
            value=settings.cron_section(),
            write_tracked_config_map=settings.section.write_tracked_config_map,
        ),
        opts,
    )


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
        super().__init__("openclaw-cron-webhook:index:CronWebhookDelivery", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        token = WebhookToken(
            "cron-webhook-token", WebhookTokenArgs(rotation=settings.token.rotation), child
        )
        parameter = TokenParameter(
            "cron-webhook-token",
            TokenParameterArgs(
                name=settings.token.parameter_name,
                value=token.value,
                description=settings.token.description,
                tags=settings.token.tags,
                kms_key_id=settings.token.kms_key_id,
                retain_on_destroy=settings.token.retain_on_destroy,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[token]),
        )
        external_secret = TokenExternalSecret(
            "cron-webhook",
            TokenExternalSecretArgs(
                namespace=settings.namespace,
                name=settings.external_secret_name,
                secret_name=settings.secret_name,
                secret_key=settings.external_secret.secret_key,
                parameter_name=parameter.name,
                store_name=settings.external_secret.store_name,
                store_kind=settings.external_secret.store_kind,
                refresh_interval=settings.external_secret.refresh_interval,
                wait_timeout_seconds=settings.timeouts.external_secret_seconds,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[parameter]),
        )
        env_patch = TokenEnvPatch(
            "openclaw-cron-webhook-env",
            TokenEnvPatchArgs(
                namespace=settings.namespace,
                deployment=settings.deployment.name,
                container=settings.deployment.container,
                env_name=settings.deployment.env_name,
                secret_name=external_secret.secret_name,
                secret_key=settings.external_secret.secret_key,
                rollout_timeout_seconds=settings.timeouts.rollout_seconds,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[external_secret]),
        )
        cron_section(settings, pulumi.ResourceOptions(parent=self, depends_on=[env_patch]))

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
