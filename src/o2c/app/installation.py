"""Setting up an installation: a first company with its chart of accounts and defaults."""

from __future__ import annotations

from dataclasses import dataclass

from o2c.catalog.service import install_defaults
from o2c.db.uow import UnitOfWork
from o2c.ledger.service import install_chart
from o2c.security.model import system_actor
from o2c.security.service import create_company, list_companies


@dataclass(frozen=True)
class Installed:
    company_code: str
    base_currency: str
    created: bool


def install_company(uow: UnitOfWork, code: str, name: str, currency: str) -> Installed:
    """Create the first company with its chart, taxes and terms, unless a company exists.

    Safe to run again: an existing installation keeps its companies untouched. The company,
    its chart and its defaults are one transaction, so a failed set-up leaves no half company.
    """
    with uow:
        existing = list_companies(uow)
        if existing:
            first = existing[0]
            return Installed(first.code, first.base_currency, created=False)
        company = create_company(uow, code, name, currency)
        install_chart(uow, company.id)
        install_defaults(uow, system_actor(company.id, "o2c init"))
        uow.commit()
        return Installed(company.code, company.base_currency, created=True)
