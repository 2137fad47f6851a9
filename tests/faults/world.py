"""A company with open invoices and a bank statement that pays each of them, as files."""

from __future__ import annotations

from pathlib import Path

import psycopg

OWN_IBAN = "DE44500105175407324931"
CUSTOMERS = 40


def number(i: int) -> str:
    return f"INV-2026-{i:06d}"


def amount(i: int) -> str:
    return f"{100 + i % 900}.{i % 100:02d}"


def write_files(folder: Path, invoices: int) -> tuple[Path, Path, Path]:
    """customers.csv, open_items.csv and a camt.053 paying every invoice in full."""
    customers = folder / "customers.csv"
    customers.write_text(
        "customer_id,name,country\n"
        + "".join(f"F{c:03d},Fault Customer {c} GmbH,DE\n" for c in range(CUSTOMERS))
    )
    items = folder / "open_items.csv"
    items.write_text(
        "customer_id,invoice_number,issue_date,due_date,currency,amount,open_amount\n"
        + "".join(
            f"F{i % CUSTOMERS:03d},{number(i)},2026-01-05,2026-02-04,EUR,{amount(i)},{amount(i)}\n"
            for i in range(invoices)
        )
    )
    statement = folder / "statement.camt053.xml"
    entries = "".join(
        f"""<Ntry><Amt Ccy="EUR">{amount(i)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt>
<AcctSvcrRef>FLT-{i:06d}</AcctSvcrRef><NtryDtls><TxDtls><Refs><AcctSvcrRef>FLT-{i:06d}</AcctSvcrRef>
</Refs><RltdPties><Dbtr><Nm>FAULT CUSTOMER {i % CUSTOMERS} GMBH</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>{number(i)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
"""
        for i in range(invoices)
    )
    statement.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>FAULTS-1</MsgId><CreDtTm>2026-03-02T08:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>FAULTS-2026-03-02</Id><CreDtTm>2026-03-02T08:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{OWN_IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n{entries}"
        "</Stmt></BkToCstmrStmt></Document>\n"
    )
    return customers, items, statement


def value(url: str, sql: str) -> object | None:
    """The first column of the first row `sql` returns, None when it returns no row."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        row = conn.execute(sql).fetchone()
    return None if row is None else row[0]


def scalar(url: str, sql: str) -> int:
    found = value(url, sql)
    return int(str(found)) if found is not None else 0


def unbalanced_currencies(url: str) -> int:
    """Currencies whose journal lines do not sum to zero: 0 when the ledger balances."""
    return scalar(
        url,
        "select count(*) from (select currency from journal_line group by currency"
        " having sum(amount_minor) <> 0) unbalanced",
    )


def ar_control_differs(url: str) -> int:
    """The AR control account's balance less the sum of its open items (0 when they agree)."""
    return scalar(
        url,
        "select (select coalesce(sum(l.amount_minor), 0) from journal_line l"
        "  join account a on a.id = l.account_id where a.role = 'ar_control')"
        " - (select coalesce(sum(i.open_minor), 0) from open_item i"
        "  join account a on a.id = i.account_id where a.role = 'ar_control')",
    )
