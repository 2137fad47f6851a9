"""`o2c user`, `o2c apikey` and `o2c oauth-client`: the operator's tools for access."""

from __future__ import annotations

from o2c.security.users import authenticate
from tests.app.client import api_client, o2c
from tests.builders import a_customer


def test_operator_adds_lists_disables_and_changes_users(database, uow, actor):
    a_customer(uow, actor, code="C1")

    staff = o2c(database, "user", "add", "clerk@acme.example", "--password", "long enough",
                "--role", "ar_clerk", "--role", "collector", "--name", "Clara")  # fmt: skip
    portal = o2c(database, "user", "add", "buyer@c1.example", "--password", "long enough",
                 "--customer", "C1")  # fmt: skip
    roles = o2c(database, "user", "roles", "clerk@acme.example", "--role", "auditor")
    disabled = o2c(database, "user", "disable", "buyer@c1.example")
    listing = o2c(database, "user", "list")

    assert staff.exit_code == 0, staff.stderr
    assert "user clerk@acme.example added (ar_clerk,collector)" in staff.stdout
    assert "portal user buyer@c1.example added (customer)" in portal.stdout
    assert roles.stdout.strip() == "clerk@acme.example: auditor"
    assert "disabled" in disabled.stdout
    assert "clerk@acme.example" in listing.stdout
    assert "buyer@c1.example" in listing.stdout
    user = authenticate(
        uow, email="clerk@acme.example", password="long enough", portal=False, client="t"
    )
    assert user.roles == "auditor"


def test_bad_input_is_one_readable_line(database, actor):
    short = o2c(database, "user", "add", "x@acme.example", "--password", "short", "--role", "admin")
    unknown = o2c(database, "user", "passwd", "nobody@acme.example", "--password", "long enough")

    assert short.exit_code == 1
    assert short.stderr.strip() == "error: password: must have at least 8 characters"
    assert unknown.stderr.strip() == "error: user nobody@acme.example not found"


def test_an_api_key_is_shown_once_works_and_is_revoked(database, engine, clock, actor):
    created = o2c(database, "apikey", "create", "erp", "--role", "auditor")
    key = created.stdout.strip().splitlines()[-1]
    key_id = key.removeprefix("o2c_").split(".")[0]
    client = api_client(engine, clock, authenticated=False)

    assert client.get("/api/v1/ledger/accounts", headers={"X-API-Key": key}).status_code == 200
    listing = o2c(database, "apikey", "list")
    assert key_id in listing.stdout
    assert key.split(".")[1] not in listing.stdout
    assert o2c(database, "apikey", "revoke", key_id).exit_code == 0
    assert client.get("/api/v1/ledger/accounts", headers={"X-API-Key": key}).status_code == 401


def test_an_oauth_client_gets_tokens_with_the_printed_secret(database, engine, clock, actor):
    created = o2c(database, "oauth-client", "create", "bank-portal")
    fields = dict(line.split("=", 1) for line in created.stdout.splitlines() if "=" in line)
    client = api_client(engine, clock, authenticated=False)

    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", **fields},
    )

    assert response.status_code == 200
    assert fields["client_id"] in o2c(database, "oauth-client", "list").stdout
