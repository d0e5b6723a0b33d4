"""Entry point of the `openclaw-cron-webhook` stack (and of the offline plan, unchanged).

Settings are loaded and validated first, so a bad value stops the program before any
resource is registered: nothing is ever half-applied because of a typo. With `enabled: false`
nothing is registered: the next `up` deletes what the state holds (Phase 2 switched off), and
the only output says so.
"""

import pulumi

from stack.delivery import CronWebhookDelivery, verification_commands
from stack.settings import load_settings

settings = load_settings()
pulumi.export("enabled", settings.enabled)
if settings.enabled:
    delivery = CronWebhookDelivery("openclaw-cron-webhook", settings)
    pulumi.export("parameterName", delivery.parameter_name)
    pulumi.export("parameterArn", delivery.parameter_arn)
    pulumi.export("parameterVersion", delivery.parameter_version)
    pulumi.export("externalSecretName", delivery.external_secret_name)
    pulumi.export("secretName", delivery.secret_name)
    pulumi.export("envName", settings.deployment.env_name)
    # None with section.present false: the stack writes no section.
    pulumi.export("cronSection", settings.cron_section() if settings.section.present else None)
    # For the receiver side: `pulumi stack output webhookToken --show-secrets`.
    pulumi.export("webhookToken", delivery.token)
    pulumi.export("verify", verification_commands(settings))
