"""Every posted document of the demo company, exported as UBL and CII, passes the official rules.

The demo holds the hard cases on purpose (several rates, exemptions, document discount and
charge, credit notes, USD and GBP customers), so this is the widest check of the mapping
from billing to EN 16931. One backend suffices: rendering only reads, and reading on both
backends is covered by the other presentment tests.
"""

from __future__ import annotations

import io
import shutil
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from o2c.app.demo import load_demo
from o2c.app.identity import company_id_for
from o2c.billing.presentable import DocumentFormat
from o2c.billing.presentment import invoice_rows, render_document
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.notify.formatting import format_minor
from o2c.security.model import system_actor
from tests.einvoice_validator import require_artefacts, validate_cii, validate_ubl


@pytest.fixture(scope="module")
def demo(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("presentment-demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    load_demo(engine, today=date(2026, 3, 2), seed=42, scale=0.1)
    uow = UnitOfWork(session_factory(engine), FrozenClock(datetime(2026, 3, 2, tzinfo=UTC)))
    yield uow, system_actor(company_id_for(uow, "DEMO"), "tester")
    engine.dispose()


def test_every_demo_document_passes_the_official_ubl_and_cii_rules(demo):
    require_artefacts()
    uow, actor = demo
    rows = invoice_rows(uow, actor)
    # the demo covers credit notes and three currencies
    assert Counter(r[7] for r in rows)["credit_note"] > 0
    assert {r[4] for r in rows} == {"EUR", "USD", "GBP"}
    rejected = {}
    for row in rows:
        for fmt, validate in (
            (DocumentFormat.UBL, validate_ubl),
            (DocumentFormat.CII, validate_cii),
        ):
            content = render_document(uow, actor, row[0], fmt).content
            found = [str(f) for f in validate(content) if f.rejects]
            if found:
                rejected[f"{row[0]} {fmt.value}"] = found
    assert not rejected, rejected


def test_every_demo_document_of_the_last_week_prints_with_its_total(demo):
    uow, actor = demo
    recent = [r for r in invoice_rows(uow, actor) if r[2] >= "2026-02-23"]
    assert recent
    for number, _customer, _issued, _due, currency, total, _open, _kind in recent:
        content = render_document(uow, actor, number, DocumentFormat.PDF).content
        text = PdfReader(io.BytesIO(content)).pages[-1].extract_text().replace("\xa0", " ")
        minor = int(Decimal(total).scaleb(2))
        written = {format_minor(minor, currency, lang, symbol=False).replace("\xa0", " ")
                   for lang in ("en", "de", "fr", "nl", "it", "es")}  # fmt: skip
        assert any(w in text for w in written), (number, total)
