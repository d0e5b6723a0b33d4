"""Compile the Go half of the real-system e2e toolchain from the Go module proxy.

These machines reach the Go module proxy but no release downloads, so every binary the e2e
needs (Pulumi CLI and plugins, etcd, the Kubernetes control plane, kwok, External Secrets) is
built here from its pinned module. Each tool gets a throwaway Go module of its own, because
``go install pkg@version`` refuses modules with ``replace`` directives and most of these have
some. Binaries land in ``<cache>/go-toolchain/bin``; each tool's stamp records the pins it was
built from, so a changed pin rebuilds exactly that tool and adding a tool rebuilds nothing else.

Run it as ``python -m e2e.harness.toolchain_go``; tests call ``ensure_go_toolchain()``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from e2e.harness import pins

HEARTBEAT_SECONDS = 30
PULUMI_MODULE = "github.com/pulumi/pulumi/pkg/v3"
PULUMI_SDK_MODULE = "github.com/pulumi/pulumi/sdk/v3"
LANGHOST_MODULE = "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
K8S_PROVIDER_MODULE = "github.com/pulumi/pulumi-kubernetes/provider/v4"
RANDOM_PROVIDER_MODULE = "github.com/pulumi/pulumi-random/provider/v4"
RANDOM_SHIM_MODULE = "github.com/terraform-providers/terraform-provider-random/shim"
# The Python language host needs these scripts beside it; module zips drop the exec bit.
PYTHON_HOST_SCRIPTS = (
    "pulumi-language-python-exec",
    "pulumi-resource-pulumi-python",
    "pulumi-analyzer-policy-python",
)


class BuildError(RuntimeError):
    """A tool could not be built; the message says which step failed and why."""


@dataclass
class Ctx:
    """Everything a build step needs: the pins, the folders and the Go environment."""

    go_pins: dict[str, str]
    cache: Path
    env: dict[str, str]

    @property
    def bin_dir(self) -> Path:
        return self.cache / "bin"


@dataclass(frozen=True)
class Tool:
    """One pinned Go module and the binaries built from it.

    ``stamped`` names the version baked in when the pin itself (a pseudo-version) is not it.
    ``binaries`` maps an output name to its package path ("." means a main we write into the
    work module). ``prepare(ctx, work, info)`` (info: ``go mod download -json`` of the module)
    adds replaces/sources before ``go get``; ``verify`` checks the resolved graph; ``finish``
    copies data files (scripts, YAML) out of the module tree once the binaries exist.
    """

    name: str
    pin_key: str
    module: str
    binaries: dict[str, str]
    eta: str
    ldflags: Callable[[Ctx], list[str]] = lambda ctx: []
    tags: str = ""
    extra_modules: Callable[[Ctx], list[str]] = lambda ctx: []
    prepare: Callable[[Ctx, Path, dict], None] | None = None
    verify: Callable[[Ctx, Path], None] | None = None
    finish: Callable[[Ctx, Path], None] | None = None
    version_args: dict[str, list[str]] = field(default_factory=dict)
    stamped: Callable[[Ctx], str] | None = None
    # A module whose go.mod asks for a newer Go than the machine's names the pin of the Go
    # toolchain to build it with; the module proxy serves that toolchain (golang.org/toolchain).
    go_toolchain_key: str = ""

    def version(self, ctx: Ctx) -> str:
        return ctx.go_pins.get(self.pin_key, "")

    def build_key(self, ctx: Ctx) -> str:
        """What the stamp must match: the pin, plus the version stamped in when that differs."""
        stamped = self.stamped(ctx) if self.stamped else ""
        toolchain = ctx.go_pins.get(self.go_toolchain_key, "") if self.go_toolchain_key else ""
        return " ".join(part for part in (self.version(ctx), stamped, toolchain) if part)

    def ctx_for(self, ctx: Ctx) -> Ctx:
        """The context to build this tool in: another GOTOOLCHAIN when the tool names one."""
        if not self.go_toolchain_key:
            return ctx
        env = {**ctx.env, "GOTOOLCHAIN": ctx.go_pins[self.go_toolchain_key]}
        return Ctx(go_pins=ctx.go_pins, cache=ctx.cache, env=env)


# --- Go plumbing ---------------------------------------------------------------------------


def go_env() -> dict[str, str]:
    """Shared module/build caches (incremental rebuilds), no cgo, no toolchain switching."""
    root = pins.cache_root() / "go"
    env = dict(os.environ)
    env.update(
        GOMODCACHE=str(root / "mod"),
        GOCACHE=str(root / "build"),
        CGO_ENABLED="0",
        GOFLAGS="-mod=mod",
        GOTOOLCHAIN="local",
        GOWORK="off",
    )
    return env


def executable(name: str) -> str:
    """Absolute path of a required program, so a missing Go says so instead of ENOENT."""
    found = shutil.which(name)
    if not found:
        raise BuildError(f"`{name}` is not on PATH")
    return found


def run_go(ctx: Ctx, args: list[str], cwd: Path, what: str, log: Path) -> str:
    """Run ``go ARGS``, logging to ``log`` and printing a heartbeat so no wait is silent."""
    started = time.monotonic()
    tail: deque[str] = deque(maxlen=40)
    with log.open("a") as sink:
        sink.write(f"$ go {' '.join(args)}\n")
        sink.flush()
        proc = subprocess.Popen(
            [executable("go"), *args],
            cwd=cwd,
            env=ctx.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        reader = threading.Thread(target=_pump, args=(proc, sink, tail), daemon=True)
        reader.start()
        while True:
            try:
                proc.wait(timeout=HEARTBEAT_SECONDS)
                break
            except subprocess.TimeoutExpired:
                last = tail[-1].strip() if tail else ""
                print(f"      ... {what}: {_fmt(time.monotonic() - started)} elapsed {last[:90]}")
                sys.stdout.flush()
        reader.join()
    if proc.returncode != 0:
        raise BuildError(f"`go {args[0]}` failed for {what}:\n" + "".join(tail))
    return "".join(tail)


def _pump(proc: subprocess.Popen[str], sink, tail: deque[str]) -> None:
    """Copy the go command's output to the log and keep its last lines for errors."""
    assert proc.stdout is not None
    for line in proc.stdout:
        sink.write(line)
        tail.append(line)


