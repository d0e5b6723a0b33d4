"""The gRPC ResourceProvider service the Pulumi engine talks to, for any stand-in.

Why one servicer for all stand-ins: everything between the wire and a resource's logic is the
same whatever the resource (the handshake, plugin info, provider configuration, decoding
properties with their secret and unknown markers, marking secret outputs, refusing other types,
mapping failures to gRPC errors that name the stand-in). A stand-in only says what its resource
does, by subclassing `Standin` with plain values in and out.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NoReturn, TypeVar

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from e2e.harness.standins.model import Diff, StandinError
from e2e.harness.standins.report import Reporter
from e2e.harness.standins.values import Props, conceal, from_struct, reveal_props, to_struct

Request = TypeVar("Request")
Response = TypeVar("Response")
Rpc = Callable[["StandinService", Request, Any], Response]
Failures = list[tuple[str, str]]

_KINDS = {
    ("add", False): provider_pb2.PropertyDiff.ADD,
    ("add", True): provider_pb2.PropertyDiff.ADD_REPLACE,
    ("delete", False): provider_pb2.PropertyDiff.DELETE,
    ("delete", True): provider_pb2.PropertyDiff.DELETE_REPLACE,
    ("update", False): provider_pb2.PropertyDiff.UPDATE,
    ("update", True): provider_pb2.PropertyDiff.UPDATE_REPLACE,
}


def sdk_version(distribution: str) -> str:
    """The installed SDK's version: the plugin version its resources ask the engine for."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


class Standin(ABC):
    """One stand-in's resource logic, on plain values (secrets revealed, see `values`).

    The class attributes name it; the servicer uses them to report, to refuse other types and
    to mark `secret_outputs` secret in every state it returns.
    """

    label: ClassVar[str]
    package: ClassVar[str]
    distribution: ClassVar[str]
    types: ClassVar[tuple[str, ...]]
    secret_outputs: ClassVar[tuple[str, ...]] = ()
    # Failures of the service it stands in front of (mapped to UNKNOWN rather than a crash).
    external_errors: ClassVar[tuple[type[Exception], ...]] = ()
    # Appended to the refusal of another type: why the real provider is missing.
    missing_because: ClassVar[str]

    def __init__(self, environ: Mapping[str, str], report: Reporter) -> None:
        self.environ = environ
        self.report = report

    @abstractmethod
    def schema(self) -> dict[str, Any]: ...

    def check_config(self, args: Props) -> list[str]:
        """Why this configuration cannot be served (nothing, unless a stand-in says so)."""
        return []

    @abstractmethod
    def configure(self, args: Props) -> None: ...

    @abstractmethod
    def check(self, news_raw: Props, news: Props, name: str, seed: bytes) -> tuple[Props, Failures]:
        """Inputs to keep (from the raw ones, secrets still wrapped) and (property, reason)s."""

    @abstractmethod
    def diff(self, old_inputs: Props, old_outputs: Props, news: Props) -> Diff: ...

    @abstractmethod
    def create(self, inputs: Props, urn: str, preview: bool) -> tuple[str, Props]:
        """The new resource's id (empty in a preview) and its outputs."""

    @abstractmethod
    def read(
        self, id_: str, old_inputs: Props, old_outputs: Props, urn: str
    ) -> tuple[str, Props, Props] | None:
        """(id, outputs, inputs) as the resource is now, or None when it is gone."""

    @abstractmethod
    def update(
        self, id_: str, old_inputs: Props, old_outputs: Props, news: Props, urn: str, preview: bool
    ) -> Props:
        """The outputs after changing the resource in place."""

    @abstractmethod
    def delete(self, id_: str, outputs: Props, urn: str) -> None: ...


Factory = type[Standin]


def _abort(context: Any, code: grpc.StatusCode, message: str) -> NoReturn:
    context.abort(code, message)
    raise AssertionError("context.abort returned")  # grpc raises; this keeps mypy honest


def _guarded(rpc: Rpc[Request, Response]) -> Rpc[Request, Response]:
    """Turn an RPC's failure into a gRPC error the engine prints, naming the stand-in."""

    @functools.wraps(rpc)
    def serve(self: StandinService, request: Request, context: Any) -> Response:
        label = self.standin.label
        try:
            return rpc(self, request, context)
        except StandinError as error:
            message = str(error) if str(error).startswith(label) else f"{label}: {error}"
            _abort(context, grpc.StatusCode.FAILED_PRECONDITION, message)
        except self.standin.external_errors as error:
            _abort(context, grpc.StatusCode.UNKNOWN, f"{label}: {rpc.__name__}: {error}")
        except Exception:
            self.standin.report.log(f"{rpc.__name__} crashed:\n{traceback.format_exc()}")
            _abort(context, grpc.StatusCode.INTERNAL, f"{label}: {rpc.__name__} crashed")

    return serve


