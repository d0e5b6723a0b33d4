"""The Redactor (stages.redaction): every spelling of a secret verify touched is scrubbed whole.

Why on its own: everything verify prints passes through `scrub` last, so a spelling it misses,
a value it cannot register, or a secret it leaves in pieces is a leak nothing after it catches.
tests/process/test_verify_live.py greps verify's whole output for the spellings of one token;
these tests state the rules that grep relies on.
"""

from __future__ import annotations

import base64

import pytest

from stages.redaction import Redactor

TOKEN = "5f" * 32  # 64 characters: its base64 ends in "=="


@pytest.mark.parametrize("value", [TOKEN, "ab+/?>~"], ids=["token", "base64 with + and /"])
def test_each_spelling_of_a_value_is_scrubbed_whole(value: str) -> None:
    """The value, its base64, its URL-safe base64, and its base64 without padding (as in a JWT
    or a URL): the ways a Secret, a log line or a header may carry it."""
    redactor = Redactor()
    redactor.add(value)
    encoded = base64.b64encode(value.encode()).decode()
    url_safe = base64.urlsafe_b64encode(value.encode()).decode()
    for spelling in (value, encoded, url_safe, encoded.rstrip("=")):
        assert redactor.scrub(f"seen: {spelling}.") == "seen: [redacted]."


def test_a_value_that_is_not_text_is_known_by_its_base64_spellings() -> None:
    """A Secret may hold any bytes (a wrong value is what verify is there to find): registering
    them must not fail, and their base64 spellings are scrubbed."""
    redactor = Redactor()
    redactor.add(b"\xff\xfe\x00binary")
    assert redactor.scrub("data: //4AYmluYXJ5, url: __4AYmluYXJ5") == (
        "data: [redacted], url: [redacted]"
    )


def test_six_characters_are_a_secret_and_five_are_not() -> None:
    """Scrubbing every 5-character string would garble the output and protect nothing."""
    redactor = Redactor()
    redactor.add("s3cr3t")
    redactor.add("abcde")
    assert redactor.scrub("s3cr3t abcde") == "[redacted] abcde"


def test_a_secret_holding_another_is_scrubbed_whole_not_around_the_inner_one() -> None:
    """Secret stack config can overlap: a kubeconfig holds a token that may be registered on
    its own. Scrubbing the token first would leave the rest of the kubeconfig (its client key)
    in the output; the longer secret goes first."""
    token = "sha256~Zm9yIHRoZSBjbHVzdGVy"
    kubeconfig = (
        "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n"
        f"    client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t\n    token: {token}\n"
    )
    redactor = Redactor()
    redactor.add(kubeconfig)
    redactor.add(token)
    assert redactor.scrub(f"kubeconfig: {kubeconfig}") == "kubeconfig: [redacted]"
