"""Hardening, round 3: pictures that carry scripts, silent losses, memory, and what a new user trips on.

Each test here failed on the code before the fix it names (issue 22's numbered items).
"""

from __future__ import annotations

import gzip
import http.client

import pytest
from PIL import Image

from conftest import MINIMAL_ISSUE, preview_server

# --- 1. SVG files with scripts are published ------------------------------------------------------------

SVGS = {
    "namespaced script": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:s="http://www.w3.org/2000/svg" '
                         b'width="10" height="10"><s:script>alert(1)</s:script></svg>',
    "script in foreignObject": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><foreignObject>'
                               b'<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
                               b'</foreignObject></svg>',
    "entity-encoded javascript link": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/'
                                      b'xlink" width="9" height="9"><a x:href="&#106;avascript:alert(1)"><rect '
                                      b'width="9" height="9"/></a></svg>',
    "harmless": b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"/>',
    "prefixed svg element": b'<?xml version="1.0"?>\n<!-- made by hand -->\n<q:svg xmlns:q="http://www.w3.org/'
                            b'2000/svg" width="4" height="4"/>',
}


@pytest.mark.parametrize("name", SVGS)
@pytest.mark.parametrize("field", ["logo.src", "logo.dark_image", "hero.image"])
def test_an_svg_is_refused_at_its_line_with_the_fix(project, cli, name: str, field: str) -> None:
    (project.root / "mark.svg").write_bytes(SVGS[name])
    Image.new("RGB", (40, 20)).save(project.root / "logo.png")
    if field == "hero.image":
        project.configure(asset_url="https://example.org/n/")
        project.issue("x", 'subject: S\nhero: {image: "../mark.svg", alt: "A"}\n'
                      + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
        where = "issues/x.yaml:2:15: hero.image: ../mark.svg"
    else:
        logo = {"src": "mark.svg", "alt": "M"} if field == "logo.src" else \
            {"src": "logo.png", "alt": "M", "dark_image": "mark.svg"}
        project.configure(asset_url="https://example.org/n/", logo=logo)
        project.issue("x", MINIMAL_ISSUE)
        where = f"newsletter.yaml:"
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1, err
    line = next(line for line in err.splitlines() if "SVG" in line)
    assert line.startswith(where) and f" {field}: " in line, line
    assert "is an SVG picture, which Outlook and Gmail do not show and which can carry scripts: export it as a PNG" \
        in line
    assert not project.out.exists()  # nothing published


@pytest.mark.parametrize("disguise", ["svg named .png", "gzipped svgz"])
def test_an_svg_under_another_name_is_refused_too(project, cli, disguise: str) -> None:
    data = SVGS["namespaced script"]
    if disguise == "gzipped svgz":
        data = gzip.compress(data, mtime=0)
    (project.root / "mark.png").write_bytes(data)
    project.configure(asset_url="https://example.org/n/", logo={"src": "mark.png", "alt": "M"})
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1 and "logo.src: mark.png is an SVG picture" in err, err
    assert not project.out.exists()


# --- 2. Through the preview, a user's file becomes the preview's own page ------------------------------

def _headers(server, path: str) -> dict[str, str]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200, path
    return {name.lower(): value for name, value in response.getheaders()}


def test_the_preview_sandboxes_whatever_came_from_the_users_files(project) -> None:
    Image.new("RGB", (60, 30), (200, 30, 40)).save(project.root / "hero.png")
    project.configure(asset_url="https://example.org/n/")
    project.issue("x", 'subject: S\nhero: {image: "../hero.png", alt: "A"}\n'
                  + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
    with preview_server(project.issues) as server:
        asset = server.previewer.get("x").email.assets
        name = next(iter(asset.values())).name
        for part in ("email.html", "email.view.html", "email.txt", "email.mjml", f"assets/{name}"):
            headers = _headers(server, f"/issues/x/{part}")
            assert headers["content-security-policy"] == "sandbox", part
            assert headers["x-content-type-options"] == "nosniff", part
        page = _headers(server, "/issues/x/")  # our own page: its script must run
        assert "content-security-policy" not in page


def test_a_script_in_a_users_template_cannot_act_as_the_preview(project, browser) -> None:
    """The attack of issue 22, item 2, with a template instead of an SVG: opened at the preview's address, the
    email's own script tries to read the page's send token. Sandboxed, it does not even run."""
    project.template("head.mjml.j2", '{% include "builtin/head.mjml.j2" %}\n    <mj-raw><script>'
                     'document.title = "ran"; fetch("/issues/x/").then(r => r.text()).then(t => '
                     '{ document.title = "read " + t.length; });</script></mj-raw>\n')
    project.issue("x", MINIMAL_ISSUE)
    with preview_server(project.issues) as server:
        assert "<script>" in server.previewer.get("x").email.html  # the template's script is in the email
        page = browser.new_page()
        try:
            page.goto(f"{server.url}issues/x/email.html")
            page.wait_for_timeout(300)
            assert page.title() == "A small issue"  # the script did not run
        finally:
            page.close()


# --- 3. Events in an issue that is not English ------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_an_events_block_in_another_language_passes_its_own_checks(project, cli, lang: str) -> None:
    project.issue("ev", f"""
        subject: "S"
        preheader: "An issue with one event in it, written in another language."
        lang: {lang}
        blocks:
          - type: events
            title: "Events"
            items:
              - {{title: "A talk", date: 2024-05-14, time: "18:30", url: "https://example.org/e"}}
        """)
    code, out, err = cli("build", "issues/ev.yaml")
    assert code == 0, out + err
    report = __import__("json").loads(cli("check", "--format", "json", "dist/ev.html")[1])
    assert not [f for f in report["findings"] if f["rule"] == "text-parity"]
    month = {"ar": "مايو", "fr": "mai"}[lang]
    assert f"14 {month} 2024, 18:30" in (project.out / "ev.txt").read_text(encoding="utf-8")


# --- 4. Lists and quotes nested too deep -------------------------------------------------------------------

def _nested_issue(levels: int) -> str:
    body = "\n".join("      " + "  " * level + f"- level {level}" for level in range(levels))
    return f'subject: "Deep"\nbriefs:\n  - title: T\n    authors: [randa-slim]\n    body: |\n{body}\n'


def test_eight_levels_of_lists_keep_every_level(project, cli) -> None:
    project.issue("deep", _nested_issue(8))
    assert cli("build", "issues/deep.yaml")[0] == 0
    html, text = ((project.out / f"deep.{suffix}").read_text(encoding="utf-8") for suffix in ("html", "txt"))
    for level in range(8):
        assert f"level {level}<" in html and f"level {level}\n" in text, level


@pytest.mark.parametrize("levels, line", [(10, 14), (200, 14)])
def test_lists_nested_deeper_are_refused_at_the_line(project, cli, levels: int, line: int) -> None:
    project.issue("deep", _nested_issue(levels))
    code, out, err = cli("build", "issues/deep.yaml")
    assert code == 1
    assert f"issues/deep.yaml:{line}:" in err and "'- level 8': lists and quotes nest more than 8 levels" in err


def test_quotes_nested_two_hundred_deep_are_refused_not_emptied(project, cli) -> None:
    project.issue("q", 'subject: "Q"\nbriefs:\n  - title: T\n    authors: [randa-slim]\n    body: |\n      '
                  + ">" * 200 + " quoted\n")
    code, out, err = cli("build", "issues/q.yaml")
    assert code == 1 and "issues/q.yaml:6:7: briefs[0].body:" in err and "nest more than 8 levels" in err
    assert "must not be empty" not in err


# --- 5. A list that starts at 0 ------------------------------------------------------------------------------

def test_a_list_starting_at_zero_is_numbered_from_zero_in_the_text_too(project, cli) -> None:
    project.issue("z", MINIMAL_ISSUE.replace("A paragraph.", "0. zero\n      1. one"))
    assert cli("build", "issues/z.yaml")[0] == 0
    assert '<ol style="margin:0 0 16px 0;padding:0 0 0 24px" start="0">' in (project.out / "z.html").read_text(
        encoding="utf-8")
    text = (project.out / "z.txt").read_text(encoding="utf-8")
    assert "  0. zero\n  1. one\n" in text


# --- 6. Pictures with too many pixels ------------------------------------------------------------------------

def test_a_picture_of_169_megapixels_is_refused_at_its_line_in_our_words(project, tmp_path) -> None:
    import subprocess
    import sys

    Image.new("RGB", (13000, 13000), (1, 2, 3)).save(project.issues / "huge.png")
    project.issue("big", 'subject: "S"\nhero: {image: huge.png, alt: "A"}\n' + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
    result = subprocess.run([sys.executable, "-m", "newsletter", "build", "issues/big.yaml"], cwd=project.root,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "issues/big.yaml:2:15: hero.image: huge.png is 13000 × 13000 pixels (169 megapixels), more than the 40" \
           in result.stderr
    assert "DecompressionBombWarning" not in result.stderr and "site-packages" not in result.stderr


def test_a_camera_photo_is_shrunk_without_decoding_it_whole(project) -> None:
    """A 24-megapixel JPEG under images.max_width: decoded at a quarter of its size (Pillow's draft)."""
    import os
    import subprocess
    import sys

    Image.new("RGB", (6000, 4000), (200, 100, 50)).save(project.issues / "camera.jpg", quality=90)
    project.configure(images={"max_width": 1200}, asset_url="https://example.org/n/")
    project.issue("cam", 'subject: "S"\nhero: {image: camera.jpg, alt: "A"}\n' + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
    measure = ("import os, sys; pid = os.fork()\n"
               "if pid == 0:\n    os.execv(sys.executable, [sys.executable, '-m', 'newsletter', 'build', 'issues/cam.yaml'])\n"
               "_, status, usage = os.wait4(pid, 0); print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)")
    code, peak_kb = subprocess.run([sys.executable, "-S", "-c", measure], cwd=project.root, capture_output=True,
                                   text=True, env={**os.environ}).stdout.split()[-2:]
    assert code == "0"
    assert int(peak_kb) < 120_000, peak_kb  # decoded whole, the picture alone is 72 MB
    written = next((project.out / "assets").iterdir())
    assert Image.open(written).size == (1200, 800)


# --- 8. Messages show what the writer typed -----------------------------------------------------------------

def test_unquoted_times_and_words_are_quoted_as_typed(project, cli) -> None:
    project.issue("t", 'subject: "S"\nlang: no\nblocks:\n  - type: events\n    title: "E"\n    items:\n'
                       '      - {title: "A", date: 2024-05-14, time: 18:30}\n')
    code, _, err = cli("validate", "issues/t.yaml")
    assert code == 1
    assert 'issues/t.yaml:2:7: lang: YAML reads no as true or false, not text: put it in quotes, e.g. lang: "no"' in err
    assert 'time: YAML reads 18:30 as a number, not text: put it in quotes, e.g. time: "18:30"' in err
    assert "1110" not in err and '"false"' not in err


# --- 9. A folder named as a photo; a time no clock shows ------------------------------------------------------

def test_a_folder_named_as_a_picture_says_so(project, cli) -> None:
    (project.issues / "pictures").mkdir()
    project.issue("f", 'subject: "S"\nhero: {image: pictures, alt: "A"}\n' + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
    code, _, err = cli("build", "issues/f.yaml")
    assert code == 1 and "hero.image: pictures is a folder, not a picture: name the picture's file in it" in err


def test_a_time_no_clock_shows_is_a_warning_at_its_line(project, cli) -> None:
    project.issue("t", 'subject: "S"\npreheader: "An issue whose only event has a time that no clock can show."\n'
                       'blocks:\n  - type: events\n    title: "E"\n    items:\n'
                       '      - title: "A"\n        date: 2024-05-14\n        time: "25:61 ET"\n')
    code, out, err = cli("build", "issues/t.yaml")
    assert code == 0
    assert ("issues/t.yaml:9:15: blocks[0].items[0].time: warning: 25:61 is not a time of day; it is printed as "
            "written: check it") in err


# --- 10. A tab inside a block scalar ---------------------------------------------------------------------------

def test_a_tab_in_a_block_scalar_gets_our_sentence(project, cli) -> None:
    project.issue("tab", 'subject: "S"\nbriefs:\n  - title: T\n    authors: [randa-slim]\n    body: |\n'
                         '      A line.\n\tA tabbed line.\n')
    code, _, err = cli("validate", "issues/tab.yaml")
    assert code == 1
    assert "issues/tab.yaml:7:1: YAML syntax error: a tab here: YAML indents with spaces, not tabs" in err
    assert "while scanning" not in err


# --- 11. The README a new user follows --------------------------------------------------------------------------

def test_the_readme_installs_from_inside_a_clone_and_its_snapshot_commands_fit() -> None:
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install ./newsletter" not in readme and "pip install .   " in readme
    block = readme.split("## Snapshot tests", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].split() for line in block.strip().splitlines() if line.startswith("newsletter")]
    update, compare = commands
    assert update[-1] == "--update" and update[:-1] == compare  # the same widths and schemes both times
    assert "'.[browser]'" in block


def test_a_missing_snapshot_says_the_update_command_with_its_options(project) -> None:
    import subprocess
    import sys

    project.issue("x", MINIMAL_ISSUE)
    # In a process of its own: Playwright's sync API does not start inside this session's browser fixture.
    ran = subprocess.run([sys.executable, "-m", "newsletter", "snapshot", "issues/x.yaml", "--widths", "375",
                          "--schemes", "light,dark", "--dir", "shots"], cwd=project.root, capture_output=True, text=True)
    assert ran.returncode == 1
    said = ran.stdout + ran.stderr
    assert "shots/x-375-dark.png: no snapshot yet: run newsletter snapshot issues/x.yaml --update --widths 375 " \
           "--schemes light,dark --dir shots to write it" in said, said


# --- 12. The pytest fixture from another folder -------------------------------------------------------------------

def test_the_fixture_finds_the_issue_beside_the_test_from_any_folder(tmp_path) -> None:
    import shutil
    import subprocess
    import sys

    from conftest import REPO

    copy = tmp_path / "publication"
    shutil.copytree(REPO / "tests" / "sample_project", copy)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "publication/test_sample_project.py"]
    ran = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)  # from the parent
    assert ran.returncode == 0, ran.stdout + ran.stderr
    (copy / "test_missing.py").write_text("def test_missing(newsletter_snapshot):\n"
                                          "    newsletter_snapshot('issues/nowhere.yaml')\n", encoding="utf-8")
    ran = subprocess.run([*command[:-1], "publication/test_missing.py"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert ran.returncode == 1
    assert "nowhere.yaml" in ran.stdout and "file not found" in ran.stdout
    assert "load.py" not in ran.stdout and "Traceback" not in ran.stdout


def test_the_fixtures_default_widths_are_the_commands() -> None:
    import inspect

    from newsletter import pytest_plugin, snapshot

    source = inspect.getsource(pytest_plugin.newsletter_snapshot)
    assert "widths: tuple[int, ...] = (600, 375)" in source
    assert inspect.signature(snapshot.snapshot).parameters["widths"].default == (600, 375)


# --- 13. newsletter new for an issue of blocks ------------------------------------------------------------------

def test_new_starts_an_issue_of_the_blocks_named(project, cli) -> None:
    from newsletter import blocks

    project.issue("first", MINIMAL_ISSUE + "date: 2024-05-02\n")
    names = list(blocks.BUILTIN)
    code, out, err = cli("new", "--blocks", ",".join(names))
    assert code == 0, err
    written = project.root / out.strip()
    import yaml

    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert [block["type"] for block in data["blocks"]] == names and str(data["date"]) == "2024-05-09"
    code, _, err = cli("validate", str(written))
    assert code == 0, err
    assert "still holds a placeholder" in err  # each TODO: at its line
    code, _, err = cli("new", "--blocks", "brief,quiz", "--date", "2024-06-01")
    assert code == 1 and "'quiz' is not a block type; choose among announcement, brief, events" in err
    code, _, err = cli("new", "--blocks", "Brief", "--date", "2024-06-01")
    assert code == 1 and "'Brief' is not a block type; did you mean 'brief'?" in err
    code, _, err = cli("new", "--blocks", "brief,,events", "--date", "2024-06-01")
    assert code == 1 and "a type is missing" in err


# --- 14. A test send shows what it can ------------------------------------------------------------------------

def test_a_test_send_carries_file_pictures_and_says_what_only_the_platform_fills_in(project, cli) -> None:
    import email
    from email import policy

    from test_delivery import _smtp

    Image.new("RGB", (40, 20), (1, 2, 3)).save(project.issues / "hero.png")
    project.configure(platform="mailchimp", asset_url="https://cdn.example.org/n/")
    project.issue("x", 'subject: "S"\nhero: {image: hero.png, alt: "A"}\n' + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
    with _smtp() as (address, inbox):
        code, out, err = cli("send", "issues/x.yaml", "--to", "me@example.org", "--smtp", address)
    assert code == 0, err
    received = [content for _, _, content, _ in inbox.received]
    assert "note: the unsubscribe and view in browser links are Mailchimp's merge tags (*|UNSUB|*, *|ARCHIVE|*)" in out
    assert "note: 1 picture given as files is carried in the test message" in out
    message = email.message_from_bytes(received[0], policy=policy.default)
    assert message.get_content_type() == "multipart/related"
    html = message.get_body(("html",)).get_content()
    picture = next(part for part in message.walk() if part.get_content_type() == "image/png")
    assert f'src="cid:{picture["Content-ID"].strip("<>")}"' in html
    assert Image.open(__import__("io").BytesIO(picture.get_content())).size == (40, 20)


# --- 15. What a build says and leaves, and how the preview answers -----------------------------------------------

def test_the_wrote_line_names_the_archives_files(project, cli) -> None:
    project.issue("x", MINIMAL_ISSUE)
    code, out, _ = cli("build", "issues/x.yaml")
    assert code == 0
    assert "wrote the archive: dist/index.html, dist/feed.xml, dist/sitemap.xml, dist/robots.txt, " \
           "dist/archive.json" in out
    assert "wrote dist/x.html, dist/x.txt, dist/x.mjml, dist/x.web.html" in out


def test_a_replaced_picture_leaves_no_old_copy_in_assets(project, cli) -> None:
    project.configure(asset_url="https://cdn.example.org/n/")
    Image.new("RGB", (40, 20), (1, 2, 3)).save(project.issues / "hero.png")
    project.issue("x", 'subject: "S"\nhero: {image: hero.png, alt: "A"}\n' + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
    assert cli("build", "issues/x.yaml")[0] == 0
    first = {p.name for p in (project.out / "assets").iterdir()}
    Image.new("RGB", (40, 20), (9, 9, 9)).save(project.issues / "hero.png")
    assert cli("build", "issues/x.yaml")[0] == 0
    second = {p.name for p in (project.out / "assets").iterdir()}
    assert len(first) == len(second) == 1 and first != second
    (project.out / "assets" / "notes.txt").write_text("mine", encoding="utf-8")  # not named as a build names
    assert cli("build", "issues/x.yaml")[0] == 0
    assert {p.name for p in (project.out / "assets").iterdir()} == second | {"notes.txt"}


def test_no_dark_logo_is_published_with_dark_mode_off(project, cli) -> None:
    Image.new("RGB", (40, 20), (1, 2, 3)).save(project.root / "logo.png")
    Image.new("RGB", (40, 20), (250, 250, 250)).save(project.root / "logo-dark.png")
    project.configure(asset_url="https://cdn.example.org/n/", dark_mode="off",
                      logo={"src": "logo.png", "alt": "L", "dark_image": "logo-dark.png"})
    project.issue("x", MINIMAL_ISSUE)
    assert cli("build", "issues/x.yaml")[0] == 0
    assert [p.name.split("-")[0] for p in (project.out / "assets").iterdir()] == ["logo"]
    assert "logo-dark" not in (project.out / "x.html").read_text(encoding="utf-8")


def test_one_save_one_rebuild(project) -> None:
    import time

    path = project.issue("x", MINIMAL_ISSUE)
    with preview_server(project.issues) as server:
        previewer = server.previewer
        previewer.open_page("x", +1)
        first = previewer.get("x").version
        time.sleep(0.3)  # the watcher has seen every file it lists, the plugins' and templates' too
        path.write_text(MINIMAL_ISSUE.replace("A paragraph.", "A saved paragraph."), encoding="utf-8")
        build = previewer.wait_for_newer("x", (first, True), 5)
        assert build is not None and "A saved paragraph." in build.email.text
        time.sleep(0.5)  # long enough for any second or third rebuild the save might cause
        assert previewer.get("x").version == first + 1


def test_the_preview_answers_head_and_the_favicon(project) -> None:
    project.issue("x", MINIMAL_ISSUE)
    with preview_server(project.issues) as server:
        for method, path, status in (("HEAD", "/", 200), ("HEAD", "/issues/x/email.html", 200),
                                     ("GET", "/favicon.ico", 204), ("HEAD", "/issues/x/events", 200)):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
            try:
                connection.request(method, path)
                response = connection.getresponse()
                assert response.status == status, (method, path, response.status)
                body = response.read()
                if method == "HEAD" or status == 204:
                    assert body == b""
            finally:
                connection.close()


# --- Found by a new user's trial of this round ---------------------------------------------------------------------

def test_a_new_project_has_no_fake_link_that_passes_the_checks(tmp_path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("init", "pub", "--name", "Pub")[0] == 0
    monkeypatch.chdir(tmp_path / "pub")
    code, out, err = cli("build", "issues/")
    assert "(https://example.org/unsubscribe)" not in (tmp_path / "pub" / "newsletter.yaml").read_text(encoding="utf-8")
    report = __import__("json").loads(cli("check", "--format", "json", "dist/")[1])
    rules = {f["rule"] for f in report["findings"]}
    assert "unsubscribe" in rules and "placeholder" in rules  # no unsubscribe link, a link to write: both said


def test_a_co_authored_briefs_only_handle_says_whose_it_is(project, cli) -> None:
    project.issue("co", 'subject: "S"\nbriefs:\n  - title: T\n    authors: [{name: "Marco Ruiz"}, randa-slim]\n'
                        '    body: x\n')
    assert cli("build", "issues/co.yaml")[0] == 0
    assert "Follow on Twitter: @rmslim (Randa Slim)" in (project.out / "co.txt").read_text(encoding="utf-8")
    assert "@rmslim</a> (Randa Slim)" in (project.out / "co.html").read_text(encoding="utf-8")


def test_a_palette_picture_twice_the_width_is_shrunk(tmp_path) -> None:
    from newsletter import images

    Image.new("P", (2400, 400), 3).save(tmp_path / "pal.gif")
    Image.new("RGB", (2400, 400), (1, 2, 3)).convert("P").save(tmp_path / "pal.png")
    for name in ("pal.gif", "pal.png"):
        prepared = images.prepare(tmp_path / name, max_width=600)
        assert (prepared.width, prepared.height) == (600, 100), name


def test_a_time_in_a_flow_mapping_is_quoted_alone(project, cli) -> None:
    project.issue("t", 'subject: "S"\nblocks:\n  - type: events\n    title: "E"\n    items: [{title: A, '
                       'date: 2024-05-10, time: 18:30, location: Hall}]\n')
    code, _, err = cli("validate", "issues/t.yaml")
    assert code == 1 and 'YAML reads 18:30 as a number, not text: put it in quotes, e.g. time: "18:30"' in err


def test_new_blocks_of_a_plugin_with_choices_and_numbers_validate(tmp_path) -> None:
    import datetime
    from typing import Literal

    from pydantic import BaseModel

    from newsletter import scaffold

    class Poll(BaseModel):
        type: Literal["poll"]
        mood: Literal["calm", "stormy"]
        count: int
        open: bool

    assert scaffold._required(Poll, datetime.date(2024, 1, 1), []) == {"mood": "calm", "count": 0, "open": False}


def test_build_validate_and_check_take_the_projects_folders_by_default(project, cli, tmp_path, monkeypatch) -> None:
    project.issue("x", MINIMAL_ISSUE)
    assert cli("validate")[0] == 0
    code, out, _ = cli("build")
    assert code == 0 and "wrote dist/x.html" in out
    code, out, err = cli("check")
    assert code == 0 and err.endswith("in 1 email\n")
    monkeypatch.chdir(tmp_path / "issues")  # no issues/ or dist/ here
    code, _, err = cli("build")
    assert code == 1 and "no issues/ here: name the issue files or folders to build" in err


def test_validate_and_check_place_a_placeholder_alike_and_quote_no_filler(project, cli) -> None:
    project.issue("p", 'subject: "S"\npreheader: "TODO: the inbox preview text"\n' + MINIMAL_ISSUE.split(
        '"A small issue"\n', 1)[1])
    _, _, validated = cli("validate", "issues/p.yaml")
    assert "issues/p.yaml:2:12: preheader: warning: still holds a placeholder" in validated
    cli("build", "issues/p.yaml")
    _, checked, _ = cli("check", "dist/p.html")
    assert "issues/p.yaml:2:12: warning [placeholder] preheader: text still holds a placeholder: " \
           "'TODO: the inbox preview text'\n" in checked


def test_check_names_each_place_a_repeated_placeholder_is_written(project, cli) -> None:
    """Two briefs with the same placeholder paragraph and link: validate warns at both lines, and so does check
    (it used to find the text's first writing for both)."""
    brief = ('  - title: "{title}"\n    authors: [randa-slim]\n    body: |\n      TODO: write the paragraph.\n\n'
             '      [More](https://example.org/TODO)\n')
    project.issue("twice", 'subject: "S"\nbriefs:\n' + brief.format(title="One") + brief.format(title="Two"))
    _, _, validated = cli("validate", "issues/twice.yaml")
    assert "issues/twice.yaml:6:7: briefs[0].body: warning: still holds a placeholder (TODO: write the " \
           "paragraph.…): write it before sending" in validated  # where its text begins; more lines follow
    assert "issues/twice.yaml:12:7: briefs[1].body: warning: still holds a placeholder" in validated
    cli("build", "issues/twice.yaml")
    _, checked, _ = cli("check", "dist/twice.html")
    texts = [line for line in checked.splitlines() if "text still holds a placeholder" in line]
    links = [line for line in checked.splitlines() if "still points to the placeholder" in line]
    assert [line.split(": ")[0] for line in texts] == ["issues/twice.yaml:6:7", "issues/twice.yaml:12:7"]
    assert [line.split(": ")[0] for line in links] == ["issues/twice.yaml:8:14", "issues/twice.yaml:14:14"]
    # A brief whose link: and body both hold the placeholder address: each link at its own writing, though
    # the HTML shows the body's first and the issue writes the link: first.
    project.issue("both", 'subject: "S"\nbriefs:\n  - title: "One"\n    authors: [randa-slim]\n'
                          '    link: https://example.org/TODO\n    body: |\n      See [More](https://example.org/TODO).\n')
    cli("build", "issues/both.yaml")
    _, checked, _ = cli("check", "dist/both.html")
    links = [line for line in checked.splitlines() if "still points to the placeholder" in line]
    assert any(line.startswith("issues/both.yaml:7:18: warning [placeholder] briefs[0].body: link 'More'")
               for line in links), links
    assert any(line.startswith("issues/both.yaml:5:11: warning [placeholder] briefs[0].link: link 'Read the "
                               "full brief'") for line in links), links


@pytest.mark.parametrize(("text", "place"), [
    ("body: |\n  TODO: x\n", (2, 3)),
    ("a:\n  body: !!str\n    |\n    TODO: x\n", (4, 5)),  # a tag on the line above the indicator
    ("a:\n  body: &first\n    |-\n    TODO: x\n", (4, 5)),  # an anchor there
    ("body: !!str |\n  TODO: x\n", (2, 3)),
    ("body: | # a comment\n   TODO: x\n", (2, 4)),
    ("- >\n  TODO: x\n", (2, 3)),
    ("body: |\r\n  TODO: x\r\n", (2, 3)),
    ("body: \"TODO: x\"\n", (1, 7)),
])
def test_a_block_scalars_placeholder_is_placed_where_its_text_begins(tmp_path, text: str, place) -> None:
    from newsletter import load

    path = tmp_path / "x.yaml"
    path.write_bytes(text.encode())
    warnings = load.load(path).warnings
    assert [(w.line, w.column) for w in warnings] == [place]
    assert warnings[0].message == "still holds a placeholder (TODO: x): write it before sending"
