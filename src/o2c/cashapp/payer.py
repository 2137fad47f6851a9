"""Who paid: the customer behind a bank line's account, name or customer number.

A known IBAN is the best evidence; a name is good when it meets a customer's legal name or a
learned alias after folding, or the start of one (bank name fields are cut at 35
characters); a fuzzy name is weak and only scored among customers that share a rare word
with the payer, which keeps it fast at tens of thousands of customers.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from o2c.cashapp.model import CustomerProfile
from o2c.cashapp.normalize import account_key, core_words, fold, name_key
from o2c.formats.statement import BankLine

IBAN_WEIGHT = 3.0
CODE_WEIGHT = 3.0
ALIAS_WEIGHT = 3.0
NAME_WEIGHT = 2.5
TRUNCATED_WEIGHT = 2.0
SHARED_PENALTY = 1.5
ONE_WORD_PENALTY = 1.0
MIN_TRUNCATED = 16
RARE_TOKEN = 400
_CODE_TOKEN = re.compile(r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{2,}\b")


@dataclass(frozen=True, slots=True)
class PayerMatch:
    """One customer the payer may be, with the log-odds weight of that evidence."""

    customer_id: int
    how: str
    weight: float
    reason: str


def _blocks(token: str) -> tuple[str, ...]:
    """Index keys of a name word for fuzzy candidates: the word, its start and its end."""
    if len(token) < 3:
        return ()
    if len(token) < 6:
        return (token,)
    return (token, "^" + token[:4], token[-4:] + "$")


def _add(table: dict[str, list[int]], key: str, customer_id: int) -> None:
    if key:
        ids = table.setdefault(key, [])
        if not ids or ids[-1] != customer_id:
            ids.append(customer_id)


class PayerIndex:
    """Customers by account, folded name and alias, name prefix, name word and code."""

    def __init__(self, customers: Iterable[CustomerProfile], fuzzy_min_score: float) -> None:
        self.customers: dict[int, CustomerProfile] = {}
        self.children: dict[int, list[int]] = {}
        self.keys: dict[int, tuple[str, ...]] = {}
        self._by_account: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._by_alias: dict[str, list[int]] = {}
        self._by_token: dict[str, list[int]] = {}
        self._by_code: dict[str, int] = {}
        self._folded: list[tuple[str, int]] = []
        self._min_score = fuzzy_min_score
        # Name readings per payer name: pure, and the same payers recur all through a run.
        self._named: dict[str, tuple[PayerMatch, ...]] = {}
        self._fuzzy_seen: dict[str, tuple[PayerMatch, ...]] = {}
        for customer in customers:
            self._add_customer(customer)
        self._folded.sort()

    def _add_customer(self, customer: CustomerProfile) -> None:
        cid = customer.customer_id
        self.customers[cid] = customer
        if customer.parent_id is not None:
            self.children.setdefault(customer.parent_id, []).append(cid)
        for iban in customer.ibans:
            _add(self._by_account, account_key(iban), cid)
        folded = [fold(name) for name in (customer.name, *customer.aliases)]
        keys = [core_words(f) for f in folded]
        self.keys[cid] = tuple(dict.fromkeys(k for k in keys + folded if k))
        _add(self._by_name, keys[0], cid)
        for key in keys[1:]:
            _add(self._by_alias, key, cid)
        for key in keys:
            for token in key.split():
                for block in _blocks(token):
                    _add(self._by_token, block, cid)
        for full in folded:
            self._folded.append((full, cid))
        if customer.code:
            self._by_code[customer.code.upper()] = cid

    def family(self, customer_id: int) -> tuple[int, ...]:
        """The customer and its subsidiaries: whose invoices a payment from it may settle."""
        return (customer_id, *self.children.get(customer_id, ()))

    def code(self, customer_id: int) -> str:
        customer = self.customers.get(customer_id)
        return customer.code if customer and customer.code else f"customer {customer_id}"

    def identify(self, line: BankLine) -> list[PayerMatch]:
        """Every customer the payer may be, strongest evidence first."""
        found: dict[int, PayerMatch] = {}
        for match in self._by_iban(line.counterparty_account):
            found[match.customer_id] = match
        for match in self._by_codes(line.remittance_text):
            found.setdefault(match.customer_id, match)
        name = line.counterparty_name.strip()
        if name:
            by_name = self._named.get(name)
            if by_name is None:
                by_name = self._named[name] = tuple(self._by_names(name))
            for match in by_name:
                current = found.get(match.customer_id)
                if current is None or current.weight < match.weight:
                    found[match.customer_id] = match
            if not found:
                for match in self._fuzzy_cached(name):
                    found[match.customer_id] = match
        return sorted(found.values(), key=lambda m: (-m.weight, m.customer_id))

    def _fuzzy_cached(self, name: str) -> tuple[PayerMatch, ...]:
        """`_fuzzy` once per payer name: the same payers pay again and again in a run."""
        matches = self._fuzzy_seen.get(name)
        if matches is None:
            matches = self._fuzzy_seen[name] = tuple(self._fuzzy(name))
        return matches

    def _by_iban(self, account: str) -> list[PayerMatch]:
        key = account_key(account)
        ids = self._by_account.get(key, []) if key else []
        weight = IBAN_WEIGHT - (SHARED_PENALTY if len(ids) > 1 else 0.0)
        return [PayerMatch(cid, "iban", weight, f"IBAN known for {self.code(cid)}") for cid in ids]

    def _by_codes(self, text: str) -> list[PayerMatch]:
        matches = []
        for token in _CODE_TOKEN.findall(text.upper()):
            cid = self._by_code.get(token)
            if cid is not None:
                reason = f"customer number {token} in the text"
                matches.append(PayerMatch(cid, "code", CODE_WEIGHT, reason))
        return matches

    def _by_names(self, name: str) -> list[PayerMatch]:
        key = name_key(name)
        quoted = name if len(name) <= 40 else name[:37] + "..."
        for table, how, weight in (
            (self._by_alias, "alias", ALIAS_WEIGHT),
            (self._by_name, "name", NAME_WEIGHT),
        ):
            ids = table.get(key, [])
            if ids:
                weight -= SHARED_PENALTY if len(ids) > 1 else 0.0
                common = " " not in key and len(self._by_token.get(key, ())) > len(ids)
                weight -= ONE_WORD_PENALTY if common else 0.0
                noun = "a known alias of" if how == "alias" else "the name of"
                return [
                    PayerMatch(cid, how, weight, f"payer '{quoted}' is {noun} {self.code(cid)}")
                    for cid in ids
                ]
        return self._truncated(name, quoted)

    def _truncated(self, name: str, quoted: str) -> list[PayerMatch]:
        folded = fold(name)
        if len(folded) < MIN_TRUNCATED:
            return []
        start = bisect.bisect_left(self._folded, (folded, -1))
        ids: list[int] = []
        for full, cid in self._folded[start : start + 4]:
            if not full.startswith(folded):
                break
            if cid not in ids:
                ids.append(cid)
        weight = TRUNCATED_WEIGHT - (SHARED_PENALTY if len(ids) > 1 else 0.0)
        reason = "payer '{q}' is the start of the name of {c}"
        return [
            PayerMatch(cid, "truncated", weight, reason.format(q=quoted, c=self.code(cid)))
            for cid in ids
        ]

    def _fuzzy(self, name: str) -> list[PayerMatch]:
        key, folded = name_key(name), fold(name)
        pool = self._pool(key)
        if not pool:
            return []
        flat = [(k, cid) for cid in sorted(pool) for k in self.keys[cid]]
        best: dict[int, float] = {}
        for query in dict.fromkeys((key, folded)):
            scored = process.extract(
                query,
                [k for k, _ in flat],
                scorer=fuzz.token_sort_ratio,
                limit=3,
                score_cutoff=self._min_score,
            )
            for _, score, position in scored:
                cid = flat[position][1]
                best[cid] = max(best.get(cid, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:2]
        close = len(ranked) > 1 and ranked[0][1] - ranked[1][1] < 3.0
        span = 100.0 - self._min_score + 1.0
        return [
            PayerMatch(
                cid,
                "fuzzy",
                0.5 + 2.0 * (score - self._min_score) / span - (1.0 if close else 0.0),
                f"payer name resembles {self.code(cid)} ({score:.0f}%)",
            )
            for cid, score in ranked
        ]

    def _pool(self, key: str) -> set[int]:
        """Customers sharing one of the payer's two rarest blocks (word, word start or end).

        A mistyped word still shares its start or end with the right name; common blocks
        ("trading", "gmbh") are skipped, so the fuzzy scorer only sees a few hundred names.
        """
        blocks = {b for token in key.split() for b in _blocks(token)}
        lists: Sequence[list[int]] = sorted(
            (self._by_token[b] for b in blocks if b in self._by_token), key=len
        )
        pool: set[int] = set()
        for ids in lists[:2]:
            if len(ids) <= RARE_TOKEN:
                pool.update(ids)
        return pool

    def resemblance(self, name: str, customer_id: int) -> float:
        """How much the payer's name looks like the customer's names (0–100)."""
        key = name_key(name)
        if not key:
            return 0.0
        keys = self.keys.get(customer_id, ())
        return max((float(fuzz.token_sort_ratio(key, k)) for k in keys), default=0.0)
