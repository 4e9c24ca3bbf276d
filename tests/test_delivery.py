"""The .eml export, test sends to a real SMTP server on loopback, UTM tagging and the web archive."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import xml.etree.ElementTree as ET
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser

import pytest
import yaml
from aiosmtpd.controller import Controller

import newsletter
from newsletter import archive

ISSUE = {
    "subject": "Delivery — “quoted” and ünïcode",
    "preheader": "A preheader long enough for the inbox preview to be filled.",
    "date": "2024-03-07",
    "briefs": [{
        "title": "A brief",
        "authors": ["randa-slim"],
        "body": "Read [this](https://e.com/a?x=1#part), [that](https://e.com/b?utm_source=theirs), "
                "[write](mailto:editor@mei.edu) and <https://e.com/c>.",
    }],
}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:  # aiosmtpd's Controller checks readiness on its port, so it needs a real one
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _parts(raw: bytes):
    message = BytesParser(policy=policy.default).parsebytes(raw)
    return message, list(message.iter_parts())


def _content(part) -> str:
    return part.get_content().replace("\r\n", "\n")  # a MIME part's lines end in CRLF on the wire


# --- .eml ----------------------------------------------------------------------------------------------

def test_eml_is_multipart_alternative_text_then_html(project) -> None:
    email = newsletter.render_issue(project.issue("d", yaml.safe_dump(ISSUE)))
    message, parts = _parts(email.eml)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)
    assert _content(parts[0]) == email.text and _content(parts[1]) == email.html
    assert message["Subject"] == ISSUE["subject"]
    assert str(message["From"]) == "Middle East Institute <newsletter@mei.edu>"
    assert message["Date"] == "Thu, 07 Mar 2024 00:00:00 +0000"
    assert message["MIME-Version"] == "1.0"
    assert message["Message-ID"].startswith("<d.") and message["Message-ID"].endswith("@mei.edu>")
    assert message.defects == [] and all(part.defects == [] for part in parts)
    assert max(len(line) for line in email.eml.split(b"\r\n")) <= 998
    assert "List-Unsubscribe" not in message  # no unsubscribe page of our own configured


def test_eml_list_unsubscribe_with_our_own_page(project) -> None:
    project.configure(unsubscribe_url="https://www.mei.edu/unsubscribe")
    message, _ = _parts(newsletter.render_issue(project.issue("d", yaml.safe_dump(ISSUE))).eml)
    assert message["List-Unsubscribe"] == "<https://www.mei.edu/unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_eml_not_written_without_a_sender(project, cli) -> None:
    config = yaml.safe_load((project.root / "newsletter.yaml").read_text(encoding="utf-8"))
    del config["sender"]
    (project.root / "newsletter.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    project.issue("d", yaml.safe_dump(ISSUE))
    assert cli("build", "issues/d.yaml")[0] == 0
    assert not (project.out / "d.eml").exists() and (project.out / "d.html").exists()


def test_subject_cannot_inject_headers(project) -> None:
    issue = dict(ISSUE, subject="Hello\r\nBcc: victim@example.org\r\n\r\n<b>body</b>")
    message, _ = _parts(newsletter.render_issue(project.issue("d", yaml.safe_dump(issue))).eml)
    assert "Bcc" not in message and message["Subject"] == "Hello Bcc: victim@example.org <b>body</b>"


@pytest.mark.parametrize("subject", [
    "A plain ASCII subject that is long enough to need folding, and then some more words after it",
    "Short",
    "word " + "x" * 120 + " after a word too long for one line",
    "x" * 1200,  # one word longer than a header line may be: encoded words instead
    "An ASCII subject with =?utf-8?q?an_encoded_word?= in it",
])
def test_eml_subject_folds_and_reads_back_as_typed(project, subject) -> None:
    eml = newsletter.render_issue(project.issue("d", yaml.safe_dump(dict(ISSUE, subject=subject)))).eml
    message, _ = _parts(eml)
    assert message["Subject"] == subject and message.defects == []
    head = eml.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert "=?" not in subject or b"=?utf-8?q?an_encoded_word?=" not in head  # never written raw


def _header_lines(eml: bytes) -> list[bytes]:
    return eml.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def test_eml_long_ascii_sender_name_is_quoted_and_folded(project) -> None:
    name = "The Middle East Institute's Newsletter Desk, Washington, D.C. (weekly briefs)"
    config = yaml.safe_load((project.root / "newsletter.yaml").read_text(encoding="utf-8"))
    config["sender"]["name"] = name
    (project.root / "newsletter.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    eml = newsletter.render_issue(project.issue("d", yaml.safe_dump(ISSUE))).eml
    message, _ = _parts(eml)
    assert message["From"].addresses[0].display_name == name and message.defects == []
    assert message["From"].addresses[0].addr_spec == "newsletter@mei.edu"
    assert all(len(line) <= 998 for line in _header_lines(eml))
    assert any(line.startswith(b" <newsletter@mei.edu>") for line in _header_lines(eml))


def test_eml_message_id_holds_only_safe_characters_of_the_file_name(project) -> None:
    eml = newsletter.render_issue(project.issue("Week 3\r\nBcc: victim@example.org", yaml.safe_dump(ISSUE))).eml
    message, _ = _parts(eml)
    assert "Bcc" not in message and message.defects == []
    assert message["Message-ID"].startswith("<Week-3-Bcc-victim-example.org.") and message["Message-ID"].endswith("@mei.edu>")


def test_eml_refuses_a_recipient_that_is_not_an_address(project) -> None:
    from newsletter import mime
    from newsletter.project import load_project

    email = newsletter.render_issue(project.issue("d", yaml.safe_dump(ISSUE)))
    settings = load_project(project.root / "newsletter.yaml").config
    with pytest.raises(ValueError, match="not an email address"):
        mime.message_bytes(email.issue, settings, email.text, email.html, email.links, to="a@b.org\r\nBcc: c@d.org")


@pytest.mark.parametrize("name", ["Institut du Moyen-Orient — Études", "中东研究所" * 8, "Émile 🙂 " * 9])
def test_eml_sender_name_beyond_ascii_is_encoded_and_folded(project, name) -> None:
    config = yaml.safe_load((project.root / "newsletter.yaml").read_text(encoding="utf-8"))
    config["sender"]["name"] = name
    (project.root / "newsletter.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    eml = newsletter.render_issue(project.issue("d", yaml.safe_dump(ISSUE))).eml
    message, _ = _parts(eml)
    assert message["From"].addresses[0].addr_spec == "newsletter@mei.edu" and message.defects == []
    # Read as RFC 2047 says: the space between two encoded words is not text. (The email package's address
    # parser keeps it, for its own encoding of such a name as much as for ours.)
    raw = eml.decode("ascii").split("\r\nFrom: ", 1)[1].split("\r\nDate:", 1)[0]
    raw = raw.replace("\r\n", "").rsplit(" <", 1)[0]  # unfolded, without the address
    assert str(make_header(decode_header(raw))) == name.strip()
    assert all(len(line) <= 78 for line in _header_lines(eml))


# --- send ----------------------------------------------------------------------------------------------

class _Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content, session.authenticated))
        return "250 OK"


@contextlib.contextmanager
def _smtp(**options):
    """A real SMTP server (aiosmtpd) on loopback, for the length of a with-block: (HOST:PORT, inbox)."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    try:
        yield f"127.0.0.1:{controller.port}", inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server():
    with _smtp() as server:
        yield server


