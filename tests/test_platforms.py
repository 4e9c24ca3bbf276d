"""Mailing platforms: each one's merge tags reach the HTML and the text byte for byte."""

from __future__ import annotations

import pytest
import yaml

import newsletter
from newsletter import inline
from newsletter.platforms import PLATFORMS

ISSUE = {
    "subject": "Platforms",
    "preheader": "A preheader long enough for the inbox preview to be filled.",
    "date": "2024-03-07",
    "briefs": [{"title": "A brief", "authors": ["randa-slim"], "body": "Text with [a link](https://e.com/a)."}],
}

# Each platform's tags, as its documentation spells them (see newsletter/platforms.py for the sources).
EXPECTED = {
    "mailchimp": ("*|UNSUB|*", "*|ARCHIVE|*"),
    "sendgrid": ("{{{unsubscribe}}}", "{{{weblink}}}"),
    "mailgun": ("%unsubscribe_url%", None),
    "listmonk": ("{{ UnsubscribeURL }}", "{{ MessageURL }}"),
    "campaign-monitor": ("[unsubscribe]", "[webversion]"),
    "brevo": ("{{ unsubscribe }}", "{{ mirror }}"),
}


def test_every_platform_is_covered() -> None:
    from newsletter.cli import PLATFORM_NAMES
    from newsletter.models import Config

    from newsletter import reference

    assert set(EXPECTED) | {"none"} == set(PLATFORMS)
    # One place lists them, platforms.py; the CLI, the config's validation and the docs read it there.
    assert PLATFORM_NAMES == tuple(PLATFORMS)
    for name in PLATFORMS:
        Config.model_validate({"name": "X", "disclaimer": "D", "platform": name})
        assert f"| `{name}` |" in reference.platforms_table()
    with pytest.raises(Exception, match="'hotmail' is not one of the allowed values: 'none', 'mailchimp'"):
        Config.model_validate({"name": "X", "disclaimer": "D", "platform": "hotmail"})


@pytest.mark.parametrize("inliner", inline.INLINERS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_platform_tags_reach_html_and_text_byte_for_byte(project, name: str, inliner: str) -> None:
    project.configure(inliner=inliner)
    path = project.issue("p", yaml.safe_dump(ISSUE))
    email = newsletter.render_issue(path, platform=name)
    unsubscribe, view = EXPECTED[name]
    assert f'<a href="{unsubscribe}"' in email.html
    assert f"Unsubscribe: {unsubscribe}\n" in email.text
    if view:
        assert f'<a href="{view}"' in email.html
        assert f"View in your browser: {view}\n" in email.text
    else:
        assert "View in your browser" not in email.html + email.text
    assert "1763 N St. NW, Washington, D.C. 20036" in email.html and "1763 N St. NW" in email.text
    assert unsubscribe not in email.web_html  # the web edition has no merge tags


def test_platform_from_the_config_and_cli_override(project, cli) -> None:
    project.configure(platform="mailgun")
    project.issue("p", yaml.safe_dump(ISSUE))
    assert cli("build", "issues/p.yaml")[0] == 0
    assert 'href="%unsubscribe_url%"' in (project.out / "p.html").read_text(encoding="utf-8")
    assert cli("build", "issues/p.yaml", "--platform", "listmonk")[0] == 0
    html = (project.out / "p.html").read_text(encoding="utf-8")
    assert 'href="{{ UnsubscribeURL }}"' in html and "%unsubscribe_url%" not in html


def test_unknown_platform_is_refused(project, cli) -> None:
    project.configure(platform="hotmail")
    project.issue("p", yaml.safe_dump(ISSUE))
    code, _, err = cli("build", "issues/p.yaml")
    assert code == 1 and "newsletter.yaml:" in err and "platform: 'hotmail' is not one of the allowed values: 'none', 'mailchimp'" in err
    project.configure(platform="none")
    code, _, err = cli("build", "issues/p.yaml", "--platform", "hotmail")
    # Not a choice of the command line's: a plugin may add a platform. The project's are named.
    assert code == 1 and "Error: --platform: 'hotmail' is not a known platform; allowed: none, mailchimp" in err


def test_own_unsubscribe_page_with_no_platform(project) -> None:
    project.configure(unsubscribe_url="https://www.mei.edu/unsubscribe")
    email = newsletter.render_issue(project.issue("p", yaml.safe_dump(ISSUE)))
    assert '<a href="https://www.mei.edu/unsubscribe"' in email.html
    assert "Unsubscribe: https://www.mei.edu/unsubscribe\n" in email.text


def test_merge_tag_typed_by_an_author_is_content(project) -> None:
    issue = dict(ISSUE, briefs=[dict(ISSUE["briefs"][0], title="Try {{ UnsubscribeURL }} and *|UNSUB|*",
                                     key_points=['<a href="*|UNSUB|*">x</a> {% if x %}'])])
    email = newsletter.render_issue(project.issue("p", yaml.safe_dump(issue)), platform="listmonk")
    assert ">Try {{ UnsubscribeURL }} and *|UNSUB|*</h2>" in email.html
    assert '&lt;a href=&#34;*|UNSUB|*&#34;&gt;x&lt;/a&gt; {% if x %}' in email.html
    assert email.html.count('href="{{ UnsubscribeURL }}"') == 1  # only the footer's own link
    assert email.html.count('<a href="*|UNSUB|*"') == 0  # the escaped one above is text, not a link


def test_long_footer_links_keep_the_text_within_78_characters(project) -> None:
    project.configure(archive_url="https://www.mei.edu/newsletter/archives/weekly-digest/")
    path = project.issue("a-rather-long-issue-name-for-the-weekly-digest-of-briefs", yaml.safe_dump(ISSUE))
    text = newsletter.render_issue(path).text
    url = "https://www.mei.edu/newsletter/archives/weekly-digest/a-rather-long-issue-name-for-the-weekly-digest-of-briefs.web.html"
    assert text.endswith(f"View in your browser:\n{url}\n")  # the URL alone on its line, whole
    assert all(len(line) <= 78 for line in text.splitlines() if line != url)
