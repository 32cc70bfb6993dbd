"""Users, roles, jurisdiction scope, sessions, API tokens and the audit log."""
