"""A small namespace-free element tree with line numbers, read through defusedxml.

camt messages come in a dozen schema versions whose namespaces differ only in the version
number, so elements are kept by local name. Each element remembers its line so a refused file
names the line to fix. defusedxml refuses DTDs and entity tricks (XXE, billion laughs).
"""

from __future__ import annotations

import xml.sax
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.xmlreader import AttributesImpl, Locator

from defusedxml import DefusedXmlException  # type: ignore[import-untyped, unused-ignore]
from defusedxml.sax import parseString  # type: ignore[import-untyped, unused-ignore]

from o2c.formats.encoding import decode_text
from o2c.formats.problems import Problems


@dataclass
class Node:
    tag: str
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def find(self, path: str) -> Node | None:
        """First element at a `/`-separated path of local names below this one."""
        node: Node | None = self
        for name in path.split("/"):
            if node is None:
                return None
            node = next((c for c in node.children if c.tag == name), None)
        return node

    def findall(self, path: str) -> list[Node]:
        head, _, last = path.rpartition("/")
        parent = self.find(head) if head else self
        return [c for c in parent.children if c.tag == last] if parent else []

    def value(self, path: str) -> str:
        node = self.find(path)
        return node.text.strip() if node is not None else ""

    def iter(self, tag: str) -> Iterator[Node]:
        for child in self.children:
            if child.tag == tag:
                yield child
            yield from child.iter(tag)


class _Builder(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.stack: list[Node] = []
        self.root: Node | None = None
        self.parts: list[list[str]] = []

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802
        line = self.locator.getLineNumber() if self.locator else 0
        local = {k.rpartition(":")[2]: v for k, v in attrs.items()}
        node = Node(name.rpartition(":")[2], line or 0, local)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)
        self.parts.append([])

    def endElement(self, name: str) -> None:  # noqa: N802
        node = self.stack.pop()
        node.text = "".join(self.parts.pop())

    def characters(self, content: str) -> None:
        if self.parts:
            self.parts[-1].append(content)


def _parse(data: bytes | str) -> Node | None:
    builder = _Builder()
    parseString(data, builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    return builder.root


def parse_xml(data: bytes, problems: Problems) -> Node:
    """Parse `data` or refuse the file with the parser's line and reason.

    A file that declares UTF-8 but was written in a single-byte code page is read again as
    decoded text, so one stray Latin-1 byte does not lose a whole statement.
    """
    try:
        root = _parse(data)
    except xml.sax.SAXParseException as exc:
        if _is_valid_utf8(data):
            problems.refuse(exc.getLineNumber() or 0, "xml", exc.getMessage())
        root = _parse_decoded(data, problems)
    except (DefusedXmlException, ValueError) as exc:
        problems.refuse(1, "xml", f"refused unsafe XML: {exc}")
    except LookupError as exc:
        problems.refuse(1, "xml", f"declared encoding unknown: {exc}")
    if root is None:
        problems.refuse(1, "xml", "no root element")
    return root


def _parse_decoded(data: bytes, problems: Problems) -> Node | None:
    text = decode_text(data)
    if text.startswith("<?xml"):
        text = text[text.find("?>") + 2 :]
    try:
        return _parse(text.encode("utf-8"))
    except xml.sax.SAXParseException as exc:
        problems.refuse(exc.getLineNumber() or 0, "xml", exc.getMessage())
    except (DefusedXmlException, ValueError) as exc:
        problems.refuse(1, "xml", f"refused unsafe XML: {exc}")
    except LookupError as exc:
        problems.refuse(1, "xml", f"declared encoding unknown: {exc}")


def _is_valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
