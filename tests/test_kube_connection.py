"""The dynamic providers reach the cluster the Kubernetes provider reaches, from config only."""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes.client.exceptions import ApiException
from pulumi.dynamic import Config, ConfigureRequest

from components.configmap_section_provider import JsonSectionProvider
from components.deployment_env_provider import EnvEntryProvider
from stages.kube_connection import AccessDenied, KubeTarget, _as_path, _credentials, api_errors


def kubeconfig(current: str) -> str:
    """Two clusters, one context each, so a test can see which one a client points at."""
    clusters = [("blue", "https://127.0.0.1:6443"), ("green", "https://127.0.0.2:6443")]
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": current,
            "clusters": [{"name": n, "cluster": {"server": s}} for n, s in clusters],
            "users": [{"name": "admin", "user": {"token": "not-a-real-token"}}],
            "contexts": [
                {"name": n, "context": {"cluster": n, "user": "admin"}} for n, _ in clusters
            ],
        }
    )


def host(target: KubeTarget) -> str:
    host_: str = target.api_client().configuration.host
    return host_


def test_kubeconfig_contents_and_context_from_stack_config() -> None:
    target = KubeTarget(kubeconfig=kubeconfig("blue"), context="green")
    assert host(target) == "https://127.0.0.2:6443"
    assert host(KubeTarget(kubeconfig=kubeconfig("blue"))) == "https://127.0.0.1:6443"


