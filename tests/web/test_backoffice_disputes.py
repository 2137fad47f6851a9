"""Dispute work in a real browser: a comment, a move along the workflow."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_a_dispute_is_commented_and_moved_to_review(staff_page: Page, live_server):
    # given the seeded pricing dispute
    staff_page.goto(f"{live_server.url}/app/disputes")
    staff_page.get_by_role("link", name="Price above the agreed list").click()
    # when a comment is added
    staff_page.get_by_role("textbox", name="Comment").fill("Asked sales for the agreed price list")
    staff_page.get_by_role("button", name="Add comment").click()
    # then it is in the history
    expect(staff_page.get_by_role("status")).to_have_text("Comment added.")
    expect(staff_page.locator("li.comment")).to_contain_text(
        "Asked sales for the agreed price list"
    )
    # when the case is moved into review
    staff_page.get_by_label("New status").select_option("in_review")
    staff_page.get_by_role("button", name="Move").click()
    # then its status says so
    expect(staff_page.get_by_role("status")).to_have_text("Case moved to in review.")
    expect(staff_page.locator("main p .badge").first).to_have_text("in_review")
