"""Sensitive data: masked in API responses unless the role needs it, always masked in logs,
and secrets read from the environment or from `O2C_<NAME>_FILE`."""

from __future__ import annotations

import io
import logging

import pytest

from o2c.app.logs import log_handler
from o2c.kernel.config import Settings
from o2c.kernel.masking import mask_account, mask_tax_id, mask_text
from o2c.parties.contacts import add_bank_account
from o2c.parties.model import BankAccountCreate, CustomerCreate
from o2c.parties.service import create_customer
from o2c.security.credentials import CredentialKind, create_credential
from o2c.security.model import Role
from tests.app.client import api_client
from tests.log_hygiene import leaks, remember_secret

IBAN = "DE89370400440532013000"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("from DE89370400440532013000 EUR", "from DE89 **** **** **** 3000 EUR"),
        ("from DE89 3704 0044 0532 0130 00.", "from DE89 **** **** **** 3000."),
        ("card 4111 1111 1111 1111 declined", "card 4111 **** **** **** 1111 declined"),
        ("password=hunter22 user=ann", "password=**** user=ann"),
        ('{"api_key": "k-9f8e7d", "n": 1}', '{"api_key": "****", "n": 1}'),
        ("Authorization: Bearer eyJ0.abc", "Authorization: ****"),
        ("stored $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "stored $argon2****"),
        (
            "invoice 2026-000123 of 1234567890123 units",
            "invoice 2026-000123 of 1234567890123 units",
        ),
    ],
)
def test_log_text_is_masked_once_and_for_all(text, masked):
    assert mask_text(text) == masked
    assert mask_text(masked) == masked


def test_accounts_and_tax_ids_keep_only_their_ends():
    assert mask_account("DE89 3704 0044 0532 0130 00") == "DE89 **** **** **** 3000"
    assert mask_account(mask_account(IBAN)) == mask_account(IBAN)
    assert mask_tax_id("DE123456789") == "DE*******89"
    assert mask_account("") == ""


def test_the_log_handler_masks_messages_extras_and_tracebacks():
    stream = io.StringIO()
    logger = logging.getLogger("o2c.test.masking")
    logger.addHandler(log_handler("json", stream))
    logger.setLevel(logging.INFO)
    logger.propagate = False
    secret = remember_secret("k-7f3a9b1c2d")
    try:
        logger.info("refund to %s", IBAN, extra={"api_key": secret, "payer": IBAN})
        try:
            raise ValueError(f"bad account {IBAN}")
        except ValueError:
            logger.exception("import failed")
    finally:
        logger.handlers.clear()

    written = stream.getvalue()
    assert "DE89 **** **** **** 3000" in written
    assert leaks(written.splitlines(), {secret}) == []
    assert IBAN not in written


def test_the_leak_check_names_the_offending_line():
    lines = ["ok DE89 **** **** **** 3000", f"paid {IBAN}", "hash $argon2id$v=19$m=1$x$y"]

    found = leaks(lines, {"k-7f3a9b1c2d"})

    assert found == [f"IBAN '{IBAN}': paid {IBAN}", "argon2 hash: hash $argon2id$v=19$m=1$x$y"]


def test_secrets_come_from_a_file_named_by_an_o2c_file_variable(tmp_path, monkeypatch):
    (tmp_path / "smtp").write_text("s3cret-from-file\n")
    monkeypatch.setenv("O2C_SMTP_PASSWORD_FILE", str(tmp_path / "smtp"))
    monkeypatch.delenv("O2C_SMTP_PASSWORD", raising=False)

    assert Settings().smtp_password == "s3cret-from-file"
    monkeypatch.setenv("O2C_SMTP_PASSWORD", "from-env")
    assert Settings().smtp_password == "from-env"


@pytest.mark.storage
def test_api_shows_accounts_and_tax_ids_in_full_only_to_roles_that_need_them(
    engine, clock, uow, actor
):
    customer = create_customer(
        uow, actor, CustomerCreate("C1", "Kunde GmbH", tax_id="DE123456789")
    ).id
    add_bank_account(uow, actor, customer, BankAccountCreate(IBAN))
    client = api_client(engine, clock)
    keys = {
        role: create_credential(uow, actor, CredentialKind.API_KEY, role.value, {role}).api_key
        for role in (Role.AR_CLERK, Role.AUDITOR)
    }

    def seen(role: Role) -> tuple[str, str]:
        headers = {"X-API-Key": remember_secret(keys[role])}
        got = client.get(f"/api/v1/customers/{customer}", headers=headers).json()
        [account] = client.get(
            f"/api/v1/customers/{customer}/bank-accounts", headers=headers
        ).json()
        return got["tax_id"], account["iban"]

    assert seen(Role.AR_CLERK) == ("DE123456789", IBAN)
    assert seen(Role.AUDITOR) == ("DE*******89", "DE89 **** **** **** 3000")