def go_capture(ctx: Ctx, args: list[str], cwd: Path) -> str:
    """Short go queries whose output we parse (no heartbeat needed)."""
    done = subprocess.run(
        [executable("go"), *args], cwd=cwd, env=ctx.env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BuildError(f"`go {' '.join(args)}` failed:\n{done.stderr[-3000:]}")
    return done.stdout


def download(ctx: Ctx, module: str, version: str) -> dict:
    """Fetch one module zip into GOMODCACHE; returns ``go mod download -json`` (Dir, GoMod)."""
    info = json.loads(
        go_capture(ctx, ["mod", "download", "-json", f"{module}@{version}"], ctx.cache)
    )
    if info.get("Error"):
        raise BuildError(f"{module}@{version}: {info['Error']}")
    return info


def remote_replaces(ctx: Ctx, gomod: str) -> list[str]:
    """The tool's own ``replace`` lines that point at other modules (local ones can't apply)."""
    spec = json.loads(go_capture(ctx, ["mod", "edit", "-json", gomod], ctx.cache))
    found = []
    for rep in spec.get("Replace") or []:
        new = rep["New"]
        if new.get("Version"):
            found.append(f"{rep['Old']['Path']}={new['Path']}@{new['Version']}")
    return found


# --- per-tool specifics --------------------------------------------------------------------


def pulumi_ldflags(ctx: Ctx) -> list[str]:
    return [f"-X {PULUMI_SDK_MODULE}/go/common/version.Version={ctx.go_pins['pulumi']}"]


def pulumi_sdk(ctx: Ctx) -> list[str]:
    """pkg/go.mod replaces sdk/v3 with ../sdk, so the sdk must be required at the same tag."""
    return [f"{PULUMI_SDK_MODULE}@{ctx.go_pins['pulumi']}"]


def install_python_host_scripts(ctx: Ctx, _moddir: Path) -> None:
    """Copy the language-host helper scripts from the sdk module, wherever this version keeps
    them (they have moved between releases), executable, next to ``pulumi``."""
    sdk_dir = Path(download(ctx, PULUMI_SDK_MODULE, ctx.go_pins["pulumi"])["Dir"])
    for name in PYTHON_HOST_SCRIPTS:
        hits = sorted(p for p in (sdk_dir / "python").rglob(name) if p.is_file())
        if not hits:
            print(f"      note: {name} is not in {PULUMI_SDK_MODULE}@{ctx.go_pins['pulumi']}")
            continue
        target = ctx.bin_dir / name
        shutil.copyfile(hits[0], target)
        target.chmod(0o755)
        print(f"      installed {name} from {hits[0].relative_to(sdk_dir)}")


def link_language_host_standin(ctx: Ctx) -> None:
    """Put the language-host stand-in beside ``pulumi`` (where the engine looks for the
    bundled ``pulumi-language-python``) while the real host has no pin; remove it once one is
    pinned, so the real build never writes through the link.

    A symlink into this checkout, refreshed on every call rather than once per build: the
    cache outlives checkouts, and the launcher finds its repository through the link.
    """
    link = ctx.bin_dir / "pulumi-language-python"
    target = Path(__file__).resolve().parent / "standins" / "bin" / "pulumi-language-python"
    if ctx.go_pins.get("pulumi_language_python"):
        if link.is_symlink():
            link.unlink()
        return
    if link.exists() and not link.is_symlink():
        return  # a real host built earlier: keep it
    if link.is_symlink() and link.readlink() == target:
        return
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    print(f"      language-host stand-in linked: {link} -> {target}")


def langhost_prepare(ctx: Ctx, work: Path, _info: dict) -> None:
    """The host module requires pkg/sdk through local replaces; pin both to the CLI's tag."""
    pulumi = ctx.go_pins["pulumi"]
    go_capture(ctx, ["get", f"{PULUMI_MODULE}@{pulumi}", f"{PULUMI_SDK_MODULE}@{pulumi}"], work)


def langhost_verify(ctx: Ctx, work: Path) -> None:
    """MVS may lift pkg/v3 above the CLI's pin; a host built against another engine is wrong."""
    got = go_capture(ctx, ["list", "-m", PULUMI_MODULE], work).split()[-1]
    if got != ctx.go_pins["pulumi"]:
        raise BuildError(
            f"language host resolved {PULUMI_MODULE} {got}, pin is {ctx.go_pins['pulumi']}"
        )


def k8s_provider_version(ctx: Ctx) -> str:
    return ctx.go_pins["pulumi_kubernetes_version"]


def k8s_provider_ldflags(ctx: Ctx) -> list[str]:
    return [f"-X {K8S_PROVIDER_MODULE}/pkg/version.Version={k8s_provider_version(ctx)}"]


def k8s_provider_prepare(ctx: Ctx, work: Path, info: dict) -> None:
    """The stock main embeds generated, git-ignored files missing from the zip; write our own
    main embedding the committed schema.json (with ``version`` set) and terraform mapping."""
    src = Path(info["Dir"]) / "cmd" / "pulumi-resource-kubernetes"
    schema = json.loads((src / "schema.json").read_text())
    schema["version"] = k8s_provider_version(ctx)
    (work / "schema-embed.json").write_text(json.dumps(schema))
    mapping = json.loads((src / "terraform-mapping.json").read_text())
    (work / "terraform-mapping-embed.json").write_text(json.dumps(mapping))
    (work / "main.go").write_text(K8S_PROVIDER_MAIN)


K8S_PROVIDER_MAIN = """package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
"""


def random_prepare(ctx: Ctx, work: Path, info: dict) -> None:
    """Recreate the ./shim nested module (absent from the zip) and a main embedding the
    committed schema and bridge metadata, as upstream's main does.

    Written from the upstream tree but never compiled here: no provider/v4 version is served
    by the proxy, so this runs only once someone fills the ``pulumi_random`` pin.
    """
    shim = work / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "go.mod").write_text(f"module {RANDOM_SHIM_MODULE}\n\ngo 1.24\n")
    (shim / "shim.go").write_text(RANDOM_SHIM)
    go_capture(ctx, ["mod", "edit", f"-replace={RANDOM_SHIM_MODULE}=./shim"], work)
    src = Path(info["Dir"]) / "cmd" / "pulumi-resource-random"
    for name in ("schema.json", "bridge-metadata.json"):
        shutil.copyfile(src / name, work / name)
    (work / "main.go").write_text(RANDOM_MAIN)


