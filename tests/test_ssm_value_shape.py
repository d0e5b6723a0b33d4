"""What verify says of the parameter's value: its length and whether it is all lowercase hex.

The token the stack generates is 64 lowercase hex characters; verify prints the value's shape
(`stages.parameter.ssm_reader.shape_of`) so a reader can tell a value someone else put there
(another length, another alphabet) without the value being shown.
"""

from __future__ import annotations

import pytest

from stages.parameter.ssm_reader import shape_of


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("5f" * 32, "64 hex characters"),
        ("5F" * 32, "64 characters"),
        ("dG9rZW4tc2V0LWJ5LWhhbmQ=", "24 characters"),
        ("token with spaces", "17 characters"),
    ],
)
def test_the_value_is_described_by_its_length_and_alphabet(value: str, shape: str) -> None:
    assert shape_of(value) == shape
