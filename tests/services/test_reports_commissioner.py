"""The commissioner's figures (#17) against the hand-counted unit of ``test_reports``, and the
funnel against a direct SQL count of the database.

On top of that unit: Łukasz attends a third session (10/03/Y) and his episode closes with
"Goals achieved" on 01/07/Y; outcome records give his arrests and wellbeing, and one after
his closure.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from tests.services.test_reports import (  # noqa: F401  (unit is a fixture)
    PERIOD,
    Unit,
    Y,
    _session,
    d,
    unit,
)
from veru_desk.db.engine import Database
from veru_desk.domain.enums import Attendance, ClosureReason, OutcomePoint
from veru_desk.domain.suppression import SMALL, WITHHELD
from veru_desk.services.outcome_cohort import Funnel, Spread
from veru_desk.services.outcome_figures import (
    FigureTable,
    OutcomeFigures,
    ReportPeriod,
    Targets,
    figure_tables,
)
from veru_desk.services.outcomes import OutcomeInput


def _lukasz_referral(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT id FROM referral WHERE young_person_id = :p"),
                {"p": _person(db, "Łukasz")},
            ).scalar_one()
        )


def _person(db: Database, first: str) -> int:
    with db.engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT id FROM young_person WHERE first_name = :f"), {"f": first}
            ).scalar_one()
        )


@pytest.fixture
def engaged(unit: Unit, db: Database) -> Unit:  # noqa: F811
    _session(unit.dariusz, unit.lukasz, d(10, 3), Attendance.ATTENDED)
    for day, arrests, charges, wellbeing in (
        (d(16, 1), 2, 1, 3),
        (d(1, 6), 1, 0, 7),
    ):
        unit.dariusz.outcomes.record(
            unit.lukasz,
            OutcomeInput(
                day, OutcomePoint.REVIEW, arrests=arrests, charges=charges, wellbeing=wellbeing
            ),
        )
    unit.aisha.outcomes.record(unit.zoe, OutcomeInput(d(12, 3), OutcomePoint.REVIEW, wellbeing=5))
    unit.aisha.outcomes.record(unit.zoe, OutcomeInput(d(2, 5), OutcomePoint.REVIEW, wellbeing=4))
    unit.dariusz.outcomes.record(unit.an, OutcomeInput(d(6, 1), OutcomePoint.REVIEW, wellbeing=6))
    unit.dariusz.outcomes.record(unit.an, OutcomeInput(d(2, 2), OutcomePoint.REVIEW, wellbeing=8))
    unit.dariusz.referrals.close(
        _lukasz_referral(db), ClosureReason.GOALS_ACHIEVED, "Back in school", on=d(1, 7)
    )
    return unit


SQL_FUNNEL = """
SELECT
  COUNT(*),
  SUM(CASE WHEN r.status IN ('accepted', 'allocated', 'active', 'closed') THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.status IN ('accepted', 'allocated', 'active', 'closed')
            AND r.first_contact_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.status IN ('accepted', 'allocated', 'active', 'closed')
            AND r.first_contact_on IS NOT NULL AND ({attended}) >= 3 THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.status = 'closed' AND r.closure_reason = 'goals_achieved'
            AND r.first_contact_on IS NOT NULL AND ({attended}) >= 3 THEN 1 ELSE 0 END)
