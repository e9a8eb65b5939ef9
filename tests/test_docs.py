"""Documentation that cannot drift: every setting, record type and field is on the
data model page, and every data file points editors at its schema."""
import json
import re

from cabildo.model.schema import FILE_KEYS, SCHEMA_DIR, file_keys, schema_path
from cabildo.model.settings import SETTINGS
from cabildo.outputs.modeldoc import model_docs

from conftest import ROOT


def test_every_setting_is_documented_and_used():
    conf = (ROOT / "pelicanconf.py").read_text()
    for setting in SETTINGS:
        assert len(setting.doc) > 20, f"{setting.name} needs a real description"
    for name in re.findall(r"^(CABILDO_\w+)\s*=", conf, flags=re.M):
        assert name in {s.name for s in SETTINGS}, f"{name} is not a known setting"


def test_every_schema_field_has_spanish_and_english_descriptions():
    for doc in model_docs():
        for field in doc.fields:
            assert field.es and field.en, f"{doc.type}.{field.name} lacks a description"


def test_every_record_type_has_a_schema_and_a_place():
    types = set(file_keys().values())
    assert types == {doc.type for doc in model_docs()}  # core and extensions (the factory)
    for record_type in types:
        schema = json.loads(schema_path(record_type).read_text())
        assert schema["$schema"].startswith("https://json-schema.org/")


def test_the_core_names_no_extension_s_schema_or_file():
    """The factory's schemas and file keys come from its extension, not from the core."""
    from cabildo.extensions.factory import EXTENSION
    core = {path.name.removesuffix(".schema.json") for path in SCHEMA_DIR.glob("*.schema.json")}
    assert core == set(FILE_KEYS.values())
    assert not core & set(EXTENSION.file_keys.values())
    assert {schema_path(t).parent for t in EXTENSION.file_keys.values()} == {
        EXTENSION.schema_dir()}


def test_data_files_point_editors_to_their_schema():
    for path in sorted((ROOT / "data").rglob("*.yaml")):
        first = path.read_text("utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{path.relative_to(ROOT)} lacks the $schema line"
        assert (path.parent / match.group(1)).resolve().is_file(), first
