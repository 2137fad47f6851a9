"""What a dunning letter says: mails from Jinja2 templates, letters and statements as PDF.

The collections engine decides *that* a customer is reminded and of which invoices; this
module decides *how it reads*. Templates live in `collections/templates/<lang>/<name>.j2`
(subject, greeting, opening, closing and sign-off blocks; `_layout.j2` composes the text and
HTML mail around the table of invoices). The printed letter reuses the same blocks, so a
mailed reminder and its printed copy say the same thing. Every document names each invoice
number with its amount, open amount and due date, in the customer's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from o2c.kernel.money import Money
from o2c.ledger.reports import CustomerStatement
from o2c.notify.formatting import format_amount, format_day, format_money
from o2c.notify.model import Attachment, Mail
from o2c.notify.pdf import Alignment, PrintedDocument
from o2c.notify.templates import (
    MailTemplates,
    candidate_languages,
    formatting_language,
    templates_of,
)

TEMPLATES = (
    "reminder_before_due",
    "reminder_due",
    "dunning_1",
    "dunning_2",
    "dunning_3",
    "promise_broken",
    "agency_handover",
)
LANGUAGES = ("en", "de", "fr", "nl")

# Words of the tables and the statement, per language; the prose is in the templates.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "colon": ": ", "invoice": "Invoice", "issue_date": "Issued", "due_date": "Due date",
        "days_overdue": "Days overdue", "amount": "Amount", "open_amount": "Open",
        "total_open": "Total open", "late_fee": "Late fee", "total_due": "Total due",
        "customer_number": "Customer no.", "attention": "Attn.",
        "statement": "Statement of account", "period": "Period", "date": "Date",
        "opening_balance": "Opening balance", "closing_balance": "Closing balance",
        "movements": "Account movements", "document": "Document", "number": "Number",
        "debit": "Debit", "credit": "Credit", "balance": "Balance", "open_items": "Open items",
        "nothing_open": "No items are open.",
        "statement_attached": "Your statement of account is attached to this e-mail.",
        "invoice_kind": "Invoice", "credit_note_kind": "Credit note",
        "payment_kind": "Payment", "refund_kind": "Refund", "adjustment_kind": "Adjustment",
    },
    "de": {
        "colon": ": ", "invoice": "Rechnung", "issue_date": "Datum", "due_date": "Fällig am",
        "days_overdue": "Tage überfällig", "amount": "Betrag", "open_amount": "Offen",
        "total_open": "Offen gesamt", "late_fee": "Mahngebühr", "total_due": "Zu zahlen",
        "customer_number": "Kundennr.", "attention": "z. Hd.",
        "statement": "Kontoauszug", "period": "Zeitraum", "date": "Datum",
        "opening_balance": "Anfangssaldo", "closing_balance": "Endsaldo",
        "movements": "Kontobewegungen", "document": "Beleg", "number": "Nummer",
        "debit": "Soll", "credit": "Haben", "balance": "Saldo", "open_items": "Offene Posten",
        "nothing_open": "Es sind keine Posten offen.",
        "statement_attached": "Ihren Kontoauszug finden Sie im Anhang dieser E-Mail.",
        "invoice_kind": "Rechnung", "credit_note_kind": "Gutschrift",
        "payment_kind": "Zahlung", "refund_kind": "Erstattung", "adjustment_kind": "Ausgleich",
    },
    "fr": {
        "colon": "\u00a0: ", "invoice": "Facture", "issue_date": "Date", "due_date": "Échéance",
        "days_overdue": "Jours de retard", "amount": "Montant", "open_amount": "Restant dû",
        "total_open": "Total restant dû", "late_fee": "Frais de retard",
        "total_due": "Total à payer", "customer_number": "N° client", "attention": "À l'att. de",
        "statement": "Relevé de compte", "period": "Période", "date": "Date",
        "opening_balance": "Solde d'ouverture", "closing_balance": "Solde de clôture",
        "movements": "Mouvements du compte", "document": "Pièce", "number": "Numéro",
        "debit": "Débit", "credit": "Crédit", "balance": "Solde",
        "open_items": "Pièces non soldées", "nothing_open": "Aucune pièce n'est ouverte.",
        "statement_attached": "Vous trouverez votre relevé de compte en pièce jointe.",
        "invoice_kind": "Facture", "credit_note_kind": "Avoir",
        "payment_kind": "Paiement", "refund_kind": "Remboursement",
        "adjustment_kind": "Régularisation",
    },
    "nl": {
        "colon": ": ", "invoice": "Factuur", "issue_date": "Datum", "due_date": "Vervaldatum",
        "days_overdue": "Dagen te laat", "amount": "Bedrag", "open_amount": "Openstaand",
        "total_open": "Totaal openstaand", "late_fee": "Aanmaningskosten",
        "total_due": "Te betalen", "customer_number": "Klantnr.", "attention": "T.a.v.",
        "statement": "Rekeningoverzicht", "period": "Periode", "date": "Datum",
        "opening_balance": "Beginsaldo", "closing_balance": "Eindsaldo",
        "movements": "Mutaties", "document": "Document", "number": "Nummer",
        "debit": "Debet", "credit": "Credit", "balance": "Saldo",
        "open_items": "Openstaande posten", "nothing_open": "Er staan geen posten open.",
        "statement_attached": "Uw rekeningoverzicht vindt u in de bijlage.",
        "invoice_kind": "Factuur", "credit_note_kind": "Creditnota",
        "payment_kind": "Betaling", "refund_kind": "Terugbetaling",
        "adjustment_kind": "Correctie",
    },
}  # fmt: skip


def labels_for(language: str) -> dict[str, str]:
    """The table words of `language` ("de-AT" uses "de"), English when not shipped."""
    return LABELS[_shipped(language)]


def _shipped(language: str) -> str:
    return next((c for c in candidate_languages(language) if c in LABELS), "en")


def _speaks(language: str) -> str:
    """The locale a document is formatted in: the customer's when its language is shipped
    (regional variants included: "de-CH"), else English, the language the text falls back to."""
    return formatting_language(language, _shipped(language))


def statement_kind(kind: str, labels: dict[str, str]) -> str:
    return labels.get(f"{kind}_kind", kind.replace("_", " "))


@dataclass(frozen=True)
class LetterItem:
    invoice_number: str
    issue_date: date
    due_date: date
    days_overdue: int
    amount: Money  # original amount
    open_amount: Money  # what is still owed (disputed part excluded by the caller)


@dataclass(frozen=True)
class DunningLetter:
    """Everything a reminder or dunning letter states, already decided by collections."""

    template: str
    language: str
    level: int
    as_of: date
    company_name: str
    customer_code: str
    customer_name: str
    contact_name: str | None
    billing_address: tuple[str, ...]
    items: tuple[LetterItem, ...]
    total_open: Money
    late_fee: Money | None = None
    pay_by: date | None = None

    @property
    def total_due(self) -> Money:
        """What the customer is asked to pay: the open total plus the late fee, if any."""
        if self.late_fee is None or self.late_fee.currency != self.total_open.currency:
            return self.total_open
        return self.total_open + self.late_fee


def _templates() -> MailTemplates:
    return templates_of("o2c.collections", "templates")


def _context(letter: DunningLetter, *, statement_attached: bool) -> dict[str, Any]:
    labels = labels_for(letter.language)
    return {
        "letter": letter,
        "items": letter.items,
        "company_name": letter.company_name,
        "customer_name": letter.customer_name,
        "customer_code": letter.customer_code,
        "contact_name": letter.contact_name,
        "as_of": letter.as_of,
        "level": letter.level,
        "total_open": letter.total_open,
        "late_fee": letter.late_fee,
        "total_due": letter.total_due,
        "pay_by": letter.pay_by,
        "labels": labels,
        "statement_attached": statement_attached,
        "items_text": _items_text(letter, labels),
        "several": len(letter.items) > 1,
        "invoice_list": ", ".join(i.invoice_number for i in letter.items),
        "invoice_summary": _summary([i.invoice_number for i in letter.items]),
        "earliest_due": min((i.due_date for i in letter.items), default=letter.as_of),
        "max_days_overdue": max((i.days_overdue for i in letter.items), default=0),
    }


def _summary(numbers: list[str], shown: int = 3) -> str:
    """Invoice numbers for a subject line: the first few, then how many more ("+ 4")."""
    if len(numbers) <= shown + 1:
        return ", ".join(numbers)
    return f"{', '.join(numbers[:shown])} + {len(numbers) - shown}"


def _item_cells(item: LetterItem, language: str, *, symbol: bool = True) -> list[str]:
    def money(m: Money) -> str:
        return format_money(m, language) if symbol else format_amount(m, language)

    return [
        item.invoice_number,
        format_day(item.issue_date, language),
        format_day(item.due_date, language),
        str(item.days_overdue),
        money(item.amount),
        money(item.open_amount),
    ]


def _item_headers(labels: dict[str, str]) -> list[str]:
    return [
        labels["invoice"],
        labels["issue_date"],
        labels["due_date"],
        labels["days_overdue"],
        labels["amount"],
        labels["open_amount"],
    ]


def _items_text(letter: DunningLetter, labels: dict[str, str]) -> str:
    """The invoices as an aligned plain-text table (text part of the mail)."""
    lang = _speaks(letter.language)
    rows = [_item_headers(labels)] + [_item_cells(i, lang) for i in letter.items]
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.ljust(width) if col < 3 else cell.rjust(width)
            for col, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def compose_dunning_mail(
    letter: DunningLetter, to: tuple[str, ...], statement: CustomerStatement | None
) -> Mail:
    """Subject, text and HTML from the letter's template; the statement attached as a PDF.

    The attachment is named `statement-<customer_code>-<as_of>.pdf`. The mail names every
    invoice number, amount and due date of the letter.
    """
    rendered = _templates().render(
        letter.template, letter.language, _context(letter, statement_attached=bool(statement))
    )
    attachments: tuple[Attachment, ...] = ()
    if statement is not None:
        content = statement_pdf(
            statement,
            company_name=letter.company_name,
            customer_code=letter.customer_code,
            customer_name=letter.customer_name,
            language=letter.language,
        )
        filename = f"statement-{_safe(letter.customer_code)}-{letter.as_of.isoformat()}.pdf"
        attachments = (Attachment(filename, "application/pdf", content),)
    return Mail(
        to=to, subject=rendered.subject, text=rendered.text, html=rendered.html,
        attachments=attachments,
    )  # fmt: skip


def _safe(code: str) -> str:
    """A customer code usable in a file name (codes may hold slashes or spaces)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in code) or "customer"


