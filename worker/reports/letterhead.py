"""The báo cáo's header block, title and signature, as Nghị định 30/2020/NĐ-CP lays them out.

Who issues and signs comes from config: `report:` in loa.yaml for Sở Nội vụ's consolidated
report (and as defaults), and `report:` on a unit in units.yaml for that unit's own report.
What is not configured is derived (the agency from the unit's name, its abbreviation from
the initials) or left as dots to fill in by hand, so a report is never held up by config.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from campaigns.model import Config, fold
from campaigns.periods import Period

PHRASES: dict[str, dict[str, str]] = {
    "vi": {
        "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "number": "Số: …/BC-{abbr}",
        "date": "{place}, ngày … tháng … năm …",
        "kind": "BÁO CÁO",
        "subject": "Kết quả thông tin, tuyên truyền cải cách hành chính {period}",
        "results": "I. KẾT QUẢ THỰC HIỆN",
        "assessment": "II. ĐÁNH GIÁ",
        "recipients": "Nơi nhận:",
        "by_channel": "1. Kết quả theo kênh đăng tải",
        "by_form": "2. Kết quả theo hình thức tuyên truyền",
        "by_topic": "3. Kết quả theo chủ đề",
        "awaiting": "4. Nội dung đang chờ duyệt",
        "chart_months": "Biểu đồ 1. Số lượt đăng theo kênh, theo tháng",
        "chart_quotas": "Biểu đồ 2. Kết quả so với chỉ tiêu, theo đơn vị",
        "quota_table": "Bảng kết quả thực hiện chỉ tiêu",
        "signature_note": "(Ký, ghi rõ họ tên, đóng dấu)",
        "intro": (
            "Thực hiện Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2024 của"
            " Ủy ban nhân dân tỉnh Đồng Nai, {agency} báo cáo kết quả {period}"
            " ({start} – {end}) như sau:"
        ),
        "scope_campaign": "Phạm vi: chiến dịch “{title}”.",
    },
    "en": {
        "nation": "SOCIALIST REPUBLIC OF VIET NAM",
        "motto": "Independence - Freedom - Happiness",
        "number": "No.: …/BC-{abbr}",
        "date": "{place}, date: … / … / …",
        "kind": "REPORT",
        "subject": "Results of information and propaganda on administrative reform, {period}",
        "results": "I. RESULTS",
        "assessment": "II. ASSESSMENT",
        "recipients": "To:",
        "by_channel": "1. Results by channel",
        "by_form": "2. Results by content form",
        "by_topic": "3. Results by topic",
        "awaiting": "4. Content awaiting approval",
        "chart_months": "Chart 1. Publications per channel, per month",
        "chart_quotas": "Chart 2. Achieved against targets, per unit",
        "quota_table": "Targets and results",
        "signature_note": "(Signature, full name, seal)",
        "intro": (
            "Under the Dong Nai Provincial People's Committee's 2024 plan for information and"
            " propaganda on administrative reform, {agency} reports its results for {period}"
            " ({start} – {end}):"
        ),
        "scope_campaign": "Scope: campaign “{title}”.",
    },
}
SIGNER_TITLES = {
    "department": "GIÁM ĐỐC",
    "press": "GIÁM ĐỐC",
    "district": "CHỦ TỊCH",
    "commune": "CHỦ TỊCH",
}


def phrases(lang: str) -> dict[str, str]:
    return PHRASES.get(lang, PHRASES["vi"])


@dataclass(frozen=True)
class Letterhead:
    """Everything around the numbers: who issues, where, who signs, who receives."""

    agency: str
    name: str  # the agency as a sentence names it: "Sở Nội vụ", "UBND Huyện Định Quán"
    parent_agency: str
    abbreviation: str
    place: str
    signer_title: str
    signer_name: str
    recipients: tuple[str, ...]


def letterhead_for(config: Config, unit: str | None = None) -> Letterhead:
    """The consolidated report's letterhead (loa.yaml `report:`), or one unit's (units.yaml)."""
    base: Mapping[str, Any] = config.settings.get("report") or {}
    if unit is None:
        return consolidated(base, [u.name for u in config.units.values()])
    u = config.units[unit]
    own: Mapping[str, Any] = u.report
    agency = own.get("agency") or u.name.upper()
    parent = own.get("parent_agency")
    if parent is None:
        parent = _parent_of(config, unit, base)
    return Letterhead(
        agency=agency,
        name=u.name,
        parent_agency=parent,
        abbreviation=own.get("abbreviation") or abbreviate(u.name),
        place=own.get("place") or base.get("place") or "Đồng Nai",
        signer_title=own.get("signer_title") or SIGNER_TITLES.get(u.kind, ""),
        signer_name=own.get("signer_name") or "",
        recipients=tuple(own.get("recipients") or ("Sở Nội vụ (để tổng hợp);", "Lưu: VT.")),
    )


def consolidated(
    base: Mapping[str, Any] | None = None, names: list[str] | None = None
) -> Letterhead:
    """Sở Nội vụ's letterhead for the consolidated report: loa.yaml `report:`, else defaults."""
    base = base or {}
    agency = base.get("agency") or "SỞ NỘI VỤ"
    named = [n for n in names or [] if n.upper() == agency.upper()]
    return Letterhead(
        agency=agency,
        name=named[0] if named else agency,
        parent_agency=base.get("parent_agency", "UBND TỈNH ĐỒNG NAI"),
        abbreviation=base.get("abbreviation") or abbreviate(agency),
        place=base.get("place") or "Đồng Nai",
        signer_title=base.get("signer_title") or "GIÁM ĐỐC",
        signer_name=base.get("signer_name") or "",
        recipients=tuple(
            base.get("recipients") or ("Chủ tịch UBND tỉnh (để báo cáo);", "Lưu: VT.")
        ),
    )


def _parent_of(config: Config, unit: str, base: Mapping[str, Any]) -> str:
    """A commune sits under its district; a department or newspaper under the province."""
    u = config.units[unit]
    if u.parent and u.parent in config.units:
        return config.units[u.parent].name.upper()
    if u.kind in ("department", "press"):
        return str(base.get("parent_agency", "UBND TỈNH ĐỒNG NAI"))
    return ""


def abbreviate(name: str) -> str:
    """'Sở Nội vụ' -> 'SNV'; a People's Committee ('UBND …') signs as 'UBND'."""
    words = fold(unicodedata.normalize("NFC", name)).upper().replace("-", " ").split()
    if not words:
        return ""
    if words[0] in ("UBND", "UY"):
        return "UBND"
    return "".join(w[0] for w in words if w[0].isalnum())


def period_name(period: Period, lang: str) -> str:
    """The period as the plan names it ('quý I năm 2024') or in English ('Q1 2024')."""
    return period.label_en() if lang == "en" else period.label_vi()


def subject(period: Period, lang: str) -> str:
    """The title line under 'BÁO CÁO'."""
    return phrases(lang)["subject"].format(period=period_name(period, lang))


def header_lines(head: Letterhead, lang: str) -> list[tuple[str, str]]:
    """The two columns of the header block, row by row: (left, right)."""
    p = phrases(lang)
    number = p["number"].format(abbr=head.abbreviation)
    if head.parent_agency:
        left = [head.parent_agency, head.agency, number]
    else:  # the agency on the first line; the number stays level with the date
        left = [head.agency, "", number]
    right = [p["nation"], p["motto"], p["date"].format(place=head.place)]
    return list(zip(left, right, strict=True))