RANDOM_SHIM = """package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	p "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

func NewProvider() provider.Provider {
	return p.New()
}
"""

RANDOM_MAIN = """package main

import (
	"context"
	_ "embed"

	random "github.com/pulumi/pulumi-random/provider/v4"
	tfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
)

//go:embed schema.json
var schema []byte

//go:embed bridge-metadata.json
var metadata []byte

func main() {
	meta := tfbridge.ProviderMetadata{PackageSchema: schema, BridgeMetadata: metadata}
	tfbridge.Main(context.Background(), "random", random.Provider(), meta)
}
"""


def etcd_modules(ctx: Ctx) -> list[str]:
    """server/go.mod points its siblings at ../…; require them at the same tag instead."""
    version = ctx.go_pins["etcd"]
    siblings = ("api/v3", "client/pkg/v3", "client/v3", "pkg/v3")
    return [f"go.etcd.io/etcd/{name}@{version}" for name in siblings]


def kube_staging_replaces(ctx: Ctx, gomod: str) -> list[str]:
    """k8s.io/kubernetes requires every staging module at v0.0.0 => ./staging/…; point each at
    its published tag (v1.X.Y ships as v0.X.Y), generated from that go.mod."""
    staging = "v0." + ctx.go_pins["kubernetes"].removeprefix("v1.")
    spec = json.loads(go_capture(ctx, ["mod", "edit", "-json", gomod], ctx.cache))
    return [
        f"{rep['Old']['Path']}={rep['Old']['Path']}@{staging}"
        for rep in spec.get("Replace") or []
        if rep["New"]["Path"].startswith("./staging/")
    ]


