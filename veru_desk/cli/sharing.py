"""``veru-desk sharing``: the sharing decision a multi-agency summary needs, from a script.

``veru-desk summary --profile multi-agency`` uses the case's latest unused decision, so a
script records the decision here first (and a manager approves it where consent was refused),
exactly as the export dialog's sharing step does.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from veru_desk.cli import CommandError, Context, uk_date
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.sharing import LawfulBasis, ShareSection, SharingDraft

if TYPE_CHECKING:
    from veru_desk.services import Services


def register(subparsers: Any) -> None:
    sharing = subparsers.add_parser(
        "sharing",
        help="record or approve the sharing decision a multi-agency summary needs",
        description="A multi-agency summary is exported only under a recorded sharing "
        "decision: the lawful basis, the meeting and its agencies, and what special category "
        "details go.",
    )
    verbs = sharing.add_subparsers(title="actions", dest="action", metavar="ACTION")
    verbs.required = True
    record = verbs.add_parser("record", help="record a sharing decision for a case")
    record.add_argument("case_ref", metavar="CASE_REF")
    record.add_argument(
        "--basis",
        required=True,
        choices=[b.value for b in LawfulBasis],
        help="consent, or an exemption: children_act_1989, crime_and_disorder_s115",
    )
    record.add_argument("--meeting", required=True, metavar="TEXT")
    record.add_argument("--meeting-date", required=True, type=uk_date, metavar="DATE")
    record.add_argument(
        "--agency", action="append", default=[], metavar="NAME", help="repeat for each agency"
    )
    record.add_argument(
        "--share",
        action="append",
        default=[],
        choices=[s.value for s in ShareSection],
        help="a special category section to share (withheld unless named; repeat)",
    )
    record.add_argument("--consent-given-by", metavar="TEXT", help="for consent: who and when")
    record.add_argument("--reason", metavar="TEXT", help="for an exemption: why")
    record.add_argument("--destroy-after", type=uk_date, metavar="DATE")
    record.set_defaults(func=run_record)
    approve = verbs.add_parser("approve", help="a manager approves a decision (by its number)")
    approve.add_argument("decision_id", type=int, metavar="NUMBER")
    approve.set_defaults(func=run_approve)
    pending = verbs.add_parser("pending", help="a case's decisions not yet used by an export")
    pending.add_argument("case_ref", metavar="CASE_REF")
    pending.set_defaults(func=run_pending)


def _person(services: Services, case_ref: str) -> int:
    wanted = case_ref.strip().upper()
    hits = [h for h in services.people.search(wanted) if h.case_ref == wanted]
    if not hits:
        raise CommandError(f"There is no case {wanted}: check the case reference.")
    return hits[0].person_id


def run_record(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    person_id = _person(services, args.case_ref)
    view = services.sharing.record(
        person_id,
        SharingDraft(
            basis=LawfulBasis(args.basis),
            meeting=args.meeting,
            meeting_on=args.meeting_date,
            agencies=tuple(args.agency),
            shared=frozenset(ShareSection(code) for code in args.share),
            consent_given_by=args.consent_given_by,
            reason=args.reason,
            destroy_after=args.destroy_after,
        ),
    )
    ctx.print(
        f"Sharing decision {view.id} recorded for {view.meeting_text}; "
        f"{view.approval_text.lower()}. {view.handling}"
    )
    return 0


def run_approve(args: argparse.Namespace, ctx: Context) -> int:
    view = ctx.services().sharing.approve(args.decision_id)
    ctx.print(f"Sharing decision {view.id} ({view.meeting_text}): {view.approval_text}.")
    return 0


def run_pending(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    rows = services.sharing.pending(_person(services, args.case_ref))
    if not rows:
        ctx.print("No sharing decision waits for an export.")
    for view in rows:
        ctx.print(
            f"{view.id}  {format_uk_date(view.decided_on)}  {view.meeting_text}  "
            f"{view.basis.label}  {view.approval_text}"
        )
    return 0
