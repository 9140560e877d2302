"""Dialogs that create or change one record, or walk through one job (import, subject access)."""
