"""Signing in to the back office in a real browser: refusals, the way back, signing out."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.helpers import sign_in
from tests.web.seed import PASSWORD, PORTAL_EMAIL, STAFF_EMAIL


def test_a_page_asked_for_without_a_session_leads_to_login_and_back(page: Page, live_server):
    # given a browser without a session asking for the credit holds
    page.goto(f"{live_server.url}/app/credit")
    # then it is sent to the login page, which remembers where it wanted to go
    expect(page).to_have_url(re.compile(r"/app/login\?next=%2Fapp%2Fcredit$"))
    # when the staff user signs in there
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # then the browser lands on the page it asked for
    expect(page).to_have_url(f"{live_server.url}/app/credit")
    expect(page.get_by_role("heading", name="Credit holds")).to_be_visible()


def test_a_wrong_password_and_a_portal_account_are_refused(page: Page, live_server):
    for email, password in ((STAFF_EMAIL, "not-the-password"), (PORTAL_EMAIL, PASSWORD)):
        # when someone signs in with a wrong password, or with a portal user's account
        page.goto(f"{live_server.url}/app/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        # then the login page says so and no page of the back office opens
        expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
        expect(page.get_by_label("Email")).to_have_value(email)
        page.goto(f"{live_server.url}/app/")
        expect(page).to_have_url(re.compile(r"/app/login"))


def test_signing_out_ends_the_session(page: Page, live_server):
    # given a signed-in staff user on the dashboard
    sign_in(page, live_server.url, STAFF_EMAIL, PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("Dashboard"))).to_be_visible()
    # when they sign out
    page.get_by_role("button", name="Sign out").click()
    # then they see the login page with a notice, and the back office is closed to them
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.goto(f"{live_server.url}/app/worklist")
    expect(page).to_have_url(re.compile(r"/app/login\?next=%2Fapp%2Fworklist"))
