"""Small pieces shared by pages and dialogs: tables, fields, search, charts, messages."""
