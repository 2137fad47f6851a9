"""Every back-office list renders the seeded company's data, and its first row opens a detail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

LISTS = [
    # path, heading, link to the first document's detail page, heading there
    ("/app/worklist", "Collector worklist", r"/app/customers/\d+$", "·"),
    ("/app/cashapp", "Cash application exceptions", r"/app/cashapp/lines/\d+$", "Bank line"),
    ("/app/disputes", "Disputes and deductions", r"/app/disputes/case/\d+$", "Dispute"),
    ("/app/credit", "Credit holds", r"/app/customers/\d+$", "·"),
    ("/app/orders", "Sales orders", r"/app/orders/\d+$", "Order SO-"),
    ("/app/shipments", "Shipments", r"/app/shipments/\d+$", "Shipment SH-"),
    ("/app/customers", "Customers", r"/app/customers/\d+$", "·"),
    ("/app/products", "Products", r"/app/products/\d+/edit$", "Edit product"),
]


@pytest.mark.parametrize(("path", "heading", "detail", "detail_heading"), LISTS)
def test_each_list_shows_data_and_opens_a_detail(
    staff_page: Page, live_server, path, heading, detail, detail_heading
):
    # when a list page is opened
    staff_page.goto(f"{live_server.url}{path}")
    # then it shows its heading, marks its menu entry as current, and lists documents
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(staff_page.locator(f"nav a[href='{path}']")).to_have_attribute("aria-current", "page")
    first = staff_page.locator("main table tbody a").first
    expect(first).to_be_visible()
    # and its first row opens the document's page
    first.click()
    expect(staff_page).to_have_url(re.compile(detail))
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text(detail_heading)


def test_the_strategy_editor_simulates_the_active_strategy(staff_page: Page, live_server):
    # given the active strategy in the editor
    staff_page.goto(f"{live_server.url}/app/strategy")
    editor = staff_page.get_by_label("Strategy (YAML)")
    expect(editor).not_to_be_empty()
    # when it is simulated over the default window (the last 30 days)
    staff_page.get_by_role("button", name="Simulate").click()
    # then the results say how many actions it would have taken, with a chart per week
    summary = staff_page.locator("#simulation-summary")
    expect(summary).to_contain_text(re.compile(r"\d+ actions? for \d+ customers?"))
    expect(staff_page.locator("#results-heading")).to_be_visible()


def test_a_broken_strategy_is_shown_with_its_error_next_to_the_editor(
    staff_page: Page, live_server
):
    staff_page.goto(f"{live_server.url}/app/strategy")
    staff_page.get_by_label("Strategy (YAML)").fill("name: [unclosed")
    staff_page.get_by_role("button", name="Simulate").click()
    editor = staff_page.get_by_label("Strategy (YAML)")
    expect(editor).to_have_attribute("aria-invalid", "true")
    expect(staff_page.locator("#e-source")).not_to_be_empty()
    expect(editor).to_be_focused()


def test_a_product_is_edited_and_a_bad_price_is_refused_next_to_its_field(
    staff_page: Page, live_server
):
    staff_page.goto(f"{live_server.url}/app/products")
    staff_page.locator("main table tbody a").first.click()
    # when the price is not a number
    staff_page.get_by_label(re.compile("List price")).fill("twelve")
    staff_page.get_by_role("button", name="Save").click()
    # then the form comes back with the error next to the price
    price = staff_page.get_by_label(re.compile("List price"))
    expect(price).to_have_attribute("aria-invalid", "true")
    expect(staff_page.locator("#e-price")).to_have_text("not an amount")
    # when it is corrected, the product is saved and the list says so
    price.fill("12.50")
    staff_page.get_by_label("Name").fill("Renamed by the browser test")
    staff_page.get_by_role("button", name="Save").click()
    expect(staff_page).to_have_url(f"{live_server.url}/app/products")
    expect(staff_page.get_by_role("status")).to_contain_text("saved")
    staff_page.get_by_label("SKU or name").fill("Renamed by the browser")
    staff_page.get_by_role("button", name="Search").click()
    expect(staff_page.locator("main table tbody tr")).to_have_count(1)
    expect(staff_page.locator("main table tbody")).to_contain_text("12.50")
