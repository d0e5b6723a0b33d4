"""The SSM Parameter stand-in as the shared servicer sees it: provider config plus SSM clients.

Why this layer: `provider` is plain functions over an SSM client; something has to hold the
configuration Configure received and one boto3 client per region, pick the region a request
concerns, and report each change under the stand-in's name. Decoding and encoding the wire is
the shared servicer's (`e2e.harness.standins.service`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import BotoCoreError, ClientError

from e2e.harness.standins.aws import LABEL, PARAMETER_TYPE, provider
from e2e.harness.standins.aws.config import (
    ConfigError,
    ProviderConfig,
    credentials_problem,
    parse_config,
    ssm_client,
)
from e2e.harness.standins.aws.schema import schema
from e2e.harness.standins.model import Diff, StandinError
from e2e.harness.standins.report import Reporter
from e2e.harness.standins.service import Failures, Standin, sdk_version
from e2e.harness.standins.values import Props


class SsmStandin(Standin):
    """`pulumi-resource-aws`, serving only `aws:ssm/parameter:Parameter` against moto."""

    label: ClassVar[str] = LABEL
    package: ClassVar[str] = "aws"
    distribution: ClassVar[str] = "pulumi_aws"
    types: ClassVar[tuple[str, ...]] = (PARAMETER_TYPE,)
    secret_outputs: ClassVar[tuple[str, ...]] = provider.SECRET_OUTPUTS
    external_errors: ClassVar[tuple[type[Exception], ...]] = (ClientError, BotoCoreError)
    missing_because: ClassVar[str] = (
        "the real pulumi-aws provider cannot be built on these machines "
        "(see e2e/harness/standins/aws)"
    )

    def __init__(self, environ: Mapping[str, str], report: Reporter) -> None:
        super().__init__(environ, report)
        self._config: ProviderConfig | None = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def schema(self) -> dict[str, Any]:
        return schema(sdk_version(self.distribution))

    def check_config(self, args: Props) -> list[str]:
        try:
            parse_config(args, self.environ)
            problem = credentials_problem(args, self.environ)
        except ConfigError as error:
            return [str(error)]
        return [problem] if problem else []

    def configure(self, args: Props) -> None:
        config = parse_config(args, self.environ)
        with self._lock:
            self._config, self._clients = config, {}
        self.report(
            f"serving {PARAMETER_TYPE} only, against {config.endpoint} "
            f"(region {config.region or 'per resource'}); this is not pulumi-aws"
        )

    def check(self, news_raw: Props, news: Props, name: str, seed: bytes) -> tuple[Props, Failures]:
        return provider.check(news_raw, news, name, seed)

    def diff(self, old_inputs: Props, old_outputs: Props, news: Props) -> Diff:
        return provider.diff(old_inputs, old_outputs, news)

    def create(self, inputs: Props, urn: str, preview: bool) -> tuple[str, Props]:
        region = self._config_or_fail().region_for(inputs.get("region"))
        if preview:
            return "", provider.preview_create(inputs, region)
        live = provider.create(self._client(region), inputs)
        self.report(f"created {live.type} parameter {live.name} in {region}", urn)
        return live.name, provider.outputs(inputs, live, region)

    def read(
        self, id_: str, old_inputs: Props, old_outputs: Props, urn: str
    ) -> tuple[str, Props, Props] | None:
        region = self._config_or_fail().region_for(
            old_inputs.get("region") or old_outputs.get("region")
        )
        live = provider.read(self._client(region), id_)
        if live is None:
            self.report(f"parameter {id_} is gone from {region}", urn)
            return None
        inputs = provider.refreshed_inputs(old_inputs, live)
        return live.name, provider.outputs(inputs, live, region), inputs

    def update(
        self, id_: str, old_inputs: Props, old_outputs: Props, news: Props, urn: str, preview: bool
    ) -> Props:
        changes = provider.diff(old_inputs, old_outputs, news)
        region = self._config_or_fail().region_for(news.get("region"))
        if preview:
            return provider.preview_update(old_outputs, news, changes)
        live = provider.update(self._client(region), old_outputs, news, changes)
        what = ", ".join(changes.updates)
        self.report(f"updated parameter {live.name} ({what}) in {region}", urn)
        return provider.outputs(news, live, region)

    def delete(self, id_: str, outputs: Props, urn: str) -> None:
        name = str(outputs.get("name") or id_)
        region = self._config_or_fail().region_for(outputs.get("region"))
        existed = provider.delete(self._client(region), name)
        done = f"deleted parameter {name}" if existed else f"parameter {name} was already gone"
        self.report(f"{done} ({region})", urn)

    def _config_or_fail(self) -> ProviderConfig:
        with self._lock:
            config = self._config
        if config is None:
            raise StandinError(f"{LABEL}: called before Configure")
        return config

    def _client(self, region: str) -> Any:
        """One boto3 client per region, built once (boto3 sessions are not thread-safe)."""
        config = self._config_or_fail()
        with self._lock:
            if region not in self._clients:
                self._clients[region] = ssm_client(config, region)
            return self._clients[region]
