"""Your own publication: init, new, the built-in defaults, and pictures given as files."""

from __future__ import annotations

import datetime
import hashlib
import http.client
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from PIL import Image

import newsletter
from newsletter import images, models, scaffold

TODAY = datetime.date.today()


def _png(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, format="PNG")
    return path.read_bytes()


# --- init ------------------------------------------------------------------------------------------------

def test_init_makes_a_project_that_builds_and_checks_clean(tmp_path, monkeypatch, cli) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("init", "harbor", "--name", "Harbor Policy Forum")
    assert code == 0, err
    first = f"harbor/issues/{TODAY.isoformat()}.yaml"
    assert out.splitlines() == ["wrote harbor/newsletter.yaml", "wrote harbor/authors.yaml", f"wrote {first}",
                                "wrote harbor/README.md"]
    assert (tmp_path / "harbor" / "assets").is_dir()
    monkeypatch.chdir(tmp_path / "harbor")
    code, out, err = cli("build", "issues/")
    assert code == 0, err
    assert "note:" not in err  # a project of its own, not the defaults
    code, out, err = cli("check", "--format", "json", "dist/")
    assert code == 0 and [f for f in json.loads(out)["findings"] if f["severity"] == "error"] == []
    text = (tmp_path / "harbor" / "dist" / f"{TODAY.isoformat()}.txt").read_text(encoding="utf-8")
    assert text.startswith("Harbor Policy Forum\n") and "Jane Doe" in text
    assert "Middle East" not in (tmp_path / "harbor" / "newsletter.yaml").read_text(encoding="utf-8")


def test_init_names_the_files_it_will_not_overwrite(tmp_path, monkeypatch, cli) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "authors.yaml").write_text("mine: {name: Mine}\n")
    code, _, err = cli("init", "x")
    assert code == 1
    assert err == ("Error: not overwriting x/authors.yaml: init makes a new project; choose an empty folder\n")
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["authors.yaml"]  # nothing else written
    assert (tmp_path / "x" / "authors.yaml").read_text() == "mine: {name: Mine}\n"


def test_the_config_init_writes_has_every_field_with_its_description(tmp_path) -> None:
    text = scaffold.config_text("Harbor Policy Forum")
    config = models.Config.model_validate(yaml.safe_load(text))
    assert config.name == "Harbor Policy Forum"

    def fields(model, prefix=""):  # type: ignore[no-untyped-def]
        for name, info in model.model_fields.items():
            yield name, info
            inner = scaffold._inner_model(info.annotation)
            if inner is not None and f"{prefix}{name}" not in scaffold._EXAMPLES:
                yield from fields(inner, f"{prefix}{name}.")

    for name, info in fields(models.Config):
        assert re.search(rf"^(# )?\s*(# )?{name}:", text, re.M), name
        assert info.description in text, name
    # Everything commented out, uncommented, is a valid config too: the examples are real values.
    uncommented = "\n".join(line[2:] if re.match(r"^# ([a-z_]+:|  )", line) else line for line in text.splitlines())
    _png(tmp_path / "assets" / "logo.png", (400, 100), (0, 0, 0))  # the example logo is a file beside it
    everything = models.Config.model_validate(yaml.safe_load(uncommented), context={"base": tmp_path})
    assert everything.sender and everything.logo and everything.social and everything.theme.text_color


# --- new -------------------------------------------------------------------------------------------------

@pytest.fixture
def harbor(tmp_path, monkeypatch) -> Path:
    scaffold.init(tmp_path / "harbor", "Harbor", today=datetime.date(2024, 5, 3))
    monkeypatch.chdir(tmp_path / "harbor")
    return tmp_path / "harbor"


def test_new_twice_gives_two_consecutive_weeks(harbor, cli) -> None:
    assert cli("new") == (0, "issues/2024-05-10.yaml\n", "")
    assert cli("new") == (0, "issues/2024-05-17.yaml\n", "")
    data = yaml.safe_load((harbor / "issues" / "2024-05-17.yaml").read_text(encoding="utf-8"))
    assert data["date"] == datetime.date(2024, 5, 17)
    assert data["subject"].startswith("TODO:") and data["briefs"][0]["authors"] == ["jane-doe"]
    assert len(data["briefs"][0]["key_points"]) == 1  # the latest issue's shape


