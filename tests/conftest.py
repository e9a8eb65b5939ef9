import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tests"))
# One Chromium and one local server for the whole session, shared by every browser test.
import pytest  # noqa: E402

from browser import browser, serve  # noqa: E402,F401


@pytest.fixture(scope="session")
def tiles_off_site(tmp_path_factory):
    """The demo site built once, tiles off, for every browser test."""
    from pelican.plugins.cabildo.pelican.build import build
    out = tmp_path_factory.mktemp("tiles-off") / "output"
    assert build(str(ROOT / "pelicanconf.py"), str(out), {"CABILDO_MAP_TILES": "none"},
                 quiet=True) == 0
    return out
