"""The RandomBytes stand-in as the shared servicer sees it.

Why it holds no state: there is nothing remote; the state the engine keeps is the resource.
Read hands it back as it is, Delete forgets nothing, and Update is refused because every change
replaces (see `provider.diff`), so the engine never asks for one.
"""

from __future__ import annotations

from typing import Any, ClassVar

from e2e.harness.standins.model import Diff, StandinError
from e2e.harness.standins.random import BYTES_TYPE, LABEL, provider
from e2e.harness.standins.service import Failures, Standin, sdk_version
from e2e.harness.standins.values import Props


class RandomBytesStandin(Standin):
    """`pulumi-resource-random`, serving only `random:index/randomBytes:RandomBytes`."""

    label: ClassVar[str] = LABEL
    package: ClassVar[str] = "random"
    distribution: ClassVar[str] = "pulumi_random"
    types: ClassVar[tuple[str, ...]] = (BYTES_TYPE,)
    secret_outputs: ClassVar[tuple[str, ...]] = provider.SECRET_OUTPUTS
    missing_because: ClassVar[str] = (
        "the real pulumi-random provider cannot be built on these machines (its Go module is "
        "not served; see e2e/harness/standins/random)"
    )

    def schema(self) -> dict[str, Any]:
        number: dict[str, Any] = {"type": "integer"}
        keepers: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
        secret: dict[str, Any] = {"type": "string", "secret": True}
        inputs = {"length": number, "keepers": keepers}
        return {
            "name": "random",
            "displayName": f"random — {LABEL}",
            "version": sdk_version(self.distribution),
            "description": f"{LABEL}: not pulumi-random; only {BYTES_TYPE}.",
            "resources": {
                BYTES_TYPE: {
                    "inputProperties": inputs,
                    "requiredInputs": ["length"],
                    "properties": inputs | {"base64": secret, "hex": secret},
                    "required": ["base64", "hex", "length"],
                }
            },
        }

    def configure(self, args: Props) -> None:
        self.report(f"serving {BYTES_TYPE} only; this is not pulumi-random")

    def check(self, news_raw: Props, news: Props, name: str, seed: bytes) -> tuple[Props, Failures]:
        return dict(news_raw), provider.failures(news)

    def diff(self, old_inputs: Props, old_outputs: Props, news: Props) -> Diff:
        return provider.diff(old_inputs, old_outputs, news)

    def create(self, inputs: Props, urn: str, preview: bool) -> tuple[str, Props]:
        if preview:
            return "", provider.outputs(inputs, None)
        data = provider.generate(inputs["length"])
        id_ = provider.new_id()
        self.report(f"generated {len(data)} random bytes as {id_} (base64, hex: secret)", urn)
        return id_, provider.outputs(inputs, data)

    def read(
        self, id_: str, old_inputs: Props, old_outputs: Props, urn: str
    ) -> tuple[str, Props, Props] | None:
        inputs = old_inputs or {key: old_outputs.get(key) for key in provider.REPLACE_ON}
        return id_, old_outputs, inputs

    def update(
        self, id_: str, old_inputs: Props, old_outputs: Props, news: Props, urn: str, preview: bool
    ) -> Props:
        raise StandinError(
            f"{LABEL}: RandomBytes has no in-place update (length and keepers replace it)"
        )

    def delete(self, id_: str, outputs: Props, urn: str) -> None:
        self.report(f"forgot random bytes {id_} (nothing exists outside the state)", urn)