@pytest.mark.parametrize(("cadence", "latest", "expected"), [
    ("biweekly", "2024-05-03", "2024-05-17"), ("monthly", "2024-01-31", "2024-02-29"),
    ("monthly", "2024-12-15", "2025-01-15"), ("weekly", "2024-12-30", "2025-01-06"),
])
def test_the_cadence_dates_the_next_issue(harbor, cli, cadence: str, latest: str, expected: str) -> None:
    config = harbor / "newsletter.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"cadence: {cadence}\n", encoding="utf-8")
    first = harbor / "issues" / "2024-05-03.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace("date: 2024-05-03", f"date: {latest}"))
    assert cli("new") == (0, f"issues/{expected}.yaml\n", "")


def test_new_takes_a_date_and_never_overwrites(harbor, cli) -> None:
    code, _, err = cli("new", "--date", "1/6/2024")
    assert code == 1 and err == "Error: --date takes a date written YYYY-MM-DD, e.g. 2024-05-10, not '1/6/2024'\n"
    assert cli("new", "--date", "2024-06-01") == (0, "issues/2024-06-01.yaml\n", "")
    code, _, err = cli("new", "--date", "2024-06-01")
    assert code == 1 and "issues/2024-06-01.yaml is already there" in err


def test_new_outside_a_project_says_what_to_do(tmp_path, monkeypatch, cli) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("new")
    assert code == 1 and "run new inside a project (`newsletter init DIR` makes one)" in err


def test_new_keeps_the_shape_of_a_block_issue(harbor, cli) -> None:
    latest = harbor / "issues" / "2024-05-03.yaml"
    latest.write_text(yaml.safe_dump({"subject": "S", "date": datetime.date(2024, 5, 3), "blocks": [
        {"type": "note", "body": "Hello."},
        {"type": "events", "title": "Events", "items": [{"title": "A", "date": datetime.date(2024, 6, 1),
                                                          "url": "https://e.com/a"}]},
        {"type": "announcement", "title": "T", "body": "B", "button": {"label": "Go", "url": "https://e.com"}}]}))
    assert cli("new")[0] == 0
    data = yaml.safe_load((harbor / "issues" / "2024-05-10.yaml").read_text(encoding="utf-8"))
    assert [block["type"] for block in data["blocks"]] == ["note", "events", "announcement"]
    assert data["blocks"][1]["items"][0]["url"] == scaffold.PLACEHOLDER_URL
    assert data["blocks"][2]["button"] == {"label": "TODO: the button's words", "url": scaffold.PLACEHOLDER_URL}
    code, _, err = cli("build", "issues/2024-05-10.yaml")
    assert code == 0, err  # placeholders are valid: the build warns


def test_a_placeholder_link_in_a_text_is_warned_by_validate_where_check_names_it(harbor, cli) -> None:
    """The first issue's body links to the placeholder address inside its Markdown: validate and the build
    used to say nothing of it, while check did."""
    _, _, validated = cli("validate", "issues/2024-05-03.yaml")
    warned = [line for line in validated.splitlines() if "placeholder link" in line]
    assert warned == ["issues/2024-05-03.yaml:13:34: briefs[0].body: warning: still holds a placeholder link "
                      "(https://example.org/TODO): write it before sending"], validated
    cli("build", "issues/2024-05-03.yaml")
    _, checked, _ = cli("check", "dist/2024-05-03.html")
    assert "issues/2024-05-03.yaml:13:34: warning [placeholder] briefs[0].body: link 'links' still points to " \
           "the placeholder https://example.org/TODO" in checked


