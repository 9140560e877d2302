"""Whole pages the sidebar opens: dashboard, triage, caseload, people, calendar, reports,
audit, retention and administration."""
