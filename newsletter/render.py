"""Stage 3: render the MJML source of an issue from the Jinja templates.

Every value from an issue is escaped by Jinja's autoescape: HTML, MJML and Jinja syntax typed by an author
prints as typed. Only two kinds of value are passed as markup: the HTML that the ``markdown`` filter makes
from inline Markdown (:mod:`markup` escapes it token by token), and the theme's colours and fonts, which the
models restrict to characters that are safe in CSS and attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import markup
from .links import Links, links_for
from .errors import TemplateError
from .models import Config, Issue, format_date, paragraphs

TEMPLATE = "email.mjml.j2"
STYLES = "styles.j2"  # the inline styles of the elements, passed to every template as ``style``


def builtin_templates() -> Path:
    """The built-in templates: inside the package when installed, else the repository's ``templates/``."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Follow:
    handle: str
    url: str


@dataclass(frozen=True)
class BriefView:
    """A brief as the templates see it."""

    anchor: str
    title: str
    authors: tuple
    key_points: tuple[str, ...]
    paragraphs: tuple[str, ...]  # inline Markdown: the templates pass each through the ``markdown`` filter
    follows: tuple[Follow, ...]


def brief_views(issue: Issue, config: Config, links: Links) -> list[BriefView]:
    views = []
    for number, brief in enumerate(issue.briefs, start=1):
        follows = tuple(
            Follow(author.twitter, links.tag(config.twitter_profile(author.twitter)))
            for author in brief.authors if author.twitter
        )
        views.append(
            BriefView(
                anchor=f"brief-{number}",
                title=brief.title,
                authors=tuple(brief.authors),
                key_points=tuple(brief.key_points),
                paragraphs=tuple(brief.paragraphs),
                follows=follows,
            )
        )
    return views


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, in its private folder of the temp dir, keyed by each template's
    source: compiling ours took 40 ms of a 500 ms cold build. A cache that cannot be read or written is
    passed over: the template is compiled as if there were none."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file fails in pickle or marshal, with any of their errors
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return _BytecodeCache()
    except (OSError, RuntimeError):  # Jinja refuses a cache folder that another user owns
        return None


# Whether a template edited on disk is read again (Jinja checks its modification time at every use): yes in
# a long-lived process such as the preview; a batch worker, which lives for one build, turns it off, which
# saved 0.4 ms an issue (twenty stat calls).
reload_templates = True


@jinja2.pass_context
def _markdown(context: jinja2.runtime.Context, source: str, link_style: str = "") -> Markup:
    """The ``markdown`` filter: inline Markdown as HTML, its links tagged for this edition and styled."""
    return Markup(markup.to_html(source, context["links"].tag, link_style))


@lru_cache(maxsize=8)
def environment(user_templates: Path | None) -> jinja2.Environment:
    """Jinja with autoescape on and undefined names as errors; the user's templates win over ours."""
    builtin = jinja2.FileSystemLoader(builtin_templates())
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(user_templates)] if user_templates else []
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=reload_templates,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["markdown"] = _markdown
    return env


@lru_cache(maxsize=16)
def _styles(template: jinja2.Template, theme: tuple[tuple[str, Markup], ...]) -> jinja2.environment.TemplateModule:
    """``styles.j2`` made into the ``style`` of the templates, once per theme: making it at every render took
    0.1-0.2 ms of a 0.5 ms render. An edited styles.j2 is a new Template, so it is made again."""
    try:
        return template.make_module({"theme": dict(theme)})
    except Exception:
        template.environment.handle_exception()  # as render() does: the traceback's lines become the template's
        raise  # not reached: handle_exception() raises


def render_mjml(issue: Issue, config: Config, user_templates: Path | None = None, links: Links | None = None) -> str:
    """The MJML source of ``issue``; ``links`` picks the edition (platform, web archive) and UTM tagging."""
    links = links or links_for(config, "issue")
    env = environment(user_templates)
    theme = {name: Markup(value) for name, value in config.theme.model_dump().items()}
    try:
        return _render(env, issue, config, theme, links)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{_template_position(exc)}template error: {exc.message}") from None


def _render(env: jinja2.Environment, issue: Issue, config: Config, theme: dict[str, Markup], links: Links) -> str:
    context = {
        "style": _styles(env.get_template(STYLES), tuple(theme.items())),
        "issue": issue,
        "config": config,
        "theme": theme,
        "briefs": brief_views(issue, config, links),
        "date": format_date(issue.date, config.date_format) if issue.date else None,
        "disclaimer": paragraphs(config.disclaimer),
        "links": links,
        "website": links.tag(config.website) if config.website else None,
        "web": links.web,
        # Merge tags go in as markup: the platform must find them exactly as its documentation spells them.
        "unsubscribe": Markup(links.unsubscribe) if links.unsubscribe else None,
        "view_in_browser": Markup(links.view_in_browser) if links.view_in_browser else None,
        "postal_address": config.sender.postal_address if config.sender else None,
    }
    return env.get_template(TEMPLATE).render(context)


def _template_position(exc: Exception) -> str:
    """``file:line: `` of the innermost template frame in ``exc``'s traceback, if any."""
    position = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            position = f"{filename}:{tb.tb_lineno}: "
        tb = tb.tb_next
    return position
