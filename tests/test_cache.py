"""The cache folder keeps what builds use and lets go of what they stopped using: without
that, every edit added parsed files, workbooks and bulletins that stayed for good."""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from cabildo.pelican.build import build

from conftest import ROOT


def _files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}


def _age(folder: Path, days: int) -> None:
    then = time.time() - days * 86400
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_cache_lets_go_of_what_builds_stopped_using(tmp_path):
    data, cache, out = tmp_path / "data", tmp_path / "cache", tmp_path / "output"
    shutil.copytree(ROOT / "data", data)
    settings = {"CABILDO_DATA_DIR": str(data), "CABILDO_CACHE_DIR": str(cache),
                "CABILDO_SEARCH": False, "CABILDO_BULLETIN_CYCLES": 1}

    def site() -> None:
        assert build(str(ROOT / "pelicanconf.py"), str(out), settings, quiet=True) == 0

    site()
    first = _files(cache)
    bulletin = out / "boletines" / "2026" / "altagracia.pdf"
    old_bulletin = _digest(bulletin)
    # An amount of the current cycle: its data file parses anew, and its workbooks and
    # bulletins (the parish's, the municipal summary) are made again.
    projects = data / "projects" / "2026.yaml"
    projects.write_text(projects.read_text("utf-8").replace(
        "amount: 1766072.56", "amount: 1766000.00", 1), "utf-8")
    site()
    second = _files(cache)
    assert _digest(bulletin) != old_bulletin
    assert second > first  # what the first build used is younger than a week: kept

    _age(cache, 8)
    site()
    third = _files(cache)
    gone = second - third
    assert len(third) < len(second)
    assert {p.parts[0] for p in gone} == {"bulletins", "xlsx", "yaml"}
    assert not any(_digest(cache / p) == old_bulletin for p in third if p.suffix == ".pdf")
    assert not any(p.parts[0] in ("pages", "outputs", "jinja", "catalogs") for p in gone)
    kept = {_digest(cache / p) for p in third if p.suffix == ".pdf"}
    assert {_digest(pdf) for pdf in out.rglob("*.pdf")} <= kept  # every bulletin shown

    # Nothing the data still needs went: the next build prints no bulletin, writes no
    # workbook and parses no file again (no new file in the cache), and shows the same.
    published = {p: _digest(out / p) for p in _files(out)}
    site()
    assert _files(cache) == third
    assert {p: _digest(out / p) for p in _files(out)} == published
