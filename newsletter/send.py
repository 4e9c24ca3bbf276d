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

from . import arguments, config, mime, pipeline
from .errors import SendError
from .models import EMAIL_ADDRESS
from .project import Project

PASSWORD_VARIABLE = "NEWSLETTER_SMTP_PASSWORD"
USER_VARIABLE = "NEWSLETTER_SMTP_USER"



def parse_server(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (an IPv6 host in brackets, ``[::1]:25``) as ``(host, port)``; the port defaults to 25."""
    arguments.text("smtp", text)
    if text.count(":") > 1 and not text.startswith("["):
        host, port = text, ""  # an IPv6 address without brackets: no way to tell where a port would start
    elif ":" in text:
        host, _, port = text.rpartition(":")
    else:
        host, port = text, "25"
    host = host.strip("[]") or "localhost"
    if not port.isdigit() or not 0 < int(port) < 65536 or ":" in host and not text.startswith("["):
        wrong = f"takes HOST:PORT with a port from 1 to 65535 (an IPv6 host in brackets, [::1]:25), not {text!r}"
        raise SendError(f"smtp= {wrong}", cli=f"--smtp {wrong}")
    return host, int(port)


def check_recipient(to: str) -> str:
    """``to``, when it is an email address; the library's and the CLI's words otherwise."""
    if not EMAIL_ADDRESS.fullmatch(to):
        wrong = f"{to!r} is not an email address (name@example.org)"
        raise SendError(f"to={wrong}", cli=f"--to: {wrong}")
    return to


def _require_sender(project: Project) -> None:
    if project.config.sender is None:
        raise SendError(f"{config.display_path(project.config_path)}: sending needs a sender (sender.address)")


def send_test(issue_path: Path, to: str, smtp: str = "localhost:25", starttls: bool = False,
              config_path: Path | None = None, platform: str | None = None, timeout: float = 30) -> str:
    """Build ``issue_path`` and send it to ``to``; returns the Message-ID."""
    return send_test_report(issue_path, to, smtp, starttls, config_path, platform, timeout)[0]


def send_test_report(issue_path: Path, to: str, smtp: str = "localhost:25", starttls: bool = False,
                     config_path: Path | None = None, platform: str | None = None,
                     timeout: float = 30) -> tuple[str, list[str]]:
    """As :func:`send_test`, with the :func:`notes` on what the test cannot show as readers will see it."""
    issue_file = arguments.path("issue_path", issue_path)
    config_file = arguments.path("config_path", config_path, optional=True)
    arguments.text("to", to)
    arguments.flag("starttls", starttls)
    arguments.number("timeout", timeout, above=0)
    pipeline.check_platform(platform)
    check_recipient(to)
    host, port = parse_server(smtp)
    project = pipeline.project_for(issue_file, config_file)
    _require_sender(project)  # before building: the issue is not what is wrong
    email = pipeline.render_issue(issue_file, project, platform=platform, editions=False)
    return send_email(email, project, to, host, port, starttls, timeout), notes(email)


def notes(email: pipeline.Email) -> list[str]:
    """What a test send cannot show as readers will see it, for the sender to know: the platform's merge tags
    left as they are, and the pictures given as files, carried in the message."""
    found = []
    platform = email.links.platform
    tagged = [(label, url) for label, url in (("unsubscribe", email.links.unsubscribe),
                                              ("view in browser", email.links.view_in_browser))
              if url and platform.name != "none"]
    if tagged:
        many = len(tagged) > 1
        found.append(f"the {' and '.join(label for label, _ in tagged)} link{'s are' if many else ' is'} "
                     f"{platform.label}'s merge tag{'s' if many else ''} ({', '.join(url for _, url in tagged)}): "
                     f"{'they work' if many else 'it works'} only when {platform.label} sends the issue")
    if email.assets:
        count = len({asset.name for asset in email.assets.values()})
        found.append(f"{count} picture{'s' if count > 1 else ''} given as files {'are' if count > 1 else 'is'} carried "
                     "in the test message; readers will load them from asset_url once dist/assets/ is published there")
    return found


def send_email(email: pipeline.Email, project: Project, to: str, host: str, port: int,
               starttls: bool = False, timeout: float = 30) -> str:
    """Send a built ``email`` to ``to`` as a test (the preview's button uses this too); returns the
    Message-ID. ``to`` and the server are checked by the caller."""
    if project.config.sender is None:
        raise SendError(f"{config.display_path(project.config_path)}: sending needs a sender (sender.address)")
    sender = project.config.sender.address
    message = mime.message_bytes(email.issue, project.config, email.text, email.html, email.links, fresh=True, to=to,
                                 pictures=email.assets)
    user = os.environ.get(USER_VARIABLE)
    password = os.environ.get(PASSWORD_VARIABLE)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as server:
            if starttls:
                server.starttls(context=ssl.create_default_context())
            if password is not None:
                server.login(user or sender, password)
            server.sendmail(sender, [to], message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{host}:{port} refused the login ({exc.smtp_code})") from None
    except smtplib.SMTPException as exc:
        raise SendError(f"{host}:{port}: {type(exc).__name__}: {exc}") from None
    except ssl.SSLError as exc:
        raise SendError(f"{host}:{port}: TLS failed: {exc.reason or exc}") from None
    except OSError as exc:
        raise SendError(f"cannot reach SMTP server {host}:{port}: {exc.strerror or exc}") from None
    found = re.search(rb"^Message-ID: (.*?)\r$", message, re.M | re.I)
    return found.group(1).decode() if found else ""
