"""The gRPC ResourceProvider service the Pulumi engine talks to.

Why a thin layer: each RPC only translates between the wire (protobuf Structs with secret and
unknown markers, see `values`) and the plain functions in `provider`, and turns failures into
gRPC errors whose message names the stand-in. Anything outside the one resource type it
implements is refused the same way, so nobody mistakes it for pulumi-aws.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import threading
import traceback
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

import grpc
from botocore.exceptions import BotoCoreError, ClientError
from google.protobuf import empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from e2e.aws_standin import LABEL, PARAMETER_TYPE, provider
from e2e.aws_standin.config import ConfigError, ProviderConfig, parse_config, ssm_client
from e2e.aws_standin.provider import Diff, StandinError
from e2e.aws_standin.report import Reporter, log
from e2e.aws_standin.values import Props, conceal, from_struct, reveal_props, to_struct

Request = TypeVar("Request")
Response = TypeVar("Response")
Rpc = Callable[["StandinProvider", Request, Any], Response]

_KINDS = {
    ("add", False): provider_pb2.PropertyDiff.ADD,
    ("add", True): provider_pb2.PropertyDiff.ADD_REPLACE,
    ("delete", False): provider_pb2.PropertyDiff.DELETE,
    ("delete", True): provider_pb2.PropertyDiff.DELETE_REPLACE,
    ("update", False): provider_pb2.PropertyDiff.UPDATE,
    ("update", True): provider_pb2.PropertyDiff.UPDATE_REPLACE,
}


def sdk_version() -> str:
    """The installed pulumi_aws SDK's version: the plugin version its resources ask for."""
    try:
        return importlib.metadata.version("pulumi_aws")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


def _abort(context: Any, code: grpc.StatusCode, message: str) -> NoReturn:
    context.abort(code, message)
    raise AssertionError("context.abort returned")  # grpc raises; this keeps mypy honest


def _guarded(rpc: Rpc[Request, Response]) -> Rpc[Request, Response]:
    """Turn an RPC's failure into a gRPC error the engine prints, naming the stand-in."""

    @functools.wraps(rpc)
    def serve(self: StandinProvider, request: Request, context: Any) -> Response:
        try:
            return rpc(self, request, context)
        except (StandinError, ConfigError) as error:
            message = str(error) if str(error).startswith(LABEL) else f"{LABEL}: {error}"
            _abort(context, grpc.StatusCode.FAILED_PRECONDITION, message)
        except (ClientError, BotoCoreError) as error:
            _abort(context, grpc.StatusCode.UNKNOWN, f"{LABEL}: {rpc.__name__}: {error}")
        except Exception:
            log(f"{rpc.__name__} crashed:\n{traceback.format_exc()}")
            _abort(context, grpc.StatusCode.INTERNAL, f"{LABEL}: {rpc.__name__} crashed")

    return serve


def resource_type(request_type: str, urn: str) -> str:
    """The request's resource type: its `type` field, or the last type in the URN."""
    return request_type or urn.split("::")[2].split("$")[-1]


def require_parameter(request_type: str, urn: str) -> None:
    """Refuse every type but the one implemented, saying why the real provider is missing."""
    token = resource_type(request_type, urn)
    if token != PARAMETER_TYPE:
        raise StandinError(
            f"{LABEL} implements only {PARAMETER_TYPE}, not {token}: the real pulumi-aws "
            "provider cannot be built on these machines (see e2e/aws_standin)"
        )


def schema() -> dict[str, Any]:
    """A minimal package schema: enough to say what this plugin is and the one resource."""
    text: dict[str, Any] = {"type": "string"}
    strings: dict[str, Any] = {"type": "object", "additionalProperties": text}
    names = "allowedPattern dataType description insecureValue keyId name region tier type"
    inputs: dict[str, dict[str, Any]] = {key: text for key in names.split()}
    inputs |= {"value": text | {"secret": True}, "tags": strings, "overwrite": {"type": "boolean"}}
    outputs = inputs | {"arn": text, "version": {"type": "integer"}, "tagsAll": strings}
    return {
        "name": "aws",
        "displayName": f"AWS — {LABEL}",
        "version": sdk_version(),
        "description": f"{LABEL}: not pulumi-aws; only {PARAMETER_TYPE}, against moto.",
        "config": {"variables": {"region": text, "endpoints": {"type": "array"}}},
        "resources": {
            PARAMETER_TYPE: {
                "inputProperties": inputs,
                "requiredInputs": ["type"],
                "properties": outputs,
                "required": ["arn", "dataType", "name", "tier", "type", "version"],
            }
        },
    }


