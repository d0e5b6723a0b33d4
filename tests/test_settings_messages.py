"""What an operator reads for each bad setting, word for word, and that its fix command fixes it.

A refused `pulumi up` prints these lines and nothing else, so they are the interface: the key
(as `pulumi config --path` spells it), the value as given, what is wrong, and one command. Two
properties for every case: the text is exactly this, and running the fix command's change on
the stack's config makes the problem go away.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest

from stack.config_issues import config_parts, config_path
from stack.settings import ConfigError, parse_settings
from tools.plan.mock_runtime import ProgramFailed, run_program

P = "openclaw-cron-webhook"
DNS_LABEL = "must be a DNS-1123 label: lowercase letters, digits and '-', at most 63"
DNS_NAME = "must be a DNS-1123 name: lowercase letters, digits, '-' and '.', at most 253"
DATA_KEY = (
    "must be a data key: letters, digits, '-', '_' and '.', at most 253, neither '.' nor "
    "starting with '..' (Kubernetes refuses those as Secret and ConfigMap keys)"
)
ENV_NAME_TAKEN = (
    "would replace a variable the container's dynamic loader (LD_*), shell (PATH, HOME, SHELL, "
    "IFS, ENV, BASH_ENV) or Node.js (NODE_*) acts on, with the token as its value: the container "
    "would break, and could print the token in its log"
)
ENV_NAME_FIX = f"pulumi config set --path '{P}:deployment.envName' OPENCLAW_CRON_WEBHOOK_TOKEN"
SSM_NAME = (
    "must be a fully qualified SSM parameter name: '/'-separated segments of letters, digits, "
    "'_', '.', '-' (at most 955 characters: AWS counts the parameter's ARN toward its limit of "
    "1011)"
)
SSM_EXAMPLE = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
SSM_FIX = f"pulumi config set --path '{P}:token.parameterName' {SSM_EXAMPLE}"
TOKEN = "OPENCLAW_CRON_WEBHOOK_TOKEN"


def set_fix(key: str, value: str) -> str:
    return f"pulumi config set --path '{P}:{key}' {value}"


# (config path, value given, the problem as printed, the fix command as printed)
CASES: list[tuple[str, Any, str, str]] = [
    ("namespace", "OpenClaw", DNS_LABEL, set_fix("namespace", "openclaw")),
    (
        "token.parameterName",
        "lolice/openclaw/TOKEN",
        SSM_NAME,
        SSM_FIX,
    ),
    ("token.parameterName", "/" + "p" * 955, SSM_NAME, SSM_FIX),
    (
        "token.parameterName",
        "/SSM-params/TOKEN",
        "SSM reserves names that begin with 'aws' or 'ssm'",
        SSM_FIX,
    ),
    (
        "token.parameterName",
        "/" + "/".join("abcdefghijklmnop"),
        "SSM allows at most 15 hierarchy levels",
        SSM_FIX,
    ),
    (
        "token.rotation",
        True,
        "must be a short DNS label (lowercase letters, digits, '-', at most 20) because it "
        "becomes part of the ExternalSecret and Secret names",
        set_fix("token.rotation", "2"),
    ),
    (
        "token.kmsKeyId",
        "my key",
        "must be a KMS key id, multi-region key id (mrk-...), alias/NAME or key/alias ARN",
        set_fix("token.kmsKeyId", "alias/openclaw"),
    ),
    (
        "token.retainOnDestroy",
        "yes",
        "must be true or false",
        set_fix("token.retainOnDestroy", "true"),
    ),
    (
        "token.description",
        42,
        "must be a string of at most 1024 characters",
        set_fix("token.description", "'OpenClaw cron webhook token'"),
    ),
    (
        "token.tags.team",
        "a|b",
        "tag values are strings of at most 256 letters, digits, spaces or _.:/=+-@",
        set_fix("token.tags.team", "value"),
    ),
    (
        "externalSecret.name",
        "Openclaw_Cron",
        DNS_NAME + " including the rotation suffix '-r<rotation>'",
        set_fix("externalSecret.name", "openclaw-cron-webhook"),
    ),
    (
        "externalSecret.secretName",
        "x" * 251,
        DNS_NAME + " including the rotation suffix '-r<rotation>'",
        set_fix("externalSecret.secretName", "openclaw-cron-webhook"),
    ),
    (
        "externalSecret.secretKey",
        "OPENCLAW TOKEN",
        DATA_KEY,
        set_fix("externalSecret.secretKey", TOKEN),
    ),
    (
        "externalSecret.storeName",
        "Param_Store",
        DNS_NAME,
        set_fix("externalSecret.storeName", "parameterstore"),
    ),
    (
        "externalSecret.storeKind",
        "ClusterStore",
        "must be one of ClusterSecretStore or SecretStore",
        set_fix("externalSecret.storeKind", "ClusterSecretStore"),
    ),
    (
        "externalSecret.refreshInterval",
        "1d",
        "must be a Go duration such as 1h, 30m or 1h30m (0 disables periodic refresh)",
        set_fix("externalSecret.refreshInterval", "1h"),
    ),
    *(
        ("externalSecret.secretKey", key, DATA_KEY, set_fix("externalSecret.secretKey", TOKEN))
        for key in (".", "..", "..TOKEN")
    ),
    ("config.key", "..", DATA_KEY, set_fix("config.key", "openclaw.json")),
    (
        "externalSecret.refreshInterval",
        "2562047h47m16.854775808s",
        "is longer than a Go duration can be (2562047h47m16.854775807s), so ESO cannot read it "
        "and the ExternalSecret would never sync",
        set_fix("externalSecret.refreshInterval", "1h"),
    ),
    *(
        ("deployment.envName", name, ENV_NAME_TAKEN, ENV_NAME_FIX)
        for name in ("PATH", "HOME", "LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV", "NODE_OPTIONS")
    ),
    ("deployment.name", "OpenClaw", DNS_NAME, set_fix("deployment.name", "openclaw")),
    ("deployment.container", "open.claw", DNS_LABEL, set_fix("deployment.container", "openclaw")),
    (
        "deployment.envName",
        "1TOKEN",
        "must match ^[A-Z_][A-Z0-9_]*$, or OpenClaw leaves ${...} unsubstituted",
        set_fix("deployment.envName", "OPENCLAW_CRON_WEBHOOK_TOKEN"),
    ),
    (
        "config.configMap",
        "openclaw config",
        DNS_NAME,
        set_fix("config.configMap", "openclaw-config"),
    ),
    ("config.key", "openclaw/json", DATA_KEY, set_fix("config.key", "openclaw.json")),
    ("token", "rotate", "must be an object", f"pulumi config rm '{P}:token'"),
    (
        "token.rotate",
        2,
        "is not a setting of 'token' (known: parameterName, rotation, kmsKeyId, "
        "retainOnDestroy, description, tags)",
        f"pulumi config rm --path '{P}:token.rotate'",
    ),
    (
        "namespaces",
        "openclaw",
        "is not a setting of this stack (known: enabled, namespace, token, externalSecret, "
        "deployment, config, cron, section, timeouts)",
        f"pulumi config rm '{P}:namespaces'",
    ),
    ("cron.enabled", "true", "must be true or false", set_fix("cron.enabled", "true")),
    (
        "cron.triggers",
        True,
        "must be an object",
        f"pulumi config rm --path '{P}:cron.triggers' && "
        + set_fix("cron.triggers.enabled", "true"),
    ),
    (
        "cron.sessionRetention",
        "7 days",
        "is not an OpenClaw duration: a number with a unit (ms, s, m, h, d), or several "
        "written together such as 1h30m; a bare number means hours",
        set_fix("cron.sessionRetention", "7d") + "   (or `false` to keep sessions forever)",
    ),
    (
        "cron.sessionRetention",
        7,
        "must be a string or false",
        set_fix("cron.sessionRetention", "7d"),
    ),
    (
        "cron.webhookSsrfPolicy.allowedHostnames",
        "receiver.svc",
        "must be a list of strings",
        f"pulumi config rm --path '{P}:cron.webhookSsrfPolicy.allowedHostnames' && "
        + set_fix("cron.webhookSsrfPolicy.allowedHostnames[0]", "receiver.monitoring.svc"),
    ),
    (
        "cron.webhookSsrfPolicy.blockedHostnames[0]",
        1,
        "must be a string",
        set_fix("cron.webhookSsrfPolicy.blockedHostnames[0]", "'*.example.com'"),
    ),
    (
        "cron.webhookSsrfPolicy.allowPrivateNetwork",
        True,
        "is not a key of `cron.webhookSsrfPolicy` in OpenClaw's schema (known: "
        "dangerouslyAllowPrivateNetwork, allowRfc2544BenchmarkRange, allowIpv6UniqueLocalRange, "
        "allowedHostnames, blockedHostnames)",
        f"pulumi config rm --path '{P}:cron.webhookSsrfPolicy.allowPrivateNetwork'",
    ),
    (
        'cron["retention days"]',
        7,
        "is not a key of `cron` in OpenClaw's schema (known: enabled, skipMissedJobs, "
        "triggers, webhookSsrfPolicy, sessionRetention, failureAlert)",
        f"pulumi config rm --path '{P}:cron[\"retention days\"]'",
    ),
    (
        "cron.failureAlert.mode",
        "email",
        'must be one of "announce", "webhook"',
        set_fix("cron.failureAlert.mode", "announce"),
    ),
    ("cron.failureAlert.after", 0, "must be at least 1", set_fix("cron.failureAlert.after", "1")),
    (
        "cron.failureAlert.after",
        2**53,
        "must be at most 9007199254740991",
        set_fix("cron.failureAlert.after", "1"),
    ),
    (
        "cron.failureAlert.cooldownMs",
        1.5,
        "must be a whole number",
        set_fix("cron.failureAlert.cooldownMs", "0"),
    ),
    (
        "cron.failureAlert.accountId",
        5,
        "must be a string",
        set_fix("cron.failureAlert.accountId", "'<text>'"),
    ),
    (
        "cron.failureAlert",
        "on",
        "must be an object",
        f"pulumi config rm --path '{P}:cron.failureAlert' && "
        + set_fix("cron.failureAlert.enabled", "true"),
    ),
    (
        "cron.webhookToken",
        "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
        'is set by the stack itself: it always writes "${OPENCLAW_CRON_WEBHOOK_TOKEN}", the env '
        "var it injects from the token's Secret, so the token never appears in the ConfigMap "
        "(rename the variable with deployment.envName)",
        f"pulumi config rm --path '{P}:cron.webhookToken'",
    ),
    # The keys added for the Git route and the waits (issues 17-19).
    (
        "timeouts.externalSecretSeconds",
        0,
        "must be at least 1",
        set_fix("timeouts.externalSecretSeconds", "300"),
    ),
    (
        "timeouts.rolloutSeconds",
        3601,
        "must be at most 3600",
        set_fix("timeouts.rolloutSeconds", "600"),
    ),
    (
        "timeouts.rolloutSeconds",
        "10m",
        "must be a whole number",
        set_fix("timeouts.rolloutSeconds", "600"),
    ),
    ("timeouts", 600, "must be an object", f"pulumi config rm '{P}:timeouts'"),
    ("section", 1, "must be an object", f"pulumi config rm '{P}:section'"),
    (
        "section.target",
        "gitops",
        'must be one of "cluster", "git"',
        set_fix("section.target", "cluster"),
    ),
    (
        "section.writeTrackedConfigMap",
        "yes",
        "must be true or false",
        set_fix("section.writeTrackedConfigMap", "true"),
    ),
    (
        "section.git",
        {"repo": "git@github.com:example/gitops.git", "path": "cm.yaml"},
        "is only read when section.target is git: set section.target git, or remove it",
        f"pulumi config rm --path '{P}:section.git'   (or {set_fix('section.target', 'git')})",
    ),
    (
        "section.gitRepo",
        "git@github.com:example/gitops.git",
        "is not a setting of 'section' (known: target, present, writeTrackedConfigMap, git)",
        f"pulumi config rm --path '{P}:section.gitRepo'",
    ),
]
IDS = [f"{path}={json.dumps(value)[:20]}" for path, value, _, _ in CASES]
TAG_NAME = "tag names are 1-128 letters, digits, spaces or _.:/=+-@ and may not start with 'aws:'"
_PART = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def parts(path: str) -> list[str | int]:
    """`a.b[0]["c d"]` → ["a", "b", 0, "c d"], the way `pulumi config --path` reads it."""
    found: list[str | int] = []
    position = 0
    path = "." + path if not path.startswith("[") else path
    while position < len(path):
        match = _PART.match(path, position)
        assert match is not None, f"not a config path: {path}"
        key, index, quoted = match.groups()
        found.append(int(index) if index is not None else key or json.loads(f'"{quoted}"'))
        position = match.end()
    return found


def config_with(path: str, value: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    put(raw, parts(path), value)
    return raw


def put(raw: dict[str, Any], keys: list[str | int], value: Any) -> None:
    """`pulumi config set --path`: creates objects and lists on the way, refuses to go through
    a value of another kind (the CLI fails there too)."""
    node: Any = raw
    for key, after in zip(keys, [*keys[1:], None], strict=True):
        if after is None:
            break
        child = node[key] if _has(node, key) else ([] if isinstance(after, int) else {})
        assert isinstance(child, list if isinstance(after, int) else dict), (
            f"pulumi config set --path cannot go through {json.dumps(child)} at {key!r}"
        )
        _assign(node, key, child)
        node = child
    _assign(node, keys[-1], value)


def _has(node: Any, key: str | int) -> bool:
    return (isinstance(node, dict) and key in node) or (
        isinstance(node, list) and isinstance(key, int) and key < len(node)
    )


def _assign(node: Any, key: str | int, value: Any) -> None:
    if isinstance(node, list):
        assert isinstance(key, int)
        node[key:] = [value, *node[key + 1 :]]
    else:
        node[key] = value


def remove(raw: dict[str, Any], keys: list[str | int]) -> None:
    node: Any = raw
    for key in keys[:-1]:
        node = node[key]
    del node[keys[-1]]


def cli_value(text: str) -> Any:
    """How `pulumi config set --path` stores a value: "true" and "false" as booleans, integers
    as numbers, everything else as a string."""
    if text in ("true", "false"):
        return text == "true"
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def apply_fix(raw: dict[str, Any], fix: str) -> None:
    """Run a printed fix against a stack's config, as the CLI would: `rm`, then `set`."""
    for command in fix.split("   (")[0].split(" && "):
        words = shlex.split(command)
        assert words[:3] in (["pulumi", "config", "set"], ["pulumi", "config", "rm"]), command
        args = [w for w in words[3:] if w != "--path"]
        project, _, path = args[0].partition(":")
        assert project == P
        keys: list[str | int] = parts(path) if "--path" in words else [path]  # else: one key
        if words[2] == "rm":
            remove(raw, keys)
        else:
            put(raw, keys, cli_value(args[1]))


