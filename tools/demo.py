"""Deterministic synthetic data for Torres: the committed demo and full-scale sets.

    python -m tools.demo --scale demo --out data     # what data/ holds
    python -m tools.demo --scale full --out /tmp/big # benchmarks, never committed

Every council, project and decision here is invented; only the parishes and
towns are real. No person is named.
"""
from __future__ import annotations

import argparse
import itertools
import random
import shutil
from decimal import Decimal
from pathlib import Path

import yaml

# Real parishes of Torres; population and points are illustrative.
# (id, name, seat, population, urban share, lon, lat)
PARISHES = [
    ("altagracia", "Altagracia", "Altagracia", 9400, 0.2, -70.2398, 10.4126),
    ("antonio-diaz", "Antonio Díaz", "Curarigua", 11800, 0.4, -69.9267, 9.9858),
    ("camacaro", "Camacaro", "Río Tocuyo", 7300, 0.3, -69.9269, 10.2720),
    ("castaneda", "Castañeda", "Atarigua", 8100, 0.3, -69.7498, 10.1231),
    ("cecilio-zubillaga", "Cecilio Zubillaga", "Carora", 14600, 0.8, -70.1730, 9.8463),
    ("chiquinquira", "Chiquinquirá", "Carora", 21900, 0.9, -70.0361, 10.3209),
    ("el-blanco", "El Blanco", "Sabana Grande", 6200, 0.2, -70.5518, 10.2943),
    ("espinoza-de-los-monteros", "Espinoza de los Monteros", "Arenales", 5400, 0.2,
     -69.9057, 10.1435),
    ("heriberto-arroyo", "Heriberto Arroyo", "Carora", 12700, 0.7, -70.0900, 10.0600),
    ("lara", "Lara", "Carora", 10300, 0.6, -70.0604, 9.9022),
    ("las-mercedes", "Las Mercedes", "Palmarito", 7800, 0.2, -70.4192, 10.0667),
    ("manuel-morillo", "Manuel Morillo", "Quebrada Arriba", 6900, 0.3, -70.2829, 9.8946),
    ("montana-verde", "Montaña Verde", "Meachiche", 4800, 0.1, -70.7209, 10.1040),
    ("montes-de-oca", "Montes de Oca", "Baragua", 9900, 0.3, -70.3530, 10.3370),
    ("reyes-vargas", "Reyes Vargas", "Burere", 6600, 0.2, -69.7990, 10.3414),
    ("torres", "Torres", "Carora", 24800, 1.0, -70.1196, 9.8038),
    ("trinidad-samuel", "Trinidad Samuel", "Carora", 31200, 0.9, -70.1230, 10.1897),
]

PLACES = [
    "Los Cardones", "Los Cujíes", "Las Tunas", "Los Guásimos", "Los Tamarindos",
    "Los Cerritos", "Las Majaguas", "Las Palmitas", "Los Caujaros", "Los Pozones",
    "Las Cocuizas", "Los Mamoncillos", "Los Jabillos", "Los Uveros", "Los Yabos",
    "Las Vegas", "Las Quebraditas", "Las Lomitas", "Los Algarrobos", "El Cují",
    "Los Guayabos", "Las Ceibas", "El Cañaveral", "El Mirador", "El Manantial",
    "El Tablón", "El Rosal", "El Paraíso", "El Araguaney", "El Samán", "Los Bucares",
    "Las Parchitas", "Los Trupillos", "Los Guamachos", "La Cañada", "La Represa",
    "La Montañita", "La Sabanita", "La Palmita", "La Ceiba", "La Candelaria",
]
PLACES_C = ["", " Norte", " Sur", " Este", " Oeste", " Alto", " Abajo", " I", " II", " III",
            " Centro", " del Río", " de Arriba", " Nuevo"]

