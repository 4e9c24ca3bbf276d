"""Stage 3b: the plain-text alternative, built from the issue itself (never scraped from the HTML).

It reads like the publisher's own plain-text edition: "Contents:" and the titles; for each brief its title,
byline, key points as "  • " bullets, paragraphs and "Follow on Twitter: @handle"; the photo credit; the
disclaimer. Lines are wrapped at 78 characters, only at spaces: words with hyphens ("non-for-profit") and
URLs stay whole, so unwrapping gives back the authors' text exactly. In a right-to-left edition, runs of the
other direction (a Latin handle, address or link) are isolated with the Unicode marks for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import bidi, blocks, language, markup
from .links import Links, links_for
from .models import Config, Issue, paragraphs
from .plain import WIDTH, isolate_runs, wrap

if TYPE_CHECKING:
    from .registry import Registry


def render_text(issue: Issue, config: Config, links: Links | None = None, registry: Registry | None = None) -> str:
    """The plain-text version of ``issue``, ending with a newline; ``links`` and ``registry`` as for the HTML."""
    links = links or links_for(config, "issue")
    lang = issue.lang or config.lang
    context = blocks.Context(config, links, lang, registry.labels if registry is not None else None)
    words = context.words
    direction = context.direction

    def own(value: str) -> str:  # a run of the other direction, isolated
        return bidi.plain(value, direction)

    name = language.name(config, lang)
    parts: list[str] = [wrap(own(name))]
    if issue.date:
        parts[0] += "\n" + context.date(issue.date)

    titles = [title for title in (blocks.type_of(block).title(block) for block in issue.content) if title]
    contents = [f"{words.contents}{words.colon.rstrip()}"]
    for number, title in enumerate(titles, start=1):
        marker = f"  {number}. "
        contents.append(wrap(own(title), marker, " " * len(marker)))
    parts.append(contents[0])
    parts.append("\n".join(contents[1:]))

    for block in issue.content:
        parts.extend(blocks.text(block, context))

    if issue.hero and issue.hero.credit:
        parts.append(wrap(own(issue.hero.credit)))

    footer = [wrap(isolate_runs(markup.to_text(paragraph, links.tag), direction))
              for paragraph in paragraphs(language.disclaimer(config, lang))]
    sender = [own(name) + (" " + own(f"<{links.tag(config.website)}>") if config.website else "")]
    postal = language.postal_address(config, lang)
    if postal:
        sender.append(own(postal))
    if config.website or len(sender) > 1:
        footer.append("\n".join(wrap(line) for line in sender))
    if config.social:
        footer.append("\n".join(wrap(f"{own(account.label)}{words.colon}{own(f'<{links.tag(account.url)}>')}")
                                for account in config.social))
    actions = []
    for label, url in ((words.view_in_browser, links.view_in_browser), (words.unsubscribe, links.unsubscribe)):
        if url:
            # A merge tag or URL is never wrapped, so the platform finds it whole: too long, it takes a line.
            line = f"{label}{words.colon}{own(url)}"
            actions.append(line if len(line) <= WIDTH else f"{wrap(label + words.colon.rstrip())}\n{own(url)}")
    if actions:
        footer.append("\n".join(actions))
    # As in the publisher's edition, two blank lines set the footer apart.
    return "\n\n".join(parts) + "\n\n\n" + "\n\n".join(footer) + "\n"