def issues_of(raw: dict[str, Any]) -> list[str]:
    try:
        parse_settings(raw)
    except ConfigError as error:
        return [issue.render() for issue in error.issues]
    return []


@pytest.mark.parametrize(("path", "value", "problem", "fix"), CASES, ids=IDS)
def test_the_message_names_key_value_problem_and_fix(
    path: str, value: Any, problem: str, fix: str
) -> None:
    assert issues_of(config_with(path, value)) == [
        f"{P}:{path} = {json.dumps(value)}: {problem}.\n    fix: {fix}"
    ]


@pytest.mark.parametrize(
    ("tags", "key", "value", "problem", "fix"),
    [
        (
            ["app"],
            "token.tags",
            ["app"],
            "must be a map of tag names to string values",
            f"pulumi config rm --path '{P}:token.tags' && "
            + set_fix("token.tags.team", "platform"),
        ),
        (
            {"aws:owner": "x"},
            'token.tags["aws:owner"]',
            "aws:owner",
            TAG_NAME,
            f"pulumi config rm --path '{P}:token.tags[\"aws:owner\"]'",
        ),
    ],
    ids=["a-list", "aws-prefix"],
)
def test_bad_tags_are_named_and_removed_by_the_fix(
    tags: Any, key: str, value: Any, problem: str, fix: str
) -> None:
    raw: dict[str, Any] = {"token": {"tags": tags}}
    assert issues_of(raw) == [f"{P}:{key} = {json.dumps(value)}: {problem}.\n    fix: {fix}"]

    apply_fix(raw, fix)

    assert issues_of(raw) == []


