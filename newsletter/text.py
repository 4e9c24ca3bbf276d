"""Stage 3b: the plain-text alternative, built from the issue itself (never scraped from the HTML).

It reads like the publisher's own plain-text edition: "Contents:" and the titles; for each brief its title,
byline, key points as "  • " bullets, paragraphs and "Follow on Twitter: @handle"; the photo credit; the
disclaimer. Lines are wrapped at 78 characters, only at spaces: words with hyphens ("non-for-profit") and
URLs stay whole, so unwrapping gives back the authors' text exactly.
"""

from __future__ import annotations

from . import blocks, markup
from .links import Links, links_for
from .models import Config, Issue, paragraphs
from .plain import WIDTH, wrap


def render_text(issue: Issue, config: Config, links: Links | None = None) -> str:
    """The plain-text version of ``issue``, ending with a newline; ``links`` as for the HTML."""
    links = links or links_for(config, "issue")
    context = blocks.Context(config, links, issue.lang or config.lang)
    words = context.words
    parts: list[str] = [wrap(config.name)]
    if issue.date:
        parts[0] += "\n" + context.date(issue.date)

    titles = [title for title in (blocks.type_of(block).title(block) for block in issue.content) if title]
    contents = [f"{words.contents}:"]
    for number, title in enumerate(titles, start=1):
        marker = f"  {number}. "
        contents.append(wrap(title, marker, " " * len(marker)))
    parts.append(contents[0])
    parts.append("\n".join(contents[1:]))

    for block in issue.content:
        parts.extend(blocks.text(block, context))

    if issue.hero and issue.hero.credit:
        parts.append(wrap(issue.hero.credit))

    footer = [wrap(markup.to_text(paragraph, links.tag)) for paragraph in paragraphs(config.disclaimer)]
    sender = [config.name + (f" <{links.tag(config.website)}>" if config.website else "")]
    if config.sender and config.sender.postal_address:
        sender.append(config.sender.postal_address)
    if config.website or len(sender) > 1:
        footer.append("\n".join(wrap(line) for line in sender))
    if config.social:
        footer.append("\n".join(wrap(f"{account.label}: <{links.tag(account.url)}>") for account in config.social))
    actions = []
    for label, url in ((words.view_in_browser, links.view_in_browser), (words.unsubscribe, links.unsubscribe)):
        if url:
            # A merge tag or URL is never wrapped, so the platform finds it whole: too long, it takes a line.
            line = f"{label}: {url}"
            actions.append(line if len(line) <= WIDTH else f"{wrap(label + ':')}\n{url}")
    if actions:
        footer.append("\n".join(actions))
    # As in the publisher's edition, two blank lines set the footer apart.
    return "\n\n".join(parts) + "\n\n\n" + "\n\n".join(footer) + "\n"
