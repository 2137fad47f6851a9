"""The demo company's catalog: product families, price lists in USD and GBP, two warehouses.

Products are built from family templates ("Hex bolt {v} zinc-plated, box of 100" × sizes),
so the catalog reads like a technical wholesaler's: mostly standard-rated goods, books and
canteen supplies at the reduced rate, services, and training that is exempt from VAT.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from o2c.catalog.model import PriceBreak, PriceListCreate, ProductCreate
from o2c.catalog.service import create_price_list, create_product
from o2c.db.uow import UnitOfWork
from o2c.inventory.service import MoveCommand, create_warehouse, receive_stock
from o2c.kernel.money import Money
from o2c.security.model import Actor

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Family:
    prefix: str
    unit: str
    tax_category: str
    stocked: bool
    items: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name template, base price, variants)


FAMILIES: tuple[Family, ...] = (
    Family("FAS", "box", "standard", True, (
        ("Hex bolt {v} zinc-plated, box of 100", "14.90",
         ("M6x30", "M8x40", "M10x50", "M12x60", "M16x80")),
        ("Wood screw {v}, box of 200", "9.80", ("3.5x30", "4x40", "5x60", "6x80")),
        ("Wall plug {v}, box of 100", "6.40", ("6 mm", "8 mm", "10 mm", "12 mm")),
        ("Washer DIN 125 {v}, box of 500", "7.20", ("M6", "M8", "M10", "M12")),
        ("Hex nut DIN 934 {v}, box of 250", "8.60", ("M6", "M8", "M10", "M12", "M16")),
        ("Stainless hex bolt A2 {v}, box of 50", "21.50", ("M6x30", "M8x40", "M10x50")),
        ("Self-drilling screw {v}, box of 500", "16.20", ("4.2x13", "4.8x19", "5.5x25")),
        ("Anchor bolt {v}, box of 50", "27.40", ("M8x75", "M10x90", "M12x110")),
        ("Blind rivet {v}, box of 500", "12.60", ("3.2x8", "4x10", "4.8x12")),
    )),
    Family("HTL", "pc", "standard", True, (
        ("Combination spanner {v}", "7.90", ("8 mm", "10 mm", "13 mm", "17 mm", "19 mm", "24 mm")),
        ("Screwdriver set {v}", "24.50", ("slotted 6 pcs", "Phillips 6 pcs", "Torx 8 pcs")),
        ("Claw hammer {v}", "18.90", ("300 g", "500 g", "700 g")),
        ("Socket set 1/2 in., {v}", "64.00", ("24 pcs", "36 pcs", "94 pcs")),
        ("Spirit level {v}", "22.40", ("40 cm", "60 cm", "100 cm", "180 cm")),
        ("Tape measure {v}", "9.90", ("3 m", "5 m", "8 m")),
        ("Pipe wrench {v}", "29.80", ("1 in.", "1.5 in.", "2 in.")),
        ("Pliers, {v}", "16.90", ("combination 180 mm", "long nose 200 mm", "side cutter 160 mm",
                                  "water pump 250 mm")),
        ("Hex key set, {v}", "12.40", ("metric 9 pcs", "imperial 9 pcs")),
        ("Utility knife {v}", "8.90", ("18 mm", "25 mm")),
    )),
    Family("PWT", "pc", "standard", True, (
        ("Cordless drill driver 18 V, {v}", "189.00", ("body only", "2 x 2.0 Ah", "2 x 5.0 Ah")),
        ("Angle grinder {v}", "119.00", ("115 mm 850 W", "125 mm 1200 W", "230 mm 2200 W")),
        ("Battery pack 18 V {v}", "69.00", ("2.0 Ah", "4.0 Ah", "5.0 Ah", "8.0 Ah")),
        ("Impact driver 18 V, {v}", "159.00", ("body only", "2 x 4.0 Ah")),
        ("Jigsaw {v}", "139.00", ("650 W", "800 W")),
        ("Rotary hammer SDS-plus {v}", "229.00", ("800 W", "1100 W")),
        ("Circular saw {v}", "179.00", ("165 mm 1400 W", "190 mm 1600 W")),
        ("Drill bit set, {v}", "34.00", ("HSS 19 pcs", "SDS-plus 7 pcs", "masonry 5 pcs")),
    )),
    Family("PPE", "pc", "standard", True, (
        ("Safety gloves, cut level B, size {v}", "5.40", ("7", "8", "9", "10", "11")),
        ("Safety helmet EN 397, {v}", "12.80", ("white", "yellow", "blue", "red")),
        ("Hi-vis vest EN ISO 20471, size {v}", "6.90", ("M", "L", "XL", "XXL")),
        ("Safety boots S3, size {v}", "79.00", ("40", "41", "42", "43", "44", "45", "46")),
        ("Safety glasses, {v}", "4.80", ("clear", "tinted", "over-spec")),
        ("Ear defenders {v}", "19.90", ("SNR 27 dB", "SNR 33 dB")),
        ("FFP2 respirator masks, {v}", "17.50", ("box of 20", "box of 50")),
        ("Disposable coveralls type 5/6, size {v}", "7.60", ("M", "L", "XL", "XXL")),
        ("Knee pads, {v}", "21.00", ("gel", "foam")),
    )),
    Family("ELE", "pc", "standard", True, (
        ("Installation cable NYM-J {v}, 100 m", "62.00", ("3x1.5", "3x2.5", "5x1.5", "5x2.5")),
        ("Circuit breaker B{v}", "6.30", ("10 A", "16 A", "20 A", "32 A")),
        ("LED panel 60x60 cm, {v}", "39.00", ("30 W 4000 K", "40 W 4000 K", "40 W 6500 K")),
        ("Junction box IP65, {v}", "4.20", ("80x80 mm", "100x100 mm", "150x110 mm")),
        ("Cable ties {v}, pack of 100", "3.90", ("2.5x100", "3.6x200", "4.8x300")),
        ("Extension reel {v}", "49.00", ("25 m", "40 m", "50 m")),
        ("Socket outlet, {v}", "5.80", ("single white", "double white", "single IP44")),
        ("Rubber cable H07RN-F {v}, 50 m", "74.00", ("3G1.5", "3G2.5")),
        ("Cable lug set, {v}", "26.00", ("insulated 300 pcs", "tubular 150 pcs")),
    )),
    Family("PKG", "pack", "standard", True, (
        ("Stretch film 23 µm, {v}", "21.00", ("500 mm, 6 rolls", "450 mm, 6 rolls")),
        ("Cardboard box {v}, pack of 25", "18.50", ("300x200x150", "400x300x200", "600x400x400")),
        ("Packing tape 50 mm x 66 m, {v}", "11.90", ("brown, 6 rolls", "clear, 6 rolls")),
        ("Pallet labels {v}", "14.00", ("A5, 500", "A4, 250")),
        ("Bubble wrap {v}", "23.50", ("500 mm x 100 m", "1000 mm x 50 m")),
        ("Edge protectors {v}", "19.00", ("35x35 mm, 500 pcs", "50x50 mm, 250 pcs")),
    )),
    Family("LUB", "pc", "standard", True, (
        ("Multi-purpose oil spray, {v}", "6.90", ("400 ml", "500 ml")),
        ("Hydraulic oil HLP 46, {v}", "38.00", ("5 l", "20 l")),
        ("Cutting fluid, {v}", "29.00", ("5 l", "20 l")),
        ("Industrial degreaser, {v}", "24.00", ("5 l", "10 l")),
        ("Lithium grease, {v}", "8.40", ("400 g cartridge", "1 kg tin")),
        ("Penetrating oil, {v}", "7.40", ("400 ml", "5 l")),
    )),
    Family("BKS", "pc", "reduced", True, (
        ("Handbook: {v}", "49.00", ("Electrical installation practice",
                                    "Hydraulics for technicians", "Occupational safety law",
                                    "Welding technology")),
        ("Pocket guide: {v}", "19.80", ("DIN fasteners", "Cable sizing", "First aid at work")),
        ("Wall chart: {v}", "12.50", ("Torque values", "Thread sizes")),
    )),
    Family("CAT", "pc", "reduced", True, (
        ("Coffee beans {v}, 1 kg", "17.90", ("Crema", "Espresso", "Decaf")),
        ("Mineral water {v}, crate of 12 x 1 l", "8.40", ("still", "sparkling")),
        ("Tea selection, {v}", "6.50", ("100 bags", "200 bags")),
        ("Biscuit assortment, {v}", "12.90", ("2 kg", "5 kg")),
    )),
    Family("SRV", "h", "standard", False, (
        ("{v}", "85.00", ("Installation service, per hour", "Maintenance visit, per hour",
                          "Equipment calibration, per hour", "Emergency call-out, per hour")),
    )),
    Family("TRN", "seat", "exempt", False, (
        ("Training course: {v}", "390.00", ("Working at height", "Electrical safety (EN 50110)",
                                           "Forklift operator licence", "First aid at work")),
    )),
)  # fmt: skip

PRICE_LISTS = (("USD-LIST", "US dollar prices", "USD", Decimal("1.12")),
               ("GBP-LIST", "Pound sterling prices", "GBP", Decimal("0.87")))  # fmt: skip
WAREHOUSES = (("HAM", "Hamburg central warehouse"), ("MUC", "Munich regional warehouse"))


@dataclass(frozen=True)
class DemoProduct:
    id: int
    sku: str
    name: str
    family: str
    unit: str
    price: Decimal
    tax_category: str
    stocked: bool


@dataclass(frozen=True)
class Catalog:
    products: list[DemoProduct]
    warehouses: list[int]

    def family(self, prefix: str) -> list[DemoProduct]:
        return [p for p in self.products if p.family == prefix]


def product_specs(rng: random.Random, scale: float) -> list[tuple[Family, str, str, Decimal]]:
    """(family, SKU, name, price) for every product; at a smaller scale, fewer variants of each
    item but every family kept, so every tax category still appears."""
    specs = []
    for family in FAMILIES:
        number = 1000
        for template, base, variants in family.items:
            keep = max(1, round(len(variants) * scale)) if family.stocked else len(variants)
            for step, variant in enumerate(variants[:keep]):
                number += 10
                factor = Decimal(1) + Decimal(step) * Decimal("0.18")
                noise = Decimal(rng.randint(95, 105)) / 100
                price = (Decimal(base) * factor * noise).quantize(CENT, ROUND_HALF_UP)
                specs.append(
                    (family, f"{family.prefix}-{number}", template.format(v=variant), price)
                )
    return specs


def install_catalog(uow: UnitOfWork, actor: Actor, rng: random.Random, scale: float) -> Catalog:
    """Products, the USD and GBP price lists, and the two (still empty) warehouses."""
    products = []
    for family, sku, name, price in product_specs(rng, scale):
        created = create_product(
            uow,
            actor,
            ProductCreate(
                sku, name, Money(price, "EUR"), family.tax_category, family.unit, family.stocked
            ),
        )
        products.append(
            DemoProduct(
                created.id, sku, name, family.prefix, family.unit, price, family.tax_category,
                family.stocked,
            )
        )  # fmt: skip
    for code, name, currency, factor in PRICE_LISTS:
        items = tuple(
            PriceBreak(p.id, Money(_list_price(p.price * factor), currency)) for p in products
        )
        create_price_list(uow, actor, PriceListCreate(code, name, currency, items))
    warehouses = [create_warehouse(uow, actor, code, name).id for code, name in WAREHOUSES]
    return Catalog(products, warehouses)


def _list_price(amount: Decimal) -> Decimal:
    """Round a converted price the way price lists are set: to .x9 ("12.49", "118.99")."""
    tenths = (amount * 10).quantize(Decimal(1), ROUND_HALF_UP) / 10
    return max(Decimal("0.09"), tenths - CENT).quantize(CENT)


def restock(
    uow: UnitOfWork, actor: Actor, product: DemoProduct, warehouse_id: int, quantity: int, day: date
) -> None:
    """Receive a supplier delivery into a warehouse."""
    receive_stock(
        uow,
        actor,
        MoveCommand(
            product.id,
            warehouse_id,
            Decimal(quantity),
            reason="supplier delivery",
            reference=f"PO-{day:%Y%m}-{product.sku}",
            move_date=day,
        ),
    )
