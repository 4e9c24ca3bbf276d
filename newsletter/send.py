"""``newsletter send``: send one issue as a test message over SMTP (smtplib).

The password comes only from the environment (``NEWSLETTER_SMTP_PASSWORD``), never from a file, an option
or the log, and no message printed here contains it.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from pathlib import Path

from . import config, mime, pipeline
from .errors import NewsletterError
from .models import EMAIL_ADDRESS

PASSWORD_VARIABLE = "NEWSLETTER_SMTP_PASSWORD"
USER_VARIABLE = "NEWSLETTER_SMTP_USER"


class SendError(NewsletterError):
    """A test send failed: no sender configured, a bad address, or the SMTP server refused or was unreachable."""


def parse_server(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "25")
    host = host.strip("[]") or "localhost"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise SendError(f"--smtp takes HOST:PORT, not {text!r}")
    return host, int(port)


def send_test(issue_path: Path, to: str, smtp: str = "localhost:25", starttls: bool = False,
              config_path: Path | None = None, platform: str | None = None, timeout: float = 30) -> str:
    """Build ``issue_path`` and send it to ``to``; returns the Message-ID."""
    if not EMAIL_ADDRESS.fullmatch(to):
        raise SendError(f"--to: {to!r} is not an email address")
    project = config.load_project(config_path or config.find_config(issue_path))
    if project.config.sender is None:
        raise SendError(f"{config.display_path(project.config_path)}: sending needs a sender (sender.address)")
    email = pipeline.render_issue(issue_path, project, platform=platform, editions=False)
    message = mime.message_bytes(email.issue, project.config, email.text, email.html, email.links, fresh=True, to=to)
    host, port = parse_server(smtp)
    user = os.environ.get(USER_VARIABLE)
    password = os.environ.get(PASSWORD_VARIABLE)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as server:
            if starttls:
                server.starttls(context=ssl.create_default_context())
            if password is not None:
                server.login(user or project.config.sender.address, password)
            server.sendmail(project.config.sender.address, [to], message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{host}:{port} refused the login ({exc.smtp_code})") from None
    except smtplib.SMTPException as exc:
        raise SendError(f"{host}:{port}: {type(exc).__name__}: {exc}") from None
    except ssl.SSLError as exc:
        raise SendError(f"{host}:{port}: TLS failed: {exc.reason or exc}") from None
    except OSError as exc:
        raise SendError(f"cannot reach SMTP server {host}:{port}: {exc.strerror or exc}") from None
    return re.search(rb"^Message-ID: (.*?)\r$", message, re.M | re.I).group(1).decode()
