"""The live preview in a real browser: index, issue page, mobile view, live reload, errors, and safety."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import threading
import time

import pytest

from newsletter.preview.server import serve

TITLE = "Tehran’s ISIS challenge"


@pytest.fixture
def server(project):
    project.example()
    server = serve(project.issues, port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.previewer.watcher.stop()
    server.server_close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    yield page
    page.close()


def _frame_text(page) -> str:
    return page.frame_locator("#email").locator("body").inner_text()


def _save(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_binds_loopback_by_default(server) -> None:
    assert server.server_address[0] == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:")


def test_index_lists_issues_newest_first_with_status(server, project, page) -> None:
    project.issue("older", 'subject: "An older issue"\ndate: 2020-01-01\nbriefs:\n  - title: T\n    authors: [randa-slim]\n    body: B\n')
    project.issue("broken", "subject: [\n")
    page.goto(server.url)
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).inner_text().split("\t")[:4] == [
        "mei-four-briefs", "Taliban recognition, US-Iraq security talks, Tehran’s ISIS challenge", "2023-08-17", "ok"]
    assert rows.nth(1).inner_text().split("\t")[:4] == ["older", "An older issue", "2020-01-01", "ok"]
    assert rows.nth(2).inner_text().split("\t")[0] == "broken" and rows.nth(2).inner_text().endswith("error")


def test_issue_page_shows_the_email_and_its_size(server, page) -> None:
    page.goto(server.url + "issues/mei-four-briefs/")
    page.wait_for_selector("body[data-version]")
    assert TITLE in _frame_text(page)
    assert page.locator("#email").get_attribute("width") == "600"
    html_bytes = page.evaluate("fetch('state.json').then(r => r.json()).then(s => s.html_bytes)")
    shown, _, limit = page.locator("#size").inner_text().partition(" KB of ")
    assert abs(float(shown) - html_bytes / 1024) <= 0.05 and limit == "100 KB"


def test_mobile_view_has_no_horizontal_scroll(server, page) -> None:
    page.goto(server.url + "issues/mei-four-briefs/")
    page.wait_for_selector("body[data-version]")
    page.get_by_role("button", name="Mobile 375").click()
    page.wait_for_function("document.getElementById('email').getAttribute('width') === '375'")
    frame = page.frame_locator("#email").locator("html")
    assert frame.evaluate("e => e.scrollWidth") <= 375
    assert page.locator("#email").evaluate("e => e.getBoundingClientRect().width") == 375


def test_text_mjml_and_html_views(server, page) -> None:
    page.goto(server.url + "issues/mei-four-briefs/")
    page.wait_for_selector("body[data-version]")
    page.get_by_role("button", name="Plain text").click()
    page.wait_for_function("document.getElementById('source').textContent.startsWith('Middle East Institute')")
    assert "Follow on Twitter: @rmslim" in page.locator("#source").inner_text()
    page.get_by_role("button", name="MJML").click()
    page.wait_for_function("document.getElementById('source').textContent.startsWith('<mjml')")
    page.get_by_role("button", name="HTML").click()
    page.wait_for_function("document.getElementById('source').textContent.startsWith('<!doctype html>')")


def test_saving_the_issue_updates_the_open_page(server, project, page) -> None:
    page.goto(server.url + "issues/mei-four-briefs/")
    page.wait_for_selector("body[data-version]")
    page.evaluate("window.__marker = 1")  # gone if the page reloads
    path = project.issues / "mei-four-briefs.yaml"
    _save(path, path.read_text(encoding="utf-8").replace(TITLE, "Tehran’s new ISIS challenge"))
    page.wait_for_function(
        "document.getElementById('email').contentDocument.body.innerText.includes('Tehran’s new ISIS challenge')",
        timeout=5000)
    assert page.evaluate("window.__marker") == 1  # updated in place, no reload


def test_saving_the_config_or_the_authors_registry_updates_the_page(server, project, page) -> None:
    page.goto(server.url + "issues/mei-four-briefs/")
    page.wait_for_selector("body[data-version]")
    config = project.root / "newsletter.yaml"
    _save(config, config.read_text(encoding="utf-8").replace('name: "Middle East Institute"', 'name: "MEI Weekly"'))
    page.wait_for_function("document.getElementById('email').contentDocument.body.innerText.includes('MEI Weekly')",
                           timeout=5000)
    authors = project.root / "authors.yaml"
    _save(authors, authors.read_text(encoding="utf-8").replace('name: "Randa Slim"', 'name: "Randa M. Slim"'))
    page.wait_for_function("document.getElementById('email').contentDocument.body.innerText.includes('Randa M. Slim')",
                           timeout=5000)


def test_saving_a_template_updates_the_page(project, page) -> None:
    project.example()
    project.template("footer.mjml.j2", "<mj-section><mj-column><mj-text><p>Footer one</p></mj-text></mj-column>"
                                       "</mj-section>\n")
    server = serve(project.issues, port=0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        page.goto(server.url + "issues/mei-four-briefs/")
        page.wait_for_selector("body[data-version]")
        assert "Footer one" in _frame_text(page)
        time.sleep(0.05)  # a new modification time, on file systems that count in coarse steps
        project.template("footer.mjml.j2", "<mj-section><mj-column><mj-text><p>Footer two</p></mj-text>"
                                           "</mj-column></mj-section>\n")
        page.wait_for_function("document.getElementById('email').contentDocument.body.innerText"
                               ".includes('Footer two')", timeout=5000)
        time.sleep(0.05)
        project.template("footer.mjml.j2", "<mj-section>\n{{ config.nmae }}\n</mj-section>\n")  # a template error
        page.wait_for_selector("#errors:not([hidden])", timeout=5000)
        assert "footer.mjml.j2:2: template error:" in page.locator("#errors pre").inner_text()
        time.sleep(0.05)
        project.template("footer.mjml.j2", "<mj-section><mj-column><mj-text><p>Footer three</p></mj-text>"
                                           "</mj-column></mj-section>\n")
        page.wait_for_function("document.getElementById('email').contentDocument.body.innerText"
                               ".includes('Footer three')", timeout=5000)
        assert page.locator("#errors").is_hidden()
    finally:
        server.shutdown()
        server.previewer.watcher.stop()
        server.server_close()


def test_a_broken_save_shows_the_errors_and_recovers(server, project, page) -> None:
    page.goto(server.url + "issues/mei-four-briefs/")
    page.wait_for_selector("body[data-version]")
    path = project.issues / "mei-four-briefs.yaml"
    good = path.read_text(encoding="utf-8")
    _save(path, good.replace("briefs:\n", "briefs: [\n", 1))
    page.wait_for_selector("#errors:not([hidden])", timeout=5000)
    assert page.locator("#errors pre").inner_text().startswith("issues/mei-four-briefs.yaml:")
    assert "YAML syntax error" in page.locator("#errors pre").inner_text()
    assert page.locator("#email").is_hidden()

    _save(path, good.replace('authors: [randa-slim]', 'authors: [randa-slimm]'))
    page.wait_for_function("document.querySelector('#errors pre').textContent.includes('unknown author id')",
                           timeout=5000)
    line = next(i for i, text in enumerate(good.splitlines(), 1) if "randa-slim]" in text)
    assert f"issues/mei-four-briefs.yaml:{line}:" in page.locator("#errors pre").inner_text()
    assert "briefs[1].authors[0]" in page.locator("#errors pre").inner_text()

    shown = page.locator("body").get_attribute("data-version")  # still the first build's: errors show no email
    _save(path, good)
    page.wait_for_selector("#errors[hidden]", state="attached", timeout=5000)
    # The frame still holds the first build's email while hidden: wait for the new one to be shown, not for
    # text the old one has too (that raced the fetch of the new email).
    page.wait_for_function(f"document.body.dataset.version !== '{shown}'", timeout=5000)
    assert page.locator("#email").is_visible()
    assert "Contents" in page.evaluate("document.getElementById('email').contentDocument.body.textContent")


def _status(server, path: str) -> int:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=5)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.mark.parametrize("path", [
    "/..%2f..%2fetc/passwd", "/../../etc/passwd", "/issues/..%2f..%2fetc%2fpasswd/", "/issues/../newsletter.yaml",
    "/issues/mei-four-briefs/../../authors.yaml", "/issues/mei-four-briefs/email.pdf", "/issues/nope/",
    "/newsletter.yaml", "/issues/mei-four-briefs.yaml", "//etc/passwd", "/%00", "/issues/%2e%2e/",
])
def test_only_its_own_pages_are_served(server, path: str) -> None:
    assert _status(server, path) == 404


def test_its_pages_are_served(server) -> None:
    for path in ["/", "/issues/mei-four-briefs/", "/issues/mei-four-briefs/email.html",
                 "/issues/mei-four-briefs/email.txt", "/issues/mei-four-briefs/email.mjml",
                 "/issues/mei-four-briefs/state.json"]:
        assert _status(server, path) == 200, path


def test_subject_cannot_break_out_of_the_page_script(server, project, page) -> None:
    project.issue("x", 'subject: "</script><script>window.owned = 1</script>"\n'
                       "briefs:\n  - title: T\n    authors: [randa-slim]\n    body: B\n")
    page.goto(server.url + "issues/x/")
    page.wait_for_selector("body[data-version]")
    assert page.evaluate("window.owned") is None
    assert page.locator("#subject").inner_text() == "</script><script>window.owned = 1</script>"


def test_ctrl_c_stops_the_command_cleanly(project) -> None:
    project.example()
    process = subprocess.Popen([sys.executable, "-m", "newsletter", "preview", "--port", "0"], cwd=project.root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    assert line.startswith("Previewing issues/ at http://127.0.0.1:")
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0
    rest = process.stderr.read()
    assert rest == "Stopped.\n"


def test_port_in_use_is_a_clear_error(server, cli) -> None:
    code, _, err = cli("preview", "issues", "--port", str(server.server_address[1]))
    assert code == 1
    assert err.startswith(f"Error: cannot listen on 127.0.0.1:{server.server_address[1]}")


def test_screenshot_command(project) -> None:
    import struct

    project.example()
    # In its own process: Playwright's sync API cannot start inside the session's running browser fixture.
    result = subprocess.run([sys.executable, "-m", "newsletter", "screenshot", "issues/mei-four-briefs.yaml",
                             "--width", "600,375", "--out", "shots"], cwd=project.root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines() == ["wrote shots/mei-four-briefs-600.png", "wrote shots/mei-four-briefs-375.png"]
    for width in (600, 375):
        data = (project.root / "shots" / f"mei-four-briefs-{width}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        png_width, png_height = struct.unpack(">II", data[16:24])
        assert png_width == width and png_height > 3000


def test_screenshot_bad_width(project, cli) -> None:
    project.example()
    code, _, err = cli("screenshot", "issues/mei-four-briefs.yaml", "--width", "600,wide")
    assert code == 1 and "--width takes whole numbers" in err
