"""The real OpenClaw's verdict on the change to openclaw.json (`openclaw config validate`).

Why ask OpenClaw: its schema is strict and changes between releases; our own reading of it
was stale before. So the plan runs the validator of the OpenClaw `openclaw_runtime.judge` chose on
the document, in a throw-away HOME/state/config so nothing of the user's leaks in or out, and
relays its issues verbatim. The variables the app's container defines are set to a
placeholder (the pods will have them), so OpenClaw only warns about ones that are really
missing.

Why judge the base document too: a live document often carries a key that the judging release
no longer accepts (the reference deployment's `gateway.controlUi.allowInsecureAuth`, valid for
the build it runs, is rejected by 2026.9.6). That is not the change's doing, and must not stop
the reviewer from seeing the plan. So the same OpenClaw judges the base and the result, side
by side; only issues the result has and the base has not are the change's (`Verdict.added`).
Both runs go in the background while the rest of the plan is built, and each verdict is
remembered per OpenClaw and document, so a repeated plan does not pay for Node's start again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openclaw_runtime import cache
from openclaw_runtime.errors import OpenClawError

NOT_JUDGED = "not judged by OpenClaw (not installed: python -m openclaw_runtime.install)"
TIMEOUT_SECONDS = 120
PLACEHOLDER = "offline-plan-placeholder"
ALREADY_HEADING = "already in the base document, not caused by this change"


@dataclass(frozen=True)
class Issue:
    """One finding, as OpenClaw words it."""

    path: str
    message: str


@dataclass(frozen=True)
class Judgement:
    """Who judged the document (None: nobody), whether it is valid, and what was found."""

    version: str | None
    valid: bool | None
    issues: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    @property
    def line(self) -> str:
        return verdict_line(self.version, self.valid, len(self.issues))


def verdict_line(version: str | None, valid: bool | None, issues: int) -> str:
    """The line every plan prints: who judged openclaw.json, and the verdict."""
    if version is None:
        return NOT_JUDGED
    return f"openclaw.json judged by OpenClaw {version}: " + (
        "valid" if valid else f"INVALID, {issues} issue(s)"
    )


@dataclass(frozen=True)
class OpenClaw:
    """How to run one OpenClaw: its argv, the Node to put first on PATH, its version."""

    argv: tuple[str, ...]
    node_bin: str | None
    version: str


def path_env(node_bin: str | None) -> dict[str, str]:
    """Only PATH, with OpenClaw's Node first: nothing else of the caller's leaks in."""
    path = os.environ.get("PATH", os.defpath)
    return {"PATH": f"{node_bin}{os.pathsep}{path}" if node_bin else path}


def _issues(items: Any) -> tuple[Issue, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        Issue(str(i.get("path", "")), str(i.get("message", i)))
        if isinstance(i, dict)
        else Issue("", str(i))
        for i in items
    )


def _verdict(stdout: str) -> dict[str, Any] | None:
    """The JSON object `config validate --json` prints, even after lines of log output."""
    for match in re.finditer(r"^\{", stdout, re.M):
        try:
            found, _ = json.JSONDecoder().raw_decode(stdout, match.start())
        except ValueError:
            continue
        if isinstance(found, dict) and isinstance(found.get("valid"), bool):
            return found
    return None


def verdict_cache() -> Path:
    """Where verdicts are remembered: beside the pinned install, outside the repository."""
    return cache.cache_root() / "plan-verdicts"


class Validation:
    """One `openclaw config validate --json` run, started now, awaited by `result()`.

    Verdicts are remembered in `cache` per OpenClaw (its launcher and version), document and
    variables: the validator is a pure function of those (its HOME and state are empty), and
    starting it costs more than the rest of the plan. A context manager: leaving it (also on
    an error elsewhere in the plan) stops the process if it still runs and removes its
    temporary HOME.
    """

    def __init__(
        self, openclaw: OpenClaw, document: str, variables: list[str], cache: Path
    ) -> None:
        self.openclaw = openclaw
        key = json.dumps([openclaw.argv, openclaw.version, document, variables])
        self._cached = cache / f"{hashlib.sha256(key.encode()).hexdigest()}.json"
        self._process: subprocess.Popen[str] | None = None
        self._home: tempfile.TemporaryDirectory[str] | None = None
        if self._cached.is_file():
            return
        self._home = tempfile.TemporaryDirectory(prefix="openclaw-plan-")
        root = Path(self._home.name)
        config = root / "openclaw.json"
        config.write_text(document)
        env = path_env(openclaw.node_bin)
        env.update(
            HOME=str(root / "home"),
            OPENCLAW_STATE_DIR=str(root / "state"),
            OPENCLAW_CONFIG_PATH=str(config),
            NO_COLOR="1",
        )
        env.update(dict.fromkeys(variables, PLACEHOLDER))
        try:
            self._process = subprocess.Popen(
                [*openclaw.argv, "config", "validate", "--json"],
                cwd=root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        except OSError as exc:
            self._home.cleanup()
            raise OpenClawError(f"cannot run OpenClaw {openclaw.argv[-1]}: {exc}") from None

    def __enter__(self) -> Validation:
        return self

    def __exit__(self, *_: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        if self._home is not None:
            self._home.cleanup()

    def result(self) -> Judgement:
        """OpenClaw's verdict; a run that gives none is an OpenClawError with what it printed."""
        verdict = self._remembered() if self._process is None else self._awaited(self._process)
        return Judgement(
            self.openclaw.version,
            verdict["valid"],
            _issues(verdict.get("issues")),
            _issues(verdict.get("warnings")),
        )

    def _remembered(self) -> dict[str, Any]:
        remembered: dict[str, Any] = json.loads(self._cached.read_text())
        return remembered

    def _awaited(self, process: subprocess.Popen[str]) -> dict[str, Any]:
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise OpenClawError(
                f"OpenClaw {self.openclaw.version} gave no verdict within {TIMEOUT_SECONDS} s"
            ) from None
        verdict = _verdict(stdout)
        if verdict is None:
            said = " ".join((stderr or stdout).split())[-600:] or "nothing"
            raise OpenClawError(
                f"OpenClaw {self.openclaw.version} gave no verdict (exit "
                f"{process.returncode}): {said}"
            )
        try:  # written whole, then renamed: a reader never sees half a verdict
            self._cached.parent.mkdir(parents=True, exist_ok=True)
            partial = self._cached.with_suffix(f".{os.getpid()}.partial")
            partial.write_text(json.dumps(verdict))
            partial.replace(self._cached)
        except OSError:
            pass  # a cache that cannot be written only costs time
        return verdict