def kube_ldflags(ctx: Ctx) -> list[str]:
    """Without these /version says v0.0.0-master, and pulumi-kubernetes reads /version."""
    version = ctx.go_pins["kubernetes"]
    major, minor = version.removeprefix("v").split(".")[:2]
    values = {"gitVersion": version, "gitMajor": major, "gitMinor": minor, "gitTreeState": "clean"}
    return [
        f"-X {pkg}.{key}={val}"
        for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
        for key, val in values.items()
    ]


def kube_prepare(ctx: Ctx, work: Path, info: dict) -> None:
    for rep in kube_staging_replaces(ctx, info["GoMod"]):
        go_capture(ctx, ["mod", "edit", f"-replace={rep}"], work)


def copy_kwok_stages(ctx: Ctx, moddir: Path) -> None:
    """kwok has no built-in stages: keep the fast node/pod lifecycles (and heartbeats) for -c."""
    target = ctx.cache / "kwok-stages"
    for group in ("node/fast", "node/heartbeat", "node/heartbeat-with-lease", "pod/fast"):
        dest = target / group
        dest.mkdir(parents=True, exist_ok=True)
        for yaml in (moddir / "kustomize" / "stage" / group).glob("*.yaml"):
            if yaml.name != "kustomization.yaml":
                shutil.copyfile(yaml, dest / yaml.name)
    print(f"      kwok stages in {target}")


def copy_eso_crds(ctx: Ctx, moddir: Path) -> None:
    """The CRDs alone (not the kustomization beside them), for ``kubectl apply --server-side``."""
    target = ctx.cache / "eso-crds"
    target.mkdir(parents=True, exist_ok=True)
    bases = (moddir / "config" / "crds" / "bases").glob("*.yaml")
    crds = sorted(crd for crd in bases if crd.name != "kustomization.yaml")
    for crd in crds:
        shutil.copyfile(crd, target / crd.name)
    print(f"      {len(crds)} ESO CRDs in {target}")


ARGOCD_MODULE = "github.com/argoproj/argo-cd/v3"


def argocd_ldflags(ctx: Ctx) -> list[str]:
    """Without this the binary reports v99.99.99 (common/version.go's fallback)."""
    return [f"-X {ARGOCD_MODULE}/common.version={ctx.go_pins['argocd'].removeprefix('v')}"]


def argocd_modules(ctx: Ctx) -> list[str]:
    """argo-cd's go.mod points gitops-engine at ./gitops-engine (absent from the zip, and a
    local replace we cannot copy); the same tag is published as its own module."""
    return [f"{ARGOCD_MODULE.removesuffix('/v3')}/gitops-engine/v3@{ctx.go_pins['argocd']}"]


