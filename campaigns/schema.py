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
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

Code = str


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportSpec(Strict):
    """Who issues and signs a báo cáo (the Nghị định 30/2020 header and signature block).

    In loa.yaml for the consolidated report and as defaults; per unit in units.yaml.
    """

    place: str | None = Field(default=None, max_length=60)
    agency: str | None = Field(default=None, max_length=200)
    parent_agency: str | None = Field(default=None, max_length=200)
    abbreviation: str | None = Field(default=None, max_length=30)
    signer_title: str | None = Field(default=None, max_length=200)
    signer_name: str | None = Field(default=None, max_length=200)
    recipients: list[str] | None = None


class UnitSpec(Strict):
    code: Code = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["department", "press", "district", "commune"]
    parent: Code | None = None
    report: ReportSpec | None = None


class UnitsFile(Strict):
    units: list[UnitSpec]


class TargetSpec(Strict):
    """One channel target for one unit, or the same target for several units at once."""

    unit: Code | None = None
    units: list[Code] | Literal["all"] | dict[str, str] | None = None
    name: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: Literal["website", "screen", "sms", "facebook", "zalo", "loudspeaker"]
    transport: str = "outbox"
    endpoint: str | None = None
    credentials: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)

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
    targets: list[TargetSpec]


class SourceSpec(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: Literal["files", "videos", "feed", "youtube"]
    path: str | None = None
    url: str | None = None
    interval: int = Field(default=900, ge=60)
    topics: list[str] = Field(default_factory=list)
    fallback: str | None = None

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
    start: dt.date
    end: dt.date

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
    on_new_item: bool | None = None
    at: list[dt.datetime] | None = None
    cron: str | None = None

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

    topics: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

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

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)
    title: str = Field(min_length=1)
    period: PeriodSpec
    topics: list[str] = Field(default_factory=list)
    sources: list[SourceSpec] = Field(min_length=1)
    units: list[Code] | Literal["all"] | dict[str, str]
    channels: list[Literal["website", "screen", "sms", "facebook", "zalo", "loudspeaker"]] = Field(
        min_length=1
    )
    schedule: ScheduleSpec = Field(default_factory=lambda: ScheduleSpec(on_new_item=True))
    approval: Literal["none", "required"] = "none"
    quotas: dict[str, dict[str, int]] = Field(
        default_factory=dict, validation_alias=AliasChoices(*QUOTA_KEYS)
    )
    match: MatchSpec | None = None
    cap_per_day: int | None = Field(default=None, ge=1)
    # A target added after the campaign was first planned also gets the items that appeared
    # before it (at their own due times); by default only those that appear from then on.
    backfill: bool = False
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


class RetrySpec(Strict):
    attempts: int = Field(default=5, ge=1, le=50)
    first_delay: float = Field(default=30, gt=0)
    cap: float = Field(default=3600, gt=0)
    jitter: float = Field(default=0.2, ge=0, le=1)


MINUTES_A_DAY = 24 * 60


def time_of_day(value: Any) -> dt.time:
    """A local wall-clock time (Asia/Ho_Chi_Minh), naive: "22:00", or 22:00 left unquoted.

    YAML 1.1 reads an unquoted 22:00 as the base-60 integer 1320 (22 * 60 + 0), so an int is
    taken as minutes after midnight. A time with a UTC offset is refused: every time of day
    in the config is the province's wall clock.
    """
    if isinstance(value, bool):
        raise _not_a_time(value)
    if isinstance(value, int):
        if not 0 <= value < MINUTES_A_DAY:
            raise _not_a_time(value)
        return dt.time(value // 60, value % 60)
    if isinstance(value, dt.time):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.time.fromisoformat(value.strip())
        except ValueError:
            raise _not_a_time(value) from None
    else:
        raise _not_a_time(value)
    if parsed.tzinfo is not None:
        raise PydanticCustomError(
            "loa.time_offset",
            'give the local time (Asia/Ho_Chi_Minh) without an offset; write it as "HH:MM"'
            ' in quotes, like "22:00"',
        )
    return parsed


def _not_a_time(value: Any) -> PydanticCustomError:
    return PydanticCustomError(
        "loa.time_of_day",
        '\'{value}\' is not a time of day; write it as "HH:MM" in quotes, like "22:00"',
        {"value": str(value)},
    )


TimeOfDay = Annotated[dt.time, BeforeValidator(time_of_day)]
"""Every time-of-day field in the config: a naive Asia/Ho_Chi_Minh wall-clock time."""


class QuietSpec(Strict):
    start: TimeOfDay
    end: TimeOfDay


class ChannelSettings(Strict):
    retry: RetrySpec = Field(default_factory=RetrySpec)
    quiet_hours: QuietSpec | None = None
    rate_per_second: float | None = Field(default=None, gt=0)
    rate_per_minute: float | None = Field(default=None, gt=0)
    concurrency: int | None = Field(default=None, ge=1)


CHANNEL_KINDS = ("website", "screen", "sms", "facebook", "zalo", "loudspeaker")
DEFAULT_CONCURRENCY = 4
"""Publishes at once to one target unless loa.yaml or the target's options say otherwise."""


class SettingsFile(Strict):
    """loa.yaml. `concurrency` caps publishes at once per target, for every channel kind that
    sets no `concurrency` of its own (a target's `options.concurrency` wins over both)."""

    outbox: str = "outbox"
    # the language of command-line messages when neither --lang nor LOA_LANG says (default vi)
    lang: Literal["vi", "en"] | None = None
    concurrency: int = Field(default=DEFAULT_CONCURRENCY, ge=1)
    grace_seconds: int = Field(default=120, ge=2)
    lease_seconds: int = Field(default=300, ge=2)
    max_claims: int = Field(default=3, ge=1)
    sms_price: float = Field(default=800, ge=0)  # VND per SMS segment, for `loa preview`
    # SMS numbers whose batch got no answer wait this long for a delivery report; then the
    # rest are sent once more ("resend") or left for an operator ("hold").
    sms_settle_seconds: int = Field(default=900, ge=0)
    sms_unsure: Literal["resend", "hold"] = "resend"
    lock_seconds: int = Field(default=60, ge=5)
    report: ReportSpec | None = None  # the báo cáo's header and signer (`loa report --format docx`)
    # Unsent rows due longer ago than this, and untouched as long, are skipped (naming this).
    late_after_days: int = Field(default=30, ge=1)
    feed_deadline: float = Field(default=60, gt=0, le=3600)  # seconds a whole feed poll may take
    ingest_threads: int = Field(default=32, ge=1, le=256)  # feeds polled at once in a tick
    show_hosts: bool = False  # the status page shows each process's host:pid
    channels: dict[
        Literal["website", "screen", "sms", "facebook", "zalo", "loudspeaker"], ChannelSettings
    ] = Field(default_factory=dict)

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