@pytest.mark.parametrize(("path", "value", "problem", "fix"), CASES, ids=IDS)
def test_running_the_fix_command_fixes_it(path: str, value: Any, problem: str, fix: str) -> None:
    raw = config_with(path, value)

    apply_fix(raw, fix)

    assert issues_of(raw) == []


def test_a_cron_section_over_64_kib_is_refused_by_its_size_and_the_fix_removes_it() -> None:
    hosts = [f"receiver-{n:05}.monitoring.svc.cluster.local" for n in range(1800)]
    raw: dict[str, Any] = {"cron": {"webhookSsrfPolicy": {"allowedHostnames": hosts}}}
    size = len(json.dumps(raw["cron"], separators=(",", ":")))
    assert size > 65536

    assert issues_of(raw) == [
        f'{P}:cron = "<{size:,} bytes of JSON>": is more than 65,536 bytes (64 KiB) as JSON, the '
        "most the stack writes into openclaw.json (a ConfigMap holds 1 MiB in all, and the "
        "section shows in every diff, plan and commit).\n"
        f"    fix: pulumi config rm '{P}:cron'   (then set again the keys you need, with --path)"
    ]
    apply_fix(raw, issues_of(raw)[0].split("fix: ")[1])
    assert issues_of(raw) == []


def test_values_that_failed_only_after_the_parameter_existed_now_stop_the_program_first() -> None:
    """Each of these used to pass validation and fail after the parameter and the
    ExternalSecret existed: ESO's Go duration, Kubernetes' data keys, the ARN's length, the
    container's own variables, the ConfigMap's size."""
    with pytest.raises(ProgramFailed) as raised:
        run_program(
            {
                "token": {"parameterName": "/" + "p" * 955},
                "externalSecret": {"secretKey": "..", "refreshInterval": "2562048h"},
                "deployment": {"envName": "LD_PRELOAD"},
                "cron": {"webhookSsrfPolicy": {"allowedHostnames": ["h" * 65536]}},
            }
        )

    error = raised.value.cause
    assert isinstance(error, ConfigError)
    assert [issue.key for issue in error.issues] == [
        "token.parameterName",
        "externalSecret.secretKey",
        "externalSecret.refreshInterval",
        "deployment.envName",
        "cron",
    ]
    assert raised.value.recording.registrations == []


