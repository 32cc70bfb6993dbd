"""Shared plumbing: database, clock, errors, i18n, request dependencies."""
