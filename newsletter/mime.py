"""The issue as a MIME message (``X.eml``, and what ``newsletter send`` sends), with the standard library.

multipart/alternative, text/plain first and text/html last (clients show the last part they can), both
UTF-8 in quoted-printable so no line passes 998 bytes. A built .eml is deterministic, like every output:
its Date is the issue's date, its Message-ID and MIME boundary derive from its content; a test send gets a
fresh Date and Message-ID.
"""

from __future__ import annotations

import datetime
import hashlib
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from .links import Links
from .models import Config, Issue


def build_message(issue: Issue, config: Config, text: str, html: str, links: Links, *, fresh: bool = False,
                  to: str | None = None) -> EmailMessage:
    """The message; ``fresh`` gives it the current date and a new Message-ID, as for a real send."""
    assert config.sender is not None, "the caller checks that the config names a sender"
    sender = config.sender
    digest = hashlib.sha256(f"{issue.subject}\0{text}\0{html}".encode()).hexdigest()
    domain = sender.address.rsplit("@", 1)[1]
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = issue.subject
    message["From"] = Address(sender.name or config.name, addr_spec=sender.address)
    if to:
        message["To"] = to
    if fresh:
        message["Date"] = format_datetime(datetime.datetime.now(datetime.timezone.utc))
        message["Message-ID"] = make_msgid(idstring=links.slug, domain=domain)
    else:
        day = issue.date or datetime.date(1970, 1, 1)
        moment = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
        message["Date"] = format_datetime(moment)
        message["Message-ID"] = f"<{links.slug}.{digest[:16]}@{domain}>"
    message["MIME-Version"] = "1.0"
    if links.platform.name == "none" and config.unsubscribe_url:
        # Platforms add their own List-Unsubscribe per recipient; only our own page can be named here.
        message["List-Unsubscribe"] = f"<{config.unsubscribe_url}>"
        if config.unsubscribe_url.startswith("https://"):
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message.set_boundary(f"=_newsletter_{digest[:24]}")  # the library's default boundary is random
    for part in message.iter_parts():
        del part["MIME-Version"]  # add_alternative gives each part one; it belongs on the message only
    return message


def message_bytes(issue: Issue, config: Config, text: str, html: str, links: Links) -> bytes:
    return build_message(issue, config, text, html, links).as_bytes()
