"""Config validation: every problem at once, each naming the file, the key path and the fault."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from campaigns.config import ConfigError, load_config
from tests.factories import campaign, write_config
from worker.cli.main import main
from worker.engine.checks import load_checked_config
from worker.engine.runtime import build_runtime

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config"


def test_shipped_example_config_loads_with_every_unit_named_in_the_plan() -> None:
    config = load_config(REPO_CONFIG)
    names = {u.name for u in config.units.values()}
    for expected in (
        "Sở Nội vụ",
        "Sở Thông tin và Truyền thông",
        "Sở Tài chính",
        "Tỉnh Đoàn",
        "Trường Chính trị tỉnh",
        "Đài Phát thanh - Truyền hình Đồng Nai",
        "Báo Đồng Nai",
        "UBND Thành phố Biên Hòa",
        "UBND Huyện Xuân Lộc",
        "UBND Huyện Định Quán",
    ):
        assert expected in names
    assert {t.kind for t in config.targets.values()} == {
        "website",
        "screen",
        "sms",
        "facebook",
        "zalo",
        "loudspeaker",
    }
    # the example publishes nowhere but under outbox/: the outbox, or bulletin folders in it
    assert all(
        t.transport == "outbox"
        or (t.transport == "folder" and str(t.options["path"]).startswith("outbox/"))
        for t in config.targets.values()
    )
    assert len(config.campaigns) >= 5


def test_several_problems_are_reported_at_once_with_file_and_field(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "config",
        units=[
            {"code": "a", "name": "Đơn vị A", "kind": "department"},
            {"code": "a", "name": "Trùng mã", "kind": "district"},
            {"code": "b", "name": "B", "kind": "ministry", "parent": "zz"},
        ],
        targets=[
            {"unit": "nobody", "kind": "website", "transport": "outbox"},
            {"unit": "a", "kind": "sms", "transport": "outbox", "colour": "red"},
            {"unit": "a", "kind": "sms", "transport": "wordpress"},
        ],
        campaigns=[
            campaign(
                units=["a", "ghost"], channels=["website", "fax"], schedule={"cron": "every monday"}
            )
        ],
    )
    with pytest.raises(ConfigError) as info:
        load_checked_config(root)
    found = {(p.file.split("/")[-1], p.path) for p in info.value.problems}
    text = str(info.value)
    assert ("units.yaml", "units.1.code") in found
    assert ("units.yaml", "units.2.kind") in found
    assert ("targets.yaml", "targets.0.unit") in found
    assert ("targets.yaml", "targets.1.colour") in found
    assert ("targets.yaml", "targets.2.transport") in found
    assert ("dvc.yaml", "channels.1") in found
    assert ("dvc.yaml", "schedule") in found
    assert "unknown key" in text
    assert "duplicate unit code 'a'" in text
    assert "'every monday' is not a valid cron expression" in text
    assert len(info.value.problems) >= 7


def test_a_secret_written_into_credentials_is_refused(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "config",
        targets=[
            {
                "unit": "so-noi-vu",
                "kind": "website",
                "transport": "wordpress",
                "endpoint": "https://snv.example.gov.vn",
                "credentials": {"app_password": "abcd efgh ijkl"},
            }
        ],
    )
    with pytest.raises(ConfigError, match="must name an environment variable"):
        load_config(root)


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    root = write_config(tmp_path / "config")
    (root / "targets.yaml").write_text("targets:\n  - unit: [oops\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"targets.yaml: not valid YAML .* \(line \d+\)"):
        load_config(root)


def test_missing_source_paths_and_recipient_lists_are_errors(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "config",
        targets=[
            {
                "unit": "bien-hoa",
                "kind": "sms",
                "transport": "outbox",
                "options": {"recipients": "recipients/none.csv"},
            }
        ],
        campaigns=[campaign(sources=[{"id": "x", "kind": "files", "path": "content/missing"}])],
    )
    with pytest.raises(ConfigError) as info:
        load_config(root)
    paths = {p.path for p in info.value.problems}
    assert {"targets.0.options.recipients", "sources.0.path"} <= paths


def test_loa_check_exits_2_and_prints_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_config(
        tmp_path / "config", campaigns=[campaign(units=["ghost"], approval="maybe")]
    )
    assert main(["--config", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert "dvc.yaml: units: unknown unit 'ghost'" in err
    assert "dvc.yaml: approval:" in err


def test_a_transport_that_cannot_carry_its_kind_is_refused_where_config_meets_channels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_config(
        tmp_path / "config",
        targets=[{"unit": "so-noi-vu", "kind": "sms", "transport": "wordpress"}],
        campaigns=[campaign(units=["ghost"])],
    )
    expected = (
        "targets.yaml: targets.0.transport: 'wordpress' cannot carry sms; "
        "use one of ['outbox', 'webhook', 'kannel', 'esms']"
    )
    with pytest.raises(ConfigError) as info:
        build_runtime(root, "sqlite://")
    assert expected in str(info.value)
    assert "dvc.yaml: units: unknown unit 'ghost'" in str(info.value)  # with the rest, at once
    assert main(["--config", str(root), "check"]) == 2
    assert expected in capsys.readouterr().err


def test_campaigns_alone_leave_the_transport_to_whoever_knows_the_channels(
    tmp_path: Path,
) -> None:
    root = write_config(
        tmp_path / "config",
        targets=[{"unit": "so-noi-vu", "kind": "sms", "transport": "wordpress"}],
    )
    assert load_config(root).targets["so-noi-vu/sms"].transport == "wordpress"
    with pytest.raises(ConfigError, match=r"targets\.0\.transport"):
        load_checked_config(root)


def test_loa_check_accepts_the_shipped_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(REPO_CONFIG), "check"]) == 0
    assert "config OK" in capsys.readouterr().out


def test_unit_selectors_pick_by_kind(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "config",
        targets=[{"units": {"kind": "district"}, "kind": "screen", "transport": "outbox"}],
    )
    config = load_config(root)
    assert list(config.targets) == ["bien-hoa/screen"]
    data = yaml.safe_load((root / "targets.yaml").read_text(encoding="utf-8"))
    assert data["targets"][0]["units"] == {"kind": "district"}


def test_plan_targets_must_name_a_measure_and_quarters(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "config",
        campaigns=[
            campaign(
                targets={"website": {"Q1": 6, "Q5": 1}, "posters": {"Q1": 2}, "video": {"Q2": -1}}
            )
        ],
    )
    with pytest.raises(ConfigError) as info:
        load_config(root)
    paths = {p.path for p in info.value.problems}
    assert paths == {"targets.website.Q5", "targets.posters", "targets.video.Q2"}


def test_the_shipped_example_sets_its_quotas_under_the_quotas_key() -> None:
    text = (REPO_CONFIG / "campaigns" / "chi-so-cchc.yaml").read_text(encoding="utf-8")
    assert "\nquotas:\n" in text
    quotas = load_config(REPO_CONFIG).campaigns["chi-so-cchc"].quotas
    assert quotas["website"] == {"Q1": 1, "Q2": 2, "Q3": 1, "Q4": 2}


QUOTAS = {"website": {"Q1": 6, "Q2": 6}, "video": {"Q3": 2}}


def test_quotas_under_the_old_key_targets_are_the_same_quotas(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "config",
        campaigns=[campaign(id="old-key", targets=QUOTAS), campaign(id="new-key", quotas=QUOTAS)],
    )
    campaigns = load_config(root).campaigns
    assert campaigns["old-key"].quotas == campaigns["new-key"].quotas == QUOTAS


def test_quota_faults_name_the_key_the_file_uses(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "config",
        campaigns=[
            campaign(
                quotas={"website": {"Q1": 6, "Q5": 1}, "posters": {"Q1": 2}, "video": {"Q2": -1}}
            )
        ],
    )
    with pytest.raises(ConfigError) as info:
        load_config(root)
    paths = {p.path for p in info.value.problems}
    assert paths == {"quotas.website.Q5", "quotas.posters", "quotas.video.Q2"}
    assert "a quota cannot be negative" in str(info.value)


def test_quotas_under_both_keys_is_an_error_naming_the_file_and_key(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "config",
        campaigns=[campaign(quotas=QUOTAS, targets=QUOTAS, channels=["website", "fax"])],
    )
    with pytest.raises(ConfigError) as info:
        load_config(root)
    problems = {(p.file, p.path) for p in info.value.problems}
    # reported together with the file's other faults, not instead of them
    assert problems == {
        ("config/campaigns/dvc.yaml", "targets"),
        ("config/campaigns/dvc.yaml", "channels.1"),
    }
    assert (
        "config/campaigns/dvc.yaml: targets: give the quotas under 'quotas'"
        " or its old name 'targets', not both"
    ) in str(info.value)


def test_a_campaign_file_without_quotas_has_none(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path / "config"))
    assert config.campaigns["dvc"].quotas == {}