def test_every_problem_is_listed_under_one_heading() -> None:
    raw = {"namespace": "OpenClaw", "deployment": {"container": "open.claw"}}

    with pytest.raises(ConfigError) as raised:
        parse_settings(raw)

    assert str(raised.value) == (
        "invalid stack configuration (2 problem(s)); nothing was registered or changed:\n"
        f'  - {P}:namespace = "OpenClaw": {DNS_LABEL}.\n'
        f"    fix: {set_fix('namespace', 'openclaw')}\n"
        f'  - {P}:deployment.container = "open.claw": {DNS_LABEL}.\n'
        f"    fix: {set_fix('deployment.container', 'openclaw')}"
    )


def test_keys_after_an_unknown_key_are_still_checked() -> None:
    raw = {"token": {"rotate": 2, "rotation": "R2", "retainOnDestroy": "yes"}}

    keys = [issue.split(" = ")[0] for issue in issues_of(raw)]

    assert keys == [f"{P}:token.rotate", f"{P}:token.rotation", f"{P}:token.retainOnDestroy"]


def test_a_value_set_as_a_secret_is_refused_saying_why() -> None:
    with pytest.raises(ProgramFailed) as raised:
        run_program({"namespace": "openclaw"}, secret_keys=("namespace",))

    assert str(raised.value) == (
        "invalid stack configuration (1 problem(s)); nothing was registered or changed:\n"
        f'  - {P}:namespace = "[secret]": is set as a secret, but no setting of this stack is '
        "sensitive (the token is generated, never configured) and every setting is written in "
        "plain text to the resources it configures.\n"
        f"    fix: pulumi config set --path '{P}:namespace' <value>   (without --secret)"
    )


