"""The reference of the formats is generated from the models, and the committed copy is current."""

from __future__ import annotations

from conftest import REPO
from newsletter import models, reference


def test_committed_reference_is_current(update_goldens: bool) -> None:
    path = REPO / "docs" / "reference.md"
    generated = reference.render_reference()
    if update_goldens:
        path.write_text(generated, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == generated, "run `newsletter docs` and commit docs/reference.md"


def test_every_field_is_documented_with_a_description() -> None:
    text = reference.render_reference()
    for _, _, section_models in reference.SECTIONS:
        for model in section_models:
            for name, info in model.model_fields.items():
                assert info.description, f"{model.__name__}.{name} has no description"
                assert f"| `{name}` |" in text
    assert "| `twitter` | Twitter handle | optional |" in text
    assert "| `briefs` | list of [Brief](#brief) | **required** |" in text
    assert models.Issue.__doc__ and "### Issue" in text


def test_docs_command_check(cli, tmp_path) -> None:
    out = tmp_path / "ref.md"
    assert cli("docs", "--out", out, "--check")[0] == 1
    assert cli("docs", "--out", out)[0] == 0
    assert cli("docs", "--out", out, "--check")[0] == 0
