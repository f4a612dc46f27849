"""`make screenshots`: every console page at desktop and phone width, as PNG files in a folder.

Seeds a database like the tests do (tests/seed.py), signs in as an admin in Debian's Chromium,
and saves <page>-desktop.png and <page>-phone.png. Usage: python -m tests.screenshots [DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sqlalchemy import select

from tests.browsing import DESKTOP, PHONE, chromium, full_page, served, sign_in
from tests.seed import NOW, seed_runtime
from worker.store import accounts
from worker.store.models import Delivery

PASSWORD = "ảnh chụp màn hình 2024"


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        rt = seed_runtime(Path(tmp), f"sqlite:///{tmp}/loa.db")
        with rt.sessions.begin() as s:
            accounts.add(s, "an", "admin", PASSWORD, NOW)
            ids = {
                ch: s.scalars(select(Delivery.id).where(Delivery.channel == ch)).first()
                for ch in ("sms", "website", "screen")
            }
        pages = {
            "overview": "/",
            "failures": "/failures",
            "approvals": "/approvals",
            "calendar-month": "/calendar?date=2024-12-01",
            "calendar-week": "/calendar?view=week&date=2024-12-30",
            "deliveries": "/deliveries",
            **{f"delivery-{ch}": f"/deliveries/{i}" for ch, i in ids.items()},
            "report": "/report?period=2024-Q4",
        }
        with served(rt) as base:
            for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
                with chromium(Path(tmp) / f"profile-{label}", size) as driver:
                    driver.get(f"{base}/login")
                    full_page(driver, size, out / f"login-{label}.png")
                    sign_in(driver, base, "an", PASSWORD)
                    for name, path in pages.items():
                        driver.get(base + path)
                        full_page(driver, size, out / f"{name}-{label}.png")
    print(f"screenshots in {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")))