def test_send_delivers_the_same_parts(project, cli, smtp_server) -> None:
    address, inbox = smtp_server
    path = project.issue("d", yaml.safe_dump(ISSUE))
    code, out, err = cli("send", "issues/d.yaml", "--to", "reader@example.org", "--smtp", address)
    assert code == 0, err
    assert out.startswith(f"sent issues/d.yaml to reader@example.org through {address} (<")
    mail_from, recipients, content, _ = inbox.received[0]
    assert mail_from == "newsletter@mei.edu" and recipients == ["reader@example.org"]
    message, parts = _parts(content)
    email = newsletter.render_issue(path)
    assert _content(parts[0]) == email.text and _content(parts[1]) == email.html
    assert message["To"] == "reader@example.org" and message["Subject"] == ISSUE["subject"]


def test_send_password_comes_from_the_environment_only(project) -> None:
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-pw", handled=False)

    project.issue("d", yaml.safe_dump(ISSUE))
    with _smtp(authenticator=authenticator, auth_require_tls=False) as (address, inbox):
        env = {"NEWSLETTER_SMTP_USER": "mei", "NEWSLETTER_SMTP_PASSWORD": "s3cret-pw", "PATH": "/usr/bin:/bin"}
        command = [sys.executable, "-m", "newsletter", "send", "issues/d.yaml", "--to", "r@example.org",
                   "--smtp", address]
        result = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert seen == [(b"mei", b"s3cret-pw")] and inbox.received[0][3]
        env["NEWSLETTER_SMTP_PASSWORD"] = "wrong-pw"
        result = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True)
        assert result.returncode == 1
        assert result.stderr == f"Error: {address} refused the login (535)\n"
        assert "wrong-pw" not in result.stdout + result.stderr