TITLES = {
    "road": ["Asfaltado de la calle principal de {p}", "Rehabilitación de la vía de {p}",
             "Construcción de brocales y aceras en {p}"],
    "school": ["Rehabilitación de la escuela de {p}", "Ampliación del liceo de {p}",
               "Comedor escolar de {p}"],
    "sewer": ["Red de cloacas del sector {p}", "Colector de aguas servidas de {p}"],
    "electricity": ["Alumbrado público de {p}", "Transformadores y tendido eléctrico de {p}"],
    "water": ["Tubería de agua potable para {p}", "Tanque de almacenamiento de agua de {p}"],
    "health": ["Dotación del consultorio popular de {p}", "Ambulatorio rural de {p}"],
    "housing": ["Sustitución de ranchos por viviendas en {p}", "Techos para viviendas de {p}"],
    "sports": ["Cancha de usos múltiples de {p}", "Techado de la cancha de {p}"],
    "culture": ["Casa de la cultura de {p}", "Dotación de instrumentos para la banda de {p}"],
    "transport": ["Refugios en las paradas de {p}", "Reparación del puente de {p}"],
    "other": ["Mercado comunal de {p}", "Centro de acopio agrícola de {p}"],
}
LINES = {"road", "sewer", "electricity", "water", "transport"}
CATEGORY_WEIGHTS = {"road": 6, "school": 3, "sewer": 4, "electricity": 3, "water": 4,
                    "health": 2, "housing": 2, "sports": 2, "culture": 1, "transport": 1,
                    "other": 1}

AS_OF = "2026-11-15"  # the demo data's "today": no milestone after it

SCALES = {
    # councils (demo: per parish; full: per 11,500 residents), cycles,
    # projects proposed per council per cycle (before the quorum)
    "demo": dict(councils=4, first_year=2024, years=3, candidates=1.3),
    "full": dict(councils=32, first_year=2012, years=15, candidates=0.43),
    # ten times the councils, so ten times the projects, assemblies and pages: the
    # benchmark's check that a build's cost grows linearly
    "10x": dict(councils=320, first_year=2012, years=15, candidates=0.43),
}


def _currency(year: int) -> str:
    return "VEF" if year < 2018 else "VES"


def _scale_money(year: int) -> Decimal:
    """Illustrative order of magnitude of one project's cost in that year's bolívar."""
    return Decimal(3_000_000) if year < 2018 else Decimal(50_000_000) if year < 2022 else Decimal(900_000)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:timestamp", v)
    if len(v) == 10 and v[4] == "-" and v[7] == "-" and v[:4].isdigit()
    else yaml.SafeDumper.represent_str(d, v))
