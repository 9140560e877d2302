"""``bench --server``: what it refuses and how the shared office's figures are judged.

The load itself on a real server is ``tests/db/test_bench_server_load.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from veru_desk.bench.load import LoadReport, OperationLoad
from veru_desk.cli import main


def test_a_file_is_not_a_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["bench", "--server", str(tmp_path / "office.db"), "--only", "shared_office"])
    assert status == 1
    assert "--server takes a PostgreSQL URL" in capsys.readouterr().err


def test_the_load_is_within_budget_at_most_twice_alone_with_no_errors_or_lost_writes() -> None:
    quick = OperationLoad("search", loaded=[0.010] * 9 + [0.040], single=[0.010] * 9 + [0.020])
    assert quick.ratio == pytest.approx(2.0) and quick.within_budget
    slow = OperationLoad("open_case", loaded=[0.010] * 9 + [0.041], single=[0.020] * 10)
    assert slow.ratio == pytest.approx(2.05) and not slow.within_budget
    never = OperationLoad("add_note", loaded=[], single=[0.010])
    assert never.ratio is None and not never.within_budget

    def report(errors: list[str], lost: int) -> LoadReport:
        return LoadReport(
            clients=2, caseworkers=2, seconds=5, think=0, operations=[quick],
            errors=errors, saved_sessions=3, saved_notes=2, lost_writes=lost,
        )  # fmt: skip

    assert report([], 0).within_budget
    assert not report(["aisha: record_session ConflictError: changed"], 0).within_budget
    assert not report([], 1).within_budget
    assert report([], 1).as_json()["lost_writes"] == 1
