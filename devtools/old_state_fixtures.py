"""Writes tests/fixtures/old_state/: each pinned provider and what its `create` returned, as a
release wrote them into a stack's state, for tests/test_old_state_*.py and
tests/process/test_old_state_git.py.

    .venv/bin/python -m devtools.old_state_fixtures           # today's (HEAD's working tree)
    .venv/bin/python -m devtools.old_state_fixtures --first   # also the first releases'

Why run the code rather than write the fixtures by hand: a state holds what the code of that
day pickled and returned, and nobody remembers which keys that was. So each release's own
provider runs in a process of its own, in its own tree (`git archive COMMIT`; today's: this
checkout), against the fake Kubernetes API server (tests/fake_kube_api.py, reached through a
kubeconfig, as the engine's provider host reaches a cluster) and a bare Git repository
(tests/git_bare_repo.py) that the fake's "Argo CD" copies into the live ConfigMap whenever it is
read. Its inputs are today's program's (the mock runtime on the cluster-mode example and on the
reference git-mode stack), cut to the properties that release's resource had. Each fixture is
`<module>-<release>.b64` (`serialize_provider`, the SDK's own) and `<module>-<release>.json`:
the inputs, the id and outputs create returned, and the world it left: the document
(cluster section), the Server-Side Apply requests (env entry; replayed by the tests), the
manifest at the branch head (git section). The Git repository's URL is stored as `REPO_URL`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "old_state"
sys.path.insert(0, str(ROOT / "tests"))  # the fake API server and the bare repository

from fake_kube_api import FakeKubeApi  # noqa: E402
from git_bare_repo import BareRepo  # noqa: E402

REPO_URL = "file:///gitops/lolice.git"  # the bare repository's URL, as the fixtures store it
NAMESPACE, CONFIG_MAP, KEY = "openclaw", "openclaw-config", "openclaw.json"
DEPLOYMENT, CONTAINER = "openclaw", "openclaw"
PATH = "argoproj/openclaw/configmap-openclaw.yaml"
LABELS = {"app.kubernetes.io/name": "openclaw"}
THEIR_ENV = [{"name": "NODE_ENV", "value": "production"}]
DOCUMENT = (ROOT / "tests" / "fixtures" / "openclaw.json").read_text()
CONTEXT = "lolice"  # the kubeconfig's one context (the first section release stored it)


@dataclass(frozen=True)
class Provider:
    module: str
    name: str
    type: str  # the dynamic resource's type, as the program registers it
    first: str  # the commit that added the provider
    keys: tuple[str, ...]  # the first release's input properties
    extra: tuple[tuple[str, Any], ...] = ()  # first-release inputs today's program has not

    def stem(self, release: str) -> str:
        return f"{self.module.rsplit('.', 1)[1]}-{release}"


_SECTION = ("namespace", "configMap", "key", "section", "value")
_GIT = ("repo", "branch", "path", "author", *_SECTION, "stack", "deliveryTimeoutSeconds")
PROVIDERS = (
    Provider(
        "components.configmap_section_provider",
        "JsonSectionProvider",
        "pulumi-python:dynamic/openclaw:JsonSection",
        "43b8183",
        _SECTION,
        (("kubeContext", CONTEXT),),
    ),
    Provider(
        "components.deployment_env_provider",
        "EnvEntryProvider",
        "pulumi-python:dynamic/openclaw:EnvEntry",
        "b8a56d3",
        ("namespace", "deployment", "container", "envName", "secretName", "secretKey"),
    ),
    Provider(
        "components.git_section_provider",
        "GitJsonSectionProvider",
        "pulumi-python:dynamic/openclaw:GitJsonSection",
        "0ea9f98",
        (*_GIT, "application", "applicationNamespace"),
    ),
)

# Pinned providers that touch nothing outside the state (the rotation guard): their serialized
# provider only, `<module>-<release>.b64`.
STATE_ONLY = (("components.rotation_guard_provider", "RotationGuardProvider", "1b4e884"),)

_SERIALIZE = """
import sys, importlib
from pulumi.dynamic.dynamic import serialize_provider
print(serialize_provider(getattr(importlib.import_module(sys.argv[1]), sys.argv[2])()))
"""

# Runs in the release's own tree: its class, built as its resource built it, serialized by the
# SDK, configured as the provider host configures it, then its create.
_CREATE = """
import json, sys, importlib
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
spec = json.loads(sys.argv[1])
provider = getattr(importlib.import_module(spec["module"]), spec["name"])()
serialized = serialize_provider(provider)
provider.configure(ConfigureRequest(Config({}, "openclaw-cron-webhook")))
result = provider.create({**spec["props"], "__provider": serialized})
print(json.dumps({"provider": serialized, "id": result.id, "outputs": result.outs}))
"""


def todays_inputs() -> dict[str, dict[str, Any]]:
    """{type: inputs} of the dynamic resources today's program registers: the cluster-mode
    example for the cluster section and the env entry, the reference stack for the git one."""
    sys.path.insert(0, str(ROOT))
    from tools.plan.mock_runtime import run_program
    from tools.plan.stack_file import load_stack

    found: dict[str, dict[str, Any]] = {}
    for stack_file in (
        ROOT / "examples" / "cluster-mode" / "Pulumi.dev.yaml",
        ROOT / "Pulumi.dev.yaml",
    ):
        recording = run_program(load_stack(ROOT, None, stack_file).config.values)
        for registration in recording.resources:
            if registration.type.startswith("pulumi-python:dynamic/"):
                inputs = {k: v for k, v in registration.inputs.items() if k != "__provider"}
                found.setdefault(registration.type, inputs)
    return found


class Cluster(FakeKubeApi):
    """The fake API server whose ConfigMap follows the repository's manifest at every read
    (an Argo CD that has always just synced), when a repository is given."""

    repo: BareRepo | None = None

    def __enter__(self) -> Cluster:
        super().__enter__()
        return self

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        if self.repo is not None and method == "GET" and "/configmaps/" in path:
            document = yaml.safe_load(self.repo.read(PATH))["data"][KEY]
            self.edit_data(NAMESPACE, CONFIG_MAP, KEY, lambda _: document)
        return super().handle(method, path, query, body, content_type)


def manifest(document: str) -> str:
    """The ConfigMap's manifest in the GitOps repository, the document in a literal block."""
    lines = "".join(f"    {line}\n" if line else "\n" for line in document.rstrip("\n").split("\n"))
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        "  namespace: openclaw\ndata:\n  openclaw.json: |\n" + lines
    )


