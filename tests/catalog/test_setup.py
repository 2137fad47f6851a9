"""Tax rates, payment terms and the defaults every new company starts from."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from o2c.catalog.model import PaymentTerm, TermBasis
from o2c.catalog.service import (
    EXEMPT_REASON,
    create_payment_term,
    ensure_payment_terms,
    find_payment_term,
    get_payment_term,
    install_defaults,
    list_payment_terms,
    set_tax_rate,
    tax_rates,
)
from o2c.catalog.tables import PaymentTerm as PaymentTermRow
from o2c.db.outbox import OutboxEvent
from o2c.kernel.errors import NotFound, ValidationFailed


def test_defaults_give_standard_tax_categories_and_terms(uow, actor):
    install_defaults(uow, actor)

    rates = tax_rates(uow, actor.company_id)
    assert {c: r.percent for c, r in rates.items()} == {
        "standard": Decimal(19),
        "reduced": Decimal(7),
        "zero": Decimal(0),
        "exempt": Decimal(0),
    }
    assert rates["exempt"].exemption_reason == EXEMPT_REASON
    assert rates["standard"].rate == Decimal("0.19")
    assert [t.code for t in list_payment_terms(uow, actor.company_id)] == [
        "2/10NET30",
        "EOM30",
        "NET15",
        "NET30",
        "NET60",
    ]


def test_installing_defaults_again_keeps_what_the_company_changed(uow, actor):
    install_defaults(uow, actor)
    set_tax_rate(uow, actor, "standard", "Standard rate", Decimal(20))

    install_defaults(uow, actor)

    assert tax_rates(uow, actor.company_id)["standard"].percent == Decimal(20)
    assert len(list_payment_terms(uow, actor.company_id)) == 5


def test_tax_rate_rules(uow, actor):
    with pytest.raises(ValidationFailed) as caught:
        set_tax_rate(uow, actor, "Luxury Goods", "", Decimal("120.5"), "because")

    assert {(e.field, e.reason) for e in caught.value.errors} == {
        ("category", "must be 1 to 30 lower-case letters, digits or _"),
        ("name", "must be 1 to 120 characters"),
        ("percent", "must be between 0 and 100"),
        ("exemption_reason", "only a zero rate can be an exemption"),
    }


def test_terms_are_found_by_their_code_as_users_type_it(uow, actor):
    install_defaults(uow, actor)

    term = find_payment_term(uow, actor.company_id, "2/10 net 30")

    assert term.code == "2/10NET30"
    assert get_payment_term(uow, actor.company_id, term.id) == term
    with pytest.raises(NotFound):
        find_payment_term(uow, actor.company_id, "NET90")


def test_a_term_may_carry_its_own_code_and_name(uow, actor):
    created = create_payment_term(
        uow, actor, PaymentTerm("STANDARD", "Our usual terms", TermBasis.EOM, 45)
    )

    assert find_payment_term(uow, actor.company_id, "STANDARD") == created
    with pytest.raises(ValidationFailed, match="'STANDARD' already exists"):
        create_payment_term(uow, actor, PaymentTerm("STANDARD", "Again", TermBasis.NET, 1))


def test_ensuring_terms_creates_only_the_missing_readable_ones(uow, actor):
    install_defaults(uow, actor)

    ids = ensure_payment_terms(uow, actor, ["net30", "NET45", "3/15 NET 60"])

    assert ids["net30"] == find_payment_term(uow, actor.company_id, "NET30").id
    assert get_payment_term(uow, actor.company_id, ids["NET45"]).days == 45
    assert get_payment_term(uow, actor.company_id, ids["3/15 NET 60"]).code == "3/15NET60"
    with uow:
        topics = uow.session.scalars(
            select(OutboxEvent.topic).where(OutboxEvent.topic == "payment_term.created")
        ).all()
    assert len(topics) == 5 + 2


def test_ensuring_an_unreadable_term_creates_nothing(uow, actor):
    with pytest.raises(ValidationFailed, match="not a term code"):
        ensure_payment_terms(uow, actor, ["NET45", "whenever"])

    with uow:
        assert uow.session.scalar(select(func.count()).select_from(PaymentTermRow)) == 0
