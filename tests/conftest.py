import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

sys.path.insert(0, str(ROOT / "tests"))
# One Chromium and one local server for the whole session, shared by every browser test.
from browser import browser, serve  # noqa: E402,F401
