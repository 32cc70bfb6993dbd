"""``yingji users …``: accounts from the command line (as the system: every jurisdiction). Each change
goes through the same services as the pages and the API, so it is checked and audited alike."""

from __future__ import annotations

import json
from datetime import timedelta

import click


def _db():
    from yingji.config import load_settings
    from yingji.core.db import open_database

    return open_database(load_settings())


def _find(session, username: str):
    from sqlalchemy import select

    from yingji.auth.models import User

    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no such user / 无此用户: {username}")
    return user


def _system():
    from yingji.auth.scope import Principal

    return Principal.system(what="cli")


@click.group()
def users() -> None:
    """Create users, set passwords, disable / enable, change roles, list and revoke API tokens."""


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, help="admin, commander, duty_officer, county_officer, town_officer, …")
@click.option("--jurisdiction", required=True, help="Division code the user is bound to.")
@click.option("--name", "display_name", default=None)
@click.password_option()
def users_create(
    username: str, role: str, jurisdiction: str, display_name: str | None, password: str
) -> None:
    from yingji.auth import service
    from yingji.core import migrate
    from yingji.org import codes

    db = _db()
    if not migrate.is_current(db.engine):
        migrate.upgrade(db.engine)
    with db.writing(_system().as_actor()) as session:
        user = service.create_user(
            session,
            _system(),
            username=username,
            password=password,
            display_name=display_name or username,
            role=role,
            jurisdiction_code=codes.normalise(jurisdiction),
        )
        click.echo(f"created user {user.username} (id {user.id})")


@users.command("passwd")
@click.argument("username")
@click.password_option()
def users_passwd(username: str, password: str) -> None:
    """Set a new password: every session and API token of the user ends."""
    from yingji.auth import service

    db = _db()
    with db.writing(_system().as_actor()) as session:
        closed = service.set_password(session, _find(session, username), password)
    click.echo(f"password changed; closed {closed['sessions']} sessions, revoked {closed['tokens']} tokens")


@users.command("list")
@click.option("--within", default=None, help="Only users of this subtree (division code).")
def users_list(within: str | None) -> None:
    """One JSON object per user."""
    from sqlalchemy import select

    from yingji.auth.models import User
    from yingji.org import codes

    db = _db()
    with db.reading() as session:
        stmt = select(User).order_by(User.id)
        if within:
            stmt = stmt.where(User.jurisdiction_code.startswith(codes.normalise(within)))
        for u in session.scalars(stmt):
            row = {
                "id": u.id,
                "username": u.username,
                "role": u.role,
                "jurisdiction_code": u.jurisdiction_code,
                "active": u.active,
            }
            click.echo(json.dumps(row, ensure_ascii=False))


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account: its sessions end and its tokens stop working at once."""
    from yingji.auth import accounts

    db = _db()
    with db.writing(_system().as_actor()) as session:
        accounts.set_active(session, _system(), _find(session, username), False)
    click.echo(f"disabled {username}")


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    from yingji.auth import accounts

    db = _db()
    with db.writing(_system().as_actor()) as session:
        accounts.set_active(session, _system(), _find(session, username), True)
    click.echo(f"enabled {username}")


@users.command("role")
@click.argument("username")
@click.argument("role")
def users_role(username: str, role: str) -> None:
    from yingji.auth import accounts

    db = _db()
    with db.writing(_system().as_actor()) as session:
        accounts.change_role(session, _system(), _find(session, username), role)
    click.echo(f"{username} is now {role}")


@users.command("tokens")
@click.argument("username")
def users_tokens(username: str) -> None:
    """The user's API tokens (never the secrets: only their prefixes)."""
    from yingji.auth import accounts, service

    db = _db()
    with db.reading() as session:
        for t in accounts.tokens_of(session, _system(), _find(session, username)):
            expires = service.token_expiry(t)
            state = service.token_state(t, expires).value
            click.echo(f"{t.id:>6}  {t.prefix}…  {t.name:<20} {state:<8} expires {expires:%Y-%m-%d}")


@users.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True)
@click.option("--days", type=int, default=None, help="Lifetime (default YINGJI_TOKEN_DAYS, 90).")
def users_token(username: str, name: str, days: int | None) -> None:
    """Issue an API token (printed once). The command line may give any lifetime."""
    from yingji.auth import service
    from yingji.config import load_settings
    from yingji.core import clock

    lifetime = days or load_settings().token_days
    db = _db()
    with db.writing(_system().as_actor()) as session:
        secret, row = service.create_token(
            session,
            _system(),
            _find(session, username),
            name,
            clock.now() + timedelta(days=lifetime),
            days=lifetime,
        )
    click.echo(secret)
    click.echo(f"expires {row.expires_at:%Y-%m-%d}", err=True)


@users.command("revoke-tokens")
@click.argument("username")
def users_revoke_tokens(username: str) -> None:
    from yingji.auth import accounts

    db = _db()
    with db.writing(_system().as_actor()) as session:
        n = accounts.revoke_all_tokens(session, _system(), _find(session, username))
    click.echo(f"revoked {n} tokens")
