"""The shape of each config file, checked strictly: unknown keys are errors, not ignored."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from croniter import croniter
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from campaigns.dates import DATE_PATTERN, DATETIME_PATTERN, config_date, config_datetime

Code = str

ConfigDate = Annotated[
    dt.date,
    BeforeValidator(config_date),
    WithJsonSchema({"type": "string", "pattern": DATE_PATTERN}),
]
"""A date in config: YYYY-MM-DD or DD/MM/YYYY (campaigns.dates)."""
ConfigDateTime = Annotated[
    dt.datetime,
    BeforeValidator(config_datetime),
    WithJsonSchema({"type": "string", "pattern": DATETIME_PATTERN}),
]
"""A date and time in config: ISO 8601 (with +07:00) or DD/MM/YYYY HH:MM."""
KINDS_TEXT = "website, screen, sms, facebook, zalo, loudspeaker"
UNITS_HELP = (
    "Đơn vị: 'all' (tất cả), danh sách mã đơn vị, hoặc bộ chọn {kind: district} /"
    " {parent: bien-hoa}. / Units: 'all', a list of unit codes, or a selector"
    " {kind: district} / {parent: bien-hoa}."
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportSpec(Strict):
    """Who issues and signs a báo cáo (the Nghị định 30/2020 header and signature block).

    In loa.yaml for the consolidated report and as defaults; per unit in units.yaml.
    """

    place: str | None = Field(
        default=None, max_length=60, description="Địa danh ghi ở đầu báo cáo. / Place name."
    )
    agency: str | None = Field(
        default=None, max_length=200, description="Cơ quan ban hành. / The issuing agency."
    )
    parent_agency: str | None = Field(
        default=None, max_length=200, description="Cơ quan chủ quản. / The parent agency."
    )
    abbreviation: str | None = Field(
        default=None,
        max_length=30,
        description="Chữ viết tắt tên cơ quan (số hiệu văn bản). / Agency abbreviation.",
    )
    signer_title: str | None = Field(
        default=None, max_length=200, description="Chức vụ người ký. / The signer's title."
    )
    signer_name: str | None = Field(
        default=None, max_length=200, description="Họ tên người ký. / The signer's name."
    )
    recipients: list[str] | None = Field(
        default=None, description="Nơi nhận, mỗi dòng một nơi. / Recipients, one per line."
    )


class UnitSpec(Strict):
    """Một đơn vị thực hiện kế hoạch. / One unit that carries out the plan."""

    code: Code = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=60,
        description="Mã đơn vị: chữ thường không dấu, số và '-', ví dụ so-noi-vu."
        " / Unit code: lower-case letters without diacritics, digits and '-'.",
    )
    name: str = Field(
        min_length=1,
        max_length=200,
        description="Tên đơn vị, có dấu, ví dụ 'Sở Nội vụ'. / The unit's name.",
    )
    kind: Literal["department", "press", "district", "commune"] = Field(
        description="Loại: department (sở, ban, ngành), press (báo chí), district (cấp huyện),"
        " commune (cấp xã). / Kind of unit."
    )
    parent: Code | None = Field(
        default=None, description="Mã đơn vị cấp trên. / The parent unit's code."
    )
    report: ReportSpec | None = Field(
        default=None, description="Người ký, cơ quan ban hành báo cáo của đơn vị. / Its report."
    )


class UnitsFile(Strict):
    """units.yaml: các đơn vị, theo thứ tự của báo cáo. / The units, in report order."""

    units: list[UnitSpec] = Field(description="Danh sách đơn vị. / The list of units.")


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
                raise ValueError(
                    f"credentials.{key} must name an environment variable"
                    " (like LOA_SNV_WP_PASSWORD),"
                    " never hold the secret itself"
                )
        return value

    @model_validator(mode="after")
    def _one_unit_form(self) -> TargetSpec:
        if (self.unit is None) == (self.units is None):
            raise ValueError("give exactly one of 'unit' or 'units'")
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
        if self.kind in {"files", "videos"} and not self.path:
            raise ValueError(f"a '{self.kind}' source needs 'path'")
        if self.kind in {"feed", "youtube"} and not self.url:
            raise ValueError(f"a '{self.kind}' source needs 'url'")
        return self


class PeriodSpec(Strict):
    """Thời gian thực hiện. / The campaign's period."""

    start: ConfigDate = Field(description="Ngày bắt đầu: YYYY-MM-DD hoặc DD/MM/YYYY. / First day.")
    end: ConfigDate = Field(description="Ngày kết thúc: YYYY-MM-DD hoặc DD/MM/YYYY. / Last day.")

    @model_validator(mode="after")
    def _order(self) -> PeriodSpec:
        if self.end < self.start:
            raise ValueError("period.end is before period.start")
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
            raise ValueError("give exactly one of 'on_new_item: true', 'at: [...]' or 'cron: ...'")
        if self.cron is not None and not croniter.is_valid(self.cron):
            raise ValueError(f"'{self.cron}' is not a valid cron expression")
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
            raise ValueError("give 'topics' or 'keywords' (or drop 'match')")
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
            "value_error", f"give the quotas under '{new}' or its old name '{old}', not both"
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