def configure_args(request: provider_pb2.ConfigureRequest) -> Props:
    """The configuration as plain values: `args` (structured) or, from old engines, the
    deprecated `variables` keyed `aws:config:<key>`."""
    if request.HasField("args"):
        plain, _ = reveal_props(from_struct(request.args))
        return plain
    return {key.rsplit(":", 1)[-1]: value for key, value in request.variables.items()}


class StandinProvider(provider_pb2_grpc.ResourceProviderServicer):
    """The engine's view of `pulumi-resource-aws`; see the package docstring for why it exists."""

    def __init__(self, environ: Mapping[str, str], report: Reporter) -> None:
        self._environ = environ
        self._report = report
        self._config: ProviderConfig | None = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    # --- plugin lifecycle ------------------------------------------------------------------

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=sdk_version())

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
        return provider_pb2.GetSchemaResponse(schema=json.dumps(schema()))

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
        failures = []
        try:
            parse_config(plain, self._environ)
        except ConfigError as error:
            failures.append(provider_pb2.CheckFailure(property="", reason=str(error)))
        return provider_pb2.CheckResponse(inputs=request.news, failures=failures)

    @_guarded
    def DiffConfig(
        self, request: provider_pb2.DiffRequest, context: Any
    ) -> provider_pb2.DiffResponse:
        def settings(struct: Any) -> Props:
            plain, _ = reveal_props(from_struct(struct))
            return {key: value for key, value in plain.items() if key != "version"}

        old = settings(request.old_inputs) or settings(request.olds)
        same = old == settings(request.news)
        changes = (
            provider_pb2.DiffResponse.DIFF_NONE if same else provider_pb2.DiffResponse.DIFF_SOME
        )
        return provider_pb2.DiffResponse(changes=changes)

    @_guarded
    def Configure(
        self, request: provider_pb2.ConfigureRequest, context: Any
    ) -> provider_pb2.ConfigureResponse:
        config = parse_config(configure_args(request), self._environ)
        with self._lock:
            self._config, self._clients = config, {}
        self._report(
            f"serving {PARAMETER_TYPE} only, against {config.endpoint} "
            f"(region {config.region or 'per resource'}); this is not pulumi-aws"
        )
        return provider_pb2.ConfigureResponse(
            acceptSecrets=True, acceptResources=True, supportsPreview=True, acceptOutputs=False
        )

    # --- the resource ----------------------------------------------------------------------

    @_guarded
    def Check(self, request: provider_pb2.CheckRequest, context: Any) -> provider_pb2.CheckResponse:
        require_parameter(request.type, request.urn)
        news_raw = from_struct(request.news)
        news, _ = reveal_props(news_raw)
        name = request.name or request.urn.split("::")[-1]
        inputs, failures = provider.check(news_raw, news, name, bytes(request.randomSeed))
        return provider_pb2.CheckResponse(
            inputs=to_struct(inputs),
            failures=[provider_pb2.CheckFailure(property=key, reason=why) for key, why in failures],
        )

    @_guarded
    def Diff(self, request: provider_pb2.DiffRequest, context: Any) -> provider_pb2.DiffResponse:
        require_parameter(request.type, request.urn)
        old_inputs, _ = reveal_props(from_struct(request.old_inputs))
        old_outputs, _ = reveal_props(from_struct(request.olds))
        news, _ = reveal_props(from_struct(request.news))
        ignored = {path.split(".")[0].split("[")[0] for path in request.ignoreChanges}
        news |= {key: old_inputs.get(key, old_outputs.get(key)) for key in ignored}
        return diff_response(provider.diff(old_inputs, old_outputs, news))

    @_guarded
    def Create(
        self, request: provider_pb2.CreateRequest, context: Any
    ) -> provider_pb2.CreateResponse:
        require_parameter(request.type, request.urn)
        inputs, secret_keys = reveal_props(from_struct(request.properties))
        region = self._config_or_fail().region_for(inputs.get("region"))
        if request.preview:
            outs = provider.preview_create(inputs, region)
            return provider_pb2.CreateResponse(id="", properties=_state(outs, secret_keys))
        live = provider.create(self._client(region), inputs)
        self._report(f"created {live.type} parameter {live.name} in {region}", request.urn)
        outs = provider.outputs(inputs, live, region)
        return provider_pb2.CreateResponse(id=live.name, properties=_state(outs, secret_keys))

    @_guarded
    def Read(self, request: provider_pb2.ReadRequest, context: Any) -> provider_pb2.ReadResponse:
        require_parameter(request.type, request.urn)
        old_outputs, output_secrets = reveal_props(from_struct(request.properties))
        old_inputs, input_secrets = reveal_props(from_struct(request.inputs))
        region = self._config_or_fail().region_for(
            old_inputs.get("region") or old_outputs.get("region")
        )
        live = provider.read(self._client(region), request.id)
        if live is None:
            self._report(f"parameter {request.id} is gone from {region}", request.urn)
            return provider_pb2.ReadResponse(id="")
        inputs = provider.refreshed_inputs(old_inputs, live)
        outs = provider.outputs(inputs, live, region)
        return provider_pb2.ReadResponse(
            id=live.name,
            properties=_state(outs, output_secrets | input_secrets),
            inputs=_state(inputs, input_secrets),
        )

    @_guarded
    def Update(
        self, request: provider_pb2.UpdateRequest, context: Any
    ) -> provider_pb2.UpdateResponse:
        require_parameter(request.type, request.urn)
        old_outputs, _ = reveal_props(from_struct(request.olds))
        old_inputs, _ = reveal_props(from_struct(request.old_inputs))
        news, secret_keys = reveal_props(from_struct(request.news))
        changes = provider.diff(old_inputs, old_outputs, news)
        region = self._config_or_fail().region_for(news.get("region"))
        if request.preview:
            outs = provider.preview_update(old_outputs, news, changes)
            return provider_pb2.UpdateResponse(properties=_state(outs, secret_keys))
        live = provider.update(self._client(region), old_outputs, news, changes)
        what = ", ".join(changes.updates)
        self._report(f"updated parameter {live.name} ({what}) in {region}", request.urn)
        outs = provider.outputs(news, live, region)
        return provider_pb2.UpdateResponse(properties=_state(outs, secret_keys))

    @_guarded
    def Delete(self, request: provider_pb2.DeleteRequest, context: Any) -> empty_pb2.Empty:
        require_parameter(request.type, request.urn)
        outs, _ = reveal_props(from_struct(request.properties))
        name = str(outs.get("name") or request.id)
        region = self._config_or_fail().region_for(outs.get("region"))
        existed = provider.delete(self._client(region), name)
        done = f"deleted parameter {name}" if existed else f"parameter {name} was already gone"
        self._report(f"{done} ({region})", request.urn)
        return empty_pb2.Empty()

    # --- what it does not implement --------------------------------------------------------

    @_guarded
    def Invoke(
        self, request: provider_pb2.InvokeRequest, context: Any
    ) -> provider_pb2.InvokeResponse:
        raise StandinError(f"{LABEL} implements no functions (asked for {request.tok})")

    @_guarded
    def Construct(
        self, request: provider_pb2.ConstructRequest, context: Any
    ) -> provider_pb2.ConstructResponse:
        raise StandinError(f"{LABEL} implements no components (asked for {request.type})")

    @_guarded
    def Call(self, request: provider_pb2.CallRequest, context: Any) -> provider_pb2.CallResponse:
        raise StandinError(f"{LABEL} implements no methods (asked for {request.tok})")

    # --- helpers ---------------------------------------------------------------------------

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


def _state(props: Props, secret_keys: set[str]) -> Any:
    """Properties for the engine with `value` (always) and formerly secret inputs marked."""
    return to_struct(conceal(props, secret_keys | set(provider.SECRET_OUTPUTS)))


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
