"""Minutes and proposal texts: Markdown rendered, then sanitised.

Staff write Markdown. Whatever raw HTML it holds is never trusted: the `markdown`
package renders, then nh3 (Ammonia) keeps only the tags of ordinary prose and links
whose scheme is http, https or mailto. Scripts and styles are dropped with their
content; every other tag is removed and its text kept as text.
"""
from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a",
        "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}}
SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=4096)
def render(text: str) -> Markup:
    """Safe HTML of a Markdown text, ready to place in a page."""
    if not text:
        return Markup("")
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    # Headings of a minute sit under the page's own h2/h3: shift them down.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>",
                                                                      f"</h{level + 2}>")
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                      link_rel="nofollow noopener noreferrer", strip_comments=True)
    return Markup(clean)
