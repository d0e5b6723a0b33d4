"""e2e.harness.runbook reads the documents' commands as bash and a reader would, and fills in only
what
its table allows. (The e2e runs them: e2e/scenarios/test_runbook.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.harness import runbook
from e2e.harness.runbook import Command, Ran, Scope, Shell, commands_in, split_comment, substitute
from e2e.harness.stack_driver import ROOT

DOCUMENT = """# Title

Intro with `pulumi login` and `pulumi
  stack output verify --json` across a line break, `kubectl get pods` (not a command),
`kubectl -n ns get cm x`.

## Rollout

```bash
pulumi preview        # review: 5 to create
# a comment line
aws ssm get-parameter --name /a \\
  --output text   # SecureString <n>
S=openclaw-cron-webhook
```

```yaml
pulumi: not a command
```

## Other

```bash
# 1. not a heading, a comment
echo '# not a comment' "#nor this" a#b   # but this is
```
"""


@pytest.fixture
def document(tmp_path: Path) -> Path:
    (tmp_path / "doc.md").write_text(DOCUMENT)
    return tmp_path


def test_fenced_lines_and_inline_pulumi_commands_with_their_lines(document: Path) -> None:
    found = commands_in(document, Scope("doc.md"))
    assert [(c.line, c.section, c.fenced, c.text, c.comment) for c in found] == [
        (3, "Title", False, "pulumi login", ""),
        (3, "Title", False, "pulumi stack output verify --json", ""),
        (5, "Title", False, "kubectl -n ns get cm x", ""),
        (10, "Rollout", True, "pulumi preview", "review: 5 to create"),
        (12, "Rollout", True, "aws ssm get-parameter --name /a --output text", "SecureString <n>"),
        (14, "Rollout", True, "S=openclaw-cron-webhook", ""),
        (25, "Other", True, "echo '# not a comment' \"#nor this\" a#b", "but this is"),
    ]


def test_a_scope_is_one_section_with_its_subsections(document: Path) -> None:
    found = commands_in(document, Scope("doc.md", "Rollout"))
    assert [c.line for c in found] == [10, 12, 14]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pulumi up   # roll out", ("pulumi up", "roll out")),
        ("a#b", ("a#b", "")),
        ("echo '#x' # y", ("echo '#x'", "y")),
        ('echo "a # b"', ('echo "a # b"', "")),
        (r"echo \# x", (r"echo \# x", "")),
    ],
)
def test_split_comment_as_bash_reads_it(line: str, expected: tuple[str, str]) -> None:
    assert split_comment(line) == expected


def test_substitutions_fill_documented_placeholders_only() -> None:
    text = "kubectl -n openclaw describe externalsecret openclaw-cron-webhook-r<n>"
    assert substitute(text, {"rotation": 2}).endswith("openclaw-cron-webhook-r2")
    exec_line = "kubectl -n openclaw exec deploy/openclaw -c openclaw -- sh -c 'wc -c'"
    assert substitute(exec_line, {}) == "sh -c 'wc -c'"
    with pytest.raises(ValueError, match=r"placeholders \['<new thing>'\] are not in"):
        substitute("pulumi up <new thing>", {})
    with pytest.raises(KeyError, match="'-r<n>' needs the value 'rotation'"):
        substitute(text, {})


def test_every_documented_command_has_what_it_needs_in_the_table() -> None:
    """A placeholder added to the documents fails here first, before any e2e runs."""
    names = ("rotation", "parameter_version", "job_id", "chat_id", "receiver_host")
    day1 = ("backend_url", "context", "repo_url", "repo_clone", "receiver_url", "receiver_name")
    values = dict.fromkeys((*names, *day1, "env_entry_urn"), "1")
    commands = runbook.documented()
    assert {c.path for c in commands} == {
        "README.md",
        *(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")),
    } - {"docs/equivalent-mutants.md"}  # quotes of mutated code, no commands (runbook.SCOPES)
    for command in commands:
        substitute(command.text, values)
        substitute(command.comment, values)
    excluded = {runbook.excluded(c) for c in commands} - {None}
    assert excluded == set(runbook.EXCLUDED.values())


def test_every_exclusion_names_commands_the_documents_still_have() -> None:
    """An exclusion outliving its command would excuse the next command written there: it fails
    here, in seconds, not at the end of the e2e."""
    docs = runbook.documented()
    stale = [
        key
        for key in runbook.EXCLUDED
        if not any(c.section.startswith(key[0]) and key[1] in ("*", c.text) for c in docs)
    ]
    assert stale == []


def test_a_documented_command_that_runs_a_suite_is_never_run_by_the_e2e() -> None:
    """The e2e runs every documented command it does not exclude: a `./bin/mutation` mentioned in
    a new paragraph of mutation-testing.md was run there as a command (hours of mutmut in the
    e2e's budget, and it failed). Each command that runs a suite must fall under an exclusion."""
    suites = ("./bin/test", "./bin/e2e", "./bin/mutation")
    unexcluded = [
        f"{c.source}: {c.text}"
        for c in runbook.documented()
        if c.text.startswith(suites) and runbook.excluded(c) is None
    ]
    assert unexcluded == []


def test_find_fails_naming_the_headings_it_has(document: Path) -> None:
    found = commands_in(document, Scope("doc.md"))
    assert runbook.find(found, "doc.md", "Roll", "aws")[0].line == 12
    with pytest.raises(LookupError, match=r"no command starting 'x' under 'Gone' in doc.md"):
        runbook.find(found, "doc.md", "Gone", "x")


def test_the_report_says_how_each_command_was_covered(tmp_path: Path) -> None:
    def command(text: str, line: int) -> Command:
        return Command(text, "d.md", line, "s")

    up, up_again, test, never, failing = (
        command("pulumi up", 1),
        command("pulumi up", 2),
        Command("./bin/test", "d.md", 3, "Which OpenClaw version this is verified against"),
        command("pulumi refresh", 4),
        command("pulumi destroy", 5),
    )
    shell = Shell(tmp_path, {})
    shell.runs = [Ran(up, True, "passed"), Ran(failing, True, "failed")]
    entries = shell.report([up, up_again, test, never, failing], {"passed": True, "failed": False})
    assert entries == [
        {"command": "pulumi up", "source": "d.md:1", "ok": True},
        {"command": "pulumi up", "source": "d.md:2", "ok": True, "ran_at": "d.md:1"},
        {
            "command": "./bin/test",
            "source": "d.md:3",
            "ok": None,
            "excluded": runbook.EXCLUDED[("", "./bin/test")],
        },
        {
            "command": "pulumi refresh",
            "source": "d.md:4",
            "ok": False,
            "missing": "no test ran this command",
        },
        {"command": "pulumi destroy", "source": "d.md:5", "ok": False},
    ]


def test_an_assignment_line_sets_the_variable_for_the_next_commands(tmp_path: Path) -> None:
    shell = Shell(tmp_path, {})
    assign = Command("S=openclaw-cron-webhook", "d.md", 1, "s")
    assert shell.run(assign).exit == 0
    echo = shell.run(Command('echo "$S:token.rotation"', "d.md", 2, "s"))
    assert echo.stdout == "openclaw-cron-webhook:token.rotation\n"
    assert shell.run(Command("exit 3", "d.md", 3, "s"), expect_exit=None).exit == 3
    assert [ran.exited_as_expected for ran in shell.runs] == [True, True, True]