GIT = {"target": "git", "git": {"repo": "git@github.com:example/gitops.git", "path": "cm.yaml"}}
REPO_FIX = set_fix("section.git.repo", "git@github.com:example/gitops.git")
GIT_CASES: list[tuple[str, Any, str, str]] = [
    (
        "section.git.repo",
        "-uhello",
        "must be a URL git accepts (ssh://, https://, file://, or git@host:path)",
        REPO_FIX,
    ),
    (
        "section.git.path",
        "../openclaw/configmap.yaml",
        "must be the relative path of a .yaml or .yml file in the repository, without '..'",
        set_fix("section.git.path", "apps/openclaw/configmap.yaml"),
    ),
    (
        "section.git.branch",
        "release..1",
        "must be a valid git branch name (git check-ref-format --branch)",
        set_fix("section.git.branch", "main"),
    ),
    (
        "section.git.author",
        "openclaw-bot",
        "must be 'Name <email>'",
        set_fix(
            "section.git.author",
            "'openclaw-cron-webhook <openclaw-cron-webhook@users.noreply.localhost>'",
        ),
    ),
    (
        "section.git.deliveryTimeoutSeconds",
        0,
        "must be at least 1",
        set_fix("section.git.deliveryTimeoutSeconds", "600"),
    ),
    (
        "section.git.application",
        "OpenClaw App",
        "must be empty or the name of an Argo CD Application (a DNS-1123 name)",
        set_fix("section.git.application", "openclaw"),
    ),
    (
        "section.git.applicationNamespace",
        "Argo",
        DNS_LABEL,
        set_fix("section.git.applicationNamespace", "argocd"),
    ),
    (
        "section.git.port",
        22,
        "is not a setting of 'section.git' (known: repo, path, branch, author, "
        "deliveryTimeoutSeconds, application, applicationNamespace)",
        f"pulumi config rm --path '{P}:section.git.port'",
    ),
]


