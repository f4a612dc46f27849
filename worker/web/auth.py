"""Signing in to the console: accounts and roles, session cookies, CSRF, a login rate limit.

With no enabled account the console is the read-only page it always was (anyone who can reach
it reads, nobody acts). Once an account exists, every page and the JSON API ask to sign in.

- Sessions: Flask's signed cookie (key: $LOA_WEB_SECRET, else one made once in the database),
  HttpOnly, SameSite=Lax, Secure when the request came over https, 12 hours; it carries the
  account name and a stamp of its password hash, so a new password or `loa users disable`
  ends it at the next request.
- CSRF: Flask-WTF's CSRFProtect checks a signed token on every POST; forms carry it.
- Login: at most LOGIN_FAILURES failed tries per account and address in LOGIN_WINDOW; then 429.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable

from flask import (
    Blueprint,
    Flask,
    Request,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response as WerkzeugResponse

from worker.engine.runtime import Runtime
from worker.store import accounts
from worker.store.accounts import Who
from worker.store.secrets import web_key
from worker.web.words import console_words

LOGIN_FAILURES = 5
LOGIN_WINDOW = 15 * 60.0
SESSION_HOURS = 12
OPEN = frozenset({"auth.login", "auth.logout"})
"""Endpoints reachable without signing in (logout only clears the cookie)."""

auth = Blueprint("auth", __name__)
csrf = CSRFProtect()


class Throttle:
    """Failed sign-ins per (account, address) in a sliding window, in this process's memory."""

    def __init__(
        self,
        limit: int = LOGIN_FAILURES,
        window: float = LOGIN_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failed: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self._failed.setdefault(key, deque())
        while times and times[0] < self.clock() - self.window:
            times.popleft()
        return times

    def blocked(self, name: str, address: str) -> bool:
        with self._lock:
            return len(self._recent((name, address))) >= self.limit

    def failed(self, name: str, address: str) -> None:
        with self._lock:
            self._recent((name, address)).append(self.clock())

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failed.pop((name, address), None)


class _Cookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, marked Secure whenever the request itself was https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or _is_https(request)


def _is_https(r: Request) -> bool:
    return r.is_secure


def install(app: Flask, runtime: Runtime) -> None:
    """Sessions, CSRF and the sign-in check on `app`."""
    with runtime.sessions.begin() as s:
        app.secret_key = web_key(s)
    app.config.update(
        SESSION_COOKIE_NAME="loa_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    app.session_interface = _Cookies()
    app.extensions["loa_throttle"] = Throttle()
    csrf.init_app(app)
    app.register_blueprint(auth)
    app.before_request(_who)
    app.register_error_handler(CSRFError, _refused)
    app.jinja_env.globals.update(may=may)


def _who() -> WerkzeugResponse | None:
    """Who is asking: g.who (None when nobody signed in), g.accounts (whether any exist)."""
    rt: Runtime = current_app.extensions["loa"].runtime
    g.who = None
    with rt.sessions() as s:
        g.accounts = accounts.any_enabled(s)
        name, stamp = session.get("account"), session.get("stamp")
        if g.accounts and isinstance(name, str) and isinstance(stamp, str):
            g.who = accounts.current(s, name, stamp)
    if g.accounts and g.who is None and request.endpoint not in OPEN:
        if request.path.startswith("/api/"):
            abort(401, "sign in first")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def _refused(e: CSRFError) -> tuple[str, int]:
    """A form without a valid token (forged, or from an expired session): nothing changed."""
    lang = request.args.get("lang", "vi")
    words = console_words(lang if lang in ("vi", "en") else "vi")
    return render_template("login.html", t=words, lang=lang, error=words["stale_form"]), 400


def may(action: str) -> bool:
    """Whether the signed-in account may do `action` (with no accounts, nobody may)."""
    who: Who | None = g.get("who")
    return who is not None and who.may(action)


def require(action: str) -> Who:
    """The signed-in account, if it may do `action`; else 403 (401 when nobody signed in)."""
    who: Who | None = g.get("who")
    if who is None:
        abort(401, "sign in first")
    if not who.may(action):
        abort(403, f"the {who.role} role may not {action}")
    return who


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //): never an open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("overview")


@auth.route("/login", methods=["GET", "POST"])
def login() -> WerkzeugResponse | str | tuple[str, int]:
    lang = request.args.get("lang", "vi")
    words = console_words(lang if lang in ("vi", "en") else "vi")
    if request.method == "GET":
        return render_template("login.html", t=words, lang=lang, error=None)
    name = request.form.get("name", "").strip().lower()[:100]
    password = request.form.get("password", "")
    address = request.remote_addr or "?"
    throttle: Throttle = current_app.extensions["loa_throttle"]
    if throttle.blocked(name, address):
        return render_template("login.html", t=words, lang=lang, error=words["too_many"]), 429
    rt: Runtime = current_app.extensions["loa"].runtime
    with rt.sessions.begin() as s:
        who = accounts.verify(s, name, password)
    if who is None:
        throttle.failed(name, address)
        return render_template("login.html", t=words, lang=lang, error=words["bad_login"]), 401
    throttle.succeeded(name, address)
    session.clear()
    session.permanent = True
    session["account"], session["stamp"] = who.name, who.stamp
    return redirect(_safe_next(request.args.get("next")))


@auth.post("/logout")
def logout() -> WerkzeugResponse:
    session.clear()
    return redirect(url_for("auth.login"))
