"""The stack verify checks: its settings and outputs, read through Pulumi, never decrypting outputs.

Why not `auto.select_stack(...).outputs()`: `select_stack` changes the workspace's selected
stack (verify must leave everything as it found it), and `Stack.outputs()` runs
`pulumi stack output --show-secrets`, which would put the token in this process for nothing.
So the workspace is opened without selecting anything; the config comes from
`get_all_config` (`pulumi config --json`: secret config such as a kubeconfig's contents is
decrypted, because reaching the cluster needs it, and every secret value is handed to the
Redactor), and the outputs from `pulumi stack output --json`, where the token is `[secret]` and
is dropped. The settings go through `stack.settings.parse_settings`, the parser the
program itself uses, so verify checks exactly what `pulumi up` applies.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from stack.settings import PROJECT, ConfigError, Settings, decoded, parse_settings
from stages.hop import CannotRead
from stages.kube_connection import KubeTarget
from stages.redaction import Redactor

SECRET_OUTPUT = "[secret]"
CONNECTION_KEYS = ("kubernetes:kubeconfig", "kubernetes:context", "aws:region")


@dataclass(frozen=True)
class StackView:
    """What verify needs from a stack: validated settings, plain outputs, the connection."""

    name: str
    settings: Settings
    outputs: Mapping[str, Any]
    connection: Mapping[str, str] = field(default_factory=dict)

    @property
    def kube(self) -> KubeTarget:
        return KubeTarget.from_stack_config(self.connection.get)

    @property
    def region(self) -> str | None:
        return self.connection.get("aws:region") or None

    @property
    def deployed(self) -> bool:
        """Phase 2 is deployed when the last update left outputs; destroy leaves none."""
        return bool(self.outputs)


def settings_from_config(config: Mapping[str, tuple[str, bool]], fix_stack: str) -> Settings:
    """The program's settings from `{key: (text, secret)}`, decoded as `load_settings` does."""
    prefix = PROJECT + ":"
    raw: dict[str, Any] = {}
    for key, (value, secret) in sorted(config.items()):
        if not key.startswith(prefix):
            continue
        top = key[len(prefix) :]
        if secret:
            raise CannotRead(
                f"{key} is set as a secret",
                "no setting of this stack is sensitive, and the program refuses a secret one "
                "(pulumi up fails the same way)",
                f"pulumi config set --path '{key}' <value> --stack {fix_stack}   (no --secret)",
            )
        raw[top] = decoded(top, value)
    try:
        return parse_settings(raw)
    except ConfigError as error:
        raise CannotRead(
            "the stack's config is invalid (pulumi up would stop before any resource)",
            "\n".join(issue.render() for issue in error.issues),
            f"pulumi config --stack {fix_stack}   (then run the fix: printed for each key)",
        ) from None


def read_stack(name: str | None, project_dir: Path, redactor: Redactor) -> StackView:
    """The stack `name` (else the selected one) of the project in `project_dir`."""
    try:
        workspace = auto.LocalWorkspace(work_dir=str(project_dir))
        if name is None:
            current = workspace.stack()
            if current is None:
                raise CannotRead(
                    "no stack selected",
                    f"verify checks one stack of the project in {project_dir}",
                    "./bin/verify --stack <name>   (see: pulumi stack ls)",
                )
            name = current.name
        config = workspace.get_all_config(name)
        for value in config.values():
            if value.secret:
                redactor.add(value.value)
        printed = workspace.pulumi_command.run(
            ["stack", "output", "--json", "--stack", name],
            workspace.work_dir,
            {**workspace.env_vars},
        ).stdout
    except auto.CommandError as error:
        raise CannotRead(
            f"cannot read stack {name or '(selected)'} through Pulumi",
            _last_line(redactor.scrub(str(error))),
            "pulumi stack ls   (log in with `pulumi login`, pick a stack with --stack)",
        ) from None
    except (OSError, subprocess.CalledProcessError, auto.InvalidVersionError) as error:
        raise CannotRead(
            "cannot run the Pulumi CLI",
            f"{type(error).__name__}: the `pulumi` command is missing or unusable",
            "curl -fsSL https://get.pulumi.com | sh",
        ) from None
    outputs = {
        key: value for key, value in json.loads(printed or "{}").items() if value != SECRET_OUTPUT
    }
    settings = settings_from_config(
        {key: (value.value, value.secret) for key, value in config.items()}, name
    )
    connection = {key: config[key].value for key in CONNECTION_KEYS if key in config}
    return StackView(name, settings, outputs, connection)


def _last_line(text: str) -> str:
    """The CLI's own error line ("error: no stack named 'x' found"), not the command echo."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line[line.index("error:") :] for line in lines if "error:" in line]
    return (errors or lines or ["(no message)"])[-1][:300]
