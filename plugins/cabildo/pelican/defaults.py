"""The Pelican settings every Cabildo site shares; a site's pelicanconf.py starts with
`from cabildo.pelican.defaults import *` and sets only its own.

The site's pages are Cabildo's (data pages) and hand-written ones in content/pages; no
blog, no Pelican feeds (Cabildo writes its own, without build dates).
"""
from ..resources import THEME_DIR

PLUGINS = ["cabildo"]
THEME = str(THEME_DIR)
THEME_TEMPLATES_OVERRIDES = ["templates"]  # a site's own templates/ replace the theme's
PATH = "content"
SITEURL = ""
RELATIVE_URLS = False

ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages"]
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
PAGE_TRANSLATION_ID = "key"
DIRECT_TEMPLATES: list[str] = []
INDEX_SAVE_AS = ""
ARCHIVES_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = CATEGORY_SAVE_AS = TAG_SAVE_AS = ""
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_SAVE_AS = ""

FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
STATIC_PATHS: list[str] = []
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# Every string from data is escaped wherever it lands.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True,
                     "extensions": ["jinja2.ext.i18n"]}
