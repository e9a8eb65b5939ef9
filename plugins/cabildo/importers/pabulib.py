"""Import Pabulib `.pb` files into a Cabildo data folder, inventing nothing.

    import_pabulib([Path("france-toulouse-2022/")], Path("data"))

One cycle per (unit, instance). A file with a `subunit` (a district) becomes a
pool; a file without one is either the citywide union of the district files
(same projects: kept once, and its budget and voters become the cycle's) or a
municipal pool of its own. Districts become parishes, without population (the
files have none). A value the files do not give is left out, never zeroed.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

import yaml
from babel import Locale
from babel.languages import get_official_languages
from slugify import slugify

from ..resources import SCHEMA_DIR
from . import pbfile
from .pbfile import PbError

SCHEMA_LINE = "# yaml-language-server: $schema={path}\n"


ID_LENGTH = 64  # the schemas' limit on ids (they become URL path segments)


class ImportProblem(ValueError):
    """A set of files that cannot be imported as one site; str() says why."""


@dataclass
class Group:
    unit: str
    instance: str
    districts: list  # PbFile with a subunit
    citywide: list  # PbFile without one


def _natural(text: str):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def pb_files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.glob("*.pb"), key=lambda p: _natural(p.name))
        elif path.is_file():
            found.append(path)
        else:
            raise ImportProblem(f"{path}: no such file or folder")
    if not found:
        raise ImportProblem("no .pb file found in " + ", ".join(map(str, paths)))
    return found


def _date(text: str, where: str) -> str:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            pass
    raise ImportProblem(f"{where}: date '{text}' is not DD.MM.YYYY")


def _amount(value: Decimal):
    """Whole amounts as integers, the others as they were written."""
    return int(value) if value == value.to_integral_value() else value


def _country_code(name: str) -> str | None:
    if re.fullmatch(r"[A-Z]{2}", name):
        return name
    names = {v.lower(): k for k, v in Locale("en").territories.items()
             if re.fullmatch(r"[A-Z]{2}", k)}
    return names.get(name.strip().lower())


def _timezone(country: str) -> str | None:
    """The country's time zone when it has exactly one (IANA zone1970.tab, from tzdata)."""
    table = resources.files("tzdata").joinpath("zoneinfo/zone1970.tab").read_text("utf-8")
    zones = [cols[2] for line in table.splitlines() if line and not line.startswith("#")
             for cols in [line.split("\t")] if country in cols[0].split(",")]
    return zones[0] if len(zones) == 1 else None


def _groups(files: list[pbfile.PbFile]) -> list[Group]:
    groups: dict[tuple, Group] = {}
    for pb in files:
        key = (pb.meta.get("country", ""), pb.meta.get("unit", ""), pb.meta.get("instance", ""))
        group = groups.setdefault(key, Group(key[1], key[2], [], []))
        (group.districts if pb.meta.get("subunit") else group.citywide).append(pb)
    return list(groups.values())


def _project(pb: pbfile.PbFile, p: pbfile.PbProject, year: int) -> dict:
    f = p.fields
    out: dict = {"id": slugify(f"{year}-{p.id}"), "external_ids": {"pabulib": p.id}}
    if f.get("name"):
        out["title"] = f["name"]
    if f.get("description"):
        out["description"] = f["description"]
    if f.get("category"):
        out["categories"] = [c.strip() for c in f["category"].split(",") if c.strip()]
    if f.get("target"):
        out["targets"] = [c.strip() for c in f["target"].split(",") if c.strip()]
    out["cost"] = _amount(p.cost)
    if f.get("votes"):
        out["votes"] = int(Decimal(f["votes"]))
    elif pb.voters is not None:
        out["votes"] = pb.counted_votes[p.id]
    if f.get("score"):
        out["score"] = _amount(Decimal(f["score"]))
    elif pb.counted_points:
        out["score"] = _amount(pb.counted_points[p.id])
    if f.get("selected"):
        out["selected"] = f["selected"] == "1"
    return out


