"""Every API call needs a credential: API key, OAuth2 bearer token, or a staff web session."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from o2c.app.web_auth import CSRF_HEADER, SESSION_COOKIE
from o2c.security.access_tables import ApiCredential
from o2c.security.credentials import CredentialKind, create_credential, revoke_credential
from o2c.security.model import Role, system_actor
from o2c.security.service import create_company
from o2c.security.sessions import start_session
from o2c.security.users import create_user
from tests.app.client import api_client
from tests.app.test_api import assert_problem
from tests.builders import a_customer, an_invoice

ACCOUNTS = "/api/v1/ledger/accounts"


@pytest.fixture
def anonymous(engine, clock, actor):
    return api_client(engine, clock, authenticated=False)


def a_key(uow, actor, *roles, kind=CredentialKind.API_KEY):
    return create_credential(uow, actor, kind, "integration", roles or (Role.ADMIN,))


def test_a_request_without_credentials_is_a_401_problem(anonymous):
    response = anonymous.get(ACCOUNTS)

    body = assert_problem(response, 401, "unauthorized")
    assert "API key" in body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_key_works_in_its_header_and_as_bearer_until_revoked(anonymous, uow, actor, clock):
    issued = a_key(uow, actor)

    assert anonymous.get(ACCOUNTS, headers={"X-API-Key": issued.api_key}).status_code == 200
    bearer = {"Authorization": f"Bearer {issued.api_key}"}
    assert anonymous.get(ACCOUNTS, headers=bearer).status_code == 200
    with uow:
        used = uow.session.scalar(
            select(ApiCredential.last_used_at).where(ApiCredential.id == issued.credential.id)
        )
    assert used == clock.now()

    revoke_credential(uow, actor, CredentialKind.API_KEY, issued.credential.public_id)
    assert_problem(anonymous.get(ACCOUNTS, headers=bearer), 401, "unauthorized")


@pytest.mark.parametrize(
    "header",
    [
        {"X-API-Key": "o2c_0000000000000000.nope"},
        {"X-API-Key": "garbage"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_wrong_credentials_are_refused(anonymous, uow, actor, header):
    issued = a_key(uow, actor)
    tampered = {"X-API-Key": issued.api_key[:-2] + "xx"}

    assert_problem(anonymous.get(ACCOUNTS, headers=header), 401, "unauthorized")
    assert_problem(anonymous.get(ACCOUNTS, headers=tampered), 401, "unauthorized")


def test_the_credential_decides_the_company(anonymous, uow, actor):
    with uow:
        beta = create_company(uow, "BETA", "Beta Ltd", "USD")
        uow.commit()
    acme_key = a_key(uow, actor).api_key
    beta_key = a_key(uow, system_actor(beta.id)).api_key

    def currency(key: str, company: str) -> str:
        headers = {"X-API-Key": key, "X-Company": company}
        return anonymous.get("/api/v1/ledger/trial-balance", headers=headers).json()[
            "base_currency"
        ]

    assert currency(acme_key, "BETA") == "EUR"
    assert currency(beta_key, "ACME") == "USD"


def test_a_read_only_key_is_refused_a_change_with_a_403_problem(anonymous, uow, actor):
    invoice = an_invoice(uow, actor, a_customer(uow, actor), "10.00")
    auditor = {"X-API-Key": a_key(uow, actor, Role.AUDITOR).api_key}
    body = {"item_id": invoice.item_id, "amount_minor": 1000, "on": "2026-03-01"}

    response = anonymous.post("/api/v1/ledger/write-offs", json=body, headers=auditor)

    problem = assert_problem(response, 403, "forbidden")
    assert "lacks permission" in problem["detail"]
    assert anonymous.get(ACCOUNTS, headers=auditor).status_code == 200


def token_of(client, client_id, secret, **extra):
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/oauth/token", data={**form, **extra})


def test_oauth_client_credentials_grant_gives_a_short_lived_bearer_token(
    anonymous, uow, actor, clock
):
    issued = a_key(uow, actor, Role.CONTROLLER, kind=CredentialKind.OAUTH_CLIENT)
    client_id = issued.credential.public_id

    response = token_of(anonymous, client_id, issued.secret)

    assert response.status_code == 200
    grant = response.json()
    assert grant["token_type"] == "Bearer"
    assert grant["expires_in"] == 3600
    assert response.headers["Cache-Control"] == "no-store"
    bearer = {"Authorization": f"Bearer {grant['access_token']}"}
    assert anonymous.get(ACCOUNTS, headers=bearer).status_code == 200

    clock.advance(seconds=3600)
    assert_problem(anonymous.get(ACCOUNTS, headers=bearer), 401, "unauthorized")


def test_oauth_accepts_http_basic_and_revocation_ends_its_tokens(anonymous, uow, actor):
    issued = a_key(uow, actor, kind=CredentialKind.OAUTH_CLIENT)
    client_id = issued.credential.public_id
    response = anonymous.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, issued.secret)
    )
    bearer = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert anonymous.get(ACCOUNTS, headers=bearer).status_code == 200

    revoke_credential(uow, actor, CredentialKind.OAUTH_CLIENT, client_id)

    assert_problem(anonymous.get(ACCOUNTS, headers=bearer), 401, "unauthorized")
    assert token_of(anonymous, client_id, issued.secret).status_code == 401


def test_oauth_errors_carry_the_rfc_error_code(anonymous, uow, actor):
    issued = a_key(uow, actor, kind=CredentialKind.OAUTH_CLIENT)
    client_id = issued.credential.public_id
    api_key = a_key(uow, actor)

    wrong = token_of(anonymous, client_id, "guess")
    key_as_client = token_of(anonymous, api_key.credential.public_id, api_key.secret)
    grant = token_of(anonymous, client_id, issued.secret, grant_type="password")

    assert assert_problem(wrong, 401, "unauthorized")["error"] == "invalid_client"
    assert assert_problem(key_as_client, 401, "unauthorized")["error"] == "invalid_client"
    assert assert_problem(grant, 400, "unsupported_grant_type")["error"] == (
        "unsupported_grant_type"
    )


def signed_in_cookie(uow, actor, customer_id=None):
    user = create_user(
        uow,
        actor,
        email="someone@acme.example",
        name="Someone",
        password="long enough",
        roles=[Role.CUSTOMER] if customer_id else [Role.CONTROLLER],
        customer_id=customer_id,
    )
    return start_session(uow, user)


def test_a_staff_session_calls_the_api_and_needs_its_csrf_token_to_change(anonymous, uow, actor):
    session = signed_in_cookie(uow, actor)
    anonymous.cookies.set(SESSION_COOKIE, session.token)
    invoice = an_invoice(uow, actor, a_customer(uow, actor), "10.00")
    body = {"item_id": invoice.item_id, "amount_minor": 1000, "on": str(date(2026, 3, 1))}

    assert anonymous.get(ACCOUNTS).status_code == 200
    forged = anonymous.post("/api/v1/ledger/write-offs", json=body)
    assert_problem(forged, 403, "forbidden")
    done = anonymous.post(
        "/api/v1/ledger/write-offs", json=body, headers={CSRF_HEADER: session.csrf_secret}
    )
    assert done.status_code == 201


def test_a_portal_session_does_not_open_the_api(anonymous, uow, actor):
    session = signed_in_cookie(uow, actor, customer_id=a_customer(uow, actor))
    anonymous.cookies.set(SESSION_COOKIE, session.token)

    assert_problem(anonymous.get(ACCOUNTS), 401, "unauthorized")
