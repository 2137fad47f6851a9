"""A credit manager releases a hold in a real browser; the API agrees."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_a_credit_manager_releases_a_hold_with_a_reason(staff_page: Page, live_server):
    held = live_server.seeded.held_customer_id
    # given the held customer in the list
    staff_page.goto(f"{live_server.url}/app/credit")
    row = staff_page.locator(
        "main table tbody tr", has=staff_page.locator(f"a[href='/app/customers/{held}']")
    )
    expect(row).to_contain_text("over the credit limit")
    # when the hold is released without a reason, the browser asks for one first
    row.get_by_role("button", name="Release hold").click()
    expect(row).to_have_count(1)
    # and with a reason it is released
    row.get_by_label("Reason").fill("paid in full by wire")
    row.get_by_role("button", name="Release hold").click()
    # then the page confirms it, the customer is no longer listed, and the API agrees
    expect(staff_page.get_by_role("status")).to_contain_text("Hold released")
    expect(staff_page.locator(f"main a[href='/app/customers/{held}']")).to_have_count(0)
    holds = staff_page.request.get(f"{live_server.url}/api/v1/credit/holds").json()
    assert held not in {h["customer_id"] for h in holds}
    assert live_server.seeded.other_held_customer_id in {h["customer_id"] for h in holds}


def test_a_credit_manager_releases_a_held_order_which_is_then_confirmed(
    staff_page: Page, live_server
):
    number = live_server.seeded.held_order_number
    # given the order the credit rules held, with the reason they give
    staff_page.goto(f"{live_server.url}/app/credit")
    row = staff_page.locator("#order-holds tbody tr", has_text=number)
    expect(row).to_contain_text("past due")
    # when the credit manager releases it with a reason
    row.get_by_label("Reason").fill("customer paid the old invoice by phone")
    row.get_by_role("button", name="Release order").click()
    # then it leaves the list and the order is confirmed
    expect(staff_page.get_by_role("status")).to_have_text(f"Order {number} released.")
    expect(staff_page.locator("#order-holds tbody tr", has_text=number)).to_have_count(0)
    staff_page.goto(f"{live_server.url}/app/orders?q={number}")
    expect(staff_page.locator("main table tbody tr", has_text=number)).to_contain_text("confirmed")
