"""What every config model shares: strictness, dates as staff write them, the báo cáo's signer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

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