class RetrySpec(Strict):
    """Gửi lại khi lỗi tạm thời. / Retries after a passing failure."""

    attempts: int = Field(default=5, ge=1, le=50, description="Số lần thử. / Attempts.")
    first_delay: float = Field(
        default=30, gt=0, description="Giây chờ lần đầu. / Seconds before the first retry."
    )
    cap: float = Field(default=3600, gt=0, description="Giây chờ tối đa. / Longest wait.")
    jitter: float = Field(
        default=0.2, ge=0, le=1, description="Độ ngẫu nhiên (0..1). / Random spread."
    )


MINUTES_A_DAY = 24 * 60


def time_of_day(value: Any) -> dt.time:
    """A local wall-clock time (Asia/Ho_Chi_Minh), naive: "22:00", or 22:00 left unquoted.

    YAML 1.1 reads an unquoted 22:00 as the base-60 integer 1320 (22 * 60 + 0), so an int is
    taken as minutes after midnight. A time with a UTC offset is refused: every time of day
    in the config is the province's wall clock.
    """
    hint = 'write it as "HH:MM" in quotes, like "22:00"'
    if isinstance(value, bool):
        raise ValueError(f"not a time of day; {hint}")
    if isinstance(value, int):
        if not 0 <= value < MINUTES_A_DAY:
            raise ValueError(f"{value} is not a time of day; {hint}")
        return dt.time(value // 60, value % 60)
    if isinstance(value, dt.time):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.time.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a time of day; {hint}") from None
    else:
        raise ValueError(f"not a time of day; {hint}")
    if parsed.tzinfo is not None:
        raise ValueError(f"give the local time (Asia/Ho_Chi_Minh) without an offset; {hint}")
    return parsed


TimeOfDay = Annotated[dt.time, BeforeValidator(time_of_day)]
"""Every time-of-day field in the config: a naive Asia/Ho_Chi_Minh wall-clock time."""


class QuietSpec(Strict):
    """Giờ không gửi (giờ Việt Nam). / Quiet hours, Asia/Ho_Chi_Minh."""

    start: TimeOfDay = Field(description='Bắt đầu, ví dụ "22:00". / Start.')
    end: TimeOfDay = Field(description='Kết thúc, ví dụ "07:00". / End.')


class ChannelSettings(Strict):
    retry: RetrySpec = Field(default_factory=RetrySpec, description="Gửi lại. / Retries.")
    quiet_hours: QuietSpec | None = Field(default=None, description="Giờ không gửi. / Quiet hours.")
    rate_per_second: float | None = Field(
        default=None, gt=0, description="Số lần gửi mỗi giây. / Sends a second."
    )
    rate_per_minute: float | None = Field(
        default=None, gt=0, description="Số lần gửi mỗi phút. / Sends a minute."
    )
    concurrency: int | None = Field(
        default=None, ge=1, description="Số lần gửi cùng lúc mỗi kênh. / Publishes at once."
    )


CHANNEL_KINDS = ("website", "screen", "sms", "facebook", "zalo", "loudspeaker")
DEFAULT_CONCURRENCY = 4
"""Publishes at once to one target unless loa.yaml or the target's options say otherwise."""


class SettingsFile(Strict):
    """loa.yaml. `concurrency` caps publishes at once per target, for every channel kind that
    sets no `concurrency` of its own (a target's `options.concurrency` wins over both)."""

    outbox: str = Field(
        default="outbox", description="Thư mục ghi bản chạy thử. / The outbox folder."
    )
    concurrency: int = Field(
        default=DEFAULT_CONCURRENCY,
        ge=1,
        description="Số lần gửi cùng lúc mỗi kênh. / Publishes at once per target.",
    )
    grace_seconds: int = Field(
        default=120, ge=2, description="Giây chờ trước khi gửi lại việc chưa ai nhận. / Grace."
    )
    lease_seconds: int = Field(
        default=300, ge=2, description="Giây một tiến trình giữ một việc. / Lease."
    )
    max_claims: int = Field(
        default=3, ge=1, description="Số lần nhận tối đa một việc. / Claims before an operator."
    )
    sms_price: float = Field(
        default=800, ge=0, description="Giá một tin SMS (đồng). / VND per SMS segment."
    )
    # SMS numbers whose batch got no answer wait this long for a delivery report; then the
    # rest are sent once more ("resend") or left for an operator ("hold").
    sms_settle_seconds: int = Field(
        default=900, ge=0, description="Giây chờ báo cáo nhận tin. / Wait for reports."
    )
    sms_unsure: Literal["resend", "hold"] = Field(
        default="resend",
        description="Số chưa rõ đã nhận: resend (gửi lại) hoặc hold (chờ người vận hành)."
        " / Unsure numbers: resend or hold.",
    )
    lock_seconds: int = Field(default=60, ge=5, description="Giây giữ khóa. / Lock time.")
    report: ReportSpec | None = Field(
        default=None, description="Cơ quan ban hành, người ký báo cáo. / The báo cáo's header."
    )
    # Unsent rows due longer ago than this, and untouched as long, are skipped (naming this).
    late_after_days: int = Field(
        default=30, ge=1, description="Sau số ngày này việc chưa gửi bị bỏ qua. / Skip after."
    )
    feed_deadline: float = Field(
        default=60, gt=0, le=3600, description="Giây tối đa đọc một nguồn. / Feed poll limit."
    )
    ingest_threads: int = Field(
        default=32, ge=1, le=256, description="Số nguồn đọc cùng lúc. / Feeds polled at once."
    )
    show_hosts: bool = Field(
        default=False, description="Trang trạng thái hiện máy:tiến trình. / Show host:pid."
    )
    channels: dict[
        Literal["website", "screen", "sms", "facebook", "zalo", "loudspeaker"], ChannelSettings
    ] = Field(default_factory=dict, description="Thiết lập theo loại kênh. / Per channel kind.")

    @model_validator(mode="before")
    @classmethod
    def _cap_every_channel(cls, data: Any) -> Any:
        """Give each channel kind without its own `concurrency` the global one."""
        if not isinstance(data, dict) or not isinstance(data.get("channels", {}), dict):
            return data
        cap = data.get("concurrency", DEFAULT_CONCURRENCY)
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            return data  # reported by the field itself
        channels = dict(data.get("channels") or {})
        for kind in CHANNEL_KINDS:
            given = channels.get(kind) or {}
            if isinstance(given, dict) and given.get("concurrency") is None:
                channels[kind] = {**given, "concurrency": cap}
        return {**data, "channels": channels}
