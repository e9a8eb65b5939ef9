"""Files about the whole site, written once every page is: sitemap.xml and robots.txt.

They list what is really in the output (budget, factory and hand-written pages
alike), in sorted order so that builds stay byte-identical.
"""
from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape


def page_paths(output: Path) -> list[str]:
    """URL paths of every HTML page, 'proyectos/x/' for proyectos/x/index.html."""
    out = []
    # os.walk, not Path.rglob: at full scale (9,000 pages) rglob took 3 s
    for folder, subfolders, files in os.walk(output):
        rel = os.path.relpath(folder, output)
        if rel == ".":
            subfolders[:] = [d for d in subfolders if d not in ("theme", "pagefind")]
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out += [(prefix + name).removesuffix("index.html") for name in files
                if name.endswith(".html") and not name.endswith("404.html")]
    return sorted(out)


def write(output: Path, siteurl: str) -> None:
    urls = [f"{siteurl}/{path}" for path in page_paths(output)]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{escape(url)}</loc></url>" for url in urls]
    lines.append("</urlset>")
    (output / "sitemap.xml").write_text("\n".join(lines) + "\n", "utf-8")
    robots = ["User-agent: *", "Allow: /"]
    if siteurl.startswith("http"):  # a sitemap is announced by its full address only
        robots.append(f"Sitemap: {siteurl}/sitemap.xml")
    (output / "robots.txt").write_text("\n".join(robots) + "\n", "utf-8")


def finalized(pelican) -> None:
    write(Path(pelican.output_path), pelican.settings.get("SITEURL", ""))
