"""The runbook's shell commands, read from the Markdown at test time, and run as written.

Why from the Markdown: a command copied into a test stays right while the document drifts, and
a person pastes the document, not the test. So e2e/scenarios/test_runbook.py takes every command
from
README.md (its day-1 block first of all) and from docs/, runs it with `bash -c` exactly as
written, and asserts what the document says it does; an edit that breaks a command fails the
suite, and a command added to the documents fails it until a test runs it (or `EXCLUDED` says
why no test can).

What counts as a command (`documented()`), in `SCOPES`:
- every line of a fenced ```bash block (a trailing `# …` comment is kept apart: where the
  document states a command's output there, `Command.comment` holds it; `\\` continues a line);
- every inline code span that is a whole command: one starting with `INLINE_PREFIXES` (a bare
  `kubectl get pods` in the prose says where to look, not what to run).

What may differ from the text, all in this module: `SUBSTITUTIONS` (documented placeholders such
as `<n>`, and what cannot run here, each with why), `ENVIRONMENT` (endpoints and credentials:
set in the shell, never written into a command) and `EXCLUDED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e.harness.stack_driver import ROOT, CliRun, run_command


@dataclass(frozen=True)
class Scope:
    """A document, or one `## ` section of it (with its subsections)."""

    path: str  # relative to the repository
    section: str | None = None  # the `## ` heading's text; None: the whole document


SCOPES = (
    Scope("README.md"),
    Scope("docs/operations.md"),
    Scope("docs/configuration.md"),
    Scope("docs/design.md"),
    Scope("docs/plan.md"),
    Scope("docs/development.md"),
    Scope("docs/mutation-testing.md"),
    # Not docs/equivalent-mutants.md: its listings quote mutated code (`git fetch origin` as an
    # argument list), never a command to run, and its one command is mutation-testing.md's.
    Scope("docs/ci.md"),
)
FENCE_LANGUAGES = ("bash", "sh", "shell")
INLINE_PREFIXES = ("pulumi ", "kubectl -n ", "./bin/", "python3 -m ", "python -m ", "aws ", "git ")


@dataclass(frozen=True)
class Substitution:
    """`replacement` is a `str.format` template over the values a test provides."""

    replacement: str
    why: str


# Every difference between what the documents say and what runs, keyed by the exact text in
# the document. Placeholders stand for values only the running system knows.
SUBSTITUTIONS: dict[str, Substitution] = {
    # The e2e world's values in the renderings of printed commands
    # (e2e/harness/printed_renderings.py).
    **{
        f"{{{name}}}": Substitution(f"{{{name}}}", why)
        for name, why in {
            "stack": "the scratch stack the printed config commands run on",
            "context": "the control plane's kube context",
            "repo_url": "the e2e's GitOps repository",
            "region": "the control plane's AWS region (moto's)",
            "kubeconfig": "the control plane's kubeconfig file",
            "endpoint": "moto's endpoint, standing for AWS",
        }.items()
    },
    # The README's day-1 block, on the reference deployment's names.
    "s3://lolice-pulumi-state": Substitution(
        "{backend_url}", "the backend: the run's file backend in place of the team's bucket"
    ),
    "kubernetes:context lolice": Substitution(
        "kubernetes:context {context}", "the kube context: the control plane's in place of lolice"
    ),
    "kubectl --context lolice -n openclaw exec deploy/openclaw -c openclaw -- ": Substitution(
        "",
        "kwok's pods run no container to exec into: the command after `--` runs in a shell "
        "with the environment the kubelet gives the container (as below)",
    ),
    "--context lolice": Substitution("--context {context}", "the kube context (as above)"),
    "git -C ../lolice": Substitution(
        "git -C {repo_clone}", "the reader's clone of the GitOps repository: the e2e's clone"
    ),
    "git@github.com:boxp/lolice.git": Substitution(
        "{repo_url}", "the GitOps repository: the e2e's bare repository that Argo CD syncs"
    ),
    "http://receiver.monitoring.svc/openclaw": Substitution(
        "{receiver_url}", "the webhook receiver's URL: the e2e's receiver on a loopback port"
    ),
    "receiver.monitoring.svc": Substitution(
        "{receiver_name}",
        "the receiver's host name: in the day-1 block the e2e's loopback receiver (127.0.0.1); "
        "elsewhere the documented name itself",
    ),
    "-r<n>": Substitution(
        "-r{rotation}", "documented placeholder: the stack's current `token.rotation`"
    ),
    "SecureString <n>": Substitution(
        "SecureString {parameter_version}",
        "documented placeholder (expected output): the parameter's current SSM version",
    ),
    "<job-id>": Substitution("{job_id}", "documented placeholder: the id of a webhook job"),
    '"<chat id>"': Substitution(
        '"{chat_id}"', "documented placeholder: a Telegram chat id (nothing is sent to it)"
    ),
    "<urn of openclaw-cron-webhook-env>": Substitution(
        "{env_entry_urn}", "documented placeholder: the env entry's URN (pulumi stack export)"
    ),
    "<receiver host>": Substitution(
        "{receiver_host}", "documented placeholder: the receiver's host name"
    ),
    "kubectl -n openclaw exec deploy/openclaw -c openclaw -- ": Substitution(
        "",
        "kwok's pods run no container to exec into: the command after `--` runs in a shell "
        "with the environment the kubelet gives the container (e2e.harness.materialise: its env "
        "resolved from the live Deployment, Secrets and ConfigMaps)",
    ),
}

# The shell's environment, in place of a person's login and their cloud and cluster access.
ENVIRONMENT: dict[str, str] = {
    "PULUMI_BACKEND_URL": "the run's file backend (what `pulumi login` points at)",
    "PULUMI_CONFIG_PASSPHRASE": (
        "the throwaway state's passphrase (e2e.harness.stack_driver.PASSPHRASE); not in the day-1 "
        "shell, which exports PULUMI_CONFIG_PASSPHRASE_FILE as the README says, the file "
        "holding the same passphrase (the person's own file, written by the test)"
    ),
    "HOME": "the run's own folder, so nothing of the machine's user is read or written",
    "OPENCLAW_CRON_WEBHOOK_CACHE": (
        "the machine's cache of the pinned OpenClaw, which the run's own HOME does not have"
    ),
    "PULUMI_HOME": "the run's own, so nothing of the user's Pulumi is read or written",
    "PULUMI_SKIP_CONFIRMATIONS": (
        "true: a person answers pulumi's `yes` prompt; these shells have no terminal"
    ),
    "AWS_ENDPOINT_URL": "moto, the stand-in for AWS (every SDK and the aws CLI honour it)",
    "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_DEFAULT_REGION": (
        "moto's fake credentials and the control plane's region (the dev stack's aws:region)"
    ),
    "KUBECONFIG": "the control plane's",
    "PATH": (
        "the built pulumi and kubectl first, the language-host and provider stand-ins, the "
        ".venv (python3, and the aws CLI pinned in requirements-dev.txt), the pinned OpenClaw"
    ),
    "EDITOR": "true: the edit of the pin is a person's; the e2e keeps the pin",
    "OPENCLAW_GATEWAY_PORT, OPENCLAW_GATEWAY_TOKEN": (
        "the gateway the e2e started from the materialised pod, as the pod's own shell has them"
    ),
}

# Documented commands no test runs, with why: (the heading it is under, starting with; the
# command's text, or "*": every command under that heading) → why.
_RECURSES = "it runs this suite (the e2e is its last layer): here it would recurse"
EXCLUDED: dict[tuple[str, str], str] = {
    # Under any heading (every heading starts with ""): these run the suite itself.
    **{
        ("", text): _RECURSES
        for text in (
            "./bin/test",
            "./bin/test --unit",
            "./bin/test --process",
            "./bin/e2e",
            "./bin/e2e --keep",
        )
    },
    ("", "./bin/mutation [module ...]"): (
        "mutation testing runs the unit and process layers once per mutant, hours in all: "
        "developer tooling outside CI (docs/mutation-testing.md), not within the e2e's budget"
    ),
    ("The command", "*"): "mutation testing (as above)",
    ("A survivor", "*"): "mutation testing (as above)",
    ("When the run itself is wrong", "*"): "mutation testing (as above)",
    **{
        ("After a failed or interrupted", text): (
            "needs a stale lock or a pending CREATE, which only a CLI killed mid-update leaves: "
            "e2e/scenarios/test_faults.py makes both (SIGKILL and two Ctrl-C in the rollout "
            "wait) and runs "
            "these same operations there, through the Automation API and the built CLI with "
            "these arguments, asserting what this section says (the lock gone, the pending "
            "CREATE listed, then dropped by either flag, and the next up converging); this "
            "module's stack never has one"
        )
        for text in (
            "pulumi cancel",
            "pulumi stack export | jq '.deployment.pending_operations[] | {type, urn: "
            ".resource.urn}'",
            "pulumi refresh --clear-pending-creates --yes",
            "pulumi refresh --import-pending-creates URN --import-pending-creates ID",
        )
    },
}

_PLACEHOLDER = re.compile(r"<[a-z][a-z -]*>")
_ASSIGNMENT = re.compile(r"^(?:export )?([A-Za-z_][A-Za-z0-9_]*)=(\S+)$")


def excluded(command: Command) -> str | None:
    """Why no test runs `command` (None: a test must)."""
    for (section, text), why in EXCLUDED.items():
        if text in ("*", command.text) and command.section.startswith(section):
            return why
    return None


@dataclass(frozen=True)
class Command:
    """One documented command: its text as written, where, and under which heading."""

    text: str
    path: str
    line: int
    section: str
    comment: str = ""  # the trailing `# …` on the command's line, if any
    fenced: bool = True

    @property
    def source(self) -> str:
        return f"{self.path}:{self.line}"


def documented(root: Path = ROOT) -> list[Command]:
    """Every command in `SCOPES`, in document order."""
    return [command for scope in SCOPES for command in commands_in(root, scope)]


def commands_in(root: Path, scope: Scope) -> list[Command]:
    lines = (root / scope.path).read_text().splitlines()
    return list(_commands(scope, lines))


def _commands(scope: Scope, lines: list[str]) -> Iterator[Command]:
    heading = ""
    inside = scope.section is None
    fence: str | None = None  # the fence's language while inside one
    pending: list[str] = []
    pending_line = 0
    prose: list[tuple[int, str]] = []  # the paragraph being read, for inline spans
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        is_heading = fence is None and line.startswith("#")
        if stripped.startswith("```") or is_heading or not stripped:
            yield from _inline(scope, heading, prose)
            prose = []
        if stripped.startswith("```"):
            fence = None if fence is not None else (stripped[3:].strip() or "text")
            continue
        if is_heading:
            level, _, title = line.partition(" ")
            if level == "##" and scope.section is not None:
                inside = title.strip() == scope.section
            heading = title.strip()
            continue
        if not inside:
            continue
        if fence is None:
            if stripped:
                prose.append((number, line))
            continue
        if fence not in FENCE_LANGUAGES:
            continue
        if not pending:
            if not stripped or stripped.startswith("#"):
                continue
            pending_line = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].rstrip())
            continue
        pending.append(stripped)
        text, comment = split_comment(" ".join(pending))
        pending = []
        yield Command(text, scope.path, pending_line, heading, comment)
    yield from _inline(scope, heading, prose)


def _inline(scope: Scope, heading: str, prose: list[tuple[int, str]]) -> Iterator[Command]:
    """The inline commands of one paragraph (a code span may wrap onto the next line)."""
    if not prose:
        return
    text = "\n".join(line for _, line in prose)
    for match in re.finditer(r"`([^`]+)`", text):
        span = " ".join(match.group(1).split())
        if span.startswith(INLINE_PREFIXES):
            number = prose[0][0] + text.count("\n", 0, match.start())
            yield Command(span, scope.path, number, heading, fenced=False)


def split_comment(line: str) -> tuple[str, str]:
    """(`command`, `comment`): a `#` starts a comment where bash says so, i.e. at the start of
    a word and outside quotes."""
    quote: str | None = None
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is not None:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip(), line[index + 1 :].strip()
    return line.rstrip(), ""


def find(commands: list[Command], path: str, section: str, starts: str = "") -> list[Command]:
    """The commands of `path` under the heading starting `section` (fenced first), starting
    with `starts`; fails, naming what it looked for, when there is none: a renamed heading or a
    removed command must fail the suite, not skip a step."""
    found = [
        c
        for c in commands
        if c.path == path and c.section.startswith(section) and c.text.startswith(starts)
    ]
    if not found:
        headings = sorted({c.section for c in commands if c.path == path})
        raise LookupError(
            f"no command starting {starts!r} under {section!r} in {path}; "
            f"headings with commands: {headings}"
        )
    return sorted(found, key=lambda c: (not c.fenced, c.line))


def substitute(text: str, values: Mapping[str, Any]) -> str:
    """`text` with every `SUBSTITUTIONS` key replaced; a placeholder left over is an error
    (a new one must be added to the table, with why)."""
    for key, substitution in SUBSTITUTIONS.items():
        if key in text:
            try:
                replacement = substitution.replacement.format(**values)
            except KeyError as missing:
                raise KeyError(f"{key!r} needs the value {missing} (in: {text})") from None
            text = text.replace(key, replacement)
    left = _PLACEHOLDER.findall(text)
    if left:
        raise ValueError(
            f"placeholders {left} are not in e2e.harness.runbook.SUBSTITUTIONS: {text}"
        )
    return text


@dataclass(frozen=True)
class Ran:
    """One run of a documented command: in which test step, and whether it exited as the step
    expected (the step's own outcome says whether its documented effect held)."""

    command: Command
    exited_as_expected: bool
    step: str


@dataclass
class Shell:
    """A person's shell in the project folder: commands run with `bash -c` as written (after
    `SUBSTITUTIONS`), a `NAME=value` (or `export NAME=value`) line sets a variable for the
    next ones, expanded as a shell would, and every run is recorded for the report under the
    current `step`."""

    cwd: Path
    env: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    step: str = ""
    runs: list[Ran] = field(default_factory=list)

    def run(self, command: Command, expect_exit: int | None = 0, timeout: float = 900.0) -> CliRun:
        """Runs `command`; `expect_exit` None: the step expects it to fail (any non-zero)."""
        text = substitute(command.text, self.values)
        print(f"[runbook] {command.source}: {command.text}", flush=True)
        assignment = _ASSIGNMENT.match(text)
        if assignment is not None:
            name, value = assignment.groups()
            expanded = run_command(["bash", "-c", f"printf %s {value}"], self.env, self.cwd)
            self.env[name] = expanded.stdout
            result = CliRun(expanded.exit, "", expanded.stderr, 0.0)
        else:
            result = run_command(["bash", "-c", text], self.env, self.cwd, timeout)
        expected = result.exit != 0 if expect_exit is None else result.exit == expect_exit
        self.runs.append(Ran(command, expected, self.step))
        return result

    def elsewhere(self, cwd: Path, env: dict[str, str], **values: Any) -> Shell:
        """Another shell (a pod's, a gateway's) whose runs count in this one's report."""
        return Shell(cwd, env, {**self.values, **values}, self.step, self.runs)

    def report(
        self, commands: list[Command], step_passed: Mapping[str, bool]
    ) -> list[dict[str, Any]]:
        """One entry per documented command: `ok` when it exited as expected in a step that
        passed (its effect asserted). A command not run from its own place is covered by a run
        of the same text elsewhere (`ran_at`), or excluded (`excluded`: why), or `missing`."""
        entries: list[dict[str, Any]] = []
        for command in commands:
            entry: dict[str, Any] = {"command": command.text, "source": command.source}
            same_text = [ran for ran in self.runs if ran.command.text == command.text]
            own = [ran for ran in same_text if ran.command == command]
            runs = own or same_text
            if runs:
                entry["ok"] = all(
                    ran.exited_as_expected and step_passed.get(ran.step, False) for ran in runs
                )
                if not own:
                    entry["ran_at"] = runs[0].command.source
            elif (why := excluded(command)) is not None:
                entry["ok"] = None
                entry["excluded"] = why
            else:
                entry["ok"] = False
                entry["missing"] = "no test ran this command"
            entries.append(entry)
        return entries
