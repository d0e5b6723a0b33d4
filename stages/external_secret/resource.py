"""Stage 3: a dedicated ExternalSecret that syncs the token into a dedicated Secret.

Why dedicated, not a new key in `openclaw-credentials` (as the original runbook had it):
that Secret is owned by ExternalSecret `openclaw-es` with `creationPolicy: Owner`. ESO then
refuses a second, `Merge` ExternalSecret on it ("target is owned by another ExternalSecret"),
the Owner one deletes any key it does not produce on its next sync, and `spec.data` is an
atomic list for Server-Side Apply, so patching one entry into `openclaw-es` would make this
stack own, and on destroy erase, all ten of its entries.

Why awaited with `pulumi.com/waitFor`: a pod whose `secretKeyRef` names a missing Secret or key
fails with CreateContainerConfigError, so the env entry must not start until ESO has written
the Secret. Ready alone can be a stale status; the reason `SecretSynced` is ESO's word that
this object's data was written. Names carry the rotation suffix, so the status awaited always
belongs to an object created for the current token.
"""

from __future__ import annotations

import asyncio
import json

import pulumi
import pulumi_kubernetes as k8s
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.proto import engine_pb2

from stack.settings import Settings
from stages.external_secret.diagnosis import read_and_explain
from stages.external_secret.identity import API_VERSION, COMPONENT_TYPE, KIND
from stages.kube_connection import KubeTarget
from stages.kubernetes_meta import LABELS
from stages.options import child_options

WAIT_FOR = json.dumps(
    [
        "condition=Ready",
        'jsonpath={.status.conditions[?(@.type=="Ready")].reason}=SecretSynced',
    ]
)


class ExternalSecret(pulumi.ComponentResource):
    """The ExternalSecret (and, through ESO, its Secret) for the token, reading the parameter
    the parameter stage names (`parameter_name`, an Output, so the sync waits for it).

    Its names are the settings' final ones (already suffixed with the rotation). ESO reports
    a bad store or a missing parameter in the Ready condition, so the wait
    (`timeouts.externalSecretSeconds`, five minutes by default) fails `pulumi up` with ESO's
    message instead of hanging.
    """

    name: pulumi.Output[str]
    secret_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: Settings,
        parameter_name: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        eso = settings.external_secret
        external_secret = k8s.apiextensions.CustomResource(
            name,
            api_version=API_VERSION,
            kind=KIND,
            metadata={
                "name": settings.external_secret_name,
                "namespace": settings.namespace,
                "labels": LABELS,
                "annotations": {
                    "pulumi.com/waitFor": WAIT_FOR,
                    "pulumi.com/timeoutSeconds": str(settings.timeouts.external_secret_seconds),
                },
            },
            spec={
                "refreshInterval": eso.refresh_interval,
                "secretStoreRef": {"name": eso.store_name, "kind": eso.store_kind},
                "target": {
                    "name": settings.secret_name,
                    # Owner: ESO sets an ownerReference, so Kubernetes' garbage collector
                    # deletes the Secret with this ExternalSecret (destroy and rotation).
                    "creationPolicy": "Owner",
                    # Retain: if the parameter vanishes, pods keep the last good value.
                    "deletionPolicy": "Retain",
                },
                "data": [
                    {
                        "secretKey": eso.secret_key,
                        "remoteRef": {
                            "key": parameter_name,
                            # Set explicitly: ESO 2.9 no longer defaults these, and an
                            # omitted field would show as drift on every preview.
                            "conversionStrategy": "Default",
                            "decodingStrategy": "None",
                            "metadataPolicy": "None",
                        },
                    }
                ],
            },
            opts=pulumi.ResourceOptions.merge(
                child_options(self, opts),
                pulumi.ResourceOptions(
                    hooks=pulumi.ResourceHookBinding(on_error=[_explainer(settings)])
                ),
            ),
        )
        # Tied to the resource's id so that whoever consumes a name also waits for the sync.
        self.name = external_secret.id.apply(lambda _: settings.external_secret_name)
        self.secret_name = external_secret.id.apply(lambda _: settings.secret_name)
        self.register_outputs({"name": self.name, "secret_name": self.secret_name})


def _explainer(settings: Settings) -> pulumi.ErrorHook:
    """An error hook that, when the ExternalSecret's create or update fails (its wait timed
    out, mostly), reports why as the resource's error: ESO's Ready condition, the store's, and
    ESO's last warning (`stages.external_secret.diagnosis`). It runs in the program, so it
    reaches the cluster the Kubernetes provider reaches, and it never retries."""

    async def explain(hook: pulumi.ErrorHookArgs) -> bool:
        target = KubeTarget.from_stack_config(runtime_config.get_config)
        message = await asyncio.to_thread(
            read_and_explain,
            target,
            settings.namespace,
            settings.external_secret_name,
            settings.external_secret.store_kind,
            settings.external_secret.store_name,
            settings.timeouts.external_secret_seconds,
            hook.errors[0] if hook.errors else "",
        )
        engine = runtime_settings.get_engine()
        if engine is not None:
            engine.Log(
                engine_pb2.LogRequest(severity=engine_pb2.ERROR, message=message, urn=hook.urn)
            )
        return False

    return pulumi.ErrorHook(
        f"explain-external-secret-{settings.namespace}-{settings.external_secret_name}", explain
    )
