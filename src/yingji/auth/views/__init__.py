"""Pages of accounts and their oversight, one module per meaning, included in this order:
login.py (signing in and out, one's own password), audit.py (the audit log), users.py (user
administration), security.py (the security events)."""

from __future__ import annotations

from fastapi import APIRouter

from yingji.auth.views import audit, login, security, users

router = APIRouter(include_in_schema=False)
for _part in (login, audit, users, security):
    router.include_router(_part.router)
