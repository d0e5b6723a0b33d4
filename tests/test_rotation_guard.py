"""The rotation guard's provider, as the engine calls it: `check(olds, news)` with the state's
inputs beside the config's. A rotation goes only forward; the refusal names both rotations,
what going back would really do, and the two commands that fix it."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from components.rotation_guard_provider import RotationGuardProvider

REFUSAL = (
    "token.rotation '1' goes back from the current rotation '2': a rotation only goes "
    "forward. Going back does not bring the earlier token back: it would generate a NEW token, "
    "a new -r1 ExternalSecret/Secret pair and a rollout, and every receiver holding the current "
    "token would get 401s. Nothing was changed. Keep the current rotation (pulumi config set "
    "--path 'openclaw-cron-webhook:token.rotation' 2), or rotate forward to a label never used "
    "(pulumi config set --path 'openclaw-cron-webhook:token.rotation' 3)"
)


def check(olds: Mapping[str, object], rotation: str) -> tuple[dict[str, object], list[str]]:
    result = RotationGuardProvider().check(dict(olds), {"rotation": rotation})
    # The engine's dynamic provider server iterates `failures`: a list even when empty.
    return result.inputs, [f"{f.property}: {f.reason}" for f in result.failures]


def test_a_first_check_has_no_olds_and_records_no_earlier_rotation() -> None:
    assert check({}, "1") == ({"rotation": "1", "used": []}, [])


def test_a_forward_rotation_is_accepted_and_the_current_one_recorded() -> None:
    assert check({"rotation": "1", "used": []}, "2") == ({"rotation": "2", "used": ["1"]}, [])


def test_an_unchanged_rotation_keeps_its_record() -> None:
    assert check({"rotation": "2", "used": ["1"]}, "2") == ({"rotation": "2", "used": ["1"]}, [])


def test_going_back_is_refused_with_what_it_would_really_do() -> None:
    assert check({"rotation": "2", "used": ["1"]}, "1")[1] == [f"rotation: {REFUSAL}"]


@pytest.mark.parametrize(
    ("olds", "rotation"),
    [
        ({"rotation": "5"}, "3"),  # lower, never used (a guard created at rotation 5)
        ({"rotation": "2024-q2", "used": ["2024-q1"]}, "2024-q1"),  # a label used before
    ],
)
def test_a_lower_number_or_a_label_used_before_is_refused(
    olds: dict[str, object], rotation: str
) -> None:
    inputs, failures = check(olds, rotation)
    assert inputs == {"rotation": rotation}
    assert len(failures) == 1
    assert failures[0].startswith(f"rotation: token.rotation {rotation!r} goes back from")


def test_a_new_label_after_labels_is_accepted() -> None:
    olds = {"rotation": "2024-q2", "used": ["2024-q1"]}
    assert check(olds, "2024-q3") == ({"rotation": "2024-q3", "used": ["2024-q1", "2024-q2"]}, [])


def test_diff_update_create_and_read_return_the_rotations_only() -> None:
    """The guard's id is one fixed name (it stands for no object anywhere), and a refresh
    reads back the state's own inputs: there is nothing else to read them from."""
    provider = RotationGuardProvider()
    olds, news = {"rotation": "1", "used": []}, {"rotation": "2", "used": ["1"]}
    assert (provider.diff("id", olds, news).changes, provider.diff("id", news, news).changes) == (
        True,
        False,
    )
    assert provider.diff("id", olds, news).replaces == []
    assert provider.update("id", olds, news).outs == news
    created = provider.create(news)
    assert (created.id, created.outs) == ("rotation-guard", news)
    read = provider.read("rotation-guard", news)
    assert (read.id, read.outs) == ("rotation-guard", news)
    provider.delete("id", news)  # nothing to remove: the guard lives in the state only


def test_a_label_with_the_current_number_spelled_otherwise_is_a_new_label() -> None:
    """`02` is neither used before nor lower than `2`: it names a new -r02 pair (a new token,
    which is what rotating means), so it goes forward."""
    assert check({"rotation": "2", "used": ["1"]}, "02") == (
        {"rotation": "02", "used": ["1", "2"]},
        [],
    )


def test_going_back_among_named_labels_asks_for_a_new_label_not_a_number() -> None:
    """No label is a number, so there is no next number to suggest; the command says what to
    put in its place."""
    _, failures = check({"rotation": "2024-q2", "used": ["2024-q1"]}, "2024-q1")

    assert failures[0].endswith(
        "Keep the current rotation (pulumi config set --path "
        "'openclaw-cron-webhook:token.rotation' 2024-q2), or rotate forward to a label never "
        "used (pulumi config set --path 'openclaw-cron-webhook:token.rotation' <a new label>)"
    )
