"""Pelican settings for the Torres demo site. Cabildo's own settings are CABILDO_*;
each is documented in plugins/cabildo/model/settings.py and on the site's data model page."""
from cabildo.pelican.defaults import *  # noqa: F401,F403  (what every site shares)

SITENAME = "Cabildo Torres"
THEME = "theme"  # the repository's theme/ is the package's own default theme
TIMEZONE = "America/Caracas"
DEFAULT_LANG = "es"

# Cabildo
CABILDO_DATA_DIR = "data"
CABILDO_QUORUM = "0.20"
# Venezuelan usage puts a space after the symbol: Bs. 1.234.567,89 (CLDR: Bs.S1.234.567,89)
CABILDO_MONEY_FORMAT = "¤\u00a0#,##0.00"
CABILDO_CURRENCY_SYMBOLS = {"VES": "Bs.", "VEF": "Bs.", "VED": "Bs."}
CABILDO_DEMO_NOTICE = True
CABILDO_BULLETINS = True  # the PDF bulletins; False for quick previews
