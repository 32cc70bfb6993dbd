"""E-mail over SMTP (smtplib): UTF-8 Chinese subjects and bodies, one connection per batch.

The delivery's idempotency key is the Message-ID (``<yj-…@host>``) and an ``X-Yingji-Key`` header,
so a mail server or archive can recognise a retried message.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import ClassVar

from pydantic import Field, SecretStr
from sqlalchemy.orm import Session

from yingji.core.redact import redact
from yingji.notify.adapter_base import AdapterConfig, ChannelUnavailable, secret
from yingji.notify.channels import Message, Receipt, ReceiptState


class SmtpConfig(AdapterConfig):
    host: str = Field(min_length=1, max_length=200)
    port: int = Field(25, ge=1, le=65535)
    security: str = Field("none", pattern="^(none|starttls|ssl)$")
    username: str = ""
    password: SecretStr | None = None
    sender: str = Field(min_length=3, max_length=200)  # From address
    sender_name: str = "应急管理预警发布"

    secret_fields: ClassVar[tuple[str, ...]] = ("password",)


def build_mail(config: SmtpConfig, m: Message) -> EmailMessage:
    mail = EmailMessage()  # default policy: RFC 2047 encoded UTF-8 headers, UTF-8 body
    mail["From"] = formataddr((config.sender_name, config.sender))
    mail["To"] = m.address or ""
    mail["Subject"] = m.subject
    mail["Date"] = formatdate(localtime=False)
    domain = config.sender.rsplit("@", 1)[-1]
    if m.key:
        mail["Message-ID"] = f"<{m.key}@{domain}>"
        mail["X-Yingji-Key"] = m.key
    text = m.body + (f"\n\n{m.link}" if m.link else "")
    mail.set_content(text, charset="utf-8")
    return mail


class SmtpChannel:
    name = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        try:
            if c.security == "ssl":
                server: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_s)
            else:
                server = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
                if c.security == "starttls":
                    server.starttls()
            if c.username:
                server.login(c.username, secret(c.password))
        except (OSError, smtplib.SMTPException) as exc:
            # not chained: the server's reply in the cause could echo what we sent (see post_json)
            raise ChannelUnavailable(f"smtp {c.host}:{c.port}: {type(exc).__name__}: {exc}") from None
        return server

    def send(self, session: Session | None, batch: list[Message]) -> list[Receipt]:
        """One SMTP session for the batch; a refused recipient fails that message only."""
        if not batch:
            return []
        server = self._connect()
        receipts = []
        try:
            for m in batch:
                if not m.address or "@" not in m.address:
                    receipts.append(Receipt(m.key, ReceiptState.FAILED, self.name, "no e-mail address"))
                    continue
                try:
                    refused = server.send_message(build_mail(self.config, m))
                except smtplib.SMTPRecipientsRefused as exc:
                    refused = exc.recipients
                except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
                    if not receipts:
                        raise ChannelUnavailable(f"smtp: {type(exc).__name__}: {exc}") from None
                    left = batch[len(receipts) :]
                    return receipts + [
                        Receipt(x.key, ReceiptState.QUEUED, self.name, redact(f"smtp: {exc}")[:200])
                        for x in left
                    ]
                except smtplib.SMTPException as exc:
                    receipts.append(
                        Receipt(m.key, ReceiptState.FAILED, self.name, redact(f"smtp: {exc}")[:200])
                    )
                    continue
                if refused:
                    receipts.append(
                        Receipt(m.key, ReceiptState.FAILED, self.name, redact(f"refused: {refused}")[:200])
                    )
                else:
                    receipts.append(Receipt(m.key, ReceiptState.SENT, self.name))
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()
        return receipts
