"""The reference of the formats is generated from the models, and the committed copy is current."""

from __future__ import annotations

import pytest

from conftest import REPO
from newsletter import models, reference


def test_committed_reference_is_current(update_goldens: bool) -> None:
    path = REPO / "docs" / "reference.md"
    generated = reference.render_reference()
    if update_goldens:
        path.write_text(generated, encoding="utf-8")
        pytest.skip("docs/reference.md rewritten, not compared: review the diff")
    assert path.read_text(encoding="utf-8") == generated, "run `newsletter docs` and commit docs/reference.md"


def test_every_field_is_documented_with_a_description() -> None:
    text = reference.render_reference()
    for _, _, section_models in reference.sections():
        for model in section_models:
            for name, info in model.model_fields.items():
                assert info.description, f"{model.__name__}.{name} has no description"
                assert f"| `{name}` |" in text
    assert "| `twitter` | Twitter handle | optional |" in text
    assert "| `briefs` | list of [Brief](#brief) | optional |" in text
    assert "| `blocks` | list of block: one of the [block types](#blocks-blocks) | optional |" in text
    assert models.Issue.__doc__ and "### Issue" in text


def test_docs_command_check(cli, tmp_path) -> None:
    out = tmp_path / "ref.md"
    assert cli("docs", "--out", out, "--check")[0] == 1
    assert cli("docs", "--out", out)[0] == 0
    assert cli("docs", "--out", out, "--check")[0] == 0


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    import re

    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_internal_link_resolves() -> None:
    import re

    text = reference.render_reference()
    anchors = {_anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert "sender" in links and "utm" in links  # the two that once pointed nowhere
    assert [link for link in links if link not in anchors] == []


def test_every_model_a_file_can_hold_has_its_section() -> None:
    text = reference.render_reference()
    for root in (models.Issue, models.Author, models.Config):
        for model in reference.reachable(root):
            assert f"\n### {model.__name__}\n" in text, model.__name__
    for name in ("Sender", "Utm", "Hero", "Logo", "Labels", "Theme"):
        assert f"\n### {name}\n" in text


def test_enumerations_read_as_their_values() -> None:
    text = reference.render_reference()
    assert "typing." not in text and "Literal" not in text and "<class" not in text
    assert "| `platform` | one of the [platforms](#platforms) |" in text
    assert "| `inliner` | one of `premailer`, `css-inline` |" in text
    assert "| `mailchimp` | Mailchimp | `*\\|UNSUB\\|*` | `*\\|ARCHIVE\\|*` |" in text


def test_docs_to_standard_output(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("docs", "--out", "-")
    assert code == 0 and out == reference.render_reference()
    assert not (tmp_path / "-").exists()
