"""e2e.harness.parallel: the workers' report parts make one report, and their ports never
overlap (the e2e itself only shows that a run passed, not why two worlds did not collide)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e.harness import parallel


def test_parts_merge_lists_joined_mappings_joined_and_a_value_once(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    parallel.part_path(report, "gw0").write_text(
        json.dumps({"steps": [{"name": "a"}], "rollouts": {"up": 1}, "preview_noop_changes": None})
    )
    parallel.part_path(report, "gw1").write_text(
        json.dumps(
            {"steps": [{"name": "b"}], "rollouts": {"rotation": 1}, "preview_noop_changes": 0}
        )
    )

    parallel.merge_parts(report)

    assert json.loads(report.read_text()) == {
        "preview_noop_changes": 0,
        "rollouts": {"rotation": 1, "up": 1},
        "steps": [{"name": "a"}, {"name": "b"}],
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_each_worker_draws_ports_from_its_own_share(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    shares = []
    for name in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", name)
        shares.append(parallel.port_range(10000, 32768))

    assert shares == [(10000, 21384), (21384, 32768)]


def test_without_workers_the_whole_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)

    assert parallel.port_range(10000, 32768) == (10000, 32768)


def test_a_worker_line_is_marked_once_however_it_is_written() -> None:
    class Sink:
        text = ""

        def write(self, piece: str) -> int:
            self.text += piece
            return len(piece)

        def flush(self) -> None: ...

    sink = Sink()
    stream = parallel.Prefixed(sink, "[gw1] ")  # type: ignore[arg-type]
    stream.write("starting etcd")
    stream.write(" ...\nready\n")

    assert sink.text == "[gw1] starting etcd ...\n[gw1] ready\n"


def test_a_group_is_scheduled_as_one_scope_whatever_the_module() -> None:
    scopes = {
        parallel.scope_of("e2e/scenarios/test_scenarios.py::test_up"),
        parallel.scope_of("e2e/scenarios/test_secrets_scan.py::test_scan[cluster]"),
    }

    assert scopes == {"a"}
    assert parallel.scope_of("e2e/scenarios/test_runbook.py::test_day1") == "b"
