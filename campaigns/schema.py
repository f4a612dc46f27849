"""The shape of each config file, checked strictly: unknown keys are errors, not ignored.

Shared pieces live in campaigns/schemabase.py and loa.yaml's models in campaigns/settings.py;
both are re-exported here, so `schema.SettingsFile` and the rest keep their names.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from croniter import croniter
from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from campaigns.hashtags import HashtagsSpec, hashtags_list_adds
from campaigns.schemabase import (
    KINDS_TEXT,
    UNITS_HELP,
    Code,
    ConfigDate,
    ConfigDateTime,
    ReportSpec,
    Strict,
)
from campaigns.settings import (
    CHANNEL_KINDS,
    DEFAULT_CONCURRENCY,
    MINUTES_A_DAY,
    ChannelSettings,
    QuietSpec,
    RetrySpec,
    SettingsFile,
    TimeOfDay,
    time_of_day,
)
from campaigns.unitspec import UnitsFile, UnitSpec

__all__ = [  # the models defined here, and those re-exported from schemabase and settings
    "CHANNEL_KINDS",
    "DEFAULT_CONCURRENCY",
    "MINUTES_A_DAY",
    "QUOTA_KEYS",
    "CampaignSpec",
    "ChannelSettings",
    "Code",
    "ConfigDate",
    "ConfigDateTime",
    "MatchSpec",
    "PeriodSpec",
    "QuietSpec",
    "ReportSpec",
    "RetrySpec",
    "ScheduleSpec",
    "SettingsFile",
    "SourceSpec",
    "Strict",
    "TargetSpec",
    "TargetsFile",
    "TimeOfDay",
    "UnitSpec",
    "UnitsFile",
    "time_of_day",
]


class TargetSpec(Strict):
    """One channel target for one unit, or the same target for several units at once."""

    unit: Code | None = Field(
        default=None, description="Mã một đơn vị (hoặc dùng 'units'). / One unit's code."
    )
    units: list[Code] | Literal["all"] | dict[str, str] | None = Field(
        default=None, description=UNITS_HELP
    )
    name: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="Tên riêng khi một đơn vị có hai kênh cùng loại, ví dụ kiosk."
        " / A name when a unit has two targets of one kind.",
    )
    kind: Literal["website", "screen", "sms", "facebook", "zalo", "loudspeaker"] = Field(
        description=f"Loại kênh: {KINDS_TEXT}. / Channel kind."
    )
    transport: str = Field(
        default="outbox",
        description="Cách gửi: outbox (chạy thử, ghi tệp), wordpress, webhook, anthias, folder,"
        " kannel, esms, graph, zalo_oa, http. / How it is sent.",
    )
    endpoint: str | None = Field(
        default=None, description="Địa chỉ dịch vụ (https://...). / The service's address."
    )
    credentials: dict[str, str] = Field(
        default_factory=dict,
        description="Tên biến môi trường giữ mật khẩu, khóa (không ghi mật khẩu ở đây), ví dụ"
        " {app_password: LOA_SNV_WP_PASSWORD}. / Names of environment variables holding"
        " the secrets, never the secrets.",
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Tùy chọn theo loại kênh (README, mục Channels). / Options per channel.",
    )

    @field_validator("credentials")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for key, var in value.items():
            if not var.replace("_", "").isalnum() or not var.isupper():
                raise PydanticCustomError(
                    "loa.secret_in_config",
                    "credentials.{key} must name an environment variable (like"
                    " LOA_SNV_WP_PASSWORD), never hold the secret itself",
                    {"key": key},
                )
        return value

    @model_validator(mode="after")
    def _one_unit_form(self) -> TargetSpec:
        if (self.unit is None) == (self.units is None):
            raise PydanticCustomError("loa.one_unit_form", "give exactly one of 'unit' or 'units'")
        return self


class TargetsFile(Strict):
    """targets.yaml: nơi mỗi đơn vị đăng tin. / Where each unit publishes."""

    targets: list[TargetSpec] = Field(
        description="Danh sách kênh đăng. / The list of channel targets."
    )


class SourceSpec(Strict):
    """Một nguồn nội dung. / One content source."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="Mã nguồn, không dấu, ví dụ bai-viet. / The source's id.",
    )
    kind: Literal["files", "videos", "feed", "youtube"] = Field(
        description="files (thư mục bài Markdown), videos (danh sách video YAML), feed (RSS),"
        " youtube (kênh YouTube). / Markdown folder, video list, RSS/Atom feed or YouTube feed."
    )
    path: str | None = Field(
        default=None,
        description="Đường dẫn trong thư mục config, ví dụ content/chi-so-cchc/."
        " / Path under the config folder (files, videos).",
    )
    url: str | None = Field(
        default=None, description="Địa chỉ RSS/Atom/YouTube. / The feed URL (feed, youtube)."
    )
    interval: int = Field(
        default=900, ge=60, description="Số giây giữa hai lần đọc. / Seconds between polls."
    )
    topics: list[str] = Field(
        default_factory=list,
        description="Chủ đề riêng của nguồn (mặc định: của chiến dịch). / The source's topics.",
    )
    fallback: str | None = Field(
        default=None,
        description="Bản sao trong máy, dùng khi mất mạng. / A local copy used when offline.",
    )

    @model_validator(mode="after")
    def _where(self) -> SourceSpec:
        need = "path" if self.kind in {"files", "videos"} else "url"
        if not getattr(self, need):
            raise PydanticCustomError(
                "loa.source_needs",
                "a '{kind}' source needs '{key}'",
                {"kind": self.kind, "key": need},
            )
        return self