def with_git(path: str, value: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"section": json.loads(json.dumps(GIT))}
    put(raw, parts(path), value)
    return raw


@pytest.mark.parametrize(("path", "value", "problem", "fix"), GIT_CASES, ids=lambda v: str(v)[:30])
def test_git_settings_name_key_value_problem_and_a_fix_that_works(
    path: str, value: Any, problem: str, fix: str
) -> None:
    raw = with_git(path, value)

    assert issues_of(raw) == [f"{P}:{path} = {json.dumps(value)}: {problem}.\n    fix: {fix}"]
    apply_fix(raw, fix)
    assert issues_of(raw) == []


@pytest.mark.parametrize("missing", ["repo", "path"])
def test_target_git_names_the_missing_key_and_how_to_set_it(missing: str) -> None:
    raw = with_git("section.target", "git")
    del raw["section"]["git"][missing]
    example = {"repo": "git@github.com:example/gitops.git", "path": "apps/openclaw/configmap.yaml"}
    fix = set_fix(f"section.git.{missing}", example[missing])

    assert issues_of(raw) == [
        f"{P}:section.git.{missing} = null: is required when section.target is git.\n    fix: {fix}"
    ]
    apply_fix(raw, fix)
    assert issues_of(raw) == []


def test_target_git_without_any_git_settings_names_both_keys() -> None:
    assert [line.split(" = ")[0] for line in issues_of({"section": {"target": "git"}})] == [
        f"{P}:section.git.repo",
        f"{P}:section.git.path",
    ]


STORED = (
    "which would be stored in plain text in the stack file and the state, and passed to git on "
    "its command line"
)
SECRET = "c4n4ry-s3cret"  # what no message may print
USER_PROBLEM = (
    f"names a user before the host (a token, say), {STORED}; give the URL without it and let "
    "git's credential helper supply the credential (only an ssh URL, such as git@host:path, "
    "names a user)"
)


@pytest.mark.parametrize(
    ("url", "shown", "problem"),
    [
        (
            f"https://bot:{SECRET}@git.example.com/gitops.git",
            "https://***@git.example.com/gitops.git",
            f"embeds a password, {STORED}; let git's credential helper or ssh agent supply it",
        ),
        (
            f"ssh://git:{SECRET}@git.example.com/gitops.git",
            "ssh://***@git.example.com/gitops.git",
            f"embeds a password, {STORED}; let git's credential helper or ssh agent supply it",
        ),
        (
            f"https://{SECRET}@git.example.com/gitops.git",
            "https://***@git.example.com/gitops.git",
            USER_PROBLEM,
        ),
        (
            f"HTTPS://x-access-token@{SECRET}@git.example.com/gitops.git",
            "HTTPS://***@git.example.com/gitops.git",
            USER_PROBLEM,
        ),
        (f"http://{SECRET}@h/x.git", "http://***@h/x.git", USER_PROBLEM),
        (  # the userinfo runs to the last `@`, as git's curl reads it: a password after an `@`
            f"https://deploy@bot:{SECRET}@git.example.com/gitops.git",
            "https://***@git.example.com/gitops.git",
            f"embeds a password, {STORED}; let git's credential helper or ssh agent supply it",
        ),
        (
            f"https://git.example.com/gitops.git?access_token={SECRET}",
            "https://git.example.com/gitops.git?***",
            f"has a query string (?...), a place for a token, {STORED}; remove it",
        ),
        (
            " git@github.com:example/gitops.git",
            " git@github.com:example/gitops.git",
            "has white space before or after it, which git would take as part of the URL",
        ),
        (
            "https://git.example.com/gitops.git ",
            "https://git.example.com/gitops.git ",
            "has white space before or after it, which git would take as part of the URL",
        ),
    ],
    ids=[
        "password",
        "ssh-password",
        "token-user",
        "two-ats",
        "http-user",
        "password-after-an-at",
        "query",
        "lead",
        "tail",
    ],
)
def test_a_credential_in_the_repo_url_is_refused_without_printing_it(
    url: str, shown: str, problem: str
) -> None:
    raw = with_git("section.git.repo", url)

    assert issues_of(raw) == [
        f"{P}:section.git.repo = {json.dumps(shown)}: {problem}.\n    fix: {REPO_FIX}"
    ]
    apply_fix(raw, REPO_FIX)
    assert issues_of(raw) == []