def test_placeholders_warn_where_they_stand(harbor, cli) -> None:
    cli("new")
    code, out, err = cli("build", "issues/2024-05-10.yaml")
    assert code == 0
    assert "issues/2024-05-10.yaml:2:10: subject: warning: still holds a placeholder (TODO: the subject line)" in err
    assert "briefs[0].title: warning: still holds a placeholder" in err
    _, report, _ = cli("check", "--format", "json", "dist/2024-05-10.html")
    placeholders = [f for f in json.loads(report)["findings"] if f["rule"] == "placeholder"]
    assert placeholders and all(f["severity"] == "warning" for f in placeholders)
    assert any("'TODO: the title'" in f["message"] for f in placeholders)
    assert any(f["message"].startswith("the subject still holds a placeholder") for f in placeholders)


# --- pictures given as files -------------------------------------------------------------------------------

@pytest.fixture
def local_hero(harbor) -> tuple[Path, bytes]:
    config = harbor / "newsletter.yaml"
    config.write_text(config.read_text(encoding="utf-8") + 'asset_url: "https://example.org/harbor/"\n')
    data = _png(harbor / "assets" / "hero.png", (1200, 600), (200, 30, 40))
    issue = harbor / "issues" / "2024-05-03.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace(
        "date: 2024-05-03\n", 'date: 2024-05-03\nhero:\n  image: "../assets/hero.png"\n  alt: "A red field"\n'))
    return issue, data


def test_a_local_hero_is_copied_linked_and_sized(harbor, local_hero, cli) -> None:
    issue, data = local_hero
    code, out, err = cli("build", "issues/")
    assert code == 0, err
    name = f"hero-{hashlib.sha256(data).hexdigest()[:12]}.png"
    assert (harbor / "dist" / "assets" / name).read_bytes() == data
    html = (harbor / "dist" / "2024-05-03.html").read_text(encoding="utf-8")
    assert f'<img src="https://example.org/harbor/assets/{name}" alt="A red field" width="600" height="300"' in html
    assert cli("build", "--check", "issues/")[0] == 0  # the asset is compared like the other files


def test_max_width_resizes_the_same_way_every_time(harbor, local_hero, cli) -> None:
    config = harbor / "newsletter.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "images: {max_width: 800}\n")
    assert cli("build", "issues/")[0] == 0
    [first] = list((harbor / "dist" / "assets").iterdir())
    with Image.open(first) as picture:
        assert picture.size == (800, 400)
    again = first.read_bytes()
    (harbor / "dist").rename(harbor / "before")
    assert cli("build", "issues/")[0] == 0
    assert [p.read_bytes() for p in (harbor / "dist" / "assets").iterdir()] == [again]


def test_a_local_picture_needs_an_address(harbor, cli) -> None:
    _png(harbor / "assets" / "hero.png", (100, 50), (0, 0, 0))
    issue = harbor / "issues" / "2024-05-03.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace(
        "date: 2024-05-03\n", 'date: 2024-05-03\nhero:\n  image: "../assets/hero.png"\n  alt: "Black"\n'))
    code, _, err = cli("build", "issues/2024-05-03.yaml")
    assert code == 1
    assert ("issues/2024-05-03.yaml:6:10: hero.image: a picture given as a file needs the address where the output "
            "folder is published: set asset_url (or archive_url) in newsletter.yaml") in err


@pytest.mark.parametrize(("content", "expected"), [
    (b"hello, not a picture", "is not a picture (JPEG, PNG, GIF or WebP) that can be read"),
    (None, "file not found: ../assets/hero.png"),
])
def test_a_file_that_is_no_picture_is_refused(harbor, local_hero, cli, content, expected) -> None:
    picture = harbor / "assets" / "hero.png"
    if content is None:
        picture.unlink()
    else:
        picture.write_bytes(content)
    code, _, err = cli("build", "issues/2024-05-03.yaml")
    assert code == 1 and f"hero.image: " in err and expected in err, err
    assert not (harbor / "dist").exists()


