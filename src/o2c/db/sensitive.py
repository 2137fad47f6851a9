"""Sensitive fields on the wire: bank accounts and tax ids, masked unless the caller may see them.

Read models declare such a field as `MaskedAccount` or `MaskedTaxId`; it is stored and
validated as the full value and masked when the response is written, unless the request's
actor holds `sensitive.read` (the composition root sets `reveal_sensitive` per request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import PlainSerializer

from o2c.kernel.masking import mask_account, mask_document, mask_tax_id, reveal_sensitive


def _unless_revealed(mask: Callable[[str], str]) -> Callable[[str], str]:
    def serialize(value: str) -> str:
        return value if reveal_sensitive.get() else mask(value)

    return serialize


def masked_json(value: Any) -> Any:
    """A JSON-like document with every IBAN, card number and secret in its strings masked,
    unless revealed (evidence that quotes accounts)."""
    return value if reveal_sensitive.get() else mask_document(value)


MaskedAccount = Annotated[str, PlainSerializer(_unless_revealed(mask_account), return_type=str)]
MaskedTaxId = Annotated[str, PlainSerializer(_unless_revealed(mask_tax_id), return_type=str)]
