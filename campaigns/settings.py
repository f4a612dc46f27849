"""The shape of loa.yaml: worker settings, per channel kind retries, quiet hours and caps."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from campaigns.schemabase import ReportSpec, Strict


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


TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(time_of_day),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$"},
                {"type": "integer", "minimum": 0, "maximum": MINUTES_A_DAY - 1},
            ]
        }
    ),
]
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
    lang: Literal["vi", "en"] | None = Field(
        default=None,
        description="Ngôn ngữ thông báo dòng lệnh khi --lang và LOA_LANG không nói (mặc định vi)."
        " / The language of command-line messages when neither --lang nor LOA_LANG says.",
    )
    province: str = Field(
        default="UBND tỉnh Đồng Nai",
        min_length=1,
        max_length=200,
        description=(
            "Cơ quan cấp tỉnh, in phía trên dòng tên cơ quan trên slide của các đơn vị không có"
            " đơn vị cấp trên trong units.yaml. / The province's agency, printed above the"
            " agency line on the slides of units with no parent in units.yaml."
        ),
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
