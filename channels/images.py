"""Fetching an item's image for upload: bounded in size and time, and only ever an image."""

from __future__ import annotations

from pathlib import Path

import requests

from campaigns.text import web_url
from channels import http
from channels.base import Attachment
from channels.errors import TransientError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""An image larger than this is not fetched (WordPress' default upload limit is lower still)."""
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


class ImageUnavailable(Exception):
    """The image cannot be had for a reason a retry will not change: the post goes without it."""


def sniff(data: bytes) -> str | None:
    """The image type the bytes are, by their signature (a server's Content-Type may lie)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def fetch_image(
    session: requests.Session, url: str, name: str, timeout: tuple[float, float]
) -> Attachment:
    """The image at the web address `url`, named `name` + its suffix. A timeout or a server
    fault raises TransientError (try the whole post later); a missing, oversized or non-image
    file raises ImageUnavailable."""
    if web_url(url):
        data = _download(session, url, timeout)
    else:
        raise ImageUnavailable("the image is not a web address")
    kind = sniff(data)
    if kind is None:
        raise ImageUnavailable("the image is not a JPEG, PNG, GIF or WebP file")
    return Attachment(name + SUFFIXES[kind], kind, data)


def local_image(path: Path, name: str, roots: list[Path]) -> Attachment | None:
    """The image file `path` as an attachment named `name` + its suffix, when it lies inside
    one of `roots` (the config folder, LOA_ALLOWED_PATHS) and is a bounded image; else None."""
    try:
        real = path.resolve()
        if not any(real.is_relative_to(r.resolve()) for r in roots) or not real.is_file():
            return None
        if real.stat().st_size > MAX_IMAGE_BYTES:
            return None
        data = real.read_bytes()
    except OSError:
        return None
    kind = sniff(data)
    return Attachment(name + SUFFIXES[kind], kind, data) if kind else None


def _download(session: requests.Session, url: str, timeout: tuple[float, float]) -> bytes:
    what = f"fetch image {http.safe_url(url)}"
    response = http.send(session, "GET", url, timeout=timeout, stream=True)
    with response:
        if not 200 <= response.status_code < 300:
            error = http.error_for(response, what)
            if http.is_transient(response.status_code):
                raise error
            raise ImageUnavailable(str(error))
        data = bytearray()
        try:
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > MAX_IMAGE_BYTES:
                    raise ImageUnavailable(f"{what}: over {MAX_IMAGE_BYTES // 2**20} MB")
        except requests.RequestException as e:
            raise TransientError(f"{what}: the answer broke off ({type(e).__name__})") from e
    return bytes(data)
