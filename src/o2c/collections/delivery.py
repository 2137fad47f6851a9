"""From recorded email and letter actions to mails and printed letters, and report back.

Runs after `running.run_dunning` has committed, so composing letters and statements (and
talking to the SMTP server) is outside the run's time budget, and a crash in between loses
nothing: every scheduled email action without a mail is picked up by the next call. The
actions are claimed with `FOR UPDATE SKIP LOCKED`, so two workers never mail one action twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from o2c.collections.letters import DunningLetter, LetterItem, compose_dunning_mail, letter_pdf
from o2c.collections.model import ActionStatus
from o2c.collections.service import active_strategy
from o2c.collections.tables import CollectionAction
from o2c.db.uow import UnitOfWork
from o2c.disputes.service import disputed_minor_by_item
from o2c.kernel.money import Money
from o2c.ledger.reports import customer_statement
from o2c.ledger.tables import OpenItem
from o2c.notify.model import DeliveryReport, MailStatus
from o2c.notify.service import MailTransport, deliver_pending, mail_status, queue_mail
from o2c.parties.events import EventCreate, record_events
from o2c.parties.model import AddressKind, ContactRole
from o2c.parties.tables import Address, Contact, Customer
from o2c.security.model import Actor, Permission
from o2c.security.service import get_company

SOURCE_KIND = "collection_action"
CHUNK = 200  # actions composed per transaction


def recipients(
    uow: UnitOfWork, company_id: int, customer_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """Customer id → where its collection mail goes: its AR contacts, else its own email."""
    out: dict[int, list[str]] = defaultdict(list)
    for cid, email in uow.session.execute(
        select(Contact.customer_id, Contact.email)
        .where(
            Contact.company_id == company_id,
            Contact.customer_id.in_(customer_ids),
            Contact.role == ContactRole.AR.value,
            Contact.email.is_not(None),
        )
        .order_by(Contact.id)
    ):
        if email and email not in out[cid]:
            out[cid].append(email)
    for cid, email in uow.session.execute(
        select(Customer.id, Customer.email).where(
            Customer.company_id == company_id, Customer.id.in_(customer_ids)
        )
    ):
        if not out[cid] and email:
            out[cid].append(email)
    return {cid: tuple(found) for cid, found in out.items() if found}


def _contact_names(uow: UnitOfWork, company_id: int, ids: Sequence[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for cid, name in uow.session.execute(
        select(Contact.customer_id, Contact.name)
        .where(
            Contact.company_id == company_id,
            Contact.customer_id.in_(ids),
            Contact.role == ContactRole.AR.value,
        )
        .order_by(Contact.id)
    ):
        names.setdefault(cid, name)
    return names


def _addresses(uow: UnitOfWork, company_id: int, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    lines: dict[int, tuple[str, ...]] = {}
    for a in uow.session.scalars(
        select(Address)
        .where(
            Address.company_id == company_id,
            Address.customer_id.in_(ids),
            Address.kind == AddressKind.BILLING.value,
        )
        .order_by(Address.is_default.desc(), Address.id)
    ):
        if a.customer_id not in lines:
            city = " ".join(p for p in (a.postal_code, a.city) if p)
            lines[a.customer_id] = tuple(p for p in (a.line1, a.line2, city, a.country) if p)
    return lines


def _claim(
    uow: UnitOfWork, company_id: int, as_of: date | None, channel: str = "email"
) -> list[CollectionAction]:
    query = (
        select(CollectionAction)
        .where(
            CollectionAction.company_id == company_id,
            CollectionAction.status == ActionStatus.SCHEDULED.value,
            CollectionAction.channel == channel,
            CollectionAction.mail_id.is_(None),
            CollectionAction.template.is_not(None),
        )
        .order_by(CollectionAction.id)
        .limit(CHUNK)
        .with_for_update(skip_locked=True)
    )
    if as_of is not None:
        query = query.where(CollectionAction.as_of == as_of)
    return list(uow.session.scalars(query))


def queue_mails(uow: UnitOfWork, actor: Actor, as_of: date | None = None) -> int:
    """Compose and queue the mail of every scheduled email action (of `as_of`, or any day).

    Each mail goes to the customer's AR contacts (else the customer's address), names every
    invoice it is about with amount and due date, and carries the statement of account as a
    PDF. Returns the number of mails queued.
    """
    actor.require(Permission.COLLECTIONS_RUN)
    queued = 0
    while True:
        with uow:
            actions = _claim(uow, actor.company_id, as_of)
            if not actions:
                return queued
            queued += _compose(uow, actor, actions)
            uow.commit()


def _letters(
    uow: UnitOfWork, actor: Actor, actions: list[CollectionAction]
) -> tuple[dict[int, Customer], dict[int, DunningLetter]]:
    """The customers of `actions` and, per action id, the letter it sends."""
    company = get_company(uow, actor.company_id)
    found = active_strategy(uow, actor.company_id)
    pay_within = found[1].pay_within_days if found else 7
    ids = sorted({a.customer_id for a in actions})
    customers = {c.id: c for c in uow.session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    names, addresses = (
        _contact_names(uow, actor.company_id, ids),
        _addresses(uow, actor.company_id, ids),
    )
    item_ids = [i for a in actions for i in a.item_ids["ids"]]
    items = {
        i.id: i for i in uow.session.scalars(select(OpenItem).where(OpenItem.id.in_(item_ids)))
    }
    disputed = disputed_minor_by_item(uow, actor.company_id, item_ids)
    letters = {}
    for action in actions:
        customer = customers[action.customer_id]
        covered = [items[i] for i in action.item_ids["ids"]]
        letters[action.id] = DunningLetter(
            template=action.template or "dunning_1",
            language=customer.language or "en",
            level=action.level,
            as_of=action.as_of,
            company_name=company.name,
            customer_code=customer.code,
            customer_name=customer.name,
            contact_name=names.get(customer.id),
            billing_address=addresses.get(customer.id, ()),
            items=tuple(_letter_item(i, disputed.get(i.id, 0), action.as_of) for i in covered),
            total_open=Money.from_minor(action.amount_minor, action.currency),
            late_fee=None,
            pay_by=action.as_of + timedelta(days=pay_within),
        )
    return customers, letters


def _compose(uow: UnitOfWork, actor: Actor, actions: list[CollectionAction]) -> int:
    customers, letters = _letters(uow, actor, actions)
    to = recipients(uow, actor.company_id, sorted(customers))
    events, queued = [], 0
    for action in actions:
        customer = customers[action.customer_id]
        if action.customer_id not in to:
            action.status, action.reason = ActionStatus.SKIPPED.value, "no email address"
            continue
        letter = letters[action.id]
        start = min(i.issue_date for i in letter.items)
        statement = customer_statement(uow, actor, customer.id, start, action.as_of)
        mail = compose_dunning_mail(letter, to[customer.id], statement)
        action.mail_id = queue_mail(
            uow, actor, mail, customer_id=customer.id, source_kind=SOURCE_KIND, source_id=action.id
        )
        events.append(
            EventCreate(
                customer.id,
                "mail",
                f"{mail.subject} to {', '.join(mail.to)}",
                f"outgoing_mail:{action.mail_id}",
            )
        )
        queued += 1
    record_events(uow, actor, events)
    return queued


def print_letters(uow: UnitOfWork, actor: Actor, as_of: date, out_dir: Path) -> list[Path]:
    """Render the day's postal dunning letters as PDFs for print; returns the files written.

    Each letter goes to `out_dir/<as_of>/<customer code>-<action id>.pdf` and its action is
    marked sent (printed). A file's name depends only on its action, so a print run that
    fails before its commit is simply run again: it rewrites the same files.
    """
    actor.require(Permission.COLLECTIONS_RUN)
    folder = out_dir / as_of.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    while True:
        with uow:
            actions = _claim(uow, actor.company_id, as_of, channel="letter")
            if not actions:
                return written
            customers, letters = _letters(uow, actor, actions)
            events = []
            for action in actions:
                customer = customers[action.customer_id]
                path = folder / f"{customer.code}-{action.id}.pdf"
                partial = path.with_suffix(".pdf.part")
                partial.write_bytes(letter_pdf(letters[action.id]))
                partial.replace(path)
                action.status, action.reason = ActionStatus.SENT.value, f"printed {path.name}"
                events.append(
                    EventCreate(customer.id, "letter", f"{action.template} printed", path.name)
                )
                written.append(path)
            record_events(uow, actor, events)
            uow.commit()


def _letter_item(item: OpenItem, disputed_minor: int, as_of: date) -> LetterItem:
    return LetterItem(
        invoice_number=item.document_number,
        issue_date=item.doc_date,
        due_date=item.due_date,
        days_overdue=max(0, (as_of - item.due_date).days),
        amount=Money.from_minor(item.amount_minor, item.currency),
        open_amount=Money.from_minor(item.open_minor - disputed_minor, item.currency),
    )


def deliver(uow: UnitOfWork, actor: Actor, transport: MailTransport) -> DeliveryReport:
    """Send the company's queued mails and bring the actions' statuses up to date."""
    actor.require(Permission.COLLECTIONS_RUN)
    report = deliver_pending(uow, transport, company_id=actor.company_id)
    sync_statuses(uow, actor)
    return report


STATUS_OF_MAIL = {
    MailStatus.SENT: ActionStatus.SENT,
    MailStatus.FAILED: ActionStatus.FAILED,
    MailStatus.QUEUED: ActionStatus.SCHEDULED,
    MailStatus.SENDING: ActionStatus.SCHEDULED,
}


def sync_statuses(uow: UnitOfWork, actor: Actor) -> int:
    """Copy each mailed action's delivery status from its mail; returns how many changed."""
    actor.require(Permission.COLLECTIONS_RUN)
    with uow:
        actions = list(
            uow.session.scalars(
                select(CollectionAction).where(
                    CollectionAction.company_id == actor.company_id,
                    CollectionAction.mail_id.is_not(None),
                    CollectionAction.status.in_(
                        [ActionStatus.SCHEDULED.value, ActionStatus.FAILED.value]
                    ),
                )
            )
        )
        statuses = mail_status(uow, actor.company_id, SOURCE_KIND, [a.id for a in actions])
        changed = 0
        for action in actions:
            status = STATUS_OF_MAIL.get(statuses.get(action.id, MailStatus.QUEUED))
            if status is not None and status.value != action.status:
                action.status, changed = status.value, changed + 1
                action.reason = "" if status == ActionStatus.SENT else "mail delivery failed"
        uow.commit()
        return changed
