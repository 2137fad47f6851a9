"""`o2c edi ...` as an integrator's script runs it: partner, import with its 997, export."""

from __future__ import annotations

from o2c.catalog.model import ProductCreate
from o2c.catalog.service import create_product, install_defaults
from o2c.kernel.money import Money
from o2c.parties.service import get_customer
from tests.app.client import o2c
from tests.formats.formats_corpus import DATA
from tests.orders.builders import a_customer
from tests.x12_reader import read_back

AOJUK = DATA / "edi850" / "Inteligenz__X12Parser__850_From_aojuk.txt"


def test_partner_import_and_997_from_the_command_line(database, uow, actor, tmp_path):
    install_defaults(uow, actor)
    for sku, unit in (("123456", "pk"), ("654321", "pc")):
        create_product(uow, actor, ProductCreate(sku, sku, Money("1.00", "USD"), unit=unit))
    customer = a_customer(uow, actor, currency="USD")
    code = get_customer(uow, actor, customer).code

    added = o2c(database, "edi", "partner", code, "--id", "SITESTUFFP2P", "--our-id", "SUPPLIERID")
    imported = o2c(database, "edi", "import", str(AOJUK), "--ack-out", str(tmp_path / "997.edi"))
    again = o2c(database, "edi", "import", str(AOJUK))
    missing = o2c(database, "edi", "export", "810", "INV-NONE", "--out", str(tmp_path / "x"))

    assert added.exit_code == 0, added.output
    assert imported.exit_code == 0, imported.output
    assert "PO 6190" in imported.output
    assert read_back((tmp_path / "997.edi").read_bytes()).one("AK9")[1] == "A"
    assert "already imported" in again.output
    assert missing.exit_code != 0