def test_a_missing_picture_is_said_with_the_validation_errors(harbor, local_hero, cli) -> None:
    """A missing picture used to be said only once the issue's other errors were fixed: the pictures of each
    part that is valid alone are now checked beside them (a brief with an error of its own, and one without)."""
    issue, _ = local_hero
    (harbor / "assets" / "hero.png").unlink()
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("subject:", "subjet:", 1), encoding="utf-8")
    code, _, err = cli("validate", "issues/2024-05-03.yaml")
    assert code == 1
    assert re.search(r"issues/2024-05-03.yaml:\d+:\d+: subjet: unknown field", err), err
    assert re.search(r"issues/2024-05-03.yaml:\d+:\d+: hero.image: file not found: \.\./assets/hero.png", err), err
    code, _, err = cli("build", "issues/2024-05-03.yaml")
    assert code == 1 and "hero.image: file not found: ../assets/hero.png" in err and "subjet" in err
    # An error inside the hero itself: validation says it; the picture is not guessed at.
    issue.write_text(text.replace('  alt: "A red field"\n', '  alt: 5\n'), encoding="utf-8")
    code, _, err = cli("validate", "issues/2024-05-03.yaml")
    assert code == 1 and "hero.alt" in err and "file not found" not in err
    # In blocks: a block with an error of its own, and an image block whose file is missing.
    issue.write_text('subject: "S"\nblocks:\n  - type: note\n    bodyy: "Hello."\n  - type: image\n'
                     '    image: "../assets/gone.png"\n    alt: "Gone"\n', encoding="utf-8")
    code, _, err = cli("validate", "issues/2024-05-03.yaml")
    assert code == 1 and "issues/2024-05-03.yaml:4:5: blocks[0].bodyy: unknown field" in err, err
    assert "issues/2024-05-03.yaml:6:12: blocks[1].image: file not found: ../assets/gone.png" in err, err
    # In the authors registry: one author with an error, another whose photo is missing.
    authors = harbor / "authors.yaml"
    authors.write_text('ann:\n  name: "Ann"\n  rolee: "Editor"\nbob:\n  name: "Bob"\n  photo: assets/bob.png\n',
                       encoding="utf-8")
    code, _, err = cli("validate", "issues/2024-05-03.yaml")
    assert code == 1 and "authors.yaml:3:3: ann.rolee: unknown field" in err, err
    assert "authors.yaml:6:10: bob.photo: file not found: assets/bob.png" in err, err



def test_beside_validation_errors_a_picture_is_only_looked_for(harbor, local_hero, cli) -> None:
    """Beside errors, a picture is not read (the preview would decode it at every save), a name the system
    refuses is a problem at its line (not a failure hiding the errors), and what the loader refused is not
    probed."""
    issue, _ = local_hero
    text = issue.read_text(encoding="utf-8")
    (harbor / "assets" / "hero.png").write_text("not a picture", encoding="utf-8")
    issue.write_text(text.replace("subject:", "subjet:", 1), encoding="utf-8")
    code, _, err = cli("validate", "issues/2024-05-03.yaml")
    assert code == 1 and "subjet: unknown field" in err and "hero.image" not in err, err
    issue.write_text(text.replace("subject:", "subjet:", 1).replace("../assets/hero.png", "a" * 300 + ".png"),
                     encoding="utf-8")
    code, _, err = cli("validate", "issues/2024-05-03.yaml")
    assert code == 1 and "subjet: unknown field" in err, err
    assert re.search(r"hero.image: cannot read a{300}\.png: File name too long", err), err
    issue.write_text(text.replace("hero:\n", "hero: !photo\n").replace("subject:", "subjet:", 1), encoding="utf-8")
    code, _, err = cli("validate", "issues/2024-05-03.yaml")
    assert code == 1 and "tag '!photo' is not allowed" in err and "hero.image" not in err, err


