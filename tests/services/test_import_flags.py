"""The referral import's optional safeguarding_flags column: each kind a partner lists
becomes a flag from the referral date, recorded by whoever imported it and audited; an
unknown word refuses the row with a message naming the column."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.services.test_imports import RECEIVED, csv_bytes, row
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, SafeguardingFlagRecord
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.safeguarding import FlagKind
from veru_desk.services import Services
from veru_desk.services.imports import ImportRejected

RECEIVED_ON = dt.datetime.strptime(RECEIVED, "%d/%m/%Y").date()


def test_imported_flags_start_on_the_referral_date_and_are_audited(
    as_dariusz: Services, db: Database
) -> None:
    as_dariusz.imports.run(
        csv_bytes(
            [
                row(safeguarding_flags="CCE; looked after"),
                row(first_name="Zoë", last_name="Çelik", safeguarding_flags=""),
            ]
        )
    )
    with db.read() as session:
        flags = session.execute(
            select(
                SafeguardingFlagRecord.kind,
                SafeguardingFlagRecord.started_on,
                SafeguardingFlagRecord.ended_on,
                SafeguardingFlagRecord.created_by_id,
            ).order_by(SafeguardingFlagRecord.kind)
        ).all()
        audited = session.scalars(
            select(AuditEvent.summary).where(
                AuditEvent.entity_type == "safeguarding_flag",
                AuditEvent.action == AuditAction.CREATE,
            )
        ).all()
    assert [tuple(f) for f in flags] == [
        (FlagKind.CCE, RECEIVED_ON, None, as_dariusz.actor.user_id),
        (FlagKind.LOOKED_AFTER, RECEIVED_ON, None, as_dariusz.actor.user_id),
    ]
    assert sorted(audited) == [
        f"Safeguarding flag added from a file, row 2: Child criminal exploitation concern "
        f"from {RECEIVED}",
        f"Safeguarding flag added from a file, row 2: Looked after from {RECEIVED}",
    ]


def test_an_unknown_flag_refuses_the_row_naming_the_column(
    as_dariusz: Services, db: Database
) -> None:
    preview = as_dariusz.imports.preview(csv_bytes([row(safeguarding_flags="CCE; gangs")]))
    [error] = preview.errors
    assert (error.line, error.field) == (2, "safeguarding_flags")
    assert "'gangs' is not a safeguarding flag we know" in error.message
    with pytest.raises(ImportRejected):
        as_dariusz.imports.run(csv_bytes([row(safeguarding_flags="CCE; gangs")]))
    with db.read() as session:
        assert session.scalars(select(SafeguardingFlagRecord)).all() == []
