"""Mailing platforms (ESPs) and their merge tags for the footer's unsubscribe and view-in-browser links.

Each platform replaces its own tags when it sends, per recipient. The tags reach the final HTML and text
byte for byte: they are passed to the templates as markup (never escaped), never evaluated by Jinja, and
kept out of the CSS inliner's reach with the other URLs (see ``inline``).

Sources, each the platform's own documentation:
- Mailchimp, "All the Merge Tags Cheat Sheet": ``*|UNSUB|*`` (unsubscribe), ``*|ARCHIVE|*`` (campaign
  archive page). https://mailchimp.com/help/all-the-merge-tags-cheat-sheet/
- SendGrid (Twilio), Marketing Campaigns Single Sends, code editor: ``{{{unsubscribe}}}`` and
  ``{{{weblink}}}`` (the triple braces insert the URL unescaped).
  https://docs.sendgrid.com/ui/sending-email/editor#using-the-code-editor
- Mailgun, "Tracking Messages: Unsubscribe Variables": ``%unsubscribe_url%``; Mailgun has no
  view-in-browser tag. https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages
- listmonk, "Templating": ``{{ UnsubscribeURL }}`` and ``{{ MessageURL }}`` (the message in a browser).
  https://listmonk.app/docs/templating/
- Campaign Monitor, "Template language / Unsubscribe and web version links": ``[unsubscribe]`` and
  ``[webversion]``. https://www.campaignmonitor.com/create/unsubscribe/
- Brevo (formerly Sendinblue), "Template language: predefined placeholders": ``{{ unsubscribe }}`` and
  ``{{ mirror }}`` (the "view in browser" page). https://help.brevo.com/hc/en-us/articles/360000946299
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    """How one mailing platform spells the footer's links, and its merge tags in general (a regular
    expression: the checks take a link that is one for a tag, not for a broken address)."""

    name: str
    label: str
    unsubscribe: str | None
    view_in_browser: str | None
    merge_tag: str = ""


PLATFORMS: dict[str, Platform] = {
    "none": Platform("none", "no platform", None, None),
    "mailchimp": Platform("mailchimp", "Mailchimp", "*|UNSUB|*", "*|ARCHIVE|*", r"\*\|.*?\|\*"),
    "sendgrid": Platform("sendgrid", "SendGrid", "{{{unsubscribe}}}", "{{{weblink}}}", r"\{\{.*?\}\}\}?"),
    "mailgun": Platform("mailgun", "Mailgun", "%unsubscribe_url%", None, r"%[A-Za-z_]+%"),
    "listmonk": Platform("listmonk", "listmonk", "{{ UnsubscribeURL }}", "{{ MessageURL }}", r"\{\{.*?\}\}"),
    "campaign-monitor": Platform("campaign-monitor", "Campaign Monitor", "[unsubscribe]", "[webversion]",
                                 r"\[[A-Za-z_]+\]"),
    "brevo": Platform("brevo", "Brevo", "{{ unsubscribe }}", "{{ mirror }}", r"\{\{.*?\}\}"),
}

# The merge tags of platforms that have no entry here, which a template of one's own may still carry:
# Salesforce Marketing Cloud's %%...%% and AMPscript <%...%>, ${...} and [[...]] of others.
OTHER_MERGE_TAGS = (r"%%.*?%%", r"<%.*?%>", r"\$\{.*?\}", r"\[\[.*?\]\]")


def merge_tag_pattern(platforms: dict[str, Platform] | None = None) -> str:
    """One regular expression for a merge tag of any of ``platforms`` (default: these) or the others."""
    chosen = PLATFORMS if platforms is None else platforms
    patterns = [platform.merge_tag for platform in chosen.values() if platform.merge_tag] + list(OTHER_MERGE_TAGS)
    return "|".join(dict.fromkeys(patterns))