def test_large_and_webp_pictures_warn(harbor, local_hero, cli) -> None:
    import os

    noise = Image.frombytes("RGB", (800, 600), os.urandom(800 * 600 * 3))
    noise.save(harbor / "assets" / "hero.png", format="PNG")  # noise does not compress: over 1 MB
    noise.resize((40, 30)).save(harbor / "assets" / "small.webp", format="WEBP")
    noise.resize((40, 20)).save(harbor / "assets" / "mark.webp", format="WEBP")
    authors = harbor / "authors.yaml"
    authors.write_text(authors.read_text(encoding="utf-8") + "  photo: assets/small.webp\n")
    config = harbor / "newsletter.yaml"
    config.write_text(config.read_text(encoding="utf-8") + 'logo: {src: assets/mark.webp, alt: "Harbor"}\n')
    code, _, err = cli("build", "issues/2024-05-03.yaml")
    assert code == 0, err
    assert re.search(r"issues/2024-05-03.yaml:6:10: hero.image: warning: \.\./assets/hero.png is [0-9.]+ MB: over 1 MB", err)
    # The config's and the registry's pictures warn at their own lines, once for the run.
    assert re.search(r"^newsletter.yaml:\d+:\d+: logo.src: warning: assets/mark.webp is WebP, which Outlook", err, re.M)
    assert re.search(r"^authors.yaml:\d+:\d+: [\w.-]+\.photo: warning: assets/small.webp is WebP, which Outlook", err, re.M)
    html = (harbor / "dist" / "2024-05-03.html").read_text(encoding="utf-8")
    assert 'width="200" height="100"' in html  # the picture's own size gives the logo's height
    prepared = images.prepare(harbor / "assets" / "small.webp")
    assert prepared.warnings == ("is WebP, which Outlook for Windows does not show: use JPEG or PNG",)


def test_registry_photos_and_the_logo_are_relative_to_their_own_files(harbor, local_hero, cli) -> None:
    _png(harbor / "assets" / "jane.png", (224, 224), (10, 120, 10))
    _png(harbor / "brand" / "logo.png", (400, 100), (250, 250, 250))
    authors = harbor / "authors.yaml"
    authors.write_text(authors.read_text(encoding="utf-8") + "  photo: assets/jane.png\n")
    config = harbor / "newsletter.yaml"
    config.write_text(config.read_text(encoding="utf-8") + 'logo: {src: brand/logo.png, alt: "Harbor", width: 160}\n')
    assert cli("build", "issues/")[0] == 0
    names = sorted(p.name.split("-")[0] for p in (harbor / "dist" / "assets").iterdir())
    assert names == ["hero", "jane", "logo"]
    html = (harbor / "dist" / "2024-05-03.html").read_text(encoding="utf-8")
    assert re.search(r'<img src="https://example.org/harbor/assets/logo-[0-9a-f]{12}\.png" alt="Harbor" '
                     r'width="160" height="40"', html)


def test_a_screenshot_shows_the_local_picture(harbor, local_hero) -> None:
    import subprocess
    import sys

    # The real command, in a process of its own: Playwright's sync API cannot start inside a test session
    # whose browser fixture already runs it.
    result = subprocess.run([sys.executable, "-m", "newsletter", "screenshot", "issues/2024-05-03.yaml", "--width",
                             "600", "--out", "shots"], cwd=harbor, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with Image.open(harbor / "shots" / "2024-05-03-600.png") as shot:
        header_height = 110  # the dark header; the hero comes right after it
        pixel = shot.convert("RGB").getpixel((300, header_height + 100))
    assert pixel == (200, 30, 40)  # the file's red, with no network to fetch anything from


def test_the_preview_serves_the_local_pictures(harbor, local_hero) -> None:
    from conftest import preview_server

    issue, data = local_hero
    with preview_server(harbor / "issues") as server:
        def get(path: str) -> tuple[int, bytes, str]:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read(), response.getheader("Content-Type") or ""

        status, view, _ = get("/issues/2024-05-03/email.view.html")
        assert status == 200
        name = re.search(rb'src="assets/(hero-[0-9a-f]{12}\.png)"', view).group(1).decode()
        assert get(f"/issues/2024-05-03/assets/{name}") == (200, data, "image/png")
        assert get("/issues/2024-05-03/assets/../newsletter.yaml")[0] == 404
        assert get("/issues/2024-05-03/assets/nope.png")[0] == 404
        status, html, _ = get("/issues/2024-05-03/email.html")
        assert b"https://example.org/harbor/assets/" + name.encode() in html  # the real HTML, unchanged
