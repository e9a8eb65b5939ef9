import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tests"))
# One Chromium and one local server for the whole session, shared by every browser test.
import pytest  # noqa: E402

from browser import browser, serve  # noqa: E402,F401


def text_of(html: str) -> str:
    """A page's visible text, roughly: tags removed, entities decoded, spaces collapsed."""
    import re
    from html import unescape
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def built_site(out: Path, data: Path | None = None, **settings) -> Path:
    """The site built into `out` with the demo's settings file, another data folder and
    setting overrides; fails the test when the build does not publish."""
    from cabildo.pelican.build import build
    overrides = {**({"CABILDO_DATA_DIR": str(data)} if data else {}), **settings}
    assert build(str(ROOT / "pelicanconf.py"), str(out), overrides, quiet=True) == 0
    return out


@pytest.fixture(scope="session")
def tiles_off_site(tmp_path_factory):
    """The demo site built once, tiles off, for every browser test."""
    from cabildo.pelican.build import build
    out = tmp_path_factory.mktemp("tiles-off") / "output"
    assert build(str(ROOT / "pelicanconf.py"), str(out), {"CABILDO_MAP_TILES": "none"},
                 quiet=True) == 0
    return out
