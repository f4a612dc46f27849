"""units.yaml's models: each unit, as staff write it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from campaigns.schemabase import Code, ReportSpec, Strict


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
    short_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description=(
            "Tên ngắn của đơn vị, đứng đầu mỗi tin nhắn SMS của đơn vị: [UBND TP Biên Hòa] "
            "(mặc định: tên đơn vị; tùy chọn `prefix` của đích SMS được ưu tiên). / "
            "The unit's short name, which starts each of its SMS: [UBND TP Biên Hòa] "
            "(default: the unit's name; an SMS target's `prefix` option wins)."
        ),
    )
    agency: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description=(
            "Dòng tên cơ quan ở đầu slide màn hình công cộng của đơn vị (mặc định: tên đơn vị)."
            " / The agency line at the top of this unit's public-screen slides (default: the"
            " unit's name)."
        ),
    )
    parent_agency: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "Dòng cơ quan cấp trên, in phía trên dòng tên cơ quan (mặc định: dòng tên cơ quan"
            ' của đơn vị cấp trên `parent`, nếu không có thì `province` trong loa.yaml; ""'
            " để bỏ dòng này). / The line printed above the agency line (default: the parent"
            ' unit\'s agency line, else `province` from loa.yaml; "" for none).'
        ),
    )


class UnitsFile(Strict):
    """units.yaml: các đơn vị, theo thứ tự của báo cáo. / The units, in report order."""

    units: list[UnitSpec] = Field(description="Danh sách đơn vị. / The list of units.")
