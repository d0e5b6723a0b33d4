"""STAND-INS for provider plugins that cannot be built here, sharing one gRPC scaffolding.

Why they exist: the e2e runs the real Pulumi engine, which needs a resource plugin for every
package the stack uses, and two of them cannot be built on these machines: pulumi-aws (its `shim`
package only exists after patching a terraform-provider-aws submodule, and neither is served by
the Go module proxy) and pulumi-random (the proxy answers 403 for every version; see
e2e/pins.toml). Each stand-in serves the engine's ResourceProvider protocol itself, for exactly
the resource types the stack registers, and refuses everything else by name.

They are honest only while named as ones: every line they write, on stderr and through the
engine's Log service, starts with the stand-in's label, and so does every error.

Layout: `values` (the wire encoding of property values: secrets, unknowns), `model` (the plain
types a stand-in's logic speaks: `Diff`, `StandinError`), `report` (stderr and the engine's Log),
`service` (the `Standin` contract and the gRPC servicer that drives it), `serve` (start, print
the port, serve), then one package a stand-in: `aws` (SSM Parameter against moto) and `random`
(RandomBytes). `bin/` holds the `pulumi-resource-*` launchers: put it first on PATH.
`language_host` is the one stand-in that is not a provider: `pulumi-language-python`, which
runs the program and Python policy packs (its own gRPC service; see its docstring).
"""