def test_a_refused_repo_url_stops_the_program_before_any_resource() -> None:
    with pytest.raises(ProgramFailed) as raised:
        run_program(
            {"section": with_git("section.git.repo", f"https://{SECRET}@h/x.git")["section"]}
        )

    assert isinstance(raised.value.cause, ConfigError)
    assert [issue.key for issue in raised.value.cause.issues] == ["section.git.repo"]
    assert SECRET not in str(raised.value)
    assert raised.value.recording.registrations == []


FLAT = "was set without --path, so Pulumi stored one key named '{}' that the stack never reads"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"section": {"git": {"repo": f"https://{SECRET}@h/x.git", "path": "cm.yaml"}}},
            f'{P}:section.git = {{"repo": "https://***@h/x.git", "path": "cm.yaml"}}: is only '
            "read when section.target is git: set section.target git, or remove it.\n    fix: "
            f"pulumi config rm --path '{P}:section.git'   (or {set_fix('section.target', 'git')})",
        ),
        (
            {"section.git.repo": f"https://{SECRET}@h/x.git"},
            f'{P}:section.git.repo = "https://***@h/x.git": {FLAT.format("section.git.repo")}; '
            f"nested keys need --path.\n    fix: pulumi config rm '{P}:section.git.repo' && "
            + set_fix("section.git.repo", "'https://***@h/x.git'"),
        ),
        (
            {"section.git": {"repo": f"https://h/x.git?t={SECRET}"}},
            f'{P}:section.git = {{"repo": "https://h/x.git?***"}}: {FLAT.format("section.git")}; '
            f"nested keys need --path.\n    fix: pulumi config rm '{P}:section.git' && "
            + set_fix("section.git", """'{"repo": "https://h/x.git?***"}'"""),
        ),
    ],
    ids=["target-cluster", "flat-key", "flat-object"],
)
def test_a_credential_in_any_other_refused_value_is_not_printed_either(
    raw: dict[str, Any], expected: str
) -> None:
    assert issues_of(raw) == [expected]


@pytest.mark.parametrize(
    "url",
    [
        "git@github.com:example/gitops.git",
        "ssh://git@git.example.com:2222/platform/gitops.git",
        "git+ssh://deploy@git.example.com/gitops.git",
        "https://git.example.com/gitops.git",
        "file:///srv/git/gitops.git",
        "/srv/git/a@b:c.git",
    ],
)
def test_a_repo_url_without_a_credential_is_accepted(url: str) -> None:
    assert issues_of(with_git("section.git.repo", url)) == []


def test_new_keys_are_checked_with_the_rest_before_anything_is_registered() -> None:
    with pytest.raises(ProgramFailed) as raised:
        run_program(
            {
                "namespace": "OpenClaw",
                "section": {"target": "git", "git": {"branch": "-x"}},
                "timeouts": {"rolloutSeconds": 0},
            }
        )

    error = raised.value.cause
    assert isinstance(error, ConfigError)
    assert [issue.key for issue in error.issues] == [
        "namespace",
        "section.git.branch",
        "section.git.repo",
        "section.git.path",
        "timeouts.rolloutSeconds",
    ]
    assert raised.value.recording.registrations == []


def test_unknown_keys_come_first_then_the_schemas_order() -> None:
    raw = {
        "timeouts": {"rolloutSeconds": 0},
        "namespace": "OpenClaw",
        "zone": "eu",
        "token": {"zz": 1, "mm": 2, "aa": 3, "kk": 4, "rotation": "R2", "bb": 5},
        "enabled": "maybe",  # the schema's first key: the unknown one still comes before it
    }

    keys = [issue.split(" = ")[0].removeprefix(f"{P}:") for issue in issues_of(raw)]

    assert keys == [
        "zone",
        "enabled",
        "namespace",
        "token.aa",
        "token.bb",
        "token.kk",
        "token.mm",
        "token.zz",
        "token.rotation",
        "timeouts.rolloutSeconds",
    ]