def copy_argocd_files(ctx: Ctx, moddir: Path) -> None:
    """The two CRDs the controller needs, and the git wrapper the repo-server calls on every
    manifest generation (3.6 runs it by name from PATH; module zips drop its exec bit)."""
    target = ctx.cache / "argocd"
    target.mkdir(parents=True, exist_ok=True)
    for crd in ("application-crd.yaml", "appproject-crd.yaml"):
        shutil.copyfile(moddir / "manifests" / "crds" / crd, target / crd)
    wrapper = ctx.bin_dir / "git-verify-wrapper.sh"
    shutil.copyfile(moddir / "hack" / "git-verify-wrapper.sh", wrapper)
    wrapper.chmod(0o755)
    print(f"      Argo CD CRDs in {target}, git-verify-wrapper.sh in {ctx.bin_dir}")


TOOLS: tuple[Tool, ...] = (
    Tool(
        name="kwok",
        pin_key="kwok",
        module="sigs.k8s.io/kwok",
        binaries={"kwok": "sigs.k8s.io/kwok/cmd/kwok"},
        eta="~3 min",
        finish=copy_kwok_stages,
        version_args={"kwok": ["--version"]},
    ),
    Tool(
        name="etcd",
        pin_key="etcd",
        module="go.etcd.io/etcd/server/v3",
        binaries={"etcd": "go.etcd.io/etcd/server/v3"},
        eta="~3 min",
        extra_modules=etcd_modules,
        version_args={"etcd": ["--version"]},
    ),
    Tool(
        name="pulumi-resource-kubernetes",
        pin_key="pulumi_kubernetes",
        module=K8S_PROVIDER_MODULE,
        binaries={"pulumi-resource-kubernetes": "."},
        eta="~6 min",
        ldflags=k8s_provider_ldflags,
        prepare=k8s_provider_prepare,
        stamped=k8s_provider_version,
    ),
    Tool(
        name="pulumi",
        pin_key="pulumi",
        module=PULUMI_MODULE,
        binaries={"pulumi": f"{PULUMI_MODULE}/cmd/pulumi"},
        eta="~10 min",
        ldflags=pulumi_ldflags,
        tags="osusergo,grpcnotrace",
        extra_modules=pulumi_sdk,
        finish=install_python_host_scripts,
        version_args={"pulumi": ["version"]},
    ),
    Tool(
        name="pulumi-language-python",
        pin_key="pulumi_language_python",
        module=LANGHOST_MODULE,
        binaries={"pulumi-language-python": LANGHOST_MODULE},
        eta="~2 min",
        ldflags=pulumi_ldflags,
        prepare=langhost_prepare,
        verify=langhost_verify,
        version_args={"pulumi-language-python": ["-version"]},
    ),
    Tool(
        name="pulumi-resource-random",
        pin_key="pulumi_random",
        module=RANDOM_PROVIDER_MODULE,
        binaries={"pulumi-resource-random": "."},
        eta="~5 min",
        prepare=random_prepare,
    ),
    Tool(
        name="kubernetes",
        pin_key="kubernetes",
        module="k8s.io/kubernetes",
        binaries={
            name: f"k8s.io/kubernetes/cmd/{name}"
            for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")
        },
        eta="~10 min per binary",
        ldflags=kube_ldflags,
        prepare=kube_prepare,
        version_args={
            "kube-apiserver": ["--version"],
            "kube-controller-manager": ["--version"],
            "kube-scheduler": ["--version"],
            "kubectl": ["version", "--client"],
        },
    ),
    Tool(
        name="external-secrets",
        pin_key="external_secrets",
        module="github.com/external-secrets/external-secrets",
        binaries={"external-secrets": "github.com/external-secrets/external-secrets"},
        eta="~15 min",
        finish=copy_eso_crds,
    ),
    Tool(
        name="argocd",
        pin_key="argocd",
        module=ARGOCD_MODULE,
        binaries={"argocd": f"{ARGOCD_MODULE}/cmd"},
        eta="~5 min (plus ~80 MB for its Go toolchain, once)",
        ldflags=argocd_ldflags,
        extra_modules=argocd_modules,
        finish=copy_argocd_files,
        go_toolchain_key="argocd_go",
        version_args={"argocd": ["version", "--client", "--short"]},
    ),
)


# --- orchestration -------------------------------------------------------------------------


def stamp_path(ctx: Ctx, tool: Tool) -> Path:
    return ctx.cache / "stamps" / f"{tool.name}.json"


