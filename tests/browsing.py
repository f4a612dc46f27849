"""Real Chromium driven by Selenium through Debian's chromedriver (no browser download), and a
served console over a seeded database: shared by the browser tests and `make screenshots`."""

from __future__ import annotations

import base64
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from worker.engine.runtime import Runtime
from worker.web.page import make_app_server

DESKTOP, PHONE = (1280, 900), (390, 844)


def chromium_paths() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@contextmanager
def served(rt: Runtime) -> Iterator[str]:
    """The console under waitress on a free loopback port; yields its base URL."""
    server = make_app_server(rt, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextmanager
def chromium(profile: Path, size: tuple[int, int] = DESKTOP) -> Iterator[webdriver.Chrome]:
    paths = chromium_paths()
    assert paths is not None
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(paths[1]))
    # the layout width itself (a headless window is never narrower than 500 px)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size < DESKTOP},
    )
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(driver: webdriver.Chrome, base: str, name: str, password: str) -> None:
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    login = driver.current_url
    driver.find_element(By.ID, "sign-in").click()
    # The password check takes a quarter of a second (argon2): wait for the page it leads to,
    # or the next lookup finds the login page's elements just before they go stale.
    WebDriverWait(driver, 30).until(lambda d: d.current_url != login)


def wait_for(driver: webdriver.Chrome, css: str) -> WebElement:
    """The element once the page that has it loaded (a click's navigation may lag)."""
    found: WebElement = WebDriverWait(driver, 30).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )
    return found


def full_page(driver: webdriver.Chrome, size: tuple[int, int], path: Path) -> None:
    """A PNG of the whole page at the emulated width: the viewport is made as tall as the
    page first, so framed content (the post preview) is painted too."""
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    metrics = {"width": size[0], "deviceScaleFactor": 1, "mobile": size < DESKTOP}
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {**metrics, "height": max(height, size[1])}
    )
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": size[1]})
    path.write_bytes(base64.b64decode(shot["data"]))