def seed(cluster: FakeKubeApi) -> None:
    """The world before Phase 2: the document (Phase 1 in it) and the Deployment."""
    cluster.add_config_map(NAMESPACE, CONFIG_MAP, {KEY: DOCUMENT})
    app = {"name": CONTAINER, "image": "openclaw:1", "env": THEIR_ENV}
    cluster.deployments.add(NAMESPACE, DEPLOYMENT, [app], labels=LABELS)


def kubeconfig(host: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "fake", "cluster": {"server": host}}],
            "users": [{"name": "fake", "user": {}}],
            "contexts": [{"name": CONTEXT, "context": {"cluster": "fake", "user": "fake"}}],
            "current-context": CONTEXT,
        }
    )


@contextmanager
def tree(release: str) -> Iterator[Path]:
    """The release's tree: this checkout for `head`, else `git archive` of the commit."""
    if release == "head":
        yield ROOT
        return
    with tempfile.TemporaryDirectory() as directory:
        archive = subprocess.run(
            [shutil.which("git") or "git", "archive", release],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(directory, filter="data")
        yield Path(directory)


def generate(provider: Provider, release: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The provider of `release` creates its resource in a fresh world; what it left."""
    with tempfile.TemporaryDirectory() as work, Cluster() as cluster:
        seed(cluster)
        props = dict(inputs)
        repo = None
        if provider.name == "GitJsonSectionProvider":
            repo = BareRepo.create(Path(work), {PATH: manifest(DOCUMENT)})
            cluster.repo = repo
            props["repo"] = repo.url
        if release != "head":
            props = {k: v for k, v in props.items() if k in provider.keys}
            props.update(dict(provider.extra))
        config = Path(work) / "kubeconfig"
        config.write_text(kubeconfig(cluster.host))
        env = {
            **os.environ,
            "KUBECONFIG": str(config),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "PYTHONPATH": "",
        }
        spec = {"module": provider.module, "name": provider.name, "props": props}
        with tree(release) as directory:
            ran = subprocess.run(
                [sys.executable, "-c", _CREATE, json.dumps(spec)],
                cwd=directory,
                env=env,
                capture_output=True,
                text=True,
            )
        if ran.returncode != 0:
            raise SystemExit(f"{provider.name} of {release}: {ran.stderr}")
        created = json.loads(ran.stdout.strip().splitlines()[-1])
        world: dict[str, Any]
        if repo is not None:
            world = {"manifest": repo.read(PATH)}
        elif provider.name == "JsonSectionProvider":
            world = {"document": cluster.get(NAMESPACE, CONFIG_MAP)["data"][KEY]}
        else:
            world = {"applies": [_request(r) for r in cluster.requests if r.method == "PATCH"]}
        fixture = {
            "inputs": props,
            "id": created["id"],
            "outputs": created["outputs"],
            "world": world,
        }
        text = json.dumps(fixture, indent=2, sort_keys=True) + "\n"
        if repo is not None:
            text = text.replace(repo.url, REPO_URL).replace(str(repo.bare), "/gitops/lolice.git")
        return {"provider": created["provider"], "fixture": text}


def _request(request: Any) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "body": request.body,
        "content_type": request.content_type,
    }


def same_but_the_commit(path: Path, text: str) -> bool:
    """Whether the stored fixture differs from `text` only in the commit create pushed (git
    gives each run its own time, so its own commit id): then it is kept, unchurned."""
    if not path.exists():
        return False
    stored, made = json.loads(path.read_text()), json.loads(text)
    for fixture in (stored, made):
        fixture["outputs"].pop("commit", None)
    return bool(stored == made)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first", action="store_true", help="also the first releases' fixtures")
    options = parser.parse_args(argv)
    inputs = todays_inputs()
    for provider in PROVIDERS:
        for release in (*((provider.first,) if options.first else ()), "head"):
            made = generate(provider, release, inputs[provider.type])
            stem = FIXTURES / provider.stem(release)
            stem.with_suffix(".b64").write_text(made["provider"] + "\n")
            if not same_but_the_commit(stem.with_suffix(".json"), made["fixture"]):
                stem.with_suffix(".json").write_text(made["fixture"])
            print(f"wrote {stem.relative_to(ROOT)}.b64 and .json")
    for module, name, first in STATE_ONLY:
        for release in (*((first,) if options.first else ()), "head"):
            with tree(release) as directory:
                ran = subprocess.run(
                    [sys.executable, "-c", _SERIALIZE, module, name],
                    cwd=directory,
                    env={**os.environ, "PYTHONPATH": ""},
                    capture_output=True,
                    text=True,
                    check=True,
                )
            path = FIXTURES / f"{module.rsplit('.', 1)[1]}-{release}.b64"
            path.write_text(ran.stdout)
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