FROM referral r
WHERE r.received_on >= :start AND r.received_on <= :end
""".format(
    attended="""
    SELECT COUNT(*) FROM mentoring_session m
    WHERE m.referral_id = r.id AND m.attendance = 'attended'
    """
)


def test_the_funnel_matches_the_hand_count_and_a_direct_sql_count(
    engaged: Unit, db: Database
) -> None:
    f = engaged.manager.reports.figures(PERIOD)
    # 5 referred in Y; Łukasz and Zoë accepted and contacted; only Łukasz attended 3
    # sessions, and his episode closed with its goals achieved.
    assert f.funnel == Funnel(5, 2, 2, 1, 1)
    with db.engine.connect() as connection:
        row = connection.execute(text(SQL_FUNNEL), {"start": PERIOD.start, "end": PERIOD.end}).one()
    assert tuple(int(n or 0) for n in row) == f.funnel.counts


def test_the_funnel_table_prints_small_stages_as_under_5_and_withholds_their_rates(
    engaged: Unit,
) -> None:
    f = engaged.manager.reports.figures(PERIOD)
    funnel = {row[0]: row[1:] for row in _table(f, "funnel").rows}
    assert funnel["Referred"] == [5, "", 100.0]
    assert funnel["Accepted"] == [SMALL, WITHHELD, WITHHELD]
    assert funnel["Engaged"] == [SMALL, WITHHELD, WITHHELD]
    assert "Engaged: first contact and 3 or more sessions attended" in _table(f, "funnel").note
    assert "<5: a number from 1 to 4" in _table(f, "funnel").note


def test_outcomes_carry_their_denominators(engaged: Unit) -> None:
    f = engaged.manager.reports.figures(PERIOD)
    assert (f.risk_change.improved, f.risk_change.people) == (1, 3)
    # Łukasz (excluded at first) is the only one not in education at his first record.
    assert (f.education_change.improved, f.education_change.eligible) == (1, 1)
    o = f.offending
    assert (o.people_during, o.arrested_during, o.arrests_during) == (1, 1, 3)
    assert (o.charged_during, o.charges_during) == (1, 1)
    assert o.people_after == 0
    rows = {row[0]: row[1:] for row in _table(f, "offending").rows}
    assert rows["After the episode closed"] == [0, 0, "n/a", 0, 0, "n/a", 0]
    assert "n/a: no outcome record gave arrests or charges after an episode closed" in (
        _table(f, "offending").note
    )


def test_arrests_recorded_after_the_episode_closed_count_as_after(engaged: Unit) -> None:
    engaged.manager.outcomes.record(
        engaged.lukasz, OutcomeInput(d(1, 9), OutcomePoint.REVIEW, arrests=1, charges=1)
    )
    o = engaged.manager.reports.figures(PERIOD).offending
    assert (o.people_after, o.arrested_after, o.arrests_after, o.charges_after) == (1, 1, 1, 1)
    assert (o.people_during, o.arrests_during) == (1, 3)  # unchanged: 2 + 1 before closure


def test_wellbeing_is_a_median_change_with_its_quartiles_withheld_under_5(
    engaged: Unit,
) -> None:
    f = engaged.manager.reports.figures(PERIOD)
    # Łukasz 3 -> 7, Zoë 5 -> 4, An 6 -> 8: changes 4, -1, 2.
    assert f.wellbeing.change == Spread(3, 2.0, 0.5, 3.0)
    assert f.wellbeing.improved == 2
    rows = {row[0]: row[1:] for row in _table(f, "wellbeing").rows}
    assert rows["Change (latest minus first)"] == [SMALL, WITHHELD, WITHHELD, WITHHELD]


def test_an_empty_median_prints_n_a_with_the_reason(unit: Unit) -> None:  # noqa: F811
    f = unit.manager.reports.figures(PERIOD)
    assert f.wellbeing.people == 0
    table = _table(f, "wellbeing")
    assert all(row[2:] == ["n/a", "n/a", "n/a"] for row in table.rows)
    assert "n/a: no young person supported in the period had two or more wellbeing" in table.note
    assert not any(cell == "" for row in table.rows for cell in row[1:])


def test_a_period_with_nothing_in_it_prints_n_a_with_why_never_a_blank_figure(
    unit: Unit,  # noqa: F811
) -> None:
    empty = ReportPeriod(dt.date(Y - 5, 1, 1), dt.date(Y - 5, 3, 31))
    tables = {t.key: t for t in figure_tables(unit.manager.reports.figures(empty))}
    funnel = tables["funnel"]
    assert funnel.rows[1] == ["Accepted", 0, "n/a", "n/a"]
    assert "n/a: cannot be computed, as there is nothing to count it over" in funnel.note
    timeliness = tables["timeliness"]
    assert timeliness.rows[0][1] == "n/a" and "n/a: cannot be computed" in timeliness.note
    headlines = {row[0]: row[1:] for row in tables["headlines"].rows}
    assert headlines["Sessions attended (of offered)"] == [0, 0, "n/a"]


def test_breakdowns_cover_everyone_referred_by_named_agency(engaged: Unit) -> None:
    f = engaged.manager.reports.figures(PERIOD)
    by_key = {b.key: b for b in f.breakdowns}
    agencies = dict(by_key["by_agency"].rows)
    assert agencies["Bedfordshire Police \u2013 Police"] == Funnel(2, 1, 1, 1, 1)
    assert agencies["Challney High \u2013 School or college"].referred == 3
    genders = dict(by_key["by_gender"].rows)
    assert (genders["Male"].referred, genders["Female"].referred) == (3, 2)
    ages = dict(by_key["by_age"].rows)  # age on the day of referral
    assert sum(funnel.referred for funnel in ages.values()) == 5
    table = _table(f, "by_agency")
    assert table.rows[-1][0] == "Total" and table.rows[-1][1] == 5


def test_quarters_add_up_to_the_period_and_the_previous_period_is_the_year_before(
    engaged: Unit,
) -> None:
    f = engaged.manager.reports.figures(PERIOD)
    assert [q.label for q in f.quarters] == [
        f"Jan to Mar {Y}",
        f"Apr to Jun {Y}",
        f"Jul to Sep {Y}",
        f"Oct to Dec {Y}",
    ]
    assert [q.funnel.referred for q in f.quarters] == [2, 1, 0, 2]
    assert f.previous is not None
    assert f.previous.period == ReportPeriod(dt.date(Y - 1, 1, 1), dt.date(Y - 1, 12, 31))
    assert f.previous.funnel.referred == 1  # Văn An, 01/11/Y-1
    quarters = _table(f, "quarters")
    assert quarters.rows[-1][:2] == ["Total", 5]


def test_a_period_cut_across_quarters_names_the_days_it_holds() -> None:
    from veru_desk.services.outcome_figures import quarter_label, quarter_spans

    spans = quarter_spans(ReportPeriod(dt.date(2025, 12, 1), dt.date(2026, 11, 30)))
    assert quarter_label(spans[0]) == "01/12/2025 to 31/12/2025 (part of Oct to Dec 2025)"
    assert quarter_label(spans[1]) == "Jan to Mar 2026"
    assert ReportPeriod(dt.date(2026, 1, 1), dt.date(2026, 3, 31)).previous() == ReportPeriod(
        dt.date(2025, 10, 1), dt.date(2025, 12, 31)
    )
    assert ReportPeriod(dt.date(2026, 1, 10), dt.date(2026, 1, 19)).previous() == ReportPeriod(
        dt.date(2025, 12, 31), dt.date(2026, 1, 9)
    )


def test_targets_give_the_share_within_them(unit: Unit) -> None:  # noqa: F811
    f = unit.manager.reports.figures(PERIOD, targets=Targets(decision_days=4))
    # Days to decision: 5, 10, 3, 2: two of four within 4 days.
    assert f.within_decision_target == 2
    rows = {row[0]: row[1:] for row in _table(f, "timeliness").rows}
    assert rows["Referral to decision"] == [WITHHELD, SMALL, 4, WITHHELD]
    assert rows["Referral to first contact"][2:] == ["none set", "n/a"]


def test_a_large_funnel_prints_numbers_as_numbers_and_a_small_stage_hides_its_rates() -> None:
    f = _figures(Funnel(120, 90, 80, 60, 3))
    rows = {row[0]: row[1:] for row in _table(f, "funnel").rows}
    assert rows["Accepted"] == [90, 75.0, 75.0]
    assert rows["Engaged"] == [60, 75.0, 50.0]
    assert rows["Closed positively"] == [SMALL, WITHHELD, WITHHELD]
    headlines = {row[0]: row[1:] for row in _table(f, "headlines").rows}
    assert headlines["Closed positively (of engaged)"] == [SMALL, 60, WITHHELD]


def test_a_count_printed_in_two_tables_cannot_give_away_a_small_one_between_them() -> None:
    """43 received, 3 awaiting a decision: the 40 'referrals counted' to a decision in the
    time table would give the 3 away (43 - 40), so it is withheld, not the 43 received."""
    from dataclasses import replace

    f = replace(
        _figures(Funnel(43, 30, 25, 20, 10)),
        decisions={"Accepted": 30, "Declined": 10, "Awaiting decision": 3},
        decided=40,
        median_days_to_decision=4.0,
    )
    decisions = dict((row[0], row[1]) for row in _table(f, "decisions").rows)
    assert decisions["Awaiting decision"] == SMALL
    assert decisions["Total"] == 43
    timeliness = {row[0]: row[1:] for row in _table(f, "timeliness").rows}
    assert timeliness["Referral to decision"][:2] == [4.0, WITHHELD]
    funnel = {row[0]: row[1] for row in _table(f, "funnel").rows}
    assert funnel["Referred"] == 43
    # Whatever else is withheld, what is shown never fixes the 3.
    shown_accepted, shown_declined = decisions["Accepted"], decisions["Declined"]
    assert WITHHELD in (shown_accepted, shown_declined)
    assert funnel["Accepted"] == shown_accepted


def test_a_part_whose_rest_is_under_5_is_withheld_so_the_rest_cannot_be_worked_out() -> None:
    """Wellbeing rose for 10 of 11: printing the 10 would say that 1 young person's did not."""
    from dataclasses import replace

    from veru_desk.services.outcome_cohort import OffendingFigures, WellbeingFigures

    spread = Spread(11, 2.0, 1.0, 3.0)
    f = replace(
        _figures(Funnel(40, 36, 30, 20, 10)),
        wellbeing=WellbeingFigures(spread, spread, spread, improved=10),
        offending=OffendingFigures(people_during=20, arrested_during=17, arrests_during=30),
    )
    outcomes = {row[0]: row[1:] for row in _table(f, "outcomes").rows}
    assert outcomes["Wellbeing score rose (of those with two or more scores)"] == [
        WITHHELD,
        11,
        WITHHELD,
    ]
    offending = {row[0]: row[1:] for row in _table(f, "offending").rows}
    # 17 of 20 arrested leaves 3 not arrested: withheld; 0 charged of 20 is shown.
    assert offending["During an episode"][:4] == [20, WITHHELD, WITHHELD, 30]
    assert offending["During an episode"][4:6] == [0, 0.0]


def _table(f: OutcomeFigures, key: str) -> FigureTable:
    return {t.key: t for t in figure_tables(f)}[key]


def _figures(funnel: Funnel) -> OutcomeFigures:
    from veru_desk.services.outcome_figures import ChangeFigures, SessionFigures

    sessions = SessionFigures(0, 0, 0, 0, 0)
    return OutcomeFigures(
        period=PERIOD,
        filters=[],
        referrals_received=funnel.referred,
        referrals_by_source={},
        referrals_by_reason={},
        decisions={},
        median_days_to_decision=None,
        decided=0,
        median_days_to_first_contact=None,
        contacted=0,
        caseload_by_worker=[],
        sessions=sessions,
        sessions_by_type={},
        risk_change=ChangeFigures({}, 0, 0, 0),
        education_change=ChangeFigures({}, 0, 0, 0, 0),
        goals_by_status={},
        closures_by_reason={},
        supported=0,
        age_bands={},
        genders={},
        ethnicities={},
        funnel=funnel,
    )
