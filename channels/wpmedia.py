"""A post's featured image on one WordPress site, uploaded once however often the post is tried.

The image is uploaded under a slug made from the post's own (`<post slug>-anh`), and looked
up by it first: an attempt that uploaded the image and then failed to create the post leaves
it in the media library, and the next attempt (or the one after a crash) uses it again
instead of uploading a copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import requests

from channels.base import Attachment, Message
from channels.errors import PermanentError, TransientError
from channels.images import SUFFIXES, ImageUnavailable, fetch_image
from channels.wpterms import Call

Fetch = Callable[[str, str], Attachment]
"""Gets an image's bytes: (url, file name without suffix) -> the attachment."""


@dataclass(frozen=True)
class Featured:
    media_id: int | None
    warnings: tuple[str, ...] = ()


def media_slug(post_slug: str) -> str:
    return f"{post_slug}-anh"


def featured(call: Call, fetch: Fetch, message: Message, post_slug: str) -> Featured:
    """The id of the post's featured image on the site, uploading it only when it is not there."""
    image = message.body.get("featured_image")
    wanted = message.attachments[0] if message.attachments else None
    if wanted is None and not (isinstance(image, dict) and image.get("url")):
        return Featured(None)
    alt = str(image.get("alt") if isinstance(image, dict) else "") or message.title
    slug = media_slug(post_slug)
    found = _look_up(call, slug)
    if found is not None:
        return Featured(found)
    if wanted is None:
        assert isinstance(image, dict)
        try:
            wanted = fetch(str(image["url"]), slug)
        except ImageUnavailable as e:
            return Featured(None, (f"featured image not uploaded: {e}",))
    media_id, notes = _upload(call, wanted, slug, alt)
    return Featured(media_id, notes)


def _look_up(call: Call, slug: str) -> int | None:
    _, media = call("GET", "media", "look up image", params={"slug": slug})
    if not isinstance(media, list):
        raise TransientError("look up image: the answer is not a list of media")
    for item in media:
        if isinstance(item, dict) and item.get("slug") == slug and isinstance(item.get("id"), int):
            return int(item["id"])
    return None


def _upload(call: Call, image: Attachment, slug: str, alt: str) -> tuple[int, tuple[str, ...]]:
    """Upload the raw bytes (Content-Type and Content-Disposition), then make sure the alt
    text is set: WordPress takes `alt_text` with the upload, the spec sheet sets it after."""
    suffix = SUFFIXES.get(image.media_type) or _suffix(image.filename)
    headers = {
        "Content-Type": image.media_type,
        "Content-Disposition": f'attachment; filename="{slug}{suffix}"',
    }
    params = {"alt_text": alt, "slug": slug}
    _, media = call(
        "POST", "media", "upload image", data=image.data, headers=headers, params=params
    )
    if not isinstance(media, dict) or not isinstance(media.get("id"), int):
        raise TransientError("upload image: the answer carries no media id")
    media_id = int(media["id"])
    if media.get("alt_text") == alt:
        return media_id, ()
    try:
        call("POST", f"media/{media_id}", "set image alt text", json={"alt_text": alt})
    except PermanentError as e:  # the image is there: the post goes, saying what is missing
        return media_id, (f"image {media_id} has no alt text: {e}",)
    return media_id, ()


def _suffix(filename: str) -> str:
    match = re.search(r"\.[A-Za-z0-9]{1,5}$", filename)
    return match.group(0).lower() if match else ""


def fetcher(session: requests.Session, timeout: tuple[float, float]) -> Fetch:
    def fetch(url: str, name: str) -> Attachment:
        return fetch_image(session, url, name, timeout)

    return fetch