def is_built(ctx: Ctx, tool: Tool) -> bool:
    """Built for this pin: stamp names the same version and every binary is present."""
    stamp = stamp_path(ctx, tool)
    if not stamp.is_file():
        return False
    recorded = json.loads(stamp.read_text())
    present = all((ctx.bin_dir / name).is_file() for name in tool.binaries)
    return recorded.get("version") == tool.build_key(ctx) and present


def build_tool(ctx: Ctx, tool: Tool, step: str) -> dict[str, float]:
    """Build every binary of ``tool`` in a fresh work module; returns seconds per binary."""
    ctx = tool.ctx_for(ctx)
    version = tool.version(ctx)
    work = ctx.cache / "work" / tool.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log = work / "build.log"
    print(f"{step} preparing {tool.name} ({tool.module} {version}); log {log}")
    info = download(ctx, tool.module, version)
    moddir = Path(info["Dir"])
    (work / "go.mod").write_text(f"module e2e.local/{tool.name}\n\ngo 1.26\n")
    for rep in remote_replaces(ctx, info["GoMod"]):
        go_capture(ctx, ["mod", "edit", f"-replace={rep}"], work)
    if tool.prepare:
        tool.prepare(ctx, work, info)
    modules = [f"{tool.module}@{version}", *tool.extra_modules(ctx)]
    run_go(ctx, ["get", *modules], work, f"go get {tool.name}", log)
    if tool.verify:
        tool.verify(ctx, work)
    seconds = {}
    for name, package in tool.binaries.items():
        print(f"{step} building {name} ({tool.module} {version}) — first build {tool.eta} ...")
        sys.stdout.flush()
        started = time.monotonic()
        run_go(ctx, build_args(ctx, tool, name, package), work, f"building {name}", log)
        seconds[name] = round(time.monotonic() - started, 1)
        print(f"      {name} built in {_fmt(seconds[name])}")
    if tool.finish:
        tool.finish(ctx, moddir)
    stamp = {"version": tool.build_key(ctx), "seconds": seconds}
    stamp_path(ctx, tool).write_text(json.dumps(stamp))
    return seconds


def build_args(ctx: Ctx, tool: Tool, name: str, package: str) -> list[str]:
    ldflags = " ".join(["-s", "-w", *tool.ldflags(ctx)])
    args = ["build", "-p", "2", "-trimpath", "-ldflags", ldflags, "-o", str(ctx.bin_dir / name)]
    if tool.tags:
        args += ["-tags", tool.tags]
    return [*args, package]


