"""Hardened XML parsing for uploaded BPMN: no entities, no DTD, no network, no XInclude, size-capped."""
from __future__ import annotations

from lxml import etree

from engine.errors import ModelError
from engine.model.problems import Problem
from engine.text import Text

MAX_BYTES = 5 * 1024 * 1024  # the largest uploaded file (a model or a matter.yaml): the one limit, used everywhere
_NO_DOCTYPE = Text("DOCTYPE declarations are not allowed in BPMN uploads")
_NO_XINCLUDE = Text("XInclude is not allowed in BPMN uploads")


def _parser(keep_comments: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=not keep_comments,
        remove_pis=True,
    )


def parse_xml(data: bytes, filename: str, keep_comments: bool = False) -> etree._Element:
    """Parse untrusted XML bytes; raise ModelError (with file and line) on anything unsafe or malformed.

    Comments are kept only on request, so that a file rewritten in place (DI layout) keeps them.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        too_big = Text("file is %(size)s bytes; the limit is %(max)s", size=len(data), max=MAX_BYTES)
        raise ModelError([Problem(filename, None, None, too_big)])
    upper = data.upper()
    if b"<!DOCTYPE" in upper:
        line = data[: upper.find(b"<!DOCTYPE")].count(b"\n") + 1
        raise ModelError([Problem(filename, line, None, _NO_DOCTYPE)])
    try:
        root = etree.fromstring(data, _parser(keep_comments))
    except etree.XMLSyntaxError as exc:
        error_line = exc.lineno if getattr(exc, "lineno", None) else None
        malformed = Text("not well-formed XML: %(reason)s", reason=exc.msg)
        raise ModelError([Problem(filename, error_line, None, malformed)]) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise ModelError([Problem(filename, 1, None, _NO_DOCTYPE)])
    xi = root.xpath("//*[namespace-uri()='http://www.w3.org/2001/XInclude']")
    if xi:
        raise ModelError([Problem(filename, xi[0].sourceline, None, _NO_XINCLUDE)])
    return root