def _check_counts(pb: pbfile.PbFile) -> None:
    """The PROJECTS votes column and META num_votes must agree with the VOTES read."""
    name = Path(pb.path).name
    if pb.voters is None:
        return
    if pb.meta.get("num_votes") and int(Decimal(pb.meta["num_votes"])) != pb.voters:
        raise ImportProblem(f"{name}:0: META num_votes is {pb.meta['num_votes']} but VOTES "
                            f"holds {pb.voters} ballots")
    for p in pb.projects.values():
        if p.fields.get("votes") and int(Decimal(p.fields["votes"])) != pb.counted_votes[p.id]:
            raise ImportProblem(f"{name}:{p.line}: project {p.id} has votes "
                                f"{p.fields['votes']} but {pb.counted_votes[p.id]} ballots "
                                "name it in VOTES")


def _pool(pb: pbfile.PbFile, year: int, parish_id: str | None) -> dict:
    meta = pb.meta
    pool: dict = {"id": parish_id or "municipal"}
    if parish_id:
        pool["parish"] = parish_id
    pool["name"] = meta.get("subunit") or meta.get("unit", "")
    pool["budget"] = _amount(Decimal(meta["budget"]))
    if pb.voters is not None:
        pool["voters"] = pb.voters
    elif meta.get("num_votes"):
        pool["voters"] = int(Decimal(meta["num_votes"]))
    pool["source"] = Path(pb.path).name
    ranked = sorted(pb.projects.values(), key=lambda p: _natural(p.id))
    pool["projects"] = [_project(pb, p, year) for p in ranked]
    return pool


def _year(meta: dict, where: str) -> int:
    instance = meta.get("instance", "")
    if re.fullmatch(r"(19|20)\d\d", instance):
        return int(instance)
    for key in ("date_end", "date_begin"):
        if meta.get(key):
            return int(_date(meta[key], where)[:4])
    raise ImportProblem(f"{where}: META gives no year (instance, date_end or date_begin)")


def _cycle(group: Group) -> tuple[dict, list[dict]]:
    """The ballot record of one cycle, and its districts as parishes."""
    first = (group.districts or group.citywide)[0]
    where = Path(first.path).name + ":0"
    year = _year(first.meta, where)
    pools, parishes, seen = [], [], {}
    for pb in sorted(group.districts, key=lambda pb: _natural(pb.meta["subunit"])):
        parish_id = slugify(pb.meta["subunit"], max_length=ID_LENGTH, word_boundary=True)
        if parish_id in {p["id"] for p in parishes}:
            raise ImportProblem(f"{Path(pb.path).name}:0: district '{pb.meta['subunit']}' "
                                "is given by two files")
        parishes.append({"id": parish_id, "name": pb.meta["subunit"]})
        pools.append(_pool(pb, year, parish_id))
        for pid in pb.projects:
            seen[pid] = pb
    record: dict = {"cycle": year}
    union = None
    for pb in group.citywide:
        shared = [pid for pid in pb.projects if pid in seen]
        if shared and len(shared) == len(pb.projects):
            _same_projects(pb, seen)
            union = pb  # the citywide file repeating the districts: its totals only
        elif shared:
            raise ImportProblem(f"{Path(pb.path).name}:0: {len(shared)} of its projects are also "
                                "in district files and the others are not; import it separately")
        else:
            pools.insert(0, _pool(pb, year, None))
    meta = (union or first).meta
    if meta.get("description"):
        record["title"] = meta["description"]
    record["currency"] = meta.get("currency") or None
    if union:
        record["budget"] = _amount(Decimal(union.meta["budget"]))
        if union.voters is not None:
            record["voters"] = union.voters
    for ours, theirs in (("vote_type", "vote_type"), ("rule", "rule")):
        if meta.get(theirs):
            record[ours] = meta[theirs]
    for ours, theirs in (("vote_start", "date_begin"), ("vote_end", "date_end")):
        if meta.get(theirs):
            record[ours] = _date(meta[theirs], where)
    for key in ("min_length", "max_length"):
        if meta.get(key):
            record[key] = int(Decimal(meta[key]))
    record["pools"] = pools
    names = [Path(pb.path).name for pb in group.citywide + group.districts]
    more = f" and {len(names) - 1} more files" if len(names) > 1 else ""
    record["source"] = ("Pabulib (pabulib.org; Stolicki, Szufa, Talmon, arXiv:2012.06539): "
                        + names[0] + more)
    return {k: v for k, v in record.items() if v is not None}, parishes


def _same_projects(union: pbfile.PbFile, seen: dict) -> None:
    for pid, p in union.projects.items():
        district = seen[pid].projects[pid]
        for what, a, b in (("cost", p.cost, district.cost),
                           ("votes", p.fields.get("votes"), district.fields.get("votes"))):
            if a != b:
                raise ImportProblem(f"{Path(union.path).name}:{p.line}: project {pid} has {what} "
                                    f"{a} here and {b} in {Path(seen[pid].path).name}")


