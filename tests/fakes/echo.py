"""A portal that answers 401 and echoes back what we sent: the Authorization header, the query."""

from __future__ import annotations

from tests.fakes.base import FakeServer, Handler, Request, Response


class EchoPortal(FakeServer):
    def routes(self) -> list[tuple[str, str, Handler]]:
        return [(m, "/", self.echo) for m in ("GET", "POST", "PUT")]

    def echo(self, request: Request) -> Response:
        said = {"authorization": request.headers.get("authorization"), "query": request.query}
        return Response(401, f"Unauthorized: you sent {said}", {"Content-Type": "text/plain"})
