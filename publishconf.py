"""Settings for publishing: pelicanconf plus the public address."""
import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("CABILDO_SITEURL", "")
RELATIVE_URLS = False
