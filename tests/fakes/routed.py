"""A FakeServer whose scripted answers can aim at one route, so other calls behave normally."""

from __future__ import annotations

from dataclasses import dataclass

from tests.fakes.base import FakeServer, Request, Response


@dataclass
class Routed(Response):
    """A scripted answer for the next request to `method path...` only."""

    method: str = ""
    path: str = ""

    def matches(self, request: Request) -> bool:
        return request.method == self.method and request.path.startswith(self.path)


def on(method: str, path: str, response: Response) -> Routed:
    """Aim `response` at the next `method` request whose path starts with `path`."""
    return Routed(
        response.status,
        response.body,
        response.headers,
        response.delay,
        response.drop,
        method,
        path,
    )


class RoutedFake(FakeServer):
    """Plain scripted answers take the next request; Routed ones wait for their route."""

    def reset(self) -> None:
        """Forget requests and scripts, so one running server can serve a module of tests."""
        with self.lock:
            self.requests.clear()
            self.script.clear()

    def normalise(self, request: Request) -> Request:
        return request

    def dispatch(self, request: Request) -> Response:
        request = self.normalise(request)
        with self.lock:
            self.requests.append(request)
            for i, response in enumerate(self.script):
                if not isinstance(response, Routed) or response.matches(request):
                    return self.script.pop(i)
        for method, prefix, handler in self.routes():
            if request.method == method and request.path.startswith(prefix):
                return handler(request)
        return Response(404, {"error": "not found", "path": request.path})

    def sent(self, method: str, path: str) -> list[Request]:
        """The requests received for one route, in order."""
        return [r for r in self.requests if r.method == method and r.path.startswith(path)]
