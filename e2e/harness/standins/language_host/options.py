"""Pulumi.yaml's `runtime.options` → the Python interpreter a program or pack runs with.

Why the messages are the real host's, word for word (main.go `parseOptions`, toolchain/pip.go
`NewVirtualEnvError`): a user who mistypes an option sees in the e2e exactly what the real host
would print, so the docs can be checked against it. Only what the real host would do and this
stand-in does not (the poetry and uv toolchains, a typechecker) gets a message of its own,
naming the stand-in and the option.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e.harness.standins.language_host import LABEL

TOOLCHAINS = ("pip", "poetry", "uv")
TYPECHECKERS = ("mypy", "pyright")


class OptionError(ValueError):
    """A runtime option the host cannot act on; the message is what the engine shows."""


@dataclass(frozen=True)
class PythonOptions:
    """The options the real host reads; `toolchain` "" is its `Auto` (detect by lock file)."""

    root: Path
    program_dir: Path
    virtualenv: str = ""
    toolchain: str = ""
    typechecker: str = ""


def parse_options(
    root: str, program_dir: str, options: Mapping[str, Any], *, is_plugin: bool
) -> PythonOptions:
    """`virtualenv`, `toolchain`, `typechecker` checked as the real host checks them."""
    values: dict[str, str] = {}
    for key in ("virtualenv", "typechecker", "toolchain"):
        if key not in options:
            continue
        value = options[key]
        if not isinstance(value, str):
            raise OptionError(f"{key} option must be a string")
        values[key] = value
    if values.get("typechecker", "") not in ("", *TYPECHECKERS):
        raise OptionError(f"unsupported typechecker option: {values['typechecker']}")
    if values.get("toolchain", "") not in ("", *TOOLCHAINS):
        raise OptionError(f"unsupported toolchain option: {values['toolchain']}")
    # Plugins (not policy packs) default to a `venv` folder with pip; programs may use the
    # ambient Python for backwards compatibility.
    if is_plugin and values.get("toolchain", "") in ("", "pip") and not values.get("virtualenv"):
        values["virtualenv"] = "venv"
    return PythonOptions(root=Path(root), program_dir=Path(program_dir), **values)


@dataclass(frozen=True)
class Interpreter:
    """The `python` a pip toolchain runs, with the virtualenv it belongs to ("" = ambient)."""

    python: str
    virtualenv: str = ""
    virtualenv_option: str = ""

    def validate(self) -> None:
        """pip.go `ValidateVenv`: a named virtualenv must hold `bin/python`."""
        if self.virtualenv_option and not Path(self.python).is_file():
            raise OptionError(virtualenv_error(self.virtualenv_option, self.virtualenv))

    def environment(self, environ: Mapping[str, str]) -> dict[str, str]:
        """toolchain.go `ActivateVirtualEnv`: venv/bin first on PATH, VIRTUAL_ENV set,
        PYTHONHOME dropped; the ambient Python gets the environment unchanged."""
        if not self.virtualenv:
            return dict(environ)
        bin_dir = str(Path(self.virtualenv) / "bin")
        env = {k: v for k, v in environ.items() if k not in ("PYTHONHOME", "VIRTUAL_ENV")}
        env["PATH"] = bin_dir + (os.pathsep + environ["PATH"] if "PATH" in environ else "")
        env["VIRTUAL_ENV"] = self.virtualenv
        return env


def resolve(options: PythonOptions, environ: Mapping[str, str]) -> Interpreter:
    """toolchain.go `ResolveToolchain`, for the pip toolchain (the only one served here)."""
    if options.typechecker:
        raise OptionError(
            f"{LABEL}: the typechecker option ({options.typechecker}) is not implemented by this "
            "stand-in; remove runtime.options.typechecker from Pulumi.yaml"
        )
    toolchain = options.toolchain or _detected_toolchain(options.program_dir)
    if toolchain != "pip":
        raise OptionError(
            f"{LABEL}: the {toolchain} toolchain is not implemented by this stand-in (only pip); "
            "set runtime.options.toolchain: pip in Pulumi.yaml"
        )
    if not options.virtualenv:
        return Interpreter(python=_ambient_python(environ))
    venv = Path(os.path.normpath(options.root / options.virtualenv))
    return Interpreter(str(venv / "bin" / "python"), str(venv), options.virtualenv)


def _detected_toolchain(program_dir: Path) -> str:
    """`Auto`: uv if a uv.lock is found upwards, else poetry for a poetry.lock, else pip."""
    for lock, toolchain in (("uv.lock", "uv"), ("poetry.lock", "poetry")):
        for folder in (program_dir, *program_dir.parents):
            if (folder / lock).is_file():
                return toolchain
    return "pip"


def _ambient_python(environ: Mapping[str, str]) -> str:
    """pip.go `CommandPath`: PULUMI_PYTHON_CMD, else python3, else python, on PATH."""
    override = environ.get("PULUMI_PYTHON_CMD")
    names = [override] if override else ["python3", "python"]
    for name in names:
        found = shutil.which(name, path=environ.get("PATH"))
        if found:
            return found
    quoted = " ".join(json.dumps(name) for name in names)
    raise OptionError(
        f"failed to locate any of [{quoted}] on your PATH. "
        "Have you installed Python 3.10 or greater?"
    )


def virtualenv_error(option: str, full_path: str) -> str:
    """pip.go `NewVirtualEnvError`, verbatim."""
    state = (
        "doesn't exist"
        if not Path(full_path).exists()
        else ("doesn't appear to be a virtual environment")
    )
    python = f"{full_path}/bin/python"
    steps = (
        f"    1. python3 -m venv {full_path}\n"
        f"    2. {python} -m pip install --upgrade pip setuptools wheel\n"
        f"    3. {python} -m pip install -r requirements.txt\n"
    )
    return (
        f"The 'virtualenv' option in Pulumi.yaml is set to {json.dumps(option)}, but "
        f"{json.dumps(full_path)} {state}; run the following commands to create the virtual "
        f"environment and install dependencies into it:\n\n{steps}\n\n"
        "For more information see: "
        "https://www.pulumi.com/docs/intro/languages/python/#virtual-environments"
    )
