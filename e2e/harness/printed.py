"""Every command the project prints or documents, in one registry, read from where it is printed.

Why read it from the source: a list kept by hand goes stale the day someone adds a hint to an
error message, and a command nobody ran is how `pulumi config set P:section.target git` (no
`--path`: Pulumi stores a flat key the stack never reads) reached users. So the registry is
built at test time from two places, and nothing else:
- the product's Python (`components/`, `stack/`, `stages/`, `tools/`, `policy/`,
`openclaw_runtime/`,
  `__main__.py`): every string literal that is not a docstring, f-strings with their fields
  as `{expression}`, is searched for commands: a backticked span, or a line of a message,
  that is a command (`_COMMAND`: a tool and one of its commands, not prose naming a tool);
- the Markdown users and developers read (README.md, docs/): every command `e2e.harness.runbook`
  finds there (fenced shell blocks, inline spans starting with its `INLINE_PREFIXES`).

A printed command is run by the e2e as printed: the documents' commands by
e2e/scenarios/test_runbook.py,
the code's through their renderings (`e2e/harness/printed_renderings.py`: the command with the
values
its call-sites fill in, each a documented substitution), or it is excluded with the reason.
A compound command (`a && b`) runs whole, as printed; each of its parts must match the printed
part (a part that is one field, a command built elsewhere, is that builder's own site).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("components", "stack", "stages", "tools", "policy", "openclaw_runtime", "__main__.py")
# A command starts with a tool and one of its commands as this project uses them; prose that
# merely begins with a tool's name ("git is not on PATH", "`kubectl get` output") does not.
_COMMAND = re.compile(
    r"^(?:pulumi (?:config|up|preview|refresh|destroy|import|stack|login|cancel|state)(?=\s|$)"
    r"|kubectl (?:-n|--context|get|describe|annotate|auth|rollout|exec)\s+\S+\s+\S"
    r"|aws (?:ssm|sts|configure) |git (?:ls-remote|show|clone|push) "
    r"|\./bin/[a-z]+\b|python3? -m [a-z_.]+)"
)
# Builders of printed commands whose call-sites pass literals: each such call is a site of its
# own, its text the builder's real output for those arguments.
BUILDERS = ("set_command", "rm_command")
_BACKTICKED = re.compile(r"`([^`\n]+)`")
# A message line that is a command: indented, after `fix:`/`run:`, or the whole line.
_LINE = re.compile(r"^\s*(?:fix:\s+|and run:\s+)?(?P<command>\S.*?)\s*$")
_FIELD = re.compile(r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
_PLACEHOLDER = re.compile(r"<[^<>]+>")


@dataclass(frozen=True)
class Site:
    """One command where the code prints it: the file and line, the text as the source has it
    (an f-string's fields as `{expression}`, `<…>` placeholders as written)."""

    path: str
    line: int
    text: str

    @property
    def source(self) -> str:
        return f"{self.path}:{self.line}"


def part_pattern(template: str) -> re.Pattern[str]:
    """What a rendering of a printed part must look like: its literal text exactly, each
    f-string field and `<placeholder>` standing for one value (no spaces unless quoted); a part
    that is one field (`{c.up}`, a command built elsewhere) stands for any command."""
    if _FIELD.fullmatch(template):
        return re.compile(r".+")
    pattern = ""
    position = 0
    for hole in sorted(
        [*_FIELD.finditer(template), *_PLACEHOLDER.finditer(template)], key=lambda m: m.start()
    ):
        if hole.start() < position:
            continue
        pattern += re.escape(template[position : hole.start()]) + r"(?:'[^']*'|\S+?)"
        position = hole.end()
    return re.compile(pattern + re.escape(template[position:]))


def code_sites(root: Path = ROOT) -> list[Site]:
    """Every printed command in the product's Python, in file and line order."""
    files: list[Path] = []
    for name in PRODUCT:
        path = root / name
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    sites = [site for file in files for site in _sites_in(file, root)]
    return sorted(sites, key=lambda site: (site.path, site.line))


def _sites_in(file: Path, root: Path) -> Iterator[Site]:
    tree = ast.parse(file.read_text(), str(file))
    skipped = {id(node.body[0].value) for node in ast.walk(tree) if _has_docstring(node)}  # type: ignore[attr-defined]
    skipped |= {  # a constant piece of an f-string is read with the whole f-string
        id(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for value in node.values
    }
    seen: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _builder_call(node):
            texts = [_built(node)]
        elif isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            texts = [] if id(node) in skipped else list(commands_in(_text(node)))
        else:
            continue
        for text in texts:
            if (node.lineno, text) not in seen:
                seen.add((node.lineno, text))
                yield Site(str(file.relative_to(root)), node.lineno, text)


def _builder_call(node: ast.Call) -> bool:
    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
    if name not in BUILDERS:
        return False
    try:
        [ast.literal_eval(arg) for arg in node.args]
    except ValueError:
        return False  # the builder's own template stands for calls with computed arguments
    return True


def _built(node: ast.Call) -> str:
    """The command a literal call-site prints: the real builder, called with its arguments."""
    from stack import config_issues

    builder = getattr(config_issues, getattr(node.func, "id", None) or node.func.attr)  # type: ignore[attr-defined]
    return str(builder(*(ast.literal_eval(arg) for arg in node.args)))


def commands_in(message: str) -> Iterator[str]:
    """The commands a message prints: backticked spans first, then whole lines."""
    for span in _BACKTICKED.finditer(message):
        if _COMMAND.match(span.group(1)):
            yield span.group(1)
    for line in _BACKTICKED.sub("", message).splitlines():
        match = _LINE.match(line)
        if match and _COMMAND.match(match["command"]):
            yield match["command"].split("   (")[0]


def _text(node: ast.Constant | ast.JoinedStr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return "".join(
        str(value.value)
        if isinstance(value, ast.Constant)
        else "{" + ast.unparse(value.value) + "}"  # type: ignore[attr-defined]
        for value in node.values
    )


def _has_docstring(node: ast.AST) -> bool:
    body = getattr(node, "body", None)
    return (
        isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and bool(body)
        and isinstance(body[0], ast.Expr)  # type: ignore[index]
        and isinstance(body[0].value, ast.Constant)  # type: ignore[index]
        and isinstance(body[0].value.value, str)  # type: ignore[index]
    )


def renderings(site: Site) -> list[str]:
    """The commands the e2e runs for a printed one: its rendering by a call-site, or the
    printed text with its `<placeholders>` filled; empty where neither is known."""
    from e2e.harness.printed_renderings import PLACEHOLDERS, RENDERINGS

    if site.text in RENDERINGS:
        return list(RENDERINGS[site.text])
    if _FIELD.search(site.text):
        return []
    text = site.text
    for placeholder in sorted(PLACEHOLDERS, key=len, reverse=True):
        text = text.replace(placeholder, PLACEHOLDERS[placeholder])
    return [text]


_NESTED_WITHOUT_PATH = re.compile(
    r"pulumi config (?:set|get)(?! --path)(?:\s+--\w+)*\s+'?[\w-]+:[\w]+[.\[]"
)


def nested_without_path(text: str) -> bool:
    """`pulumi config set P:a.b v`: Pulumi stores one flat key `a.b`, not `b` inside `a`.
    (`pulumi config rm P:a.b` without --path is how such a flat key is removed.)"""
    return any(_NESTED_WITHOUT_PATH.search(part) for part in text.split("&&"))


def report(runs: list[Any], step_passed: dict[str, bool]) -> list[dict[str, Any]]:
    """One entry per printed command (e2e.harness.runbook.Ran runs): `ok` when each of its
    renderings
    ran, exited as its step expected, in a step that passed; else `excluded` (why) or
    `missing` (what did not run)."""
    from e2e.harness.printed_renderings import EXCLUDED

    entries: list[dict[str, Any]] = []
    for site in code_sites():
        entry: dict[str, Any] = {"command": site.text, "source": site.source}
        if site.text in EXCLUDED:
            entry.update(ok=None, excluded=EXCLUDED[site.text])
            entries.append(entry)
            continue
        rendered = renderings(site)
        outcomes = {
            text: [
                r.exited_as_expected and step_passed.get(r.step, False)
                for r in runs
                if r.command.text == text
            ]
            for text in rendered
        }
        missing = [text for text, seen in outcomes.items() if not seen]
        entry.update(
            ran=rendered, ok=bool(rendered) and all(all(v) and v for v in outcomes.values())
        )
        if missing or not rendered:
            entry["missing"] = missing or ["no rendering"]
        entries.append(entry)
    return entries
