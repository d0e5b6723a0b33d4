"""plan.md's escaping helpers (`tools.plan.markdown_text`), stated by their exact results.

Why apart from the whole-plan tests: the plan's own names and values hold few of the
characters these helpers exist for (`&`, `<`, a backtick at the edge of a value, a run of
backticks in a diff or a commit message), yet any of them can come from a user's stack, base
document or OpenClaw's messages, and each must reach the pull-request comment as written.
"""

from __future__ import annotations

import pytest

from tools.plan.markdown_text import code, fenced, text


def test_text_writes_ampersands_and_angle_brackets_as_entities() -> None:
    """`&` first, so an entity the message itself holds shows as typed, not as its character;
    `<` and `>` cannot open HTML."""
    assert text("a & b <br> c") == "a &amp; b &lt;br&gt; c"
    assert text("write &lt; for <") == "write &amp;lt; for &lt;"


def test_a_pipe_is_escaped_in_a_table_cells_code_only() -> None:
    """GitHub splits a table row at every unescaped `|`, code spans included; elsewhere the
    backslash would show."""
    assert code("a|b", table=True) == "`a\\|b`"
    assert code("a|b") == "`a|b`"


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("`x", "`` `x ``"),
        ("x`", "`` x` ``"),
        ("`x`", "`` `x` ``"),
        ("a`b", "``a`b``"),
        ("ab", "`ab`"),
    ],
)
def test_a_backtick_at_either_edge_of_a_code_span_is_padded(value: str, span: str) -> None:
    """A backtick next to the fence would merge with it: a space on both sides keeps it in
    (CommonMark strips one such space from each side); inside, a longer fence is enough."""
    assert code(value) == span


@pytest.mark.parametrize(
    ("body", "fence"),
    [
        ("no backticks", "```"),
        ("one ` and two ``", "```"),
        ("a fence ``` inside", "````"),
        ("a longer ```` one", "`````"),
    ],
)
def test_a_fence_is_longer_than_any_backtick_run_in_its_body(body: str, fence: str) -> None:
    assert fenced("diff", body) == [f"{fence}diff", body, fence]


def test_a_fenced_body_keeps_everything_but_its_final_line_breaks() -> None:
    """A diff's last context line can be a lone space (a blank line of the document), and a
    commit message can end in any letter: only the line breaks after the body go."""
    assert fenced("diff", " }\n \n\n") == ["```diff", " }\n ", "```"]
    assert fenced("text", "Rotate to X\n") == ["```text", "Rotate to X", "```"]