@dataclass(frozen=True)
class Verdict:
    """One OpenClaw's verdicts on the base document and on the result, told apart.

    `added`: the result's issues that the base does not have — the change's doing.
    `already`: the result's issues that the base has too (each matched once, by path and
    message), reported but not held against the change. `warnings`: the result's.
    """

    version: str | None
    valid: bool | None
    base_valid: bool | None
    added: tuple[Issue, ...] = ()
    already: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    @property
    def rejects_the_change(self) -> bool:
        """The result is invalid, and not only by what the base already had."""
        return self.valid is False and (bool(self.added) or self.base_valid is not False)


def before_and_after(base: Judgement, result: Judgement) -> Verdict:
    """The result's issues split into those the change added and those already in the base."""
    unmatched = Counter(base.issues)
    added: list[Issue] = []
    already: list[Issue] = []
    for issue in result.issues:
        if unmatched[issue] > 0:
            unmatched[issue] -= 1
            already.append(issue)
        else:
            added.append(issue)
    return Verdict(
        result.version, result.valid, base.valid, tuple(added), tuple(already), result.warnings
    )


def referenced(variables: set[str] | list[str], document: str) -> list[str]:
    """The variables a document references as `${NAME}`: those OpenClaw must find set."""
    return sorted(v for v in variables if f"${{{v}}}" in document)


class BeforeAndAfter:
    """The base document and the result, judged concurrently by the same OpenClaw.

    An adopted section leaves the document as it was: then one run answers for both. A
    context manager, like `Validation`: leaving it stops and cleans up both runs.
    """

    def __init__(
        self, openclaw: OpenClaw, base: str, result: str, variables: set[str], cache: Path
    ) -> None:
        self._stack = contextlib.ExitStack()
        with self._stack as stack:
            self._result = stack.enter_context(
                Validation(openclaw, result, referenced(variables, result), cache)
            )
            self._base = (
                self._result
                if base == result
                else stack.enter_context(
                    Validation(openclaw, base, referenced(variables, base), cache)
                )
            )
            self._stack = stack.pop_all()

    def __enter__(self) -> BeforeAndAfter:
        return self

    def __exit__(self, *_: object) -> None:
        self._stack.close()

    def result(self) -> Verdict:
        result = self._result.result()
        base = result if self._base is self._result else self._base.result()
        return before_and_after(base, result)