def test_send_with_starttls(project, cli, tmp_path, monkeypatch) -> None:
    import ssl

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    project.issue("d", yaml.safe_dump(ISSUE))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust our own certificate, as a real CA would be
    with _smtp(tls_context=context, require_starttls=True) as (address, inbox):
        code, _, err = cli("send", "issues/d.yaml", "--to", "r@example.org", "--smtp", address, "--starttls")
        assert code == 0, err
        assert len(inbox.received) == 1
        code, _, err = cli("send", "issues/d.yaml", "--to", "r@example.org", "--smtp", address)
        assert code == 1 and ("STARTTLS" in err or "530" in err)  # the server insists on TLS first


def test_send_errors_are_clear(project, cli) -> None:
    project.issue("d", yaml.safe_dump(ISSUE))
    code, _, err = cli("send", "issues/d.yaml", "--to", "not-an-address", "--smtp", "127.0.0.1:9")
    assert code == 1 and err == "Error: --to: 'not-an-address' is not an email address (name@example.org)\n"
    code, _, err = cli("send", "issues/d.yaml", "--to", "r@example.org", "--smtp", "127.0.0.1:9")
    assert code == 1 and err.startswith("Error: cannot reach SMTP server 127.0.0.1:9:")


# --- UTM -----------------------------------------------------------------------------------------------

def test_utm_tags_outbound_links_only(project) -> None:
    project.configure(utm={"source": "mei", "medium": "email", "campaign": "{slug}-{date}"}, platform="mailchimp")
    email = newsletter.render_issue(project.issue("d", yaml.safe_dump(ISSUE)))
    tags = "utm_source=mei&utm_medium=email&utm_campaign=d-2024-03-07"
    for url in [f"https://e.com/a?x=1&{tags}#part", "https://e.com/b?utm_source=theirs&utm_medium=email"
                "&utm_campaign=d-2024-03-07", f"https://twitter.com/rmslim?{tags}", f"https://www.mei.edu?{tags}"]:
        assert f'href="{url.replace("&", "&amp;")}"' in email.html, url
        assert f"<{url}>" in email.text, url
    assert 'href="mailto:editor@mei.edu"' in email.html
    assert 'href="#brief-1"' in email.html
    assert 'href="*|UNSUB|*"' in email.html and 'href="*|ARCHIVE|*"' in email.html
    assert "Unsubscribe: *|UNSUB|*" in email.text


# --- web archive ---------------------------------------------------------------------------------------

def test_web_edition_has_no_merge_tags_and_no_preheader(project) -> None:
    email = newsletter.render_issue(project.issue("d", yaml.safe_dump(ISSUE)), platform="mailchimp")
    assert "*|" not in email.web_html and "display:none" not in email.web_html
    assert ISSUE["preheader"] not in email.web_html.split("<body", 1)[1]
    assert "A brief" in email.web_html


def test_index_and_feed_list_every_issue_newest_first(project, cli) -> None:
    for slug, date in [("old", "2020-01-02"), ("new", "2024-05-06"), ("mid", "2022-03-04")]:
        project.issue(slug, yaml.safe_dump(dict(ISSUE, subject=f"Issue {slug}", date=date)))
    assert cli("build", "issues")[0] == 0
    (project.issues / "mid.yaml").unlink()
    project.issue("newest", yaml.safe_dump(dict(ISSUE, subject="Issue newest", date="2025-01-01")))
    assert cli("build", "issues/newest.yaml")[0] == 0  # one issue built: the others stay listed
    index = (project.out / "index.html").read_text(encoding="utf-8")
    order = [index.index(f'href="{slug}.web.html"') for slug in ("newest", "new", "mid", "old")]
    assert order == sorted(order)
    feed = ET.fromstring((project.out / "feed.xml").read_bytes())
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [entry.find(f"{atom}title").text for entry in feed.findall(f"{atom}entry")]
    assert titles == ["Issue newest", "Issue new", "Issue mid", "Issue old"]
    links = [entry.find(f"{atom}link").get("href") for entry in feed.findall(f"{atom}entry")]
    assert links[0] == "https://www.mei.edu/newsletter/newest.web.html"
    assert feed.find(f"{atom}updated").text == "2025-01-01T00:00:00+00:00"


