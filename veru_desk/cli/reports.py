"""``veru-desk summary`` and ``veru-desk report outcomes``: the documents, from a script.

A summary made here is recorded in the case's Exports tab and the audit log exactly as one
made in the app, because both go through ``reports.case_summary.export_case_summary``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from veru_desk.cli import CommandError, Context, uk_date
from veru_desk.domain.enums import ReferralReason
from veru_desk.domain.errors import ValidationError
from veru_desk.services.outcome_figures import ReportPeriod
from veru_desk.services.summary import PreparedFor, SharingProfile


def register(subparsers: Any) -> None:
    summary = subparsers.add_parser(
        "summary",
        help="export a case summary PDF for a meeting",
        description="Writes the case summary PDF (marked, page-numbered) and records the "
        "export in the case's Exports tab and the audit log.",
    )
    summary.add_argument("case_ref", metavar="CASE_REF", help="e.g. VERU-2026-00012")
    summary.add_argument("-o", "--output", required=True, type=Path, metavar="FILE.pdf")
    summary.add_argument(
        "--profile",
        choices=[p.value for p in SharingProfile],
        default=SharingProfile.MULTI_AGENCY.value,
        help="multi-agency (default) withholds contact details, the NHS number and "
        "confidential notes; full is for use inside the unit",
    )
    summary.add_argument("--meeting", metavar="TEXT", help="the meeting it is prepared for")
    summary.add_argument(
        "--meeting-date", type=uk_date, metavar="DATE", help="the meeting's date (dd/mm/yyyy)"
    )
    summary.set_defaults(func=run_summary)

    report = subparsers.add_parser("report", help="management reports")
    kinds = report.add_subparsers(title="reports", dest="report", metavar="REPORT")
    kinds.required = True
    outcomes = kinds.add_parser(
        "outcomes",
        help="the outcome report for a period (PDF, CSV or Excel by the file's extension)",
        description="Counts the referral funnel (referred, accepted, first contact, engaged, "
        "closed positively), outcomes with their denominators (risk, education, offending, "
        "wellbeing), breakdowns by age, gender, ethnicity and referring agency, a quarterly "
        "trend, a comparison with the previous period and time from referral, for a period; "
        "numbers from 1 to 4 print as <5. Managers only.",
    )
    outcomes.add_argument("--from", dest="start", required=True, type=uk_date, metavar="DATE")
    outcomes.add_argument("--to", dest="end", required=True, type=uk_date, metavar="DATE")
    outcomes.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE.pdf|FILE.csv|FILE.xlsx"
    )
    outcomes.add_argument("--worker", metavar="USERNAME", help="only this caseworker's cases")
    outcomes.add_argument("--agency", metavar="NAME", help="only referrals from this agency")
    outcomes.add_argument(
        "--reason", metavar="REASON", help="only referrals giving this reason (e.g. county_lines)"
    )
    outcomes.add_argument(
        "--commentary-file",
        type=Path,
        metavar="FILE.txt",
        help="the manager's commentary (UTF-8 text), printed on the first page",
    )
    outcomes.add_argument(
        "--decision-target-days",
        type=_days,
        metavar="DAYS",
        help="target days from referral to decision: adds the share decided within it",
    )
    outcomes.add_argument(
        "--contact-target-days",
        type=_days,
        metavar="DAYS",
        help="target days from referral to first contact: adds the share within it",
    )
    outcomes.set_defaults(func=run_outcomes)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of days") from None
    if days < 0:
        raise argparse.ArgumentTypeError("a target cannot be a negative number of days")
    return days


def run_summary(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.reports.case_summary import export_case_summary

    if args.output.suffix.lower() != ".pdf":
        raise CommandError(f"Name the output file .pdf (got '{args.output.name}').")
    if args.meeting_date is not None and not (args.meeting or "").strip():
        raise CommandError("--meeting-date needs --meeting: name the meeting as well.")
    services = ctx.services()
    wanted = args.case_ref.strip().upper()
    hits = [h for h in services.people.search(wanted) if h.case_ref == wanted]
    if not hits:
        raise CommandError(f"There is no case {wanted}: check the case reference.")
    meeting = " ".join((args.meeting or "").split())
    prepared = PreparedFor(meeting, args.meeting_date) if meeting else None
    profile = SharingProfile.parse(args.profile)
    result = export_case_summary(services, hits[0].person_id, args.output, profile, prepared)
    ctx.print(
        f"Wrote {result.path} ({result.pages} pages, {profile.label.lower()} profile); "
        "recorded in the case's exports."
    )
    return 0


def run_outcomes(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.reports.outcome_report import FORMATS, export_outcome_report
    from veru_desk.services.outcome_figures import Targets

    if args.output.suffix.lower() not in FORMATS:
        raise CommandError(
            f"Name the output file .pdf, .csv or .xlsx (got '{args.output.name}'): the "
            "format follows the extension."
        )
    try:
        period = ReportPeriod(args.start, args.end)
    except ValidationError as error:
        raise CommandError(error.fields["end"]) from None
    reason: ReferralReason | None = None
    if args.reason:
        try:
            reason = ReferralReason.from_text(args.reason)
        except ValueError:
            codes = ", ".join(r.value for r in ReferralReason)
            raise CommandError(f"Unknown reason '{args.reason}'; use one of: {codes}.") from None
    commentary = ""
    if args.commentary_file is not None:
        try:
            commentary = args.commentary_file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"There is no commentary file {args.commentary_file}.") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"The commentary file {args.commentary_file} is not UTF-8 text: save it as "
                "UTF-8 and try again."
            ) from None
        except OSError as error:
            raise CommandError(
                f"The commentary file {args.commentary_file} cannot be read: {error.strerror}."
            ) from None
    services = ctx.services()
    worker_id = services.users.by_username(args.worker).id if args.worker else None
    agency_id = None
    if args.agency:
        agencies = services.reports.choices().agencies
        wanted = " ".join(args.agency.split()).casefold()
        matches = [ident for ident, name in agencies if name.casefold() == wanted]
        if not matches:
            raise CommandError(f"There is no referring agency called '{args.agency}'.")
        agency_id = matches[0]
    try:
        path = export_outcome_report(
            services,
            args.output,
            period,
            worker_id=worker_id,
            agency_id=agency_id,
            reason=reason,
            commentary=commentary,
            targets=Targets(args.decision_target_days, args.contact_target_days),
        )
    except ValidationError as error:
        raise CommandError(" ".join(error.fields.values())) from None
    ctx.print(f"Wrote the outcome report for {period.text} to {path}.")
    return 0
