"""The preview's pre-send cockpit: the Checks panel, the Images-off view, the Send test button, and what
keeps another web page from reaching the preview (the Host check, the page's token, no CORS)."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest

from conftest import preview_server
from newsletter.preview.server import SendTarget
from test_delivery import _smtp  # the local SMTP server (aiosmtpd) the send tests use


def _request(server, method: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:  # type: ignore[type-arg]
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", "0")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    yield page
    page.close()


def test_the_checks_panel_lists_the_findings_and_follows_saves(project, page) -> None:
    path = project.example()
    with preview_server(project.issues) as server:
        page.goto(server.url + "issues/mei-four-briefs/")
        page.wait_for_selector("body[data-checked]")  # the findings come after the email is shown
        rows = page.locator("#checks tbody tr")
        assert rows.count() >= 1
        first = rows.nth(0).locator("td").all_inner_texts()
        assert first[:3] == ["unsubscribe", "warning", "no unsubscribe link: add your platform's merge tag (or a "
                             "URL) to the footer"]
        assert first[3].startswith("set platform: in newsletter.yaml to your mailing platform")
        assert first[4] == "newsletter.yaml:1:1 platform"  # where to say which platform: the config
        assert page.locator("#checks-summary").inner_text() == "0 errors, 1 warning"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('preheader: "Four briefs from MEI scholars: Afghanistan, Iraq, Iran and '
                                     'northwestern Syria."', 'preheader: "Four briefs"'), encoding="utf-8")
        page.wait_for_function("[...document.querySelectorAll('#checks td')].some(td => td.textContent === 'preheader')",
                               timeout=5000)
        assert "preheader is 11 characters" in page.locator("#checks").inner_text()
        assert page.locator("#checks-summary").inner_text() == "0 errors, 2 warnings"


SLOW_RULE = """
import threading

released = threading.Event()  # the test releases it: until then the checks are still running


def waits(email, add):
    released.wait(10)
    add("checked at last", email.tree.find(".//title"))


def setup(registry):
    registry.rule("slow", "warning", "a rule that takes its time")(waits)
