"""``bench --server``'s shared-office load, small: two PCs for five seconds on the test server.

It must report every operation of the mix with figures alone and under load, no errors, and
every session and note a PC was told had been saved found in the database.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, func, select

from veru_desk.bench.load import LOAD_RATIO, OPERATION_NAMES, shared_office
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import CaseNote, MentoringSession
from veru_desk.demo import DEMO_PASSWORD, add_demo_team, generate_demo_data
from veru_desk.services.actor import SYSTEM

pytestmark = pytest.mark.postgres


def _counts(url: str) -> tuple[int, int]:
    db = Database.open(resolve_database(url))
    try:
        with db.read() as session:
            sessions = session.scalar(select(func.count()).select_from(MentoringSession))
            notes = session.scalar(select(func.count()).select_from(CaseNote))
            return int(sessions or 0), int(notes or 0)
    finally:
        db.dispose()


def test_two_pcs_under_load_report_every_operation_with_no_errors_and_no_lost_writes(
    pg_url: str,
) -> None:
    db = Database.open(resolve_database(pg_url))
    try:
        add_demo_team(db)
        generate_demo_data(db, 60, 3, actor=SYSTEM)
    finally:
        db.dispose()
    before = _counts(pg_url)
    said: list[str] = []

    report = shared_office(pg_url, DEMO_PASSWORD, said.append, clients=2, seconds=5, think=0.0)

    assert report.errors == []
    assert report.lost_writes == 0
    assert report.clients == 2 and report.caseworkers == 2
    assert [op.name for op in report.operations] == list(OPERATION_NAMES)
    for op in report.operations:
        assert op.loaded, f"{op.name} never ran under load"
        assert op.single, f"{op.name} never ran alone"
        assert op.ratio is not None and op.ratio > 0
    writes = report.saved_sessions + report.saved_notes
    assert writes > 0
    after = _counts(pg_url)
    # What the PCs said they saved is in the database, and nothing else was written.
    assert (after[0] - before[0], after[1] - before[1]) == (
        report.saved_sessions,
        report.saved_notes,
    )
    data = report.as_json()
    assert data["errors"] == 0 and data["lost_writes"] == 0
    operations = data["operations"]
    assert isinstance(operations, list)
    for item in operations:
        assert {"p50_s", "p95_s", "single_p95_s", "ratio_p95", "within_budget"} <= set(item)
        assert item["budget"] == f"p95 ≤ {LOAD_RATIO:g} × single-user p95"
    assert any("at once" in line for line in said)


def test_a_new_empty_server_database_is_given_the_schema_and_filled(
    postgres_server: str, pg_admin: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database set aside for ``bench --server`` is usually new: the bench gives it the
    schema as the app's first start would, instead of failing on a missing table."""
    from veru_desk.bench import cache, runner
    from veru_desk.db.models import YoungPerson

    monkeypatch.setattr(runner, "LARGE_CASE_SESSIONS", 20)  # the large case, kept small here
    monkeypatch.setattr(cache, "LARGE_CASE_SESSIONS", 20)
    monkeypatch.setattr(cache, "LARGE_CASE_CHRONOLOGY", 20)
    name = f"veru_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = f"{postgres_server}/{name}"
    try:
        said: list[str] = []
        _seconds, large = runner.fill_server(url, 30, 3, said.append)
        db = Database.open(resolve_database(url))
        try:
            with db.read() as session:
                people = session.scalar(select(func.count()).select_from(YoungPerson))
                sessions = session.scalar(
                    select(func.count())
                    .select_from(MentoringSession)
                    .where(MentoringSession.young_person_id == large)
                )
        finally:
            db.dispose()
        assert people == 30
        assert (sessions or 0) >= 20
        assert any("Adding 30 young people" in line for line in said)
    finally:
        with pg_admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