def test_the_archive_keeps_the_model_entries_of_the_issues_still_in_the_folder(project, cli) -> None:
    issue = dict(ISSUE, subject="Ünïcode & <angles> — " + "long " * 40, preheader="Said & done: “quoted”.")
    project.issue("kept", yaml.safe_dump(issue))
    assert cli("build", "issues")[0] == 0
    expected = ("2024-03-07", "kept", " ".join(issue["subject"].split()), "Said & done: “quoted”.")
    assert [_said(entry) for entry in archive.entries(project.out, [])] == [expected]
    (project.out / "empty.web.html").write_bytes(b"")  # web editions the archive does not know: not listed
    (project.out / "headless.web.html").write_text("<p>no head at all</p>", encoding="utf-8")
    project.issue("other", yaml.safe_dump(dict(ISSUE, subject="Other", date="2024-03-08")))
    assert cli("build", "issues/other.yaml")[0] == 0  # one issue built: "kept" stays listed
    index = (project.out / "index.html").read_text(encoding="utf-8")
    assert 'href="kept.web.html"' in index and 'href="other.web.html"' in index
    assert "empty.web.html" not in index and "headless.web.html" not in index
    assert "Ünïcode &amp; &lt;angles&gt;" in index and "Said &amp; done: “quoted”." in index
    assert [e.slug for e in archive.entries(project.out, [])] == ["other", "kept"]
    (project.out / "kept.web.html").unlink()  # an issue taken out of the folder leaves the archive
    assert cli("build", "issues/other.yaml")[0] == 0
    assert 'href="kept.web.html"' not in (project.out / "index.html").read_text(encoding="utf-8")


def _said(entry: archive.Entry) -> tuple[str, str, str, str]:
    """What an entry says of its issue in the index (it also carries authors, the feed's content, ...)."""
    return entry.date, entry.slug, entry.subject, entry.description


def test_a_damaged_archive_json_is_started_again(project, cli) -> None:
    project.issue("a", yaml.safe_dump(ISSUE))
    assert cli("build", "issues/a.yaml")[0] == 0
    for damage in ("", "not json", "[1, 2]", '{"entries": [{"slug": 1}]}'):
        (project.out / "archive.json").write_text(damage, encoding="utf-8")
        assert cli("build", "issues/a.yaml")[0] == 0
        assert [e.slug for e in archive.entries(project.out, [])] == ["a"]


def test_the_archive_needs_no_names_a_template_writes(project, cli) -> None:
    """A project that replaces every built-in template with a bare one still gets a right archive entry, and
    its own archive page."""
    bare = "<mj-section><mj-column><mj-text>{{ issue.subject }}</mj-text></mj-column></mj-section>\n"
    project.template("email.mjml.j2", '<mjml lang="en"><mj-head><mj-title>x</mj-title></mj-head><mj-body>'
                                      '{% include "footer.mjml.j2" %}</mj-body></mjml>\n')
    for name in ("footer.mjml.j2", "head.mjml.j2", "header.mjml.j2", "hero.mjml.j2", "contents.mjml.j2"):
        project.template(name, bare)
    project.template("archive.html.j2", "<ul>{% for e in entries %}<li>{{ e.date }} {{ e.subject }} {{ e.url }}"
                                        "</li>{% endfor %}</ul>\n")
    project.issue("bare", yaml.safe_dump(dict(ISSUE, subject="Bare subject", preheader="Bare preheader text")))
    cli("build", "issues/bare.yaml")  # the checks fail (no unsubscribe, parity): the files are written
    assert [_said(entry) for entry in archive.entries(project.out, [])] == [
        ("2024-03-07", "bare", "Bare subject", "Bare preheader text")]
    assert (project.out / "index.html").read_text(encoding="utf-8") == (
        "<ul><li>2024-03-07 Bare subject bare.web.html</li></ul>\n")
    feed = (project.out / "feed.xml").read_text(encoding="utf-8")
    assert "<title>Bare subject</title>" in feed and "2024-03-07" in feed


def test_text_parity_fires_when_a_template_leaves_a_title_out(project, cli) -> None:
    # A brief template and a Contents that print no title: the text has it, the HTML does not.
    project.template("blocks/brief.mjml.j2", "<mj-section><mj-column><mj-text>{{ block.body | markdown_blocks }}"
                                             "</mj-text></mj-column></mj-section>\n")
    project.template("contents.mjml.j2", "")
    project.issue("x", yaml.safe_dump(ISSUE))
    code, out, _ = cli("build", "issues/x.yaml")
    assert code == 1  # the build has the model: it knows the title and the author are missing (below)
    import newsletter
    from newsletter import checks

    email = newsletter.render_issue("issues/x.yaml")
    messages = [f.message for f in checks.check_email(email.html, email.text, "x", list(email.expected))
                if f.rule == "text-parity"]
    assert f"title {ISSUE['briefs'][0]['title']!r} is in the plain text but not in the HTML" in messages


def test_archive_is_checked_too(project, cli) -> None:
    project.issue("d", yaml.safe_dump(ISSUE))
    assert cli("build", "issues/d.yaml")[0] == 0
    assert cli("build", "--check", "issues/d.yaml")[0] == 0
    (project.out / "index.html").write_text("stale", encoding="utf-8")
    code, out, _ = cli("build", "--check", "issues/d.yaml")
    assert code == 1 and "--- dist/index.html" in out


