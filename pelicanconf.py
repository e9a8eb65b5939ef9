"""Pelican settings for the Torres demo site. Cabildo's own settings are CABILDO_*;
each is documented in plugins/cabildo/model/settings.py and on the site's data model page."""

SITENAME = "Cabildo Torres"
SITEURL = ""
PATH = "content"
THEME = "theme"
TIMEZONE = "America/Caracas"
DEFAULT_LANG = "es"

PLUGIN_PATHS: list[str] = []  # the plugin is the installed package (pip install -e .)
PLUGINS = ["pelican.plugins.cabildo"]

# Hand-written pages only (content/pages); no blog.
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
PAGE_TRANSLATION_ID = "key"
DIRECT_TEMPLATES = []
INDEX_SAVE_AS = ""
ARCHIVES_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = CATEGORY_SAVE_AS = TAG_SAVE_AS = ""
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_SAVE_AS = ""

# Deterministic output: no feeds with build dates here (the feeds issue adds ours).
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
RELATIVE_URLS = False
DEFAULT_PAGINATION = False
STATIC_PATHS = []
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# Cabildo
CABILDO_DATA_DIR = "data"
CABILDO_QUORUM = "0.20"
CABILDO_DEMO_NOTICE = True
CABILDO_BULLETINS = True  # the PDF bulletins; False for quick previews

# Every string from data is escaped wherever it lands.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True,
                     "extensions": ["jinja2.ext.i18n"]}
