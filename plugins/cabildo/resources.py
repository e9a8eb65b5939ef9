"""Where the package's own files are: the default theme and the JSON Schemas, read as package
data so that an installed Cabildo finds them wherever it lives (the wheel maps theme/ into
cabildo.theme)."""
from importlib.resources import files
from pathlib import Path

PACKAGE = __name__.rpartition(".")[0]
THEME_DIR = Path(str(files(f"{PACKAGE}.theme")))
SCHEMA_DIR = Path(str(files(f"{PACKAGE}.model") / "schemas"))
TRANSLATIONS_DIR = THEME_DIR / "translations"