def resource_type(request_type: str, urn: str) -> str:
    """The request's resource type: its `type` field, or the last type in the URN."""
    return request_type or urn.split("::")[2].split("$")[-1]


def configure_args(request: provider_pb2.ConfigureRequest) -> Props:
    """The configuration as plain values: `args` (structured) or, from old engines, the
    deprecated `variables` keyed `<pkg>:config:<key>`."""
    if request.HasField("args"):
        plain, _ = reveal_props(from_struct(request.args))
        return plain
    return {key.rsplit(":", 1)[-1]: value for key, value in request.variables.items()}


def diff_response(changes: Diff) -> provider_pb2.DiffResponse:
    """The engine's view of a diff: what changed, what replaces, and per-property detail."""
    detailed = {
        key: provider_pb2.PropertyDiff(kind=_KINDS[(kind, key in changes.replaces)], inputDiff=True)
        for key, kind in changes.kinds.items()
    }
    return provider_pb2.DiffResponse(
        changes=(
            provider_pb2.DiffResponse.DIFF_SOME
            if changes.changed
            else provider_pb2.DiffResponse.DIFF_NONE
        ),
        replaces=list(changes.replaces),
        diffs=list(changes.replaces + changes.updates),
        detailedDiff=detailed,
        hasDetailedDiff=True,
        deleteBeforeReplace=changes.delete_before_replace,
    )


def _settings(struct: Any) -> Props:
    plain, _ = reveal_props(from_struct(struct))
    return {key: value for key, value in plain.items() if key != "version"}


