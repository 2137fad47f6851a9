"""The demo company's letterhead: how its invoices present it (address, VAT id, bank, logo).

The logo is drawn here (a blue bar with a white band) so the demo ships no image file; the
Peppol electronic address is the company's German VAT number (scheme 9930).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from o2c.billing.presentable import LetterheadSet
from o2c.billing.presentment import set_letterhead
from o2c.db.uow import UnitOfWork
from o2c.security.model import Actor

DEMO_VAT_ID = "DE811907980"


def demo_logo() -> bytes:
    """A 300×80 PNG: the wholesaler's mark."""
    image = Image.new("RGB", (300, 80), (18, 64, 122))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 52, 300, 60), fill=(255, 255, 255))
    draw.rectangle((16, 14, 44, 42), fill=(242, 169, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def demo_letterhead() -> LetterheadSet:
    return LetterheadSet(
        legal_name="Demo Company GmbH",
        street="Am Sandtorkai 50",
        postal_code="20457",
        city="Hamburg",
        country="DE",
        iban="DE34 2005 0550 1234 5678 90",
        bic="HASPDEHHXXX",
        bank_name="Hamburger Sparkasse",
        vat_id=DEMO_VAT_ID,
        registration="HRB 123456, Amtsgericht Hamburg",
        contact_name="Accounts receivable",
        phone="+49 40 3007 1200",
        email="ar@demo-company.example",
        website="www.demo-company.example",
        endpoint_scheme="9930",
        endpoint_id=DEMO_VAT_ID,
        logo_png=demo_logo(),
        footer="Managing director: Jana Beispiel",
    )


def install_letterhead(uow: UnitOfWork, actor: Actor) -> None:
    set_letterhead(uow, actor, demo_letterhead())
