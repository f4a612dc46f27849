"""`/accounts` for admins: who may sign in, with which role; change a role or disable one.

Passwords are set only with `loa users add|passwd` (typed at a terminal, never sent through a
form). Every change is recorded in the audit trail under the admin's name.
"""

from __future__ import annotations

from flask import flash, redirect, request
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from worker.store import accounts
from worker.web.api import site
from worker.web.auth import require
from worker.web.render import lang, link, render
from worker.web.words import console_words


def accounts_page() -> str:
    require("accounts")
    rt = site().runtime
    with rt.sessions() as s:
        rows, changes = accounts.listing(s), accounts.changes(s)
    return render(
        "accounts.html", site().wall_clock(), rows=rows, changes=changes, roles=accounts.ROLES
    )


def change_account() -> WerkzeugResponse:
    who = require("accounts")
    name, what = request.form.get("name", ""), request.form.get("change", "")
    rt = site().runtime
    try:
        with rt.sessions.begin() as s:
            if what == "disable":
                if name == who.name:
                    raise accounts.AccountError("an admin may not disable their own account")
                accounts.disable(s, name, rt.now())
                detail = name
            elif what == "role":
                role = request.form.get("role", "")
                accounts.set_role(s, name, role, rt.now())
                detail = f"{name} ({role})"
            else:
                raise accounts.AccountError("change: role or disable")
            accounts.record(s, who.name, what, detail, rt.now())
    except accounts.AccountError as e:
        raise BadRequest(str(e)) from e
    words = console_words(lang())
    flash(words["account_changed"].format(name=name))
    return redirect(link("accounts"), code=303)
