"""How the config hop quotes a value when the live `cron` section differs from the stack's.

The user reads the live value next to the stack's and edits one into the other, so each is
quoted as JSON the way a person compares them: object keys in one order on both sides (json_equal
ignores the order, so a difference is never only the order), non-ASCII text as itself, and a long
value cut to 80 characters with an ellipsis, so one key cannot flood the hop's line.
"""

from __future__ import annotations

from stages.section.verify import differences

HOSTS = ["hooks.example.com", "alerts.example.com"]


def test_objects_are_quoted_with_their_keys_in_one_order() -> None:
    """A hand-edited live object keeps its own key order; both sides are quoted sorted."""
    live = {"failureAlert": {"to": "ops-oncall", "channel": "telegram"}}
    wanted = {"failureAlert": {"channel": "telegram", "to": "ops"}}

    assert differences(live, wanted) == [
        'failureAlert is {"channel": "telegram", "to": "ops-oncall"} '
        '(stack: {"channel": "telegram", "to": "ops"})'
    ]


def test_non_ascii_text_is_quoted_as_itself() -> None:
    live = {"failureAlert": {"to": "Jürgen"}}
    wanted = {"failureAlert": {"to": "Jörg"}}

    assert differences(live, wanted) == ['failureAlert is {"to": "Jürgen"} (stack: {"to": "Jörg"})']


def test_a_value_longer_than_80_characters_is_cut_with_an_ellipsis() -> None:
    """The stack's value is exactly 80 characters of JSON and is quoted whole; the live one is 81
    and is cut to its first 79 and an ellipsis (80 in all)."""
    live = {"webhookSsrfPolicy": {"allowedHostnames": [*HOSTS, "ops.acme.com"]}}
    wanted = {"webhookSsrfPolicy": {"allowedHostnames": [*HOSTS, "ops.acme.io"]}}
    whole = '{"allowedHostnames": ["hooks.example.com", "alerts.example.com", "ops.acme.io"]}'
    cut = '{"allowedHostnames": ["hooks.example.com", "alerts.example.com", "ops.acme.com"…'
    assert (len(whole), len(cut)) == (80, 80)

    assert differences(live, wanted) == [f"webhookSsrfPolicy is {cut} (stack: {whole})"]


def test_a_missing_token_and_another_variable_are_not_called_literal() -> None:
    """Only a value that is no `${VAR}` placeholder may be a pasted token; a missing one and a
    placeholder of another variable are named without that warning."""
    wanted = {"enabled": True, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"}

    assert differences({"enabled": True}, wanted) == [
        "webhookToken is missing the placeholder ${OPENCLAW_CRON_WEBHOOK_TOKEN}"
    ]
    assert differences({"enabled": True, "webhookToken": "${OTHER}"}, wanted) == [
        "webhookToken is not the placeholder ${OPENCLAW_CRON_WEBHOOK_TOKEN}"
    ]
