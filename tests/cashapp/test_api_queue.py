"""The exception queue through the API: suggestions, manual match, learning, ignore."""

from __future__ import annotations

from pathlib import Path

from tests.app.client import api_client, o2c

FILES = Path(__file__).with_name("files")
API = "/api/v1/cashapp"


def _camt(ref: str, amount: str, payer: str, text: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>{ref}</MsgId><CreDtTm>2026-03-02T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-{ref}</Id><CreDtTm>2026-03-02T08:00:00</CreDtTm>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt>
<AcctSvcrRef>{ref}</AcctSvcrRef><BkTxCd/><NtryDtls><TxDtls>
<Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>
<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>""".encode()


def _client(engine, clock):
    database = engine.url.render_as_string(hide_password=False)
    for args in (
        ("init",),
        ("import", "customers", str(FILES / "customers.csv")),
        ("import", "open-items", str(FILES / "open_items.csv")),
    ):
        assert o2c(database, *args).exit_code == 0
    return api_client(engine, clock)


def _queued(client) -> list[dict]:
    response = client.get(f"{API}/queue")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _item_ids(client) -> dict[str, int]:
    response = client.get("/api/v1/ledger/open-items", params={"limit": 500})
    assert response.status_code == 200, response.text
    return {i["document_number"]: i["id"] for i in response.json()["items"]}


def test_manual_match_teaches_the_payer_name_for_the_next_line(engine, clock):
    # given a line from a payer name nobody knows, with no reference, waiting in the queue
    client = _client(engine, clock)
    upload = client.post(
        f"{API}/statements",
        params={"filename": "a.xml"},
        content=_camt("Q-1", "250.00", "NORTHWIND HOLDING", "PAYMENT MARCH"),
    )
    assert upload.status_code == 201, upload.text
    assert client.post(f"{API}/match", json={}).status_code == 200
    [waiting] = _queued(client)
    # when a person matches it by hand to the customer's invoice
    items = _item_ids(client)
    manual = client.post(
        f"{API}/lines/{waiting['id']}/match",
        json={"allocations": [{"invoice_item_id": items["INV-2026-000102"], "amount": "250.00"}]},
    )
    # and the same payer pays another invoice of that customer the next day
    client.post(
        f"{API}/statements",
        params={"filename": "b.xml"},
        content=_camt("Q-2", "119.00", "NORTHWIND HOLDING", "PAYMENT APRIL"),
    )
    second = client.post(f"{API}/match", json={}).json()
    # then the first line is applied by hand and the second without anyone
    assert manual.status_code == 200, manual.text
    assert manual.json()["status"] == "applied"
    assert manual.json()["decision"]["learned"]["aliases"] == ["NORTHWIND HOLDING"]
    assert second["by_status"] == {"applied": 1}
    assert _queued(client) == []


def test_ignored_line_leaves_the_queue_and_cannot_be_matched_again(engine, clock):
    # given an interest credit waiting in the queue
    client = _client(engine, clock)
    client.post(f"{API}/statements", content=_camt("Q-3", "1.23", "", "INTEREST Q1"))
    client.post(f"{API}/match", json={})
    [waiting] = _queued(client)
    # when a person ignores it, then tries to match it
    ignored = client.post(f"{API}/lines/{waiting['id']}/ignore", json={"reason": "interest"})
    again = client.post(
        f"{API}/lines/{waiting['id']}/match",
        json={"allocations": [{"invoice_item_id": 1, "amount": "1.23"}]},
    )
    # then it is out of the queue and the second decision is refused
    assert ignored.status_code == 200
    assert ignored.json()["status"] == "ignored"
    assert _queued(client) == []
    assert again.status_code == 409


def test_accepting_a_suggestion_applies_it(engine, clock):
    # given a line that pays one of two equal open amounts of a customer (ambiguous)
    client = _client(engine, clock)
    client.post(f"{API}/statements", content=_camt("Q-4", "200.00", "BETA SARL", "ACOMPTE"))
    client.post(f"{API}/match", json={"threshold": 1.0})
    [waiting] = _queued(client)
    line = client.get(f"{API}/lines/{waiting['id']}").json()
    # when the best suggestion is accepted
    accepted = client.post(f"{API}/lines/{waiting['id']}/accept", json={"index": 0})
    # then the line is settled with that suggestion's invoices
    assert line["decision"]["suggestions"], line
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] in {"applied", "on_account", "deduction"}
    assert accepted.json()["payment_id"] is not None


def test_manual_match_beyond_the_open_amount_is_refused(engine, clock):
    # given a waiting line
    client = _client(engine, clock)
    client.post(f"{API}/statements", content=_camt("Q-5", "999.00", "NOBODY", "X"))
    client.post(f"{API}/match", json={})
    [waiting] = _queued(client)
    items = _item_ids(client)
    # when a person allocates more than the invoice's open amount
    response = client.post(
        f"{API}/lines/{waiting['id']}/match",
        json={"allocations": [{"invoice_item_id": items["INV-2026-000101"], "amount": "500.00"}]},
    )
    # then the request is refused naming the allocation
    assert response.status_code == 422
    assert "allocations[0].amount" in response.text