_Dumper.add_representer(
    Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", f"{v:.2f}"))


def _write(path: Path, schema: str, key: str, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100)
    path.write_text(f"# yaml-language-server: $schema={schema}\n" + text, "utf-8")


def generate(out: Path, scale: str = "demo", seed: int = 2026) -> None:
    cfg = SCALES[scale]
    rng = random.Random(seed)
    out = Path(out)
    for sub in ("councils", "cycles", "council-assemblies", "parish-assemblies", "projects"):
        shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    # The real parish boundaries go with every generated set, so its maps are real too.
    boundaries = Path(__file__).resolve().parents[1] / "data" / "geo"
    if boundaries.is_dir() and boundaries.resolve() != (out / "geo").resolve():
        shutil.copytree(boundaries, out / "geo", dirs_exist_ok=True)
    # Torres's categories (labels, map styles) are hand-written: every set declares them.
    categories = boundaries.parent / "categories.yaml"
    if categories.is_file() and categories.resolve() != (out / "categories.yaml").resolve():
        shutil.copyfile(categories, out / "categories.yaml")

    def schema(name: str, depth: int) -> str:
        return "../" * depth + f"../plugins/cabildo/model/schemas/{name}.schema.json"

    _write(out / "municipality.yaml", schema("municipality", 0), "municipality", {
        "name": "Torres", "state": "Lara", "country": "VE", "seat": "Carora",
        "languages": ["es", "en"], "locale": "es_VE", "default_currency": "VES",
        "timezone": "America/Caracas",
        "repository_url": "https://example.org/cabildo/torres-datos",
        "office": {"name": "Sala de Participación del CLPP",  # invented, as all the rest
                   "address": "Alcaldía del Municipio Torres, Carora",
                   "hours": "lunes a viernes, de 8:00 a 12:00"},
    })
    _write(out / "parishes.yaml", schema("parish", 0), "parishes", [
        {"id": pid, "name": name, "population": pop, "seat": seat}
        for pid, name, seat, pop, *_ in PARISHES])

    councils = {}  # parish id -> list of council dicts
    used = set()
    for pid, name, seat, pop, urban, lon, lat in PARISHES:
        n = cfg["councils"] if scale == "demo" else max(8, round(cfg["councils"] * pop / 11500))
        councils[pid] = []
        for _ in range(n):
            for attempt in itertools.count():
                place = f"{rng.choice(PLACES)}{rng.choice(PLACES_C)}"
                if attempt >= 50:  # every name taken (the 10x set): numbered, ids stay short
                    place += f" {attempt // 50 + 1}"
                cid = _slug(f"{pid}-{place}")
                if cid not in used:
                    used.add(cid)
                    break
            is_urban = rng.random() < urban
            families = rng.randint(200, 400) if is_urban else rng.randint(20, 40)
            councils[pid].append({
                "id": cid, "name": f"Consejo Comunal {place}", "parish": pid,
                "setting": "urban" if is_urban else "rural", "families": families,
                "members": int(families * rng.uniform(1.8, 2.6)), "_place": place,
            })
        _write(out / "councils" / f"{pid}.yaml", schema("council", 1), "councils",
               [{k: v for k, v in c.items() if not k.startswith("_")} for c in councils[pid]])

    total_pop = sum(p[3] for p in PARISHES)
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    for year in range(cfg["first_year"], cfg["first_year"] + cfg["years"]):
        cur = _currency(year)
        unit = _scale_money(year)
        n_projects = sum(len(c) for c in councils.values()) * cfg["candidates"]
        budget = (unit * Decimal(round(n_projects * 0.7)) * 4).quantize(Decimal("1000"))
        envelopes = {pid: (budget * pop / total_pop).quantize(Decimal("0.01"))
                     for pid, _, _, pop, *_ in PARISHES}
        budget = sum(envelopes.values())
        _write(out / "cycles" / f"{year}.yaml", schema("cycle", 1), "cycle", {
            "year": year, "currency": cur, "budget": budget, "envelopes": envelopes,
            "phases": {
                "diagnosis": {"start": f"{year}-01-12", "end": f"{year}-02-27"},
                "council_assemblies": {"start": f"{year}-03-02", "end": f"{year}-03-31"},
                "parish_round_1": {"start": f"{year}-04-13", "end": f"{year}-04-30"},
                "parish_round_2": {"start": f"{year}-05-11", "end": f"{year}-05-29"},
                "clpp_approval": f"{year}-06-16",
            },
            "clpp_act": f"Acta CLPP-Torres N.º {rng.randint(2, 9):02d}-{year}",
        })
        projects, c_assemblies, p_assemblies = [], [], []
        age = cfg["first_year"] + cfg["years"] - 1 - year  # 0 = newest cycle
        for pid, name, seat, pop, urban, lon, lat in PARISHES:
            parish_projects = []
            for council in councils[pid]:
                # Below one project per council, a draw picks the councils that propose one
                # (drawn at every scale, so the committed demo data stays as it is).
                if rng.random() >= cfg["candidates"] % 1 and cfg["candidates"] < 1:
                    continue
                n = (int(cfg["candidates"]) + (rng.random() < cfg["candidates"] % 1)
                     if cfg["candidates"] >= 1 else 1)
                for _ in range(n):
                    cat = rng.choices(categories, weights)[0]
                    title = rng.choice(TITLES[cat]).format(p=council["_place"])
                    # ids are at most 64 characters: a long council id is cut to fit
                    # (only at 10x scale do such long parish and place names meet)
                    stem = council["id"][:61 - len(f"{year}--{cat}")].rstrip("-")
                    pid_ = _slug(f"{year}-{stem}-{cat}")
                    k = 2
                    while any(p["id"] == pid_ for p in parish_projects):
                        pid_ = _slug(f"{year}-{stem}-{cat}-{k}")
                        k += 1
                    amount = (unit * Decimal(rng.uniform(0.4, 8))).quantize(Decimal("0.01"))
                    parish_projects.append({
                        "id": pid_, "cycle": year, "title": title,
                        "description": f"Propuesta del {council['name']}, priorizada en su "
                                       "asamblea de ciudadanos y ciudadanas.",
                        "category": cat, "amount": amount, "parish": pid,
                        "councils": [council["id"]],
                        "geometry": _geometry(rng, cat, lon, lat),
                        "funded": False, "status": "identification", "progress": 0,
                        "_council": council,
                    })
            # Council assemblies: priorities are the council's candidate projects.
            for council in councils[pid]:
                members = council["members"]
                attendance = int(members * rng.uniform(0.12, 0.6))
                quorum = -(-members * 20 // 100)
                mine = [p for p in parish_projects if p["_council"] is council]
                assembly = {
                    "id": f"{year}-{council['id']}", "council": council["id"], "cycle": year,
                    "date": f"{year}-03-{rng.randint(2, 31):02d}", "members": members,
                    "attendance": attendance,
                }
                if attendance >= quorum:
                    assembly["priorities"] = [
                        {"title": p["title"], "category": p["category"],
                         "votes": rng.randint(attendance // 2, attendance), "project": p["id"]}
                        for p in mine]
                else:  # no quorum: its proposals do not go on
                    parish_projects = [p for p in parish_projects if p["_council"] is not council]
                c_assemblies.append(assembly)
            accredited = 2 * len(councils[pid])
            envelope = envelopes[pid]
            spent = Decimal(0)
            round1, round2 = [], []
            for p in parish_projects:
                present1 = accredited - rng.randint(0, max(1, accredited // 6))
                yes = rng.randint(present1 // 3, present1)
                no = rng.randint(0, present1 - yes)
                round1.append({"project": p["id"], "for": yes, "against": no,
                               "abstain": rng.randint(0, present1 - yes - no)})
                if yes > no:
                    p["status"] = "identification"
                    r2_yes = rng.randint(accredited // 3, accredited - 2)
                    r2_no = rng.randint(0, accredited - 2 - r2_yes)
                    round2.append({"project": p["id"], "for": r2_yes, "against": r2_no,
                                   "abstain": rng.randint(0, accredited - 2 - r2_yes - r2_no)})
                    if r2_yes > r2_no and spent + p["amount"] <= envelope:
                        spent += p["amount"]
                        p["funded"] = True
                        _progress(rng, p, year, age)
            for rnd, votes, day in ((1, round1, 20), (2, round2, 22)):
                present = accredited - rng.randint(0, 1)
                p_assemblies.append({
                    "id": f"{year}-{pid}-r{rnd}", "parish": pid, "cycle": year, "round": rnd,
                    "date": f"{year}-0{3 + rnd}-{day}", "delegates_accredited": accredited,
                    "delegates_present": max(present, max(
                        (v["for"] + v["against"] + v["abstain"] for v in votes), default=0)),
                    "votes": votes,
                })
            projects += parish_projects
        for p in projects:
            del p["_council"]
        _write(out / "projects" / f"{year}.yaml", schema("project", 1), "projects", projects)
        _write(out / "council-assemblies" / f"{year}.yaml", schema("council_assembly", 1),
               "council_assemblies", c_assemblies)
        _write(out / "parish-assemblies" / f"{year}.yaml", schema("parish_assembly", 1),
               "parish_assemblies", p_assemblies)


def _progress(rng, p, year, age):
    """Funded projects of older cycles are further along."""
    steps = [("preparation", f"{year}-07-{rng.randint(1, 28):02d}",
              "Proyecto técnico y presupuesto aprobados.")]
    if age >= 1 or rng.random() < 0.3:
        steps.append(("implementation", f"{year}-{rng.randint(9, 12):02d}-{rng.randint(1, 28):02d}",
                      "Inicio de obra con la comunidad organizada."))
    if age >= 2 or (age == 1 and rng.random() < 0.4):
        steps.append(("completion", f"{year + 1}-{rng.randint(3, 10):02d}-{rng.randint(1, 28):02d}",
                      "Obra concluida y entregada a la comunidad."))
    if age >= 1 and rng.random() < 0.03:
        steps[-1] = ("cancelled", steps[-1][1], "Suspendido por falta de materiales.")
    # Nothing is recorded after the demo's as-of date.
    steps = [s for s in steps if s[1] <= AS_OF] or steps[:1]
    p["milestones"] = [{"date": d, "status": s, "note": n} for s, d, n in steps]
    p["status"] = steps[-1][0]
    p["progress"] = {"preparation": 10, "implementation": rng.randint(20, 90),
                     "completion": 100, "cancelled": rng.randint(5, 40)}[p["status"]]


def _geometry(rng, cat, lon, lat):
    x, y = lon + rng.uniform(-0.012, 0.012), lat + rng.uniform(-0.012, 0.012)
    if cat in LINES:
        pts = [[round(x, 5), round(y, 5)]]
        for _ in range(rng.randint(1, 3)):
            x, y = x + rng.uniform(-0.004, 0.004), y + rng.uniform(-0.004, 0.004)
            pts.append([round(x, 5), round(y, 5)])
        return {"type": "LineString", "coordinates": pts}
    return {"type": "Point", "coordinates": [round(x, 5), round(y, 5)]}


def _slug(text: str) -> str:
    import unicodedata
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = "".join(c if c.isalnum() else "-" for c in text)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--out", default="data")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    generate(Path(args.out), args.scale, args.seed)


if __name__ == "__main__":
    main()
