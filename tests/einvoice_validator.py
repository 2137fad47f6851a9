"""The official EN 16931 / Peppol / Factur-X validation artefacts, run offline in tests.

Layers, as ../shared/data/einvoice/VALIDATING.md orders them:
- UBL: OASIS UBL 2.1 XSD → CEN EN 16931 UBL rules → Peppol BIS 3.0 UBL rules;
- CII: Factur-X 1.09.2 EN 16931 XSD → Factur-X EN16931 rules → CEN EN 16931 CII rules.
XSD by lxml; Schematron (compiled to XSLT) by saxonche. Each stylesheet is compiled once per
test session from its file path (its `document()` look-ups of code lists resolve beside it),
then documents are validated from text. A finding is a `failed-assert` or a
`successful-report`; its flag fatal/error (or none) rejects the document, warning does not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

EINVOICE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "einvoice"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

UBL_XSD = {
    "Invoice": EINVOICE / "oasis-ubl-2.1/xsd/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": EINVOICE / "oasis-ubl-2.1/xsd/maindoc/UBL-CreditNote-2.1.xsd",
}
UBL_RULES = (
    EINVOICE / "en16931/ubl/xslt/EN16931-UBL-validation.xslt",
    EINVOICE / "peppol-bis3/xslt-generated/PEPPOL-EN16931-UBL.xslt",
)
FACTURX = EINVOICE / "facturx-zugferd/facturx-1.09.2/facturx-en16931"
CII_XSD = FACTURX / "Factur-X_EN16931.xsd"
CII_RULES = (
    FACTURX / "FACTUR-X_EN16931.xslt",
    EINVOICE / "en16931/cii/xslt/EN16931-CII-validation.xslt",
)


@dataclass(frozen=True)
class Finding:
    layer: str
    rule: str
    flag: str
    text: str

    @property
    def rejects(self) -> bool:
        return self.flag in ("fatal", "error")

    def __str__(self) -> str:
        return f"[{self.layer}] {self.rule} ({self.flag}): {self.text}"


def require_artefacts() -> None:
    """Skip, saying why, when ../shared with the official artefacts is not beside the repo."""
    if not EINVOICE.is_dir():
        pytest.skip(f"official e-invoice artefacts not found at {EINVOICE}: need ../shared")
    pytest.importorskip("saxonche")


@functools.cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


@functools.cache
def _processor() -> object:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@functools.cache
def _stylesheet(path: Path) -> object:
    processor = _processor()
    xslt = processor.new_xslt30_processor()  # type: ignore[attr-defined]
    return xslt.compile_stylesheet(stylesheet_file=str(path))


def _xsd_findings(layer: str, schema_path: Path, xml: bytes) -> list[Finding]:
    schema = _schema(schema_path)
    if schema.validate(etree.fromstring(xml)):
        return []
    return [Finding(layer, "XSD", "fatal", f"line {e.line}: {e.message}") for e in schema.error_log]


def _schematron_findings(path: Path, xml: bytes) -> list[Finding]:
    processor = _processor()
    document = processor.parse_xml(xml_text=xml.decode("utf-8"))  # type: ignore[attr-defined]
    try:
        report = _stylesheet(path).transform_to_string(xdm_node=document)  # type: ignore[attr-defined]
    except Exception as exc:  # a dynamic XPath error aborts Saxon: that is a reject
        return [Finding(path.name, "XPath", "fatal", str(exc))]
    svrl = etree.fromstring(report.encode("utf-8"))
    found = []
    for node in svrl.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
        text = " ".join("".join(node.itertext()).split())
        found.append(Finding(path.name, node.get("id", "?"), node.get("flag") or "fatal", text))
    return found


def validate_ubl(xml: bytes) -> list[Finding]:
    """Every finding of the XSD and both rule sets on a UBL Invoice or CreditNote."""
    root = etree.QName(etree.fromstring(xml)).localname
    found = _xsd_findings("UBL XSD", UBL_XSD[root], xml)
    if found:
        return found
    for rules in UBL_RULES:
        found += _schematron_findings(rules, xml)
    return found


def validate_cii(xml: bytes) -> list[Finding]:
    """Every finding of the Factur-X EN 16931 XSD and both rule sets on a CII document."""
    found = _xsd_findings("Factur-X XSD", CII_XSD, xml)
    if found:
        return found
    for rules in CII_RULES:
        found += _schematron_findings(rules, xml)
    return found


def assert_valid(findings: list[Finding]) -> None:
    """No fatal or error finding; warnings are shown only when something else fails."""
    rejects = [f for f in findings if f.rejects]
    assert not rejects, "\n".join(str(f) for f in findings)
