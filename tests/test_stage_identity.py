"""The type strings every stack's state holds, pinned as literals: the one place they are.

Why literals here and nowhere else: a type is in every URN of every existing stack, so a
change to one (a renamed class keyword, a new package name, an API version bump) is a new
resource to Pulumi and, for a component, a new URN for each child. Everything else (the
stages, the plan, the policy pack's contract, the other tests) reads `stages.*.identity`; this
test is what notices when that spelling moves.
"""

from __future__ import annotations

from stack import delivery
from stages.env_entry import identity as env_entry
from stages.external_secret import identity as external_secret
from stages.parameter import identity as parameter
from stages.section import identity as section
from stages.token import identity as token


def test_the_resource_types_are_the_ones_in_existing_states() -> None:
    # State contract: each literal below is a type in users' states; it never changes.
    assert token.TYPE == "random:index/randomBytes:RandomBytes"
    assert parameter.TYPE == "aws:ssm/parameter:Parameter"
    assert external_secret.TYPE == "kubernetes:external-secrets.io/v1:ExternalSecret"
    assert env_entry.TYPE == "pulumi-python:dynamic/openclaw:EnvEntry"
    assert section.CLUSTER_TYPE == "pulumi-python:dynamic/openclaw:JsonSection"
    assert section.GIT_TYPE == "pulumi-python:dynamic/openclaw:GitJsonSection"


def test_the_component_types_are_the_ones_in_existing_states() -> None:
    # State contract: each literal below is a component type in users' states; it never changes.
    assert delivery.COMPONENT_TYPE == "openclaw-cron-webhook:index:CronWebhookDelivery"
    assert token.COMPONENT_TYPE == "openclaw-cron-webhook:index:WebhookToken"
    assert parameter.COMPONENT_TYPE == "openclaw-cron-webhook:index:TokenParameter"
    assert external_secret.COMPONENT_TYPE == "openclaw-cron-webhook:index:TokenExternalSecret"
    assert env_entry.COMPONENT_TYPE == "openclaw-cron-webhook:index:TokenEnvPatch"
    assert section.CLUSTER_COMPONENT_TYPE == "openclaw-cron-webhook:index:CronConfigSection"
    assert section.GIT_COMPONENT_TYPE == "openclaw-cron-webhook:index:CronGitSection"