"""


def test_the_email_shows_before_its_checks_are_done(project, page) -> None:
    """Checks after paint: a save shows the new email while the checks still run, then fills the panel."""
    import sys

    path = project.example()
    (project.root / "slow_rule.py").write_text(SLOW_RULE, encoding="utf-8")
    project.configure(plugins=["slow_rule"])
    with preview_server(project.issues) as server:
        page.goto(server.url + "issues/mei-four-briefs/")
        page.wait_for_selector("body[data-version]")
        assert page.locator("#checks-summary").inner_text() == "checking..."
        assert page.locator("#checks").get_attribute("aria-busy") == "true"
        plugin = next(module for module in list(sys.modules.values())
                      if getattr(module, "__file__", None) and Path(module.__file__).name == "slow_rule.py")
        plugin.released.set()
        page.wait_for_selector("body[data-checked]")
        assert "checked at last" in page.locator("#checks").inner_text()
        assert page.locator("#checks").get_attribute("aria-busy") == "false"

        plugin.released.clear()
        version = page.evaluate("document.body.dataset.version")
        path.write_text(path.read_text(encoding="utf-8").replace("Tehran’s ISIS challenge", "Tehran’s new challenge"),
                        encoding="utf-8")
        page.wait_for_function(f"document.body.dataset.version !== '{version}'", timeout=5000)
        frame = page.frame_locator("#email")
        assert "Tehran’s new challenge" in frame.locator("body").inner_text()  # shown while the checks wait
        assert page.locator("#checks-summary").inner_text() == "checking..."
        plugin.released.set()
        page.wait_for_function("document.body.dataset.checked === document.body.dataset.version", timeout=5000)
        assert "checked at last" in page.locator("#checks").inner_text()


def test_images_off_shows_the_alt_texts(project, page) -> None:
    project.example()
    with preview_server(project.issues) as server:
        page.goto(server.url + "issues/mei-four-briefs/")
        page.wait_for_selector("body[data-version]")
        sources = "[...document.getElementById('email').contentDocument.images].map(i => i.getAttribute('src'))"
        assert all(page.evaluate(sources))
        page.get_by_role("button", name="Images off").click()
        page.wait_for_selector("body[data-images=off]")
        assert page.evaluate(sources) == [None] * 5  # the hero and four headshots: their alt text instead
        alts = page.evaluate("[...document.getElementById('email').contentDocument.images].map(i => i.alt)")
        assert alts[0] == "Taliban fighters stand guard in Kabul"
        page.get_by_role("button", name="Images off").click()
        page.wait_for_selector("body[data-images=on]")
        assert all(page.evaluate(sources))


def test_no_send_button_without_smtp_and_to(project, page) -> None:
    project.example()
    with preview_server(project.issues) as server:
        page.goto(server.url + "issues/mei-four-briefs/")
        page.wait_for_selector("body[data-version]")
        assert page.locator("#send").count() == 0
        status, _, _ = _request(server, "POST", "/issues/mei-four-briefs/send",
                                {"Host": f"127.0.0.1:{server.server_address[1]}", "X-Newsletter-Token": server.token})
        assert status == 404


def test_the_send_button_sends_the_current_build_and_shows_the_answer(project, page) -> None:
    path = project.example()
    with _smtp() as (address, inbox):
        host, port = address.rsplit(":", 1)
        with preview_server(project.issues, test_send=SendTarget("editor@example.org", host, int(port))) as server:
            page.goto(server.url + "issues/mei-four-briefs/")
            page.wait_for_selector("body[data-version]")
            path.write_text(path.read_text(encoding="utf-8").replace("Tehran’s ISIS challenge", "Tehran’s new test"),
                            encoding="utf-8")
            page.wait_for_function("document.getElementById('email').contentDocument.body.innerText"
                                   ".includes('Tehran’s new test')", timeout=5000)
            page.get_by_role("button", name="Send test to editor@example.org").click()
            page.wait_for_function("document.getElementById('sent').dataset.ok === 'true'", timeout=10000)
            assert page.locator("#sent").inner_text().startswith(
                f"sent to editor@example.org through {address}, accepted as <")
            mail_from, recipients, content, _ = inbox.received[-1]
            assert recipients == ["editor@example.org"] and b"Tehran=E2=80=99s new test" in content
    # The server gone, the button reports the failure instead of hanging.
    with preview_server(project.issues, test_send=SendTarget("editor@example.org", "127.0.0.1", 1)) as server:
        page.goto(server.url + "issues/mei-four-briefs/")
        page.wait_for_selector("body[data-version]")
        page.get_by_role("button", name="Send test to editor@example.org").click()
        page.wait_for_function("document.getElementById('sent').dataset.ok === 'false'", timeout=10000)
        assert "cannot reach SMTP server 127.0.0.1:1" in page.locator("#sent").inner_text()


def test_a_send_needs_the_pages_token_and_its_own_origin(project) -> None:
    project.example()
    with _smtp() as (address, inbox):
        host, port = address.rsplit(":", 1)
        with preview_server(project.issues, test_send=SendTarget("editor@example.org", host, int(port))) as server:
            ours = f"127.0.0.1:{server.server_address[1]}"
            no_token = _request(server, "POST", "/issues/mei-four-briefs/send", {"Host": ours})
            wrong_token = _request(server, "POST", "/issues/mei-four-briefs/send",
                                   {"Host": ours, "X-Newsletter-Token": "guess"})
            foreign = _request(server, "POST", "/issues/mei-four-briefs/send",
                               {"Host": ours, "X-Newsletter-Token": server.token, "Origin": "https://evil.example"})
            assert [r[0] for r in (no_token, wrong_token, foreign)] == [403, 403, 403]
            assert inbox.received == []
            status, _, body = _request(server, "POST", "/issues/mei-four-briefs/send",
                                       {"Host": ours, "X-Newsletter-Token": server.token, "Origin": f"http://{ours}"})
            assert status == 200 and json.loads(body)["ok"] is True and len(inbox.received) == 1


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.nip.io:{port}", "127.0.0.1:1", "", "localhost.evil:{port}"])
def test_only_requests_addressed_to_the_preview_are_answered(project, host: str) -> None:
    project.example()
    with preview_server(project.issues) as server:
        headers = {"Host": host.format(port=server.server_address[1])} if host else {}
        for method, path in (("GET", "/"), ("GET", "/issues/mei-four-briefs/email.html"),
                             ("POST", "/issues/mei-four-briefs/send")):
            status, response_headers, _ = _request(server, method, path, headers)
            assert status == 403, (method, path, host)
        for good in (f"127.0.0.1:{server.server_address[1]}", f"localhost:{server.server_address[1]}"):
            status, response_headers, _ = _request(server, "GET", "/", {"Host": good, "Origin": "https://evil.example"})
            assert status == 200
            assert not any(name.lower().startswith("access-control-") for name in response_headers)  # no CORS
