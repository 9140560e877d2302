"""Migration 0003 repairs the cases a re-referral took from their workers (issue #13).

Release 0.1.0 made a second referral of an open case the case's current referral: the case
showed as received, with no worker and no review date. A database from that release, in that
state, must open in this one with the case back with its worker and the second referral
marked as a further referral of the open episode.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from veru_desk.config import resolve_database
from veru_desk.db.opening import open_database

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "schema-0002.db"


def test_a_re_referred_case_from_release_0002_is_given_back_to_its_worker(
    tmp_path: Path,
) -> None:
    path = tmp_path / "office.db"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as raw:
        episode_id, person_id, worker_id, received = raw.execute(
            "SELECT id, young_person_id, allocated_worker_id, received_on FROM referral "
            "WHERE status = 'active' AND allocated_worker_id IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
        review = raw.execute(
            "SELECT next_review_on FROM risk_assessment WHERE young_person_id = ? "
            "ORDER BY assessed_on DESC, id DESC LIMIT 1",
            (person_id,),
        ).fetchone()
        # what 0.1.0 wrote for a re-referral: a received referral that became the case
        columns = [
            row[1] for row in raw.execute("PRAGMA table_info(referral)") if row[1] != "id"
        ]
        raw.execute(
            f"INSERT INTO referral ({', '.join(columns)}) SELECT "
            + ", ".join(
                {
                    "status": "'received'",
                    "allocated_worker_id": "NULL",
                    "allocated_on": "NULL",
                    "decided_on": "NULL",
                    "decided_by_id": "NULL",
                    "first_contact_on": "NULL",
                    "received_on": "date(received_on, '+30 days')",
                }.get(name, name)
                for name in columns
            )
            + " FROM referral WHERE id = ?",
            (episode_id,),
        )
        (further_id,) = raw.execute("SELECT max(id) FROM referral").fetchone()
        raw.execute(
            "UPDATE young_person SET current_referral_id = ?, current_status = 'received', "
            "current_worker_id = NULL, next_review_on = NULL WHERE id = ?",
            (further_id, person_id),
        )
        untouched = raw.execute(
            "SELECT count(*) FROM referral WHERE status IN ('received', 'screening')"
        ).fetchone()[0]
    assert received and untouched == 1

    open_database(resolve_database(str(path))).dispose()

    with sqlite3.connect(path) as raw:
        assert raw.execute(
            "SELECT open_case_referral_id FROM referral WHERE id = ?", (further_id,)
        ).fetchone() == (episode_id,)
        assert raw.execute(
            "SELECT current_referral_id, current_status, current_worker_id, next_review_on "
            "FROM young_person WHERE id = ?",
            (person_id,),
        ).fetchone() == (episode_id, "active", worker_id, review[0] if review else None)
        others = raw.execute(
            "SELECT count(*) FROM referral WHERE open_case_referral_id IS NOT NULL"
        ).fetchone()[0]
        assert others == 1
