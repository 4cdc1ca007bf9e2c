"""Email over SMTP: plain text and a simple HTML part, one connection kept for a sending pass.

`COPRODUCE_SMTP_URL`: `smtp://user:password@host:587` (STARTTLS, required before a password is
sent anywhere but this machine) or `smtps://…:465` (TLS from the start). A message's Message-ID is
made from its stable key, so a copy sent again after a crash carries the same id.
"""

from __future__ import annotations

import hashlib
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from service.app.ports import DeliveryFailed, Outgoing

LOCAL = ("localhost", "127.0.0.1", "::1")
TIMEOUT = 10.0


class SmtpConfigError(ValueError):
    """COPRODUCE_SMTP_URL cannot be used as it is."""


class SmtpChannel:
    """The `Channel` port for email, on a mail server."""

    def __init__(self, url: str, sender: str):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpConfigError("COPRODUCE_SMTP_URL must look like smtp://user:password@host:587 or smtps://…")
        if not sender or "@" not in sender:
            raise SmtpConfigError("COPRODUCE_MAIL_FROM must be an email address when COPRODUCE_SMTP_URL is set")
        self.host, self.tls = parts.hostname, parts.scheme == "smtps"
        self.port = parts.port or (465 if self.tls else 587)
        self.user, self.password = unquote(parts.username or ""), unquote(parts.password or "")
        self.sender = sender
        self.domain = sender.rpartition("@")[2]
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.tls:
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT, context=context)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
            connection.ehlo()
            if connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
            elif self.user and self.host not in LOCAL:
                connection.close()
                raise DeliveryFailed("the mail server does not offer STARTTLS: the password is not sent in clear")
        if self.user:
            connection.login(self.user, self.password)
        return connection

    def message_id(self, key: str) -> str:
        return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{self.domain}>"

    def send(self, message: Outgoing) -> None:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.to, message.subject
        email["Date"], email["Message-ID"] = formatdate(localtime=False), self.message_id(message.key)
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(email)
        except smtplib.SMTPRecipientsRefused as refused:
            code = next(iter(refused.recipients.values()))[0]
            raise DeliveryFailed(f"the mail server refused the address ({code})", permanent=code >= 500) from None
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise DeliveryFailed(f"the mail server answered {error.smtp_code}") from None  # tried again later
        except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, OSError, socket.timeout) as error:
            self._drop()
            raise DeliveryFailed(f"the mail server could not be reached ({type(error).__name__})",
                                 unreachable=True) from None
        except smtplib.SMTPException as error:
            self._drop()
            raise DeliveryFailed(f"the mail server did not take it ({type(error).__name__})") from None

    def _drop(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass

    def close(self) -> None:
        """End the pass's connection politely (QUIT), or drop it if the server is gone."""
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()
