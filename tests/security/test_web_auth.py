"""Web sessions for the server-rendered pages: cookie, login redirects, expiry, CSRF."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Form, Request, Response
from sqlalchemy import func, select

from o2c.app.web_auth import (
    SESSION_COOKIE,
    CsrfChecked,
    PortalActor,
    StaffActor,
    close_session,
    csrf_token,
    open_session,
    safe_next,
)
from o2c.db.deps import UowDep
from o2c.security.access_tables import WebSession
from o2c.security.model import Role
from o2c.security.users import authenticate, create_user
from tests.app.client import api_client
from tests.app.test_api import assert_problem
from tests.builders import a_customer

PASSWORD = "long enough"


@pytest.fixture
def browser(engine, clock, uow, actor):
    """The real app plus a few pages that use the web-auth seams as the UI does."""
    client = api_client(engine, clock, authenticated=False)
    app = client.app

    @app.post("/test/login")
    def login(
        request: Request,
        response: Response,
        uow: UowDep,
        email: Annotated[str, Form()],
        password: Annotated[str, Form()],
        portal: Annotated[bool, Form()] = False,
    ) -> dict[str, str]:
        user = authenticate(uow, email=email, password=password, portal=portal, client="test")
        open_session(uow, user, response, request)
        return {"ok": user.email}

    @app.get("/app/page")
    def staff_page(request: Request, actor: StaffActor) -> dict[str, object]:
        return {"name": actor.name, "csrf": csrf_token(request)}

    @app.get("/portal/page")
    def portal_page(actor: PortalActor) -> dict[str, object]:
        return {"customer": actor.customer_id}

    @app.post("/app/change", dependencies=[CsrfChecked])
    def change(actor: StaffActor) -> dict[str, str]:
        return {"changed_by": actor.name}

    @app.post("/app/bye")
    def logout(request: Request, response: Response, uow: UowDep) -> dict[str, bool]:
        close_session(uow, request, response)
        return {"signed_out": True}

    create_user(
        uow, actor, email="clerk@acme.example", name="C", password=PASSWORD, roles=[Role.AR_CLERK]
    )
    create_user(
        uow,
        actor,
        email="buyer@c1.example",
        name="B",
        password=PASSWORD,
        roles=[Role.CUSTOMER],
        customer_id=a_customer(uow, actor),
    )
    return client


def sign_in(browser, email="clerk@acme.example", portal=False):
    form = {"email": email, "password": PASSWORD, "portal": str(portal).lower()}
    response = browser.post("/test/login", data=form)
    assert response.status_code == 200
    return response


def test_signing_in_sets_a_hardened_cookie_and_stores_only_its_digest(browser, uow):
    response = sign_in(browser)

    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # plain http, O2C_COOKIE_SECURE unset
    token = browser.cookies[SESSION_COOKIE]
    with uow:
        stored = uow.session.scalars(select(WebSession.token_hash)).all()
    assert len(stored) == 1
    assert token not in stored[0]


def test_cookie_is_secure_when_configured(browser, monkeypatch):
    monkeypatch.setenv("O2C_COOKIE_SECURE", "1")

    assert "Secure" in sign_in(browser).headers["set-cookie"]


def test_pages_without_a_session_redirect_to_their_login_with_the_way_back(browser):
    staff = browser.get("/app/page?tab=2", follow_redirects=False)
    portal = browser.get("/portal/page", follow_redirects=False)

    assert staff.status_code == 303
    assert staff.headers["location"] == "/app/login?next=%2Fapp%2Fpage%3Ftab%3D2"
    assert portal.headers["location"] == "/portal/login?next=%2Fportal%2Fpage"


def test_staff_and_portal_sessions_open_only_their_own_area(browser):
    sign_in(browser)
    assert browser.get("/app/page").json()["name"] == "clerk@acme.example"
    assert browser.get("/portal/page", follow_redirects=False).status_code == 303

    browser.cookies.clear()
    sign_in(browser, "buyer@c1.example", portal=True)
    assert browser.get("/portal/page").json()["customer"] is not None
    assert browser.get("/app/page", follow_redirects=False).status_code == 303


def test_form_posts_need_the_sessions_csrf_token(browser):
    sign_in(browser)
    token = browser.get("/app/page").json()["csrf"]

    missing = browser.post("/app/change", data={})
    wrong = browser.post("/app/change", data={"csrf_token": "forged"})
    right = browser.post("/app/change", data={"csrf_token": token})
    by_header = browser.post("/app/change", headers={"X-CSRF-Token": token})

    assert_problem(missing, 403, "forbidden")
    assert_problem(wrong, 403, "forbidden")
    assert right.json() == {"changed_by": "clerk@acme.example"}
    assert by_header.status_code == 200


def test_a_session_ends_after_eight_idle_hours(browser, clock):
    sign_in(browser)
    clock.advance(hours=7, minutes=59)
    assert browser.get("/app/page").status_code == 200

    clock.advance(hours=8)

    assert browser.get("/app/page", follow_redirects=False).status_code == 303


def test_a_session_ends_a_day_after_sign_in_however_busy(browser, clock):
    sign_in(browser)
    for _ in range(3):
        clock.advance(hours=7)
        assert browser.get("/app/page").status_code == 200

    clock.advance(hours=3)

    assert browser.get("/app/page", follow_redirects=False).status_code == 303


def test_signing_out_deletes_the_session(browser, uow):
    sign_in(browser)
    token = browser.cookies[SESSION_COOKIE]

    response = browser.post("/app/bye")

    assert 'o2c_session=""' in response.headers["set-cookie"]
    with uow:
        assert uow.session.scalar(select(func.count(WebSession.id))) == 0
    browser.cookies.set(SESSION_COOKIE, token)
    assert browser.get("/app/page", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/app/invoices?page=2", "/app/invoices?page=2"),
        ("https://evil.example/", "/app/"),
        ("//evil.example/", "/app/"),
        ("/\\evil.example", "/app/"),
        (None, "/app/"),
    ],
)
def test_next_after_sign_in_stays_on_this_site(value, expected):
    assert safe_next(value, "app") == expected


def test_stale_sessions_are_swept_at_the_next_sign_in(browser, uow, clock):
    sign_in(browser)
    clock.advance(hours=9)
    browser.cookies.clear()

    sign_in(browser)

    with uow:
        assert uow.session.scalar(select(func.count(WebSession.id))) == 1
