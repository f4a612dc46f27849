"""Scenario 4, slides: 1920x1080 `channels.slide.render_slide` in one process, one thread.

- renders per second with the unit-independent base cached (each render a different unit), the
  way one item goes out to every unit, beside cold renders (base and QR caches cleared first);
- the time to render one item for U units (the shared part rendered once) beside U cold renders.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks import env
from benchmarks.results import Context, Figure

TITLE = "Đồng Nai đẩy mạnh dịch vụ công trực tuyến toàn trình, phấn đấu 100% hồ sơ số hóa"
SUMMARY = (
    "Người dân và doanh nghiệp nộp hồ sơ, thanh toán phí và nhận kết quả thủ tục hành chính "
    "tại nhà qua Cổng Dịch vụ công quốc gia; mọi thắc mắc xin gọi tổng đài 1022."
)


def content(unit: int, item: int = 0) -> Any:
    from channels.slide import SlideContent

    return SlideContent(
        title=f"{TITLE} (bài {item})",
        summary=SUMMARY,
        unit_name=f"UBND xã Phước Thiền số {unit}",
        agency=f"UBND xã Phước Thiền số {unit}",  # each unit's own header, as units.yaml gives
        parent_agency="UBND huyện Nhơn Trạch",
        date_text="15/03/2024",
        qr_url=f"https://sonoivu.dongnai.gov.vn/tin/bai-{item}",
    )


def cold() -> None:
    """Forget everything a previous render left behind (the base and the QR code caches)."""
    from channels import slide

    slide.clear_cache()
    slide._qr.cache_clear()


def slides_task(units: int) -> dict[str, Any]:
    from channels.slide import render_slide

    render_slide(content(-1, item=-1))  # fonts loaded once per process, as in a worker
    cold()
    started = time.perf_counter()
    for unit in range(units):
        render_slide(content(unit, item=1))
    shared = time.perf_counter() - started
    started = time.perf_counter()
    for unit in range(units):
        cold()
        render_slide(content(unit, item=2))
    cold_total = time.perf_counter() - started
    return {"units": units, "shared_s": shared, "cold_s": cold_total}


def scenario(ctx: Context) -> list[Figure]:
    units = ctx.size(170, 17)
    runs = [
        env.run_child("slides", {"units": units}, env.child_env(), 600) for _ in range(ctx.runs)
    ]
    return [
        Figure(
            "slides.warm",
            "slides",
            "render_slide 1920x1080, base cached (per unit)",
            "renders/s",
            [r["units"] / r["shared_s"] for r in runs],
            baseline="slides.cold",
        ),
        Figure(
            "slides.cold",
            "slides",
            "render_slide 1920x1080, cold",
            "renders/s",
            [r["units"] / r["cold_s"] for r in runs],
        ),
        Figure(
            "slides.units",
            "slides",
            f"one item for {units} units, shared part once",
            "s",
            [r["shared_s"] for r in runs],
            higher_is_better=False,
            baseline="slides.units.cold",
        ),
        Figure(
            "slides.units.cold",
            "slides",
            f"{units} cold renders",
            "s",
            [r["cold_s"] for r in runs],
            higher_is_better=False,
        ),
    ]
