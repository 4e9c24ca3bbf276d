"""Stage 3's includes, rendered once for an email and its web edition.

The two editions of an issue differ in a few names of the template context (``links``, ``web``, ``page``,
``unsubscribe``, ``view_in_browser``: its head and footer); the header, the hero, the Contents and every
block read none of them, and rendering them again was a third of the web edition's cost. Within
:func:`sharing`, an ``{% include %}`` (with its context, as Jinja includes by default) gives the output an
earlier include of the same template gave when every value the template reads is the same object: the names
it reads, found in its source and in the templates it includes, imports or extends, and what our context
filters read (the Markdown filters read the edition's link tagging, which both editions share). A template
that reads a name whose value differs, names a template only known when it runs, or uses a filter that reads
the context in a way we do not know, is rendered again, as before.

Only the include's output is kept: an included template's own ``{% set %}``s and macros never reach the
template that includes it, so nothing else could differ.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

import jinja2
from jinja2 import meta, nodes
from jinja2.compiler import CodeGenerator, Frame

# What each of our context filters reads from the context; "links" is read for its ``tag`` alone.
CONTEXT_READS: dict[str, tuple[str, ...]] = {"markdown": ("links",), "markdown_blocks": ("links", "style")}

# {key: (the values the key was made of, kept alive so that no id is reused; the output)} while sharing.
_SHARED: contextvars.ContextVar[dict[tuple[Any, ...], tuple[list[Any], list[str]]] | None] = \
    contextvars.ContextVar("newsletter_shared_includes", default=None)


@contextmanager
def sharing() -> Iterator[None]:
    """Within it, an include whose inputs are the same objects as an earlier one's gives that one's output."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


# Part of the key of the bytecode cache: the code our generator writes. Bump it when that code changes.
REVISION = 2

# Jinja writes an include with its context as this call; ours goes through Environment.include instead. Should
# a later Jinja write it otherwise, the line is left as it is: every include is then rendered, as before (a
# test says whether the editions still share).
_JINJA_INCLUDE = "gen = template.root_render_func(template.new_context(context.get_all(), True, "


class _CodeGenerator(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        super().visit_Template(node, frame)
        # What the template reads, worked out from its syntax tree when it is compiled (parsing a template
        # again at run time cost more than a cold build saves) and kept in its code, and so in the bytecode cache.
        self.writeline(f"{_READS} = {_own_reads(self.environment, node)!r}")

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:
        writeline = self.writeline

        def rewritten(text: str, node: nodes.Node | None = None, extra: int = 0) -> None:
            if text.startswith(_JINJA_INCLUDE) and text.endswith("))"):
                text = f"gen = environment.include(template, context, {text[len(_JINJA_INCLUDE):-2]})"
            writeline(text, node, extra)

        self.writeline = rewritten  # type: ignore[method-assign, assignment]
        try:
            super().visit_Include(node, frame)
        finally:
            del self.writeline


_READS = "newsletter_reads"
# How Jinja marks a filter or test that is given the template context (``@jinja2.pass_context``).
_PASSES_CONTEXT = jinja2.pass_context(lambda: None).jinja_pass_arg  # type: ignore[attr-defined]
# A template's own reads: (the names it reads, the names only our filters read, the templates it names), or
# None when they cannot be known (a filter or test that reads the context in a way we do not know, a template
# named only when it runs).
_Reads = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _own_reads(environment: jinja2.Environment, tree: nodes.Template) -> _Reads | None:
    through_filters: set[str] = set()
    for used in tree.find_all((nodes.Filter, nodes.Test)):
        table = environment.filters if isinstance(used, nodes.Filter) else environment.tests
        if getattr(table.get(used.name), "jinja_pass_arg", None) is _PASSES_CONTEXT:
            if not isinstance(used, nodes.Filter) or used.name not in CONTEXT_READS:
                return None
            through_filters.update(CONTEXT_READS[used.name])
    named = list(meta.find_referenced_templates(tree))
    if any(not isinstance(name, str) for name in named):
        return None
    return (tuple(sorted(meta.find_undeclared_variables(tree))), tuple(sorted(through_filters)),
            tuple(sorted(set(named))))  # type: ignore[arg-type]


class Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator

    def include(self, template: jinja2.Template, context: jinja2.runtime.Context,
                local_vars: Mapping[str, Any]) -> Iterator[str]:
        """What ``{% include %}`` yields: ``template`` rendered in the including template's context."""
        included = template.new_context(context.get_all(), True, local_vars)
        shared = _SHARED.get()
        reads = _reads(template) if shared is not None else None
        if shared is None or reads is None:
            return template.root_render_func(included)
        values: list[Any] = []
        for name in reads[0]:
            values.append(included.resolve_or_missing(name))
        for name in reads[1]:  # read through our filters only: the link tagging alone
            value = included.resolve_or_missing(name)
            values.append(getattr(value, "tag", value) if name == "links" else value)
        key = (template, *map(id, values))
        found = shared.get(key)
        if found is None:
            found = shared[key] = (values, list(template.root_render_func(included)))
        return _replay(found[1])


def _replay(output: list[str]) -> Iterator[str]:
    yield from output  # a generator: Jinja closes what an include gives


# Per template: (the names it and the templates it names read, the names only our filters read), or None when
# it cannot be shared. Once a template (an edited template is a new Template object).
_ANALYSED: WeakKeyDictionary[jinja2.Template, tuple[tuple[str, ...], tuple[str, ...]] | None] = WeakKeyDictionary()


def _reads(template: jinja2.Template) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    if template not in _ANALYSED:
        _ANALYSED[template] = _analyse(template)
    return _ANALYSED[template]


def _analyse(template: jinja2.Template) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    direct: set[str] = set()
    through_filters: set[str] = set()
    seen: set[jinja2.Template] = set()
    pending = [template]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        own: _Reads | None = current.root_render_func.__globals__.get(_READS)  # type: ignore[attr-defined]
        if own is None:
            return None  # compiled by another generator, or its reads cannot be known
        direct.update(own[0])
        through_filters.update(own[1])
        try:
            pending.extend(current.environment.get_template(name, current.name) for name in own[2])
        except jinja2.TemplateError:
            return None  # the include fails as it renders, with Jinja's message
    return tuple(sorted(direct)), tuple(sorted(through_filters - direct))
