"""Stage 3: render the MJML source of an issue from the Jinja templates.

Every value from an issue is escaped by Jinja's autoescape: HTML, MJML and Jinja syntax typed by an author
prints as typed. What is passed as markup: the HTML that the ``markdown`` and ``markdown_blocks`` filters
make (:mod:`markup` escapes it token by token); the theme's colours and fonts, which the models restrict to
characters that are safe in CSS and attributes; the platform's merge tags, as its documentation spells
them; and a block view's ``open``/``close``/``align_attribute``, built from a validated language tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from . import bidi, blocks, includes, language, markup, styles, webpage
from .errors import TemplateError
from .links import Links, links_for
from .models import Config, Issue, Theme, paragraphs

if TYPE_CHECKING:
    from .registry import Registry

TEMPLATE = "email.mjml.j2"
# A project's own styles: the names its {% set %}s give replace those of styles.py, one by one.
STYLES = "styles.j2"
DARK_CSS = "dark.css.j2"  # the dark palette's rules, made once per theme into ``style.dark_css``


def builtin_templates() -> Path:
    """The built-in templates: inside the package when installed, else the repository's ``templates/``."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, in its private folder of the temp dir, keyed by each template's
    name, source and the environment's settings (with newsletter's and Jinja's versions): compiling ours took
    40 ms of a 500 ms cold build. Jinja's own key is the name and source alone, so a template compiled under
    other settings (or by another release) was served as it was. A cache that cannot be read or written is
    passed over: the template is compiled as if there were none."""

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        key = self.get_cache_key(f"{name}\0{_settings(environment)}", filename)
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

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


def _settings(environment: jinja2.Environment) -> str:
    """What of an environment changes the code a template compiles to: its syntax and whitespace settings,
    autoescaping, extensions, the versions of Jinja and newsletter, and our code generator's."""
    from . import __version__

    return repr((environment.block_start_string, environment.block_end_string, environment.variable_start_string,
                 environment.variable_end_string, environment.comment_start_string, environment.comment_end_string,
                 environment.line_statement_prefix, environment.line_comment_prefix, environment.trim_blocks,
                 environment.lstrip_blocks, environment.newline_sequence, environment.keep_trailing_newline,
                 environment.autoescape if isinstance(environment.autoescape, bool) else "function",
                 environment.optimized, sorted(environment.extensions), jinja2.__version__, __version__,
                 includes.REVISION))


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


@jinja2.pass_context
def _markdown_blocks(context: jinja2.runtime.Context, source: str, indent: int = 0, style: object = None) -> Markup:
    """The ``markdown_blocks`` filter: a body's Markdown (paragraphs, lists, sub-headings, quotes) as HTML,
    each element styled from ``style`` (``styles.py``; the context's unless given), its links tagged for
    this edition; ``indent`` spaces before each line after the first keep the MJML tidy."""
    chosen = style if style is not None else context["style"]
    styles = chosen.blocks if isinstance(chosen, _Styles) else _block_styles(chosen)
    return Markup(markup.blocks_to_html(source, context["links"].tag, styles, indent))


def _block_styles(style: object) -> markup.BlockStyles:
    return markup.BlockStyles(*(str(getattr(style, name, "")) for name in _BLOCK_STYLE_NAMES))


# The names of the styles of each element a body makes, in the order of markup.BlockStyles' fields.
_BLOCK_STYLE_NAMES = ("text_paragraph", "text_link", "body_list", "body_item", "body_heading", "body_subheading",
                      "body_quote", "body_list_nested")