def test_kubeconfig_as_a_path(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(kubeconfig("green"))
    assert host(KubeTarget(kubeconfig=str(path))) == "https://127.0.0.2:6443"


def test_without_config_the_kubeconfig_env_var_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config"
    path.write_text(kubeconfig("blue"))
    monkeypatch.setenv("KUBECONFIG", str(path))
    assert host(KubeTarget(context="green")) == "https://127.0.0.2:6443"


def test_a_kubeconfig_that_is_neither_file_nor_contents_names_the_key() -> None:
    with pytest.raises(ValueError, match=r"kubernetes:kubeconfig is neither a readable file"):
        KubeTarget(kubeconfig="/no/such/file").api_client()


CANARY = "canary-3f9a1c7e"  # stands for the credential a kubeconfig holds
SET_IT = 'fix it with `pulumi config set --secret kubernetes:kubeconfig "$(cat FILE)"`'


def with_user(**user: str) -> dict[str, Any]:
    config = yaml.safe_load(kubeconfig("blue"))
    config["users"][0]["user"] = user
    config["clusters"][0]["cluster"]["certificate-authority-data"] = "Q" * 4096
    return dict(config)


def test_a_one_line_kubeconfig_longer_than_any_path_is_contents() -> None:
    """JSON on one line, as some tools export it: more than 4 kB, which `stat` refused with
    "File name too long" (and the whole kubeconfig in its message)."""
    contents = json.dumps(with_user(token=CANARY))
    assert "\n" not in contents
    assert len(contents) > 4096

    assert host(KubeTarget(kubeconfig=contents)) == "https://127.0.0.1:6443"


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        (
            json.dumps(with_user(token=CANARY))[:-2],  # cut short: a one-line kubeconfig of 4 kB
            f"kubernetes:kubeconfig (its contents) is not valid YAML at line 2, column 1; {SET_IT}",
        ),
        (
            "x" * 200 + CANARY + "x" * 200,  # one line, one too-long file name, not a kubeconfig
            f"kubernetes:kubeconfig is neither a readable file nor kubeconfig contents; {SET_IT}",
        ),
        (
            f"apiVersion: v1\nusers:\n- user: {{token: {CANARY}: x}}\n",
            "kubernetes:kubeconfig (its contents) is not valid YAML at line 3, column 32; "
            + SET_IT,
        ),
        (
            f"apiVersion: v1\nusers:\n- user: &u {{token: {CANARY}}}\n- user: *u\n",
            "kubernetes:kubeconfig (its contents) holds a YAML alias or merge key, which the stack "
            f"refuses; write the values out, or {SET_IT}",
        ),
        (  # a character YAML's reader refuses: its error carries no position to say
            f"apiVersion: v1\nusers:\n- user: {{token: {CANARY}\x07}}\n",
            f"kubernetes:kubeconfig (its contents) is not valid YAML; {SET_IT}",
        ),
        (
            yaml.safe_dump(with_user(**{"client-certificate": f"/nonexistent/{CANARY}.crt"})),
            "kubernetes:kubeconfig (its contents) cannot be used: File does not exist: ***",
        ),
        (  # a credential inside another is masked with it, not leaving the rest of the path
            yaml.safe_dump(
                with_user(**{"client-certificate": f"/nonexistent/{CANARY}.crt", "token": CANARY})
            ),
            "kubernetes:kubeconfig (its contents) cannot be used: File does not exist: ***",
        ),
    ],
    ids=[
        "one-line-cut-short",
        "one-long-line",
        "invalid-yaml",
        "alias",
        "control-character",
        "client-error",
        "credential-inside-another",
    ],
)
def test_no_message_about_kubeconfig_contents_quotes_them(contents: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^kubernetes:kubeconfig ") as raised:
        KubeTarget(kubeconfig=contents).api_client()

    assert str(raised.value) == message
    assert CANARY not in "".join(traceback.format_exception(raised.value))  # nor in a cause


@pytest.mark.parametrize(
    ("value", "statted"),
    [
        ("apiVersion: v1\nkind: Config\n", False),  # several lines: contents
        ("p" * 4096, False),  # more than a path can hold (Linux's PATH_MAX counts the NUL)
        ("p" * 4095, True),
    ],
    ids=["several-lines", "path-max", "one-short-of-path-max"],
)
def test_only_a_value_that_could_be_a_path_goes_near_stat(
    value: str, statted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contents never reach `stat`, whose error once carried the whole kubeconfig; the value
    one byte shorter than the limit shows the spy sees every `stat` there is."""
    seen: list[str] = []

    def is_file(path: Path) -> bool:
        seen.append(str(path))
        return False

    monkeypatch.setattr(Path, "is_file", is_file)

    assert _as_path(value) is None
    assert seen == ([value] if statted else [])


@pytest.mark.parametrize("provider_type", [JsonSectionProvider, EnvEntryProvider])
def test_configure_follows_the_current_stack_config(provider_type: type) -> None:
    """`refresh`/`destroy` configure the provider with today's config, not creation's."""
    seen: list[KubeTarget] = []
    provider = provider_type(lambda target: seen.append(target))
    stack_config = {"kubernetes:context": "green", "kubernetes:kubeconfig": "contents"}
    provider.configure(ConfigureRequest(Config(stack_config, "openclaw-cron-webhook")))
    provider.api_client()
    assert seen == [KubeTarget(kubeconfig="contents", context="green")]


class Gone(LookupError):
    pass


class Raced(RuntimeError):
    pass


def answer(status: int) -> ApiException:
    error = ApiException(status=status, reason="from the API server")
    error.body = f'{{"code": {status}}}'
    return error


def translated(status: int) -> Exception:
    """What leaves `api_errors` when the API server answers `status`."""
    try:
        with api_errors(
            on_404=lambda error: Gone(f"gone: {error.body}"),
            on_409=lambda error: Raced(f"raced: {error.body}"),
        ):
            raise answer(status)
    except Exception as error:  # whatever leaves is what the test looks at
        return error
    raise AssertionError("api_errors swallowed the error")


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [(404, Gone, 'gone: {"code": 404}'), (409, Raced, 'raced: {"code": 409}')],
)
def test_the_statuses_a_caller_decides_become_its_own_exceptions(
    status: int, kind: type, message: str
) -> None:
    error = translated(status)

    assert (type(error), str(error)) == (kind, message)
    assert isinstance(error.__cause__, ApiException)
    assert error.__cause__.status == status


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_is_access_denied_in_the_api_servers_own_words(status: int) -> None:
    said = 'configmaps "openclaw-config" is forbidden: User "u" cannot get resource "configmaps"'
    error = answer(status)
    error.body = json.dumps({"kind": "Status", "message": said, "reason": "Forbidden"})

    with pytest.raises(AccessDenied) as raised, api_errors(on_404=lambda _: Gone("never")):
        raise error

    assert str(raised.value) == (
        f"{said} ({status}: the identity running this step lacks the permission; grant its "
        "role what the permissions command prints, docs/operations.md)"
    )
    assert raised.value.__cause__ is error
    assert (raised.value.status, raised.value.reason, raised.value.body) == (
        status,
        "from the API server",
        error.body,
    )


@pytest.mark.parametrize("body", [None, "not json", '["a list"]', "{}"])
def test_a_refusal_without_a_message_gives_the_status_and_reason(body: str | None) -> None:
    error = answer(403)
    error.body = body

    with pytest.raises(AccessDenied) as raised, api_errors():
        raise error

    assert str(raised.value).startswith("403 from the API server (403: the identity running")


@pytest.mark.parametrize("status", [400, 410, 422, 500])
def test_every_other_status_passes_unchanged(status: int) -> None:
    error = translated(status)

    assert type(error) is ApiException
    assert isinstance(error, ApiException)
    assert error.status == status


@pytest.mark.parametrize("status", [404, 409])
def test_a_status_without_a_translation_passes_unchanged(status: int) -> None:
    original = answer(status)

    with pytest.raises(ApiException) as raised, api_errors():
        raise original

    assert raised.value is original


def test_without_an_error_nothing_is_raised() -> None:
    with api_errors(on_404=lambda _: Gone("never")):
        result = "done"

    assert result == "done"


def test_the_credentials_masked_are_the_long_enough_strings_outside_the_plain_keys() -> None:
    """What a client's error about kubeconfig contents may not show: every string of four
    characters or more, at any depth, except under a key that names things (also in a list)."""
    loaded = {
        "apiVersion": "v1",
        "kind": ["Config"],
        "current-context": "prod",
        "clusters": [
            {"name": "prod", "cluster": {"server": "https://10.0.0.1:6443", "ca": "Q0FEQVRB"}}
        ],
        "users": [{"name": "deployer", "user": {"token": "s3cr3t", "args": ["get-token", "abc"]}}],
        "contexts": [{"name": "prod", "context": {"cluster": "prod", "user": "deployer"}}],
        "preferences": {"colors": 1, "proxy": "abcd"},
    }

    assert list(_credentials(loaded)) == [
        "https://10.0.0.1:6443",
        "Q0FEQVRB",
        "s3cr3t",
        "get-token",
        "abcd",
    ]
