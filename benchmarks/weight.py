"""What an email's HTML spends its bytes on: Outlook's conditional code, `<style>` blocks, inline styles,
other attributes, tags, text and white space. The parts add up to the file's size.

    .venv/bin/python benchmarks/weight.py [dist/mei-four-briefs.html ...]

Without a file, it builds the example issue into a temp folder first. It prints figures and asserts nothing;
`compare.py` uses :func:`breakdown` to set two versions' emails side by side.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Outlook's code: a conditional comment with what it holds, and the markers that hide code from Outlook alone.
_MSO = re.compile(r"<!--\[if [^\]]*\]>.*?<!\[endif\]-->|<!--\[if !mso[^\]]*\]><!-->|<!--<!\[endif\]-->", re.S)
_STYLE_BLOCK = re.compile(r"<style\b.*?</style>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]*>")
_ATTRIBUTE = re.compile(r"""\s+([^\s=/>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""")

PARTS = ("MSO conditional code", "<style> blocks", "other comments", "inline style attributes", "other attributes",
         "tags (names, brackets)", "text", "white space between tags")


def breakdown(html: str) -> dict[str, int]:
    """Bytes (UTF-8) of each of :data:`PARTS` in ``html``; they sum to its size."""
    parts = dict.fromkeys(PARTS, 0)

    def take(pattern: re.Pattern[str], part: str, text: str) -> str:
        parts[part] += sum(len(match.group(0).encode()) for match in pattern.finditer(text))
        return pattern.sub("", text)

    rest = take(_MSO, "MSO conditional code", html)
    rest = take(_STYLE_BLOCK, "<style> blocks", rest)
    rest = take(_COMMENT, "other comments", rest)
    position = 0
    for tag in _TAG.finditer(rest):
        _between(rest[position:tag.start()], parts)
        position = tag.end()
        source = tag.group(0)
        for attribute in _ATTRIBUTE.finditer(source[1:-1]):
            name = attribute.group(1).lower()
            part = "inline style attributes" if name == "style" else "other attributes"
            parts[part] += len(attribute.group(0).encode())
            source = source.replace(attribute.group(0), "", 1)
        parts["tags (names, brackets)"] += len(source.encode())
    _between(rest[position:], parts)
    return parts


def _between(text: str, parts: dict[str, int]) -> None:
    if text.strip():
        parts["text"] += len(text.encode())
    else:
        parts["white space between tags"] += len(text.encode())


def repeated_styles(html: str, top: int = 8) -> list[tuple[int, str]]:
    """The inline style attributes written most often, outside Outlook's code: candidates for a default."""
    outside = _STYLE_BLOCK.sub("", _MSO.sub("", html))
    counts = Counter(re.findall(r'\sstyle="[^"]*"', outside))
    return [(count, style.strip()) for style, count in counts.most_common(top)]


def table(columns: dict[str, str], top: int = 8) -> str:
    """A table of each part, one column per ``{label: html}``; with one column, its most repeated styles too."""
    figures = {label: breakdown(html) for label, html in columns.items()}
    lines = [f"   {'part':26}" + "".join(f"{label:>16}" for label in figures)]
    for part in PARTS:
        lines.append(f"   {part:26}" + "".join(f"{figure[part]:>16,}" for figure in figures.values()))
    lines.append(f"   {'total':26}" + "".join(f"{sum(figure.values()):>16,}" for figure in figures.values()))
    if len(columns) == 1:
        lines.append("   most repeated inline styles (outside MSO code):")
        lines += [f"   {count:5} x {style[:110]}" for count, style in repeated_styles(next(iter(columns.values())), top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="built emails (default: the example, built now)")
    args = parser.parse_args()
    files = args.files
    with tempfile.TemporaryDirectory() as folder:
        if not files:
            subprocess.run([sys.executable, "-m", "newsletter", "build", "issues/mei-four-briefs.yaml", "--out", folder],
                           cwd=REPO, check=True, capture_output=True)
            files = [Path(folder) / "mei-four-briefs.html"]
        labels = [path.name if len(files) == 1 else f"{number}: {path.parent.name}"[:15]
                  for number, path in enumerate(files, 1)]
        print(table({label: path.read_text(encoding="utf-8") for label, path in zip(labels, files, strict=True)}))


if __name__ == "__main__":
    main()
