"""The JSON Schemas editors use: generated from the models, shipped, and true to the example."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from campaigns import schemafiles
from campaigns.frontmatter import ARTICLE_FIELDS
from worker.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
FRONT = re.compile(r"\A---\n(.*?)^---\n", re.S | re.M)


def plain(value: Any) -> Any:
    """YAML as JSON would carry it: dates and times as the text an editor sees."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def validator(name: str) -> jsonschema.Draft202012Validator:
    doc = json.loads(schemafiles.packaged()[name])
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc)


def errors(name: str, data: Any) -> list[str]:
    return [e.message for e in validator(name).iter_errors(plain(data))]


def example_files() -> list[tuple[str, Path, Any]]:
    """Every example config file with the schema that describes it, and its data."""
    found = [
        ("units.schema.json", CONFIG / "units.yaml"),
        ("targets.schema.json", CONFIG / "targets.yaml"),
        ("loa.schema.json", CONFIG / "loa.yaml"),
        ("topics.schema.json", CONFIG / "topics.yaml"),
        *(("campaign.schema.json", p) for p in sorted((CONFIG / "campaigns").glob("*.yaml"))),
        *(("videos.schema.json", p) for p in sorted((CONFIG / "content").glob("*-videos.yaml"))),
    ]
    files = [(n, p, yaml.safe_load(p.read_text("utf-8"))) for n, p in found]
    for md in sorted((CONFIG / "content").rglob("*.md")):
        match = FRONT.match(md.read_text("utf-8"))
        if match:  # content/README.md has none
            files.append(("article.schema.json", md, yaml.safe_load(match.group(1))))
    return files


def test_the_shipped_schemas_are_the_ones_the_models_generate() -> None:
    """Regenerate with `loa schema --out campaigns/schemas` (and config/schemas)."""
    generated = schemafiles.generate()
    assert schemafiles.packaged() == generated
    in_config = {p.name: p.read_text("utf-8") for p in (CONFIG / "schemas").glob("*.json")}
    assert in_config == generated


def test_every_example_file_validates_against_its_schema_and_names_it() -> None:
    files = example_files()
    assert {n for n, _, _ in files} == set(schemafiles.FILES)  # every schema is exercised
    for name, path, data in files:
        assert errors(name, data) == [], path
        if path.suffix == ".yaml":
            first = path.read_text("utf-8").splitlines()[0]
            target = first.removeprefix("# yaml-language-server: $schema=")
            assert target != first, f"{path} does not start with the schema line"
            assert (path.parent / target).resolve() == CONFIG / "schemas" / name


def test_a_broken_file_fails_its_schema() -> None:
    campaign = yaml.safe_load((CONFIG / "campaigns" / "chi-so-cchc.yaml").read_text("utf-8"))
    broken = {**campaign, "id": "Ngày Pháp luật", "chanels": ["website"]}
    broken["period"] = {"start": "15-10-2024", "end": "2024-12-31"}
    found = errors("campaign.schema.json", broken)
    assert any("does not match" in e and "Ngày Pháp luật" in e for e in found)
    assert any("'chanels' was unexpected" in e for e in found)
    assert any("'15-10-2024' does not match" in e for e in found)
    units = {"units": [{"code": "so-tu-phap", "name": "Sở Tư pháp", "kind": "district"}]}
    assert errors("units.schema.json", units) == []
    units["units"][0]["kind"] = "huyện"
    assert errors("units.schema.json", units) != []
    assert errors("loa.schema.json", {"channels": {"sms": {"quiet_hours": {"start": "22h"}}}})


def test_the_schema_says_what_the_validators_check_beyond_types() -> None:
    campaign = yaml.safe_load((CONFIG / "campaigns" / "chi-so-cchc.yaml").read_text("utf-8"))
    for wrong in (
        {"quotas": {"posters": {"Q1": 1}}},  # no such measure
        {"quotas": {"website": {"Q5": 1}}},  # no such quarter
        {"quotas": {"website": {"Q1": -1}}},  # negative
        {"targets": {"website": {"Q1": 1}}},  # both the key and its old name
        {"schedule": {"on_new_item": True, "cron": "0 8 * * 1"}},  # two kinds
        {"schedule": {"on_new_item": False}},
        {"sources": [{"id": "a", "kind": "files", "url": "https://x.gov.vn/rss"}]},  # no path
    ):
        assert errors("campaign.schema.json", {**campaign, **wrong}), wrong
    old_name = {k: v for k, v in campaign.items() if k != "quotas"} | {
        "targets": {"video": {"Q2": 1}}
    }
    assert errors("campaign.schema.json", old_name) == []
    target = {"kind": "website", "unit": "so-noi-vu"}
    assert errors("targets.schema.json", {"targets": [target]}) == []
    assert errors("targets.schema.json", {"targets": [{**target, "units": "all"}]})
    assert errors("targets.schema.json", {"targets": [{"kind": "website"}]})


def test_both_date_forms_pass_the_schema_as_they_pass_the_loader() -> None:
    campaign = yaml.safe_load((CONFIG / "campaigns" / "chi-so-cchc.yaml").read_text("utf-8"))
    for start in ("2024-10-15", "15/10/2024", "5/1/2024"):
        assert (
            errors("campaign.schema.json", {**campaign, "period": {"start": start, "end": start}})
            == []
        )


def test_every_key_of_every_schema_is_described_in_vietnamese_and_english() -> None:
    for name, text in schemafiles.packaged().items():
        doc = json.loads(text)
        models = [doc, *doc.get("$defs", {}).values()]
        for model in models:
            assert " / " in model["description"], (name, model.get("title"))
            for key, prop in model.get("properties", {}).items():
                assert " / " in prop.get("description", ""), (name, key)


def test_descriptions_are_in_vietnamese_and_english() -> None:
    doc = json.loads(schemafiles.packaged()["campaign.schema.json"])
    for key in ("id", "title", "period", "units", "channels", "quotas"):
        text = doc["properties"][key]["description"]
        assert " / " in text, key
    assert "Mã chiến dịch" in doc["properties"]["id"]["description"]
    article = json.loads(schemafiles.packaged()["article.schema.json"])
    assert tuple(article["properties"]) == ARTICLE_FIELDS  # the loader reads these fields


def test_loa_schema_writes_every_schema_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(CONFIG), "schema", "--out", str(tmp_path / "s")]) == 0
    written = {p.name: p.read_text("utf-8") for p in (tmp_path / "s").iterdir()}
    assert written == schemafiles.generate()
    assert capsys.readouterr().out.count(".schema.json") == len(written)