class PeriodSpec(Strict):
    """Thời gian thực hiện. / The campaign's period."""

    start: ConfigDate = Field(description="Ngày bắt đầu: YYYY-MM-DD hoặc DD/MM/YYYY. / First day.")
    end: ConfigDate = Field(description="Ngày kết thúc: YYYY-MM-DD hoặc DD/MM/YYYY. / Last day.")

    @model_validator(mode="after")
    def _order(self) -> PeriodSpec:
        if self.end < self.start:
            raise PydanticCustomError(
                "loa.period_order",
                "period.end ({end}) is before period.start ({start})",
                {"start": self.start.isoformat(), "end": self.end.isoformat()},
            )
        return self


class ScheduleSpec(Strict):
    """Khi nào đăng: chọn một trong ba cách. / When to publish: one of three ways."""

    on_new_item: bool | None = Field(
        default=None, description="Đăng ngay khi có bài mới. / As soon as an item appears."
    )
    at: list[ConfigDateTime] | None = Field(
        default=None,
        description="Các mốc đăng, ví dụ 2024-03-15T08:00:00+07:00 hoặc 15/03/2024 08:00."
        " / Fixed times.",
    )
    cron: str | None = Field(
        default=None,
        description="Lịch định kỳ (cron, giờ Việt Nam), ví dụ '0 8 * * 1' = 8 giờ sáng thứ Hai."
        " / A cron line, Asia/Ho_Chi_Minh.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> ScheduleSpec:
        given = [k for k in ("on_new_item", "at", "cron") if getattr(self, k) not in (None, False)]
        if len(given) != 1:
            raise PydanticCustomError(
                "loa.schedule_one",
                "give exactly one of 'on_new_item: true', 'at: [...]' or 'cron: ...'",
            )
        if self.cron is not None and not croniter.is_valid(self.cron):
            raise PydanticCustomError(
                "loa.cron", "'{value}' is not a valid cron expression", {"value": self.cron}
            )
        return self


class MatchSpec(Strict):
    """Which items of the sources this campaign takes: any listed topic or keyword matches."""

    topics: list[str] = Field(
        default_factory=list, description="Nhận bài có một trong các chủ đề. / Topics taken."
    )
    keywords: list[str] = Field(
        default_factory=list,
        description="Nhận bài có một trong các từ khóa (không phân biệt hoa thường, dấu)."
        " / Keywords, matched without case or diacritics.",
    )

    @model_validator(mode="after")
    def _something(self) -> MatchSpec:
        if not self.topics and not self.keywords:
            raise PydanticCustomError(
                "loa.match_empty", "give 'topics' or 'keywords' (or drop 'match')"
            )
        return self


QUOTA_KEYS = ("quotas", "targets")  # the key for a campaign's quotas, then its old name


class CampaignSpec(Strict):
    """One campaign file; `quotas` (old key `targets`) are per-unit counts per quarter."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=80,
        description="Mã chiến dịch: chữ thường không dấu, số và '-', ví dụ ngay-phap-luat-2024."
        " / Campaign id: lower-case letters without diacritics, digits and '-'.",
    )
    title: str = Field(min_length=1, description="Tên chiến dịch, có dấu. / The title.")
    period: PeriodSpec = Field(description="Thời gian thực hiện. / The period.")
    topics: list[str] = Field(
        default_factory=list,
        description="Chủ đề (mã trong topics.yaml, hoặc tên tiếng Việt). / Topics.",
    )
    sources: list[SourceSpec] = Field(
        min_length=1, description="Nguồn nội dung. / Content sources."
    )
    units: list[Code] | Literal["all"] | dict[str, str] = Field(description=UNITS_HELP)
    channels: list[Literal["website", "screen", "sms", "facebook", "zalo", "loudspeaker"]] = Field(
        min_length=1, description=f"Các loại kênh đăng: {KINDS_TEXT}. / Channel kinds."
    )
    schedule: ScheduleSpec = Field(
        default_factory=lambda: ScheduleSpec(on_new_item=True),
        description="Lịch đăng (mặc định: ngay khi có bài). / Schedule (default on_new_item).",
    )
    approval: Literal["none", "required"] = Field(
        default="none",
        description="required: mỗi lần đăng phải được duyệt trước. / Needs approval first.",
    )
    quotas: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        validation_alias=AliasChoices(*QUOTA_KEYS),
        description="Chỉ tiêu mỗi đơn vị mỗi quý, ví dụ website: {Q1: 6, Q2: 6}. Thước đo:"
        f" {KINDS_TEXT}, article, video. / Per-unit counts per quarter.",
    )
    match: MatchSpec | None = Field(
        default=None, description="Chỉ nhận bài theo chủ đề, từ khóa. / Filter items."
    )
    cap_per_day: int | None = Field(
        default=None, ge=1, description="Tối đa số bài mỗi ngày mỗi đơn vị. / Items a day at most."
    )
    # A target added after the campaign was first planned also gets the items that appeared
    # before it (at their own due times); by default only those that appear from then on.
    backfill: bool = Field(
        default=False,
        description="true: kênh thêm sau cũng nhận các bài cũ. / Later targets get old items.",
    )
    hashtags: Annotated[HashtagsSpec | None, BeforeValidator(hashtags_list_adds)] = Field(
        default=None,
        description=(
            "Hashtag của chiến dịch trên Facebook: một danh sách (thêm vào hashtag của "
            "đích), `{add: [...]}` (thêm) hoặc `{replace: [...]}` (thay thế). / "
            "The campaign's Facebook hashtags: a list (added to the target's), "
            "`{add: [...]}` (added) or `{replace: [...]}` (instead of the target's)."
        ),
    )
    _quotas_key: str = PrivateAttr(default=QUOTA_KEYS[0])

    @property
    def quotas_key(self) -> str:
        """The key the file gave the quotas under: 'quotas', or its old name 'targets'."""
        return self._quotas_key

    @model_validator(mode="wrap")
    @classmethod
    def _quotas_under_one_key(
        cls, data: Any, handler: ModelWrapValidatorHandler[CampaignSpec]
    ) -> CampaignSpec:
        """Quotas come under `quotas:` or the old `targets:`; both at once is an error.

        That error is reported with the file's other faults, not instead of them.
        """
        new, old = QUOTA_KEYS
        if not (isinstance(data, dict) and new in data and old in data):
            spec = handler(data)
            if isinstance(data, dict) and old in data:
                spec._quotas_key = old
            return spec
        both = PydanticCustomError(
            "loa.quotas_both",
            "give the quotas under '{new}' or its old name '{old}', not both",
            {"new": new, "old": old},
        )
        errors = [InitErrorDetails(type=both, loc=(old,), input=data[old])]
        try:
            handler({k: v for k, v in data.items() if k != old})
        except ValidationError as e:
            errors += [
                InitErrorDetails(
                    type=err["type"], loc=err["loc"], input=err["input"], ctx=err.get("ctx", {})
                )
                for err in e.errors()
            ]
        raise ValidationError.from_exception_data(cls.__name__, errors)
