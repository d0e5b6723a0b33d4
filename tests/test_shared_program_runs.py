"""The plan's tests share program runs (conftest.shared_program_runs): a shared run must be
exactly what a new run returns, and must not be changed by whoever received it before."""

from __future__ import annotations

from typing import Any

import pytest

from tools.plan import app as plan
from tools.plan.mock_runtime import ProgramFailed, run_program


@pytest.mark.usefixtures("shared_program_runs")
def test_a_shared_run_is_a_fresh_run_and_a_copy(cluster_config: dict[str, Any]) -> None:
    first = plan.run_program(cluster_config, project="openclaw-cron-webhook", stack="dev")
    first.registrations[0].inputs["changed"] = "by an earlier test"
    first.outputs.clear()

    again = plan.run_program(cluster_config, project="openclaw-cron-webhook", stack="dev")

    assert again == run_program(cluster_config, project="openclaw-cron-webhook", stack="dev")
    assert again is not first
    assert "changed" not in again.registrations[0].inputs


@pytest.mark.usefixtures("shared_program_runs")
def test_a_shared_failure_is_raised_again_with_its_cause() -> None:
    bad = {"openclaw-cron-webhook:namespace": "Not A DNS Name"}
    with pytest.raises(ProgramFailed) as fresh:
        run_program(bad)
    for _ in range(2):
        with pytest.raises(ProgramFailed) as shared:
            plan.run_program(bad, project="openclaw-cron-webhook", stack="dev")
        assert str(shared.value) == str(fresh.value)
        assert shared.value.recording == fresh.value.recording