def _created(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def letter_pdf(letter: DunningLetter) -> bytes:
    """The letter for print (postal channel): address window, date, the invoices, the text."""
    templates = _templates()
    context = _context(letter, statement_attached=False)
    labels: dict[str, str] = context["labels"]

    def block(name: str) -> str:
        return templates.render_block(letter.template, letter.language, name, context)

    subject = " ".join(block("subject").split())
    doc = PrintedDocument(
        title=subject, author=letter.company_name, created=_created(letter.as_of),
        footer=f"{letter.company_name} · {labels['customer_number']} {letter.customer_code}",
    )  # fmt: skip
    doc.small(letter.company_name)
    doc.space(2)
    recipient = [letter.customer_name]
    if letter.contact_name:
        recipient.append(f"{labels['attention']} {letter.contact_name}")
    doc.lines([*recipient, *letter.billing_address])
    doc.space(10)
    doc.lines([format_day(letter.as_of, _speaks(letter.language), "long")], align="R")
    doc.lines([f"{labels['customer_number']} {letter.customer_code}"], align="R")
    doc.space(6)
    doc.heading(subject)
    doc.paragraph(block("greeting"))
    doc.paragraph(block("opening"))
    _letter_table(doc, letter, labels)
    doc.paragraph(block("closing"))
    doc.lines(block("signoff").splitlines())
    return doc.output()


def _letter_table(doc: PrintedDocument, letter: DunningLetter, labels: dict[str, str]) -> None:
    lang = _speaks(letter.language)
    currency = letter.total_open.currency
    rows = [_item_cells(i, lang, symbol=False) for i in letter.items]
    totals: list[tuple[str, Money]] = [(labels["total_open"], letter.total_open)]
    if letter.late_fee is not None:
        totals += [(labels["late_fee"], letter.late_fee), (labels["total_due"], letter.total_due)]
    for label, money in totals:
        blank = ["", "", "", ""]
        rows.append([label, *blank, format_money(money, lang, symbol=False)])
    headers = _item_headers(labels)
    headers[4] = f"{headers[4]} ({currency})"
    headers[5] = f"{headers[5]} ({currency})"
    align: list[Alignment] = ["L", "L", "L", "R", "R", "R"]
    doc.table(headers, rows, widths=(34, 24, 24, 20, 34, 34), align=align, bold_last=True)


def statement_pdf(
    statement: CustomerStatement,
    *,
    company_name: str,
    customer_code: str,
    customer_name: str,
    language: str,
) -> bytes:
    """The statement of account: per currency the opening balance, every movement with the
    running balance, the closing balance; then the items still open with their due dates
    and days overdue on the statement's last day."""
    labels = labels_for(language)
    language = _speaks(language)
    period = f"{format_day(statement.start, language)} – {format_day(statement.end, language)}"
    doc = PrintedDocument(
        title=f"{labels['statement']} {customer_code}", author=company_name,
        created=_created(statement.end),
        footer=f"{company_name} · {labels['customer_number']} {customer_code}",
    )  # fmt: skip
    doc.small(company_name)
    doc.space(2)
    doc.lines([customer_name])
    doc.space(8)
    doc.heading(labels["statement"])
    doc.lines(
        [
            f"{labels['customer_number']} {customer_code}",
            f"{labels['period']}{labels['colon']}{period}",
            f"{labels['date']}{labels['colon']}{format_day(statement.end, language)}",
        ]
    )
    doc.space(4)
    currencies = sorted(
        set(statement.opening)
        | set(statement.closing)
        | {line.currency for line in statement.lines}
    )
    for currency in sorted(currencies):
        _movements(doc, statement, currency, labels, language)
    _open_items(doc, statement, labels, language)
    return doc.output()


def _movements(
    doc: PrintedDocument,
    statement: CustomerStatement,
    currency: str,
    labels: dict[str, str],
    language: str,
) -> None:
    def amount(minor: int) -> str:
        return format_amount(Money.from_minor(minor, currency), language)

    opening = statement.opening.get(currency, 0)
    rows = [[format_day(statement.start, language), labels["opening_balance"], "", "", "",
             amount(opening)]]  # fmt: skip
    balance = opening
    for line in statement.lines:
        if line.currency != currency:
            continue
        balance += line.amount_minor
        debit = amount(line.amount_minor) if line.amount_minor > 0 else ""
        credit = amount(-line.amount_minor) if line.amount_minor < 0 else ""
        rows.append([format_day(line.day, language), statement_kind(line.kind, labels),
                     line.document_number, debit, credit, amount(balance)])  # fmt: skip
    closing = statement.closing.get(currency, 0)
    rows.append([format_day(statement.end, language), labels["closing_balance"], "", "", "",
                 amount(closing)])  # fmt: skip
    doc.heading(f"{labels['movements']} ({currency})", size=11)
    headers = [labels["date"], labels["document"], labels["number"], labels["debit"],
               labels["credit"], labels["balance"]]  # fmt: skip
    align: Sequence[Alignment] = ("L", "L", "L", "R", "R", "R")
    doc.table(headers, rows, widths=(22, 30, 36, 27, 27, 28), align=align, bold_last=True)


def _open_items(
    doc: PrintedDocument, statement: CustomerStatement, labels: dict[str, str], language: str
) -> None:
    doc.heading(labels["open_items"], size=11)
    if not statement.open_items:
        doc.paragraph(labels["nothing_open"])
        return
    rows = []
    totals: dict[str, int] = {}
    for item in statement.open_items:
        overdue = max(0, (statement.end - item.due_date).days)
        rows.append([
            item.document_number,
            statement_kind(item.kind, labels),
            format_day(item.doc_date, language),
            format_day(item.due_date, language),
            str(overdue),
            format_money(Money.from_minor(item.amount_minor, item.currency), language,
                         symbol=False),
            format_money(Money.from_minor(item.open_minor, item.currency), language,
                         symbol=False),
        ])  # fmt: skip
        totals[item.currency] = totals.get(item.currency, 0) + item.open_minor
    for currency, minor in sorted(totals.items()):
        total = format_money(Money.from_minor(minor, currency), language, symbol=False)
        rows.append([labels["total_open"], "", "", "", "", "", total])
    headers = [labels["number"], labels["document"], labels["issue_date"], labels["due_date"],
               labels["days_overdue"], labels["amount"], labels["open_amount"]]  # fmt: skip
    align: Sequence[Alignment] = ("L", "L", "L", "L", "R", "R", "R")
    doc.table(headers, rows, widths=(30, 22, 21, 21, 16, 30, 30), align=align, bold_last=True)