@pytest.mark.parametrize(
    ("flat", "value", "nested"),
    [("cron.enabled", False, "false"), ("section.target", "cluster", "cluster")],
)
def test_a_nested_key_set_without_path_names_the_path_form(
    flat: str, value: Any, nested: str
) -> None:
    """`pulumi config set P:section.target git` (no --path) stores one flat key of that name;
    the error says so and prints the command that moves it where the stack reads it."""
    raw: dict[str, Any] = {flat: value}
    fix = f"pulumi config rm '{P}:{flat}' && pulumi config set --path '{P}:{flat}' {nested}"

    assert issues_of(raw) == [
        f"{P}:{flat} = {json.dumps(value)}: was set without --path, so Pulumi stored one key "
        f"named '{flat}' that the stack never reads; nested keys need --path.\n    fix: {fix}"
    ]
    apply_fix(raw, fix)
    assert raw == config_with(flat, value)
    assert issues_of(raw) == []


def test_every_key_set_without_path_is_named_with_the_other_unknown_keys() -> None:
    """Two nested keys set without --path, and a key the stack does not have: three lines,
    and running their fixes leaves the two values where the stack reads them."""
    raw: dict[str, Any] = {"section.target": "cluster", "cron.enabled": False, "zone": "eu"}
    fixes = [
        f"pulumi config rm '{P}:cron.enabled' && {set_fix('cron.enabled', 'false')}",
        f"pulumi config rm '{P}:section.target' && {set_fix('section.target', 'cluster')}",
        f"pulumi config rm '{P}:zone'",
    ]

    assert issues_of(raw) == [
        f"{P}:cron.enabled = false: {FLAT.format('cron.enabled')}; nested keys need --path.\n"
        f"    fix: {fixes[0]}",
        f'{P}:section.target = "cluster": {FLAT.format("section.target")}; nested keys need '
        f"--path.\n    fix: {fixes[1]}",
        f'{P}:zone = "eu": is not a setting of this stack (known: enabled, namespace, token, '
        "externalSecret, deployment, config, cron, section, timeouts).\n"
        f"    fix: {fixes[2]}",
    ]
    for fix in fixes:
        apply_fix(raw, fix)
    assert raw == {"cron": {"enabled": False}, "section": {"target": "cluster"}}
    assert issues_of(raw) == []


@pytest.mark.parametrize(
    ("raw", "key", "where"),
    [
        (
            {"section": {"section.target": "git"}},
            'section["section.target"] = "git"',
            "is not a setting of 'section' (known: target, present, writeTrackedConfigMap, git)",
        ),
        (
            {"cron": {"cron.enabled": True}},
            'cron["cron.enabled"] = true',
            "is not a key of `cron` in OpenClaw's schema (known: enabled, skipMissedJobs, "
            "triggers, webhookSsrfPolicy, sessionRetention, failureAlert)",
        ),
    ],
    ids=["section", "cron"],
)
def test_a_dotted_key_inside_a_section_is_that_sections_unknown_key(
    raw: dict[str, Any], key: str, where: str
) -> None:
    """A stack file edited by hand, `section.target: git` nested under `section:`, holds the
    key `section.target` of `section`, not a flat top-level key set without --path: the fix
    removes it where it is (removing a top-level `section.target` would fail)."""
    fix = f"pulumi config rm --path '{P}:{key.split(' = ')[0]}'"

    assert issues_of(raw) == [f"{P}:{key}: {where}.\n    fix: {fix}"]
    apply_fix(raw, fix)
    assert issues_of(raw) == []


def test_an_unknown_dotted_key_is_still_unknown() -> None:
    assert issues_of({"cron.nope": 1})[0].startswith(
        f"{P}:cron.nope = 1: is not a setting of this stack"
    )


@pytest.mark.parametrize(
    "parts",
    [("namespace",), ("section", "target"), ("cron", "webhookSsrfPolicy", "allowedHostnames", 0)],
)
def test_config_parts_reads_back_what_config_path_writes(parts: tuple[str | int, ...]) -> None:
    assert config_parts(config_path(parts)) == parts
