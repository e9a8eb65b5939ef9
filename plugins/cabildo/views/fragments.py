"""The parts of every page that are the same for a whole language (the site's menu, its
search form, its footer), rendered once per language in a build instead of on each of
thousands of pages (at full scale, 15% fewer calls and CPU in rendering the pages).

`{{ fragment("_site_footer.html") }}` renders that template with the page's context the
first time, then gives the same HTML to every page of the same language and site
address. Such a template may show only what is the same on every page of a language:
never the page's own values, nor a bulletin's link (its size is noted per page).
"""
from __future__ import annotations

from jinja2 import pass_context
from markupsafe import Markup

# Attributes of the Jinja environment: the HTML kept (one build's: each build makes its
# generators' environments anew), and the incremental build's tracker of what a page
# reads (pelican/depends.Reads), when it has one.
_KEPT = "cabildo_fragments"
TRACKER = "cabildo_reads"


def install(env) -> None:
    env.globals["fragment"] = fragment


@pass_context
def fragment(context, name: str) -> Markup:
    """The template `name`, rendered once per language and site address. Under an
    incremental build, what its first rendering read is noted again for each page that
    shows it, so that a change to those records re-renders every such page."""
    env = context.environment
    tracker = getattr(env, TRACKER, None)
    noted = tracker.reads if tracker is not None else None
    if tracker is not None and noted is None:  # tracked, but outside a page: not kept
        return Markup(env.get_template(name).render(context.get_all()))
    kept = env.__dict__.setdefault(_KEPT, {})
    key = (name, context.get("page_lang"), context.get("SITEURL"))
    found = kept.get(key)
    if found is None:
        reads: set = set()
        if tracker is not None:
            tracker.reads = reads
        try:
            html = Markup(env.get_template(name).render(context.get_all()))
        finally:
            if tracker is not None:
                tracker.reads = noted
        kept[key] = found = (html, frozenset(reads))
    if noted is not None:
        noted.update(found[1])
    return found[0]