class _Styles(styles.Styles):
    """A theme's styles for one direction, with the Markdown renderer's made of the same values once.

    Templates read each style as an attribute (`style.text_link`), 76 reads a render; Jinja tries getattr
    first, and Styles.__getattr__ took 0.9 µs a read. So each style is also an instance attribute, found at
    once, kept in step with the mapping by every change to it (a template may change the styles it is given).
    Names that the class holds (a dict's own `items`, `blocks`) stay as they were: those attributes win."""

    blocks: markup.BlockStyles
    _as_attributes: tuple[str, ...] = ()

    def _mirror(self) -> None:
        for name in self._as_attributes:
            self.__dict__.pop(name, None)
        names = tuple(name for name in self if not hasattr(_Styles, name) and name not in _Styles.__annotations__)
        self.__dict__.update((name, self[name]) for name in names)
        self._as_attributes = names

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key, value)
        self._mirror()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._mirror()

    def __ior__(self, other: Any) -> _Styles:  # type: ignore[override,misc]
        self.update(other)
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().update(*args, **kwargs)
        self._mirror()

    def setdefault(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        found = super().setdefault(key, default)
        self._mirror()
        return found

    def pop(self, *args: Any) -> Any:  # type: ignore[override]
        found = super().pop(*args)
        self._mirror()
        return found

    def popitem(self) -> tuple[str, str]:
        found = super().popitem()
        self._mirror()
        return found

    def clear(self) -> None:
        super().clear()
        self._mirror()


# A block's template as the measuring render includes it: a marker before it (and after the last), which
# MRML keeps, so the compiled HTML can be cut into the bytes each block spends (the checks' Gmail budget).
MEASURE = "nl-measure/"
# A plugin's block template as every render includes it (blocks.base.PLUGIN): through the filter that gives its
# <mj-text>s and coloured <mj-column>s the classes the dark palette selects (styles.CLASSES), when they carry none.
PLUGIN = blocks.base.PLUGIN
_TEXT_WITHOUT_CLASS = re.compile(r"<mj-text(?![^>]*\bcss-class=)(?=[\s/>])")
_COLUMN_WITHOUT_CLASS = re.compile(r"<mj-column(?=[^>]*\bbackground-color=)(?![^>]*\bcss-class=)(?=[\s/>])")


def _dark_classes(mjml: str) -> Markup:
    mjml = _TEXT_WITHOUT_CLASS.sub('<mj-text css-class="nl-text"', str(mjml))
    return Markup(_COLUMN_WITHOUT_CLASS.sub('<mj-column css-class="nl-box"', mjml))


def _wrappers(name: str) -> str | None:
    """The wrapper templates: a measured block, and a plugin's block given the dark palette's classes."""
    if name.startswith(PLUGIN):
        return f"{{% filter dark_classes %}}{{% include {name[len(PLUGIN):]!r} %}}{{% endfilter %}}"
    if not name.startswith(MEASURE):
        return None
    number, last, template = name[len(MEASURE):].split("/", 2)
    end = '<mj-raw><i data-nl-block="end"></i></mj-raw>\n' if last == "last" else ""
    return f'<mj-raw><i data-nl-block="{int(number)}"></i></mj-raw>\n{{% include {template!r} %}}\n{end}'


@lru_cache(maxsize=8)
def _environment(user_templates: Path | None, block_templates: tuple[Path, ...]) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(builtin_templates())
    loaders: list[jinja2.BaseLoader] = [jinja2.FunctionLoader(_wrappers)]
    loaders += [jinja2.FileSystemLoader(user_templates)] if user_templates else []
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    loaders += [jinja2.FileSystemLoader(folder) for folder in block_templates]
    env = includes.Environment(
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
    env.filters["markdown_blocks"] = _markdown_blocks
    env.filters["dark_classes"] = _dark_classes
    env.filters["bidi"] = bidi.html
    env.filters["dir_attribute"] = bidi.attribute
    env.newsletter_user_templates = user_templates  # type: ignore[attr-defined]
    return env


def environment(user_templates: Path | None, registry: Registry | None = None) -> jinja2.Environment:
    """Jinja with autoescape on and undefined names as errors; the user's templates win over ours, and the
    templates of block types from outside newsletter (the project's plugins') come last."""
    types = blocks.REGISTRY if registry is None else registry.block_types
    return _environment(user_templates, blocks.templates_dirs(types))


def clear_environments() -> None:
    """Forget the environments made so far (a worker process makes its own with reload_templates off)."""
    _environment.cache_clear()


def _both_styles(env: jinja2.Environment, theme: tuple[tuple[str, Markup], ...]) -> dict[str, _Styles]:
    own = env.get_template(STYLES) if _has_own_styles(env) else None
    dark = env.get_template(DARK_CSS)
    return {"ltr": _styles(theme, "ltr", own, dark), "rtl": _styles(theme, "rtl", own, dark)}


def _has_own_styles(env: jinja2.Environment) -> bool:
    """Whether a project's template folder holds a ``styles.j2`` of its own."""
    folder = getattr(env, "newsletter_user_templates", None)
    return folder is not None and (folder / STYLES).is_file()


@lru_cache(maxsize=16)
def _styles(theme: tuple[tuple[str, Markup], ...], direction: str, own: jinja2.Template | None,
            dark: jinja2.Template) -> _Styles:
    """The ``style`` of the templates (``styles.py``), with the dark palette's CSS and a project's own
    ``styles.j2`` names over them: once per theme and direction (making them at every render took 0.1-0.2 ms of
    a 0.5 ms render). An edited template is a new Template, so they are made again."""
    values = dict(theme)
    made = _Styles(styles.make(values, direction))
    try:
        made["dark_css"] = Markup(dark.render({"theme": values}))
        if own is not None:
            module = own.make_module({"theme": values, "dir": direction})
            made.update((name, getattr(module, name)) for name in dir(module) if not name.startswith("_"))
    except Exception:
        (own or dark).environment.handle_exception()  # as render() does: the template's lines, not a traceback
        raise  # not reached: handle_exception() raises
    made.blocks = _block_styles(made)
    made._mirror()
    return made


def _theme(config: Config) -> dict[str, Markup]:
    return _theme_values(config.theme, config.dark_mode)


@lru_cache(maxsize=16)
def _theme_values(theme: Theme, dark_mode: str) -> dict[str, Markup]:
    """The theme's values by name, flat: the dark palette's as ``dark_NAME`` (``theme.dark_text_color``).
    Once per theme: two model dumps and 33 Markups were a tenth of a render. Read, never changed."""
    values = {name: Markup(value) for name, value in theme.model_dump(exclude={"dark"}).items()}
    values.update((f"dark_{name}", Markup(value)) for name, value in theme.dark.model_dump().items())
    values["dark_mode"] = Markup(dark_mode)
    return values


def render_mjml(issue: Issue, config: Config, user_templates: Path | None = None, links: Links | None = None,
                measure: bool = False, registry: Registry | None = None) -> str:
    """The MJML source of ``issue``; ``links`` picks the edition (platform, web archive) and UTM tagging.
    ``measure`` puts a marker before each block (see ``MEASURE``), for the sizes of the blocks; ``registry``
    is the project's (its plugins' block types and translations)."""
    links = links or links_for(config, "issue")
    env = environment(user_templates, registry)
    with _template_errors():
        return _render(env, issue, config, _theme(config), links, measure, registry)


@contextmanager
def _template_errors() -> Iterator[None]:
    """Jinja's errors in a template as our TemplateError, naming the template's file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{_template_position(exc)}template error: {exc.message}") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
        # A template doing sums or lookups on a value it did not expect: the template's line, not a traceback.
        raise TemplateError(f"{_template_position(exc)}template error: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class SocialView:
    label: str
    url: str


# The template contract: every name each email template receives (they share one context; a block's
# template also sees `block`, its view). docs/reference.md is generated from this; a test holds the context
# to it, so a name cannot be added or dropped without its documentation.
CONTEXT: dict[str, str] = {
    "lang": "The issue's language tag: its own `lang`, else the config's.",
    "dir": "The issue's direction, `ltr` or `rtl`, from its language (the CLDR's, through Babel).",
    "labels": "The words the templates print, in the issue's language (`labels.contents`, `labels.unsubscribe`, "
              "`labels.comma`, ...): the config's `labels:`, else our translations, else English.",
    "issue": "The validated issue (`newsletter.models.Issue`): `subject`, `preheader`, `date`, `hero`, `briefs`, "
             "`blocks`, and `content`, its blocks in order.",
    "config": "The validated config (`newsletter.models.Config`): `name`, `labels`, `logo`, `theme`, ...",
    "theme": "The theme's colours and fonts by name, as markup safe in CSS and attributes (`theme.link_color`).",
    "style": "The inline styles by name (`style.text_paragraph`), made from the theme by `newsletter/styles.py` "
             "(a project's `styles.j2` may override any of them with `{% set NAME = ... %}`); `style.dark_css` is "
             "the dark palette's rules (`dark.css.j2`). See Styles and classes.",
    "styles": "The styles for each direction: `styles.rtl`, for a block whose direction is not the issue's.",
    "blocks": "A view of each block, in order: its `type`, `template`, `anchor`, `title` and its type's own "
              "fields (see Block views). `{% include block.template %}` renders one.",
    "briefs": "The views of the brief blocks alone, in order.",
    "contents": "The views of the blocks that have a title, in order: what the Contents lists (`anchor`, `title`).",
    "date": "The issue's date as `date_format` writes it, or None.",
    "name": "The publication's name in the issue's language (`translations:`), else `config.name`.",
    "disclaimer": "The disclaimer in the issue's language (`translations:`), else the config's, as paragraphs of "
                  "inline Markdown (`| markdown`).",
    "links": "This edition's links: `tag(url)` adds UTM parameters; `web` is true in the web edition.",
    "website": "The publication's website, tagged, or None.",
    "web": "True when rendering the web edition (no preheader, no merge tags).",
    "preheader_filler": "Invisible characters to follow the preheader in `<mj-preview>`: they fill the inbox "
                        "preview, which would otherwise go on with the email's first words.",
    "unsubscribe": "The unsubscribe link or the platform's merge tag (as markup), or None.",
    "view_in_browser": "The view-in-browser link or merge tag (as markup), or None.",
    "postal_address": "The sender's postal address in the issue's language (`translations:`), else the config's; "
                      "or None.",
    "social": "The publication's accounts (config `social`), each with `label` and `url` (tagged).",
    "page": "In the web edition only (else None), what the page says of itself (`newsletter/webpage.py`): `url`, "
            "`canonical` (absolute under `archive_url`, or None), `meta` (`(attribute, key, content)` triples: Open "
            "Graph and Twitter card tags), `json_ld` (the NewsArticle, for a `<script type=\"application/ld+json\">`), "
            "`index` and `feed` (relative URLs), `signup`, and `nav`, the links to the index and the issues before "
            "and after, as markup the archive keeps current: print it as it is.",
}


def _render(env: jinja2.Environment, issue: Issue, config: Config, theme: dict[str, Markup], links: Links,
            measure: bool = False, registry: Registry | None = None) -> str:
    return env.get_template(TEMPLATE).render(_context(env, issue, config, theme, links, measure, registry))


def _context(env: jinja2.Environment, issue: Issue, config: Config, theme: dict[str, Markup], links: Links,
             measure: bool = False, registry: Registry | None = None) -> dict[str, object]:
    lang = issue.lang or config.lang
    direction = language.direction(lang)
    block_context = blocks.Context(config, links, lang, registry.labels if registry is not None else None)
    views = blocks.views(issue.content, block_context)
    if measure:
        last = len(views) - 1
        for number, view in enumerate(views):
            wrapped = f"{MEASURE}{number}/{'last' if number == last else 'not'}/{view.template}"
            object.__setattr__(view, "template", wrapped)
    styles = _both_styles(env, tuple(theme.items()))
    name = language.name(config, lang)
    context: dict[str, object] = {
        "lang": lang,
        "dir": direction,
        "labels": block_context.words,
        "styles": styles,
        "style": styles[direction],
        "issue": issue,
        "config": config,
        "theme": theme,
        **_view_lists(views),
        "date": language.date(issue.date, config, lang) if issue.date else None,
        "name": name,
        "disclaimer": paragraphs(language.disclaimer(config, lang)),
        "website": links.tag(config.website) if config.website else None,
        "preheader_filler": preheader_filler(issue.preheader),
        "postal_address": language.postal_address(config, lang),
        "social": [SocialView(account.label, links.tag(account.url)) for account in config.social],
    }
    context.update(_edition(context, issue, config, links))
    return context


def _view_lists(views: list[blocks.View]) -> dict[str, list[blocks.View]]:
    return {"blocks": views, "briefs": [view for view in views if view.type == "brief"],
            "contents": [view for view in views if view.title]}


def _edition(context: dict[str, object], issue: Issue, config: Config, links: Links) -> dict[str, object]:
    """The names of the context that differ between the email and its web edition, for ``links``' edition."""
    return {
        "links": links,
        "web": links.web,
        # Merge tags go in as markup: the platform must find them exactly as its documentation spells them.
        "unsubscribe": Markup(links.unsubscribe) if links.unsubscribe else None,
        "view_in_browser": Markup(links.view_in_browser) if links.view_in_browser else None,
        "page": webpage.page_for(issue, links.slug, config, context["labels"], context["lang"],  # type: ignore[arg-type]
                                 context["name"]) if links.web else None,  # type: ignore[arg-type]
    }


def render_editions(issue: Issue, config: Config, user_templates: Path | None, links: Links, web_links: Links,
                    registry: Registry | None = None) -> tuple[str, str]:
    """The MJML of the email (``links``) and of its web edition (``web_links``), the same as two
    :func:`render_mjml` would give. With the same link tagging (``newsletter.links.web_edition()``), the two
    share one context but for the names that differ between editions, and what both include with the same
    values (the header, the hero, the Contents, the blocks) is rendered once (``newsletter.includes``)."""
    if web_links.tag is not links.tag:
        return (render_mjml(issue, config, user_templates, links, registry=registry),
                render_mjml(issue, config, user_templates, web_links, registry=registry))
    env = environment(user_templates, registry)
    with _template_errors(), includes.sharing() as shared:
        context = _context(env, issue, config, _theme(config), links, registry=registry)
        # The lists as they are before the email's render: a template that changes them changes its own.
        lists = {name: list(context[name]) for name in ("blocks", "social", "disclaimer")}  # type: ignore[call-overload]
        template = env.get_template(TEMPLATE)
        email = template.render(context)
        shared.next_render()
        return email, template.render(_web_context(context, lists, issue, config, web_links, registry))


def _web_context(context: dict[str, object], lists: dict[str, list[Any]], issue: Issue, config: Config,
                 web_links: Links, registry: Registry | None) -> dict[str, object]:
    """The web edition's context, made from the email's: the same values but for the edition's names, and the
    views of our own block types (which read only the link tagging of the edition's links); another block
    type (a plugin's, or one that replaces ours) may read anything of them, so its blocks' views are made
    again."""
    views = lists["blocks"]
    ours = [blocks.is_builtin(blocks.type_of(block)) for block in issue.content]
    if not all(ours):
        block_context = blocks.Context(config, web_links, str(context["lang"]),
                                       registry.labels if registry is not None else None)
        for number, view in enumerate(blocks.views(issue.content, block_context)):
            if not ours[number]:
                views[number] = view
    return {**context, **_edition(context, issue, config, web_links), **_view_lists(views),
            "social": lists["social"], "disclaimer": lists["disclaimer"]}


# What fills an inbox preview after the preheader: a combining grapheme joiner, a zero-width non-joiner and a
# no-break space, which show nothing and are not white space a client collapses. Previews show about 150
# characters; raw characters cost 7 bytes a group, the usual entities 18.
PREHEADER_FILLER = "\u034f\u200c\u00a0"
PREVIEW_LENGTH = 150


def preheader_filler(preheader: str | None) -> str:
    return PREHEADER_FILLER * max(0, PREVIEW_LENGTH - len(preheader)) if preheader else ""


def expectations(issue: Issue, config: Config, links: Links, registry: Registry | None = None) -> list[tuple[str, str]]:
    """What the issue's model says must reach both the HTML and the plain text of this edition: each block's
    titles, names and links (its type says which), and the photo credit. The text-parity check compares."""
    found = blocks.expectations(issue.content, blocks.Context(config, links, issue.lang or config.lang,
                                                              registry.labels if registry is not None else None))
    if issue.hero and issue.hero.credit:
        found.append(("text", issue.hero.credit))
    for account in config.social:
        found += [("text", account.label), ("link", links.tag(account.url))]
    return found


def render_page(name: str, context: dict, user_templates: Path | None = None,  # type: ignore[type-arg]
                registry: Registry | None = None) -> str:
    """A template outside the email (the archive's index page), with the same loader, escaping and errors."""
    with _template_errors():
        return environment(user_templates, registry).get_template(name).render(context)


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
