"""An Anthias player's v2 API as channels.md §5 and the Anthias source describe it."""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
import uuid
from email import policy
from email.parser import BytesParser
from typing import Any

from tests.fakes.base import Handler, Request, Response
from tests.fakes.routed import RoutedFake

API = "/api/v2"
ASSET_DIR = "/data/screenly_assets"
REQUIRED = ("name", "uri", "start_date", "end_date", "duration", "mimetype", "is_enabled")
DATE_ERROR = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


def drf_error(**fields: str) -> Response:
    """A Django REST framework validation error: {field: [message]}."""
    return Response(400, {k: [v] for k, v in fields.items()})


def multipart(request: Request) -> dict[str, tuple[str | None, str, bytes]]:
    """The parts of a multipart/form-data body: name -> (filename, content type, bytes)."""
    head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
    parts: dict[str, tuple[str | None, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            parts[name] = (part.get_filename(), part.get_content_type(), payload)
    return parts


class FakeAnthias(RoutedFake):
    """Files and assets in memory; set `auth` to (user, password) to require Basic auth."""

    def __init__(self, auth: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.auth = auth
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.files: dict[str, bytes] = {}
        self.assets: list[dict[str, Any]] = []

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("POST", f"{API}/file_asset", self.guarded(self.upload)),
            ("POST", f"{API}/assets", self.guarded(self.create)),
            ("GET", f"{API}/assets", self.guarded(self.list_assets)),
        ]

    def guarded(self, handler: Handler) -> Handler:
        def check(request: Request) -> Response:
            if self.auth is None:
                return handler(request)
            expected = "Basic " + base64.b64encode(":".join(self.auth).encode()).decode()
            if request.headers.get("authorization") != expected:
                return Response(401, "Access denied", {"WWW-Authenticate": 'Basic realm="Anthias"'})
            return handler(request)

        return check

    def upload(self, request: Request) -> Response:
        """Like Anthias: the file lands at uuid5(filename).tmp; a non-media file is a 500."""
        filename, _, data = multipart(request).get("file_upload", (None, "", b""))
        if not filename:
            return Response(500, "Server Error (500)")
        kind = mimetypes.guess_type(filename)[0]
        if not kind or kind.split("/")[0] not in ("image", "video"):
            return Response(500, "Server Error (500)")
        uri = f"{ASSET_DIR}/{uuid.uuid5(uuid.NAMESPACE_URL, filename).hex}.tmp"
        self.files[uri] = data
        return Response(200, {"uri": uri, "ext": mimetypes.guess_extension(kind)})

    def create(self, request: Request) -> Response:
        data = request.json()
        if not isinstance(data, dict):
            return drf_error(non_field_errors="Invalid data. Expected a dictionary.")
        problems = {k: "This field is required." for k in REQUIRED if k not in data}
        for key in ("start_date", "end_date"):
            if key in data and not _valid_date(data[key]):
                problems[key] = DATE_ERROR
        if "duration" in data and not isinstance(data["duration"], int):
            problems["duration"] = "A valid integer is required."
        if problems:
            return drf_error(**problems)
        if data["uri"].startswith("/") and data["uri"] not in self.files:
            return Response(500, "Server Error (500)")  # Anthias raises a bare Exception here
        return Response(201, self._store(data))

    def list_assets(self, request: Request) -> Response:
        return Response(200, self.assets)

    def _store(self, data: dict[str, Any]) -> dict[str, Any]:
        """Keep the asset: a unique name (`name-1`), the upload renamed to asset_id + ext."""
        names = {a["name"] for a in self.assets}
        name, n = data["name"], 1
        while name in names:
            name, n = f"{data['name']}-{n}", n + 1
        asset_id = uuid.uuid4().hex
        uri = data["uri"]
        if uri.startswith("/"):
            new_uri = f"{ASSET_DIR}/{asset_id}{data.get('ext', '')}"
            self.files[new_uri] = self.files.pop(uri)
            uri = new_uri
        now = dt.datetime.now(dt.UTC)
        active = bool(data["is_enabled"]) and _date(data["start_date"]) <= now < _date(
            data["end_date"]
        )
        asset = {
            "asset_id": asset_id,
            "name": name,
            "uri": uri,
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "duration": data["duration"],
            "mimetype": data["mimetype"],
            "is_enabled": bool(data["is_enabled"]),
            "nocache": bool(data.get("nocache", False)),
            "play_order": int(data.get("play_order") or 0),
            "skip_asset_check": bool(data.get("skip_asset_check", False)),
            "is_active": active,
            "is_processing": False,
            "is_reachable": True,
            "last_reachability_check": None,
        }
        self.assets.append(asset)
        return asset


def _date(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _valid_date(value: object) -> bool:
    try:
        _date(str(value))
    except ValueError:
        return False
    return True