def _municipality(files: list[pbfile.PbFile], language: str | None) -> dict:
    meta = files[0].meta
    where = Path(files[0].path).name + ":0"
    country = _country_code(meta.get("country", ""))
    if not country:
        raise ImportProblem(f"{where}: META country '{meta.get('country', '')}' is not a "
                            "country name Cabildo knows")
    language = language or meta.get("language") or next(iter(get_official_languages(country)), None)
    if not language:
        raise ImportProblem(f"{where}: META has no language; pass --language")
    out = {"name": meta.get("unit", ""), "country": country, "languages": [language],
           "default_currency": meta.get("currency", "")}
    zone = _timezone(country)
    if zone:
        out["timezone"] = zone
    return out


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar(
    "tag:yaml.org,2002:float", format(v, "f")))


def _dump(kind: str, target: Path, data: dict) -> str:
    """The file's text; its first line points editors to the schema (from wherever it is)."""
    schema = os.path.relpath(SCHEMA_DIR / f"{kind}.schema.json", target.parent.resolve())
    return SCHEMA_LINE.format(path=Path(schema).as_posix()) + yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _declare_categories(records: list[dict], language: str) -> list[dict]:
    """The files' own categories (their `category` column) as declared categories, in
    the order they first appear, labelled in the site's language as the files write
    them; each project then names them by id."""
    ids: dict[str, str] = {}
    for record in records:
        for pool in record["pools"]:
            for project in pool["projects"]:
                named = []
                for label in project.get("categories", ()):
                    if label not in ids:
                        base = slugify(label, max_length=ID_LENGTH, word_boundary=True) or "category"
                        cid, n = base, 2
                        while cid in ids.values():  # two labels, one slug ("Énergie", "energie")
                            cid, n = f"{base[:ID_LENGTH - 4]}-{n}", n + 1
                        ids[label] = cid
                    named.append(ids[label])
                if named:
                    project["categories"] = named
    return [{"id": cid, "label": {language: label}} for label, cid in ids.items()]


def import_pabulib(paths: list[Path], out: Path, language: str | None = None) -> list[Path]:
    """Write municipality.yaml, parishes.yaml, categories.yaml (when the files have
    categories) and ballots/<year>.yaml into out; return them."""
    files = []
    for path in pb_files([Path(p) for p in paths]):
        pb = pbfile.read(path)
        _check_counts(pb)
        files.append(pb)
    units = {pb.meta.get("unit", "") for pb in files}
    if len(units) != 1:
        raise ImportProblem("the files are of several cities (" + ", ".join(sorted(units))
                            + "); import each into its own folder")
    cycles = [_cycle(group) for group in _groups(files)]
    parishes: dict[str, dict] = {}
    for _, mine in cycles:
        for p in mine:
            parishes.setdefault(p["id"], p)
    municipality = _municipality(files, language)
    categories = _declare_categories([record for record, _ in cycles], municipality["languages"][0])
    targets = {"municipality": out / "municipality.yaml", "parish": out / "parishes.yaml",
               "category": out / "categories.yaml"}
    writes = {targets["municipality"]: _dump("municipality", targets["municipality"], {
                  "municipality": municipality}),
              targets["parish"]: _dump("parish", targets["parish"],
                                       {"parishes": list(parishes.values())})}
    if categories:
        writes[targets["category"]] = _dump("category", targets["category"],
                                            {"categories": categories})
    for record, _ in cycles:
        target = out / "ballots" / f"{record['cycle']}.yaml"
        writes[target] = _dump("ballot", target, {"ballot": record})
    clash = [str(p) for p in writes if p.exists()]
    if clash:
        raise ImportProblem(f"{clash[0]}: already exists; import into an empty folder")
    for path, text in writes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(writes)


__all__ = ["import_pabulib", "ImportProblem", "PbError"]


def command(paths: list[str], out: str, language: str | None = None) -> int:
    """`cabildo import pabulib`: one line per problem, never a traceback; 0 when written."""
    import sys
    try:
        written = import_pabulib([Path(p) for p in paths], Path(out), language)
    except (PbError, ImportProblem) as exc:
        print(exc, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0