def report_version(ctx: Ctx, tool: Tool, name: str) -> str:
    """What the binary says about itself (first line), else what was stamped or pinned."""
    args = tool.version_args.get(name)
    if not args and tool.stamped:
        return f"{tool.stamped(ctx)} ({tool.module}@{tool.version(ctx)})"
    if not args:
        return tool.version(ctx)
    env = {**ctx.env, "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_HOME": str(ctx.cache / "home")}
    done = subprocess.run(
        [str(ctx.bin_dir / name), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0].strip() if text else tool.version(ctx)


def disk_usage(paths: list[Path]) -> str:
    """``du`` is far faster than walking GOMODCACHE's hundred thousand files from Python."""
    done = subprocess.run(
        [executable("du"), "-sh", "-c", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def _fmt(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"


def make_ctx() -> Ctx:
    go_pins = pins.load()["go"]
    cache = pins.cache_root() / "go-toolchain"
    ctx = Ctx(go_pins=go_pins, cache=cache, env=go_env())
    for sub in (ctx.bin_dir, cache / "stamps", cache / "work"):
        sub.mkdir(parents=True, exist_ok=True)
    return ctx


def ensure_go_toolchain(selected: list[str] | None = None) -> dict:
    """Build whatever is missing for the current pins (a no-op when all is cached).

    Returns bin_dir, versions (binary -> what it reports), built_seconds, cached, and
    ``missing`` (tool -> reason) for tools not built. Raises BuildError when a tool without a
    stand-in (anything outside OPTIONAL_TOOLS) could not be built.
    """
    ctx = make_ctx()
    link_language_host_standin(ctx)
    tools = [t for t in TOOLS if selected is None or t.name in selected]
    missing = {
        t.name: f"no pin `{t.pin_key}` in pins.toml [go] (see the comment there)"
        for t in tools
        if not t.version(ctx)
    }
    todo = [t for t in tools if t.name not in missing and not is_built(ctx, t)]
    if not todo:
        absent = f" (not built: {', '.join(sorted(missing))})" if missing else ""
        print(f"go toolchain: cached at {ctx.cache}{absent}")
        return result(ctx, tools, 0.0, missing, recorded_versions(ctx), cached=True)
    started = time.monotonic()
    timings: dict[str, float] = {}
    for index, tool in enumerate(todo, 1):
        step = f"[{index}/{len(todo)}]"
        try:
            timings.update(build_tool(ctx, tool, step))
        except BuildError as err:
            missing[tool.name] = str(err).strip()
            print(f"{step} FAILED {tool.name}: {err}")
    total = round(time.monotonic() - started, 1)
    versions = recorded_versions(ctx)
    versions.update(probe_versions(ctx, [t for t in todo if t.name not in missing]))
    (ctx.cache / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    summarize(ctx, timings, missing, total)
    fatal = sorted(set(missing) - OPTIONAL_TOOLS)
    if fatal:
        raise BuildError(f"go toolchain incomplete: {', '.join(fatal)} not built")
    trim_caches(ctx)
    return result(ctx, tools, total, missing, versions, cached=False)


# Tools the e2e can replace with a named stand-in, so their absence is reported, not fatal.
OPTIONAL_TOOLS = frozenset({"pulumi-resource-random", "pulumi-language-python"})


def recorded_versions(ctx: Ctx) -> dict[str, str]:
    """The warm path reads versions.json instead of executing a dozen binaries."""
    known = ctx.cache / "versions.json"
    return json.loads(known.read_text()) if known.is_file() else {}


def probe_versions(ctx: Ctx, tools: list[Tool]) -> dict[str, str]:
    return {name: report_version(ctx, tool, name) for tool in tools for name in tool.binaries}


def result(
    ctx: Ctx,
    tools: list[Tool],
    seconds: float,
    missing: dict[str, str],
    versions: dict,
    cached: bool,
) -> dict:
    names = {name for tool in tools if tool.name not in missing for name in tool.binaries}
    return {
        "bin_dir": str(ctx.bin_dir),
        "versions": {name: ver for name, ver in versions.items() if name in names},
        "built_seconds": seconds,
        "cached": cached,
        "missing": missing,
    }


def summarize(ctx: Ctx, timings: dict[str, float], missing: dict[str, str], total: float) -> None:
    print(f"go toolchain: built in {_fmt(total)} into {ctx.bin_dir}")
    for name, secs in timings.items():
        print(f"  {name:30} {_fmt(secs)}")
    for name, reason in missing.items():
        print(f"  {name:30} NOT BUILT: {reason.splitlines()[0]}")
    root = pins.cache_root() / "go"
    print(disk_usage([ctx.cache, root / "mod", root / "build"]))


def trim_caches(ctx: Ctx) -> None:
    """Keep the binaries and the module zips, drop what a build leaves behind (≈13 GB of
    compiled packages, ≈5 GB of unpacked module trees).

    The zips under GOMODCACHE/cache/download are all a rebuild of a changed pin needs: Go
    unpacks a module from its zip again without the network. The build cache would only make
    that rebuild faster, at a size a CI machine should not carry between runs.
    """
    root = pins.cache_root() / "go"
    before = disk_usage([pins.cache_root()]).splitlines()[-1].split()[0]
    go_capture(ctx, ["clean", "-cache"], ctx.cache)
    mod = root / "mod"
    for entry in mod.iterdir() if mod.is_dir() else ():
        if entry.name != "cache":
            _remove_read_only(entry)
    after = disk_usage([pins.cache_root()]).splitlines()[-1].split()[0]
    print(f"go toolchain: trimmed the caches to binaries + module zips: {before} -> {after}")


def _remove_read_only(path: Path) -> None:
    """Go writes unpacked modules read-only; make them writable, then remove them."""
    subprocess.run([executable("chmod"), "-R", "u+w", str(path)], check=False)
    shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str]) -> int:
    """``python -m e2e.harness.toolchain_go [TOOL ...]`` builds all tools, or only those named."""
    known = {t.name for t in TOOLS}
    unknown = set(argv) - known
    if unknown:
        print(f"unknown tool(s) {sorted(unknown)}; known: {sorted(known)}")
        return 2
    try:
        out = ensure_go_toolchain(argv or None)
    except BuildError as err:
        print(err)
        return 1
    print(json.dumps(out["versions"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
