"""The dashboard in a real browser: the figures agree with the JSON API, the charts are drawn."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page, expect


def _shown_amount(text: str) -> Decimal:
    """'14,784.63 EUR' -> Decimal('14784.63')."""
    return Decimal(text.split()[0].replace(",", ""))


def test_the_dashboard_shows_the_ar_total_of_the_api_and_its_charts(staff_page: Page, live_server):
    # given the KPI document integrators read, as the same signed-in user
    kpi = staff_page.request.get(f"{live_server.url}/api/v1/kpi")
    assert kpi.ok, kpi.text()
    figures = kpi.json()
    # when the dashboard is open
    staff_page.goto(f"{live_server.url}/app/")
    total = staff_page.locator("#ar-total")
    # then its AR total is the API's, in the base currency
    expect(total).to_contain_text(figures["base_currency"])
    assert _shown_amount(total.inner_text()) == Decimal(figures["ar_open"])
    # and aging, DSO trend and disputes are drawn as charts with their titles for readers
    charts = staff_page.get_by_role("img")
    for title in ("Aging", "DSO", "Open disputes by reason"):
        expect(charts.filter(has_text=title).first).to_be_attached()
    aging = staff_page.locator("figure.chart", has_text="Aging")
    assert aging.locator("rect").count() >= 1
    expect(staff_page.locator("#auto-match")).not_to_be_empty()


def test_the_cash_forecast_is_drawn_with_its_interval_band(staff_page: Page, live_server):
    # when the dashboard is open (the seed ran a forecast)
    staff_page.goto(f"{live_server.url}/app/")
    # then the forecast shows expected receipts and actuals over the 10-90% band
    chart = staff_page.locator("section[aria-label='Cash forecast'] figure.chart")
    expect(chart.locator("polygon.band").first).to_be_attached()
    expect(chart.locator("polyline.line")).not_to_have_count(0)
    caption = chart.locator("figcaption")
    for name in ("expected", "actual", "10–90% interval"):
        expect(caption).to_contain_text(name)
    # and it has a point on the expected line for each week the API forecasts
    api = staff_page.request.get(f"{live_server.url}/api/v1/analytics/forecast")
    assert api.ok, api.text()
    weeks = api.json()["buckets"]
    expected_points = chart.locator("circle.series-0")
    expect(expected_points).to_have_count(len(weeks))