class StandinService(provider_pb2_grpc.ResourceProviderServicer):
    """The engine's view of `pulumi-resource-<package>`: wire in, `Standin` call, wire out."""

    def __init__(self, standin: Standin) -> None:
        self.standin = standin

    # --- plugin lifecycle ------------------------------------------------------------------

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=sdk_version(self.standin.distribution))

    def Handshake(
        self, request: provider_pb2.ProviderHandshakeRequest, context: Any
    ) -> provider_pb2.ProviderHandshakeResponse:
        # Must agree with Configure's answer; outputs stay off so inputs arrive as plain values.
        return provider_pb2.ProviderHandshakeResponse(
            accept_secrets=True, accept_resources=True, accept_outputs=False
        )

    def Attach(self, request: plugin_pb2.PluginAttach, context: Any) -> empty_pb2.Empty:
        return empty_pb2.Empty()

    def Cancel(self, request: empty_pb2.Empty, context: Any) -> empty_pb2.Empty:
        return empty_pb2.Empty()

    def GetSchema(
        self, request: provider_pb2.GetSchemaRequest, context: Any
    ) -> provider_pb2.GetSchemaResponse:
        return provider_pb2.GetSchemaResponse(schema=json.dumps(self.standin.schema()))

    def GetMapping(
        self, request: provider_pb2.GetMappingRequest, context: Any
    ) -> provider_pb2.GetMappingResponse:
        return provider_pb2.GetMappingResponse(provider="", data=b"")

    def GetMappings(
        self, request: provider_pb2.GetMappingsRequest, context: Any
    ) -> provider_pb2.GetMappingsResponse:
        return provider_pb2.GetMappingsResponse(providers=[])

    # --- provider configuration ------------------------------------------------------------

    @_guarded
    def CheckConfig(
        self, request: provider_pb2.CheckRequest, context: Any
    ) -> provider_pb2.CheckResponse:
        plain, _ = reveal_props(from_struct(request.news))
        failures = [
            provider_pb2.CheckFailure(property="", reason=reason)
            for reason in self.standin.check_config(plain)
        ]
        return provider_pb2.CheckResponse(inputs=request.news, failures=failures)

    @_guarded
    def DiffConfig(
        self, request: provider_pb2.DiffRequest, context: Any
    ) -> provider_pb2.DiffResponse:
        old = _settings(request.old_inputs) or _settings(request.olds)
        same = old == _settings(request.news)
        changes = (
            provider_pb2.DiffResponse.DIFF_NONE if same else provider_pb2.DiffResponse.DIFF_SOME
        )
        return provider_pb2.DiffResponse(changes=changes)

    @_guarded
    def Configure(
        self, request: provider_pb2.ConfigureRequest, context: Any
    ) -> provider_pb2.ConfigureResponse:
        self.standin.configure(configure_args(request))
        return provider_pb2.ConfigureResponse(
            acceptSecrets=True, acceptResources=True, supportsPreview=True, acceptOutputs=False
        )

    # --- the resource ----------------------------------------------------------------------

    @_guarded
    def Check(self, request: provider_pb2.CheckRequest, context: Any) -> provider_pb2.CheckResponse:
        self._require(request.type, request.urn)
        news_raw = from_struct(request.news)
        news, _ = reveal_props(news_raw)
        name = request.name or request.urn.split("::")[-1]
        inputs, failures = self.standin.check(news_raw, news, name, bytes(request.randomSeed))
        return provider_pb2.CheckResponse(
            inputs=to_struct(inputs),
            failures=[provider_pb2.CheckFailure(property=key, reason=why) for key, why in failures],
        )

    @_guarded
    def Diff(self, request: provider_pb2.DiffRequest, context: Any) -> provider_pb2.DiffResponse:
        self._require(request.type, request.urn)
        old_inputs, _ = reveal_props(from_struct(request.old_inputs))
        old_outputs, _ = reveal_props(from_struct(request.olds))
        news, _ = reveal_props(from_struct(request.news))
        ignored = {path.split(".")[0].split("[")[0] for path in request.ignoreChanges}
        news |= {key: old_inputs.get(key, old_outputs.get(key)) for key in ignored}
        return diff_response(self.standin.diff(old_inputs, old_outputs, news))

    @_guarded
    def Create(
        self, request: provider_pb2.CreateRequest, context: Any
    ) -> provider_pb2.CreateResponse:
        self._require(request.type, request.urn)
        inputs, secret_keys = reveal_props(from_struct(request.properties))
        id_, outs = self.standin.create(inputs, request.urn, request.preview)
        return provider_pb2.CreateResponse(id=id_, properties=self._state(outs, secret_keys))

    @_guarded
    def Read(self, request: provider_pb2.ReadRequest, context: Any) -> provider_pb2.ReadResponse:
        self._require(request.type, request.urn)
        old_outputs, output_secrets = reveal_props(from_struct(request.properties))
        old_inputs, input_secrets = reveal_props(from_struct(request.inputs))
        found = self.standin.read(request.id, old_inputs, old_outputs, request.urn)
        if found is None:
            return provider_pb2.ReadResponse(id="")
        id_, outs, inputs = found
        return provider_pb2.ReadResponse(
            id=id_,
            properties=self._state(outs, output_secrets | input_secrets),
            inputs=self._state(inputs, input_secrets),
        )

    @_guarded
    def Update(
        self, request: provider_pb2.UpdateRequest, context: Any
    ) -> provider_pb2.UpdateResponse:
        self._require(request.type, request.urn)
        old_outputs, _ = reveal_props(from_struct(request.olds))
        old_inputs, _ = reveal_props(from_struct(request.old_inputs))
        news, secret_keys = reveal_props(from_struct(request.news))
        outs = self.standin.update(
            request.id, old_inputs, old_outputs, news, request.urn, request.preview
        )
        return provider_pb2.UpdateResponse(properties=self._state(outs, secret_keys))

    @_guarded
    def Delete(self, request: provider_pb2.DeleteRequest, context: Any) -> empty_pb2.Empty:
        self._require(request.type, request.urn)
        outs, _ = reveal_props(from_struct(request.properties))
        self.standin.delete(request.id, outs, request.urn)
        return empty_pb2.Empty()

    # --- what it does not implement --------------------------------------------------------

    @_guarded
    def Invoke(
        self, request: provider_pb2.InvokeRequest, context: Any
    ) -> provider_pb2.InvokeResponse:
        self._refuse("functions", request.tok)

    @_guarded
    def Construct(
        self, request: provider_pb2.ConstructRequest, context: Any
    ) -> provider_pb2.ConstructResponse:
        self._refuse("components", request.type)

    @_guarded
    def Call(self, request: provider_pb2.CallRequest, context: Any) -> provider_pb2.CallResponse:
        self._refuse("methods", request.tok)

    # --- helpers ---------------------------------------------------------------------------

    def _refuse(self, kind: str, token: str) -> NoReturn:
        raise StandinError(f"{self.standin.label} implements no {kind} (asked for {token})")

    def _require(self, request_type: str, urn: str) -> None:
        """Refuse every type but the ones implemented, saying why the real provider is missing."""
        token = resource_type(request_type, urn)
        standin = self.standin
        if token not in standin.types:
            raise StandinError(
                f"{standin.label} implements only {', '.join(standin.types)}, not {token}: "
                f"{standin.missing_because}"
            )

    def _state(self, props: Props, secret_keys: set[str]) -> Any:
        """Properties for the engine with the secret outputs (always) and secret inputs marked."""
        return to_struct(conceal(props, secret_keys | set(self.standin.secret_outputs)))
