"""Auto-match and touchless rates from the bank lines cash application decided."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from o2c.analytics.cash_application import cash_application_figures
from o2c.analytics.kpi_output import kpi_document
from o2c.analytics.reports import kpi_report
from o2c.cashapp.tables import BankLineRow, BankStatement, MatchDecisionRow
from tests.analytics.builders import AS_OF

pytestmark = pytest.mark.storage
NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)


def bank_lines(uow, actor, lines: list[tuple[str, int, bool | None, date]]) -> None:
    """Stored lines (status, amount, decided automatically? None: no decision, booked on)."""
    with uow:
        statement = BankStatement(
            company_id=actor.company_id,
            file_hash="f" * 64,
            position=0,
            file_name="camt.xml",
            format="camt053",
            account="DE00",
            currency="EUR",
            statement_id="S1",
            statement_date=AS_OF,
            imported_at=NOW,
            imported_by="test",
        )
        uow.session.add(statement)
        uow.session.flush()
        for n, (status, amount, automatic, booked) in enumerate(lines):
            line = BankLineRow(
                company_id=actor.company_id,
                statement_id=statement.id,
                account="DE00",
                bank_ref=f"R{n}",
                booking_date=booked,
                value_date=booked,
                amount_minor=amount,
                currency="EUR",
                status=status,
            )
            uow.session.add(line)
            uow.session.flush()
            if automatic is not None:
                uow.session.add(
                    MatchDecisionRow(
                        company_id=actor.company_id,
                        line_id=line.id,
                        decision={"status": status},
                        automatic=automatic,
                        decided_by="engine" if automatic else "clerk",
                        decided_at=NOW,
                    )
                )
        uow.commit()


def test_rates_count_engine_settled_lines_over_decided_incoming_lines(uow, actor):
    # given, booked in March: 3 applied by the engine, 1 deduction by the engine, 1 applied
    # after a person's decision, 1 left unmatched, 1 new, 1 debit and 1 line of last year
    march = date(2026, 3, 10)
    bank_lines(
        uow,
        actor,
        [
            ("applied", 100, True, march),
            ("applied", 100, True, march),
            ("applied", 100, True, march),
            ("deduction", 100, True, march),
            ("applied", 100, False, march),
            ("unmatched", 100, True, march),
            ("new", 100, None, march),
            ("ignored", -100, None, march),
            ("applied", 100, True, date(2025, 3, 10)),
        ],
    )
    # when the cash-application figures of the 90 days to 2026-03-31 are read
    figures = cash_application_figures(uow, actor.company_id, AS_OF, 90)
    # then 6 lines were decided, 4 settled by the engine alone, 3 of them completely
    assert (figures.decided_lines, figures.auto_matched_lines, figures.touchless_lines) == (6, 4, 3)
    document = kpi_document(kpi_report(uow, actor, AS_OF))
    assert document["auto_match_rate"] == 66.67
    assert document["touchless_rate"] == 50.0
    assert document["cash_lines_decided"] == 6
