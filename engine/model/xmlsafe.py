"""Hardened XML parsing for uploaded BPMN: no entities, no DTD, no network, no XInclude, size-capped."""
from __future__ import annotations

from lxml import etree

from engine.errors import ModelError
from engine.model.problems import Problem

MAX_BYTES = 5 * 1024 * 1024  # the largest uploaded file (a model or a matter.yaml): the one limit, used everywhere


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
        raise ModelError([Problem(filename, None, None, f"file is {len(data)} bytes; the limit is {MAX_BYTES}")])
    upper = data.upper()
    if b"<!DOCTYPE" in upper:
        line = data[: upper.find(b"<!DOCTYPE")].count(b"\n") + 1
        raise ModelError([Problem(filename, line, None, "DOCTYPE declarations are not allowed in BPMN uploads")])
    try:
        root = etree.fromstring(data, _parser(keep_comments))
    except etree.XMLSyntaxError as exc:
        error_line = exc.lineno if getattr(exc, "lineno", None) else None
        raise ModelError([Problem(filename, error_line, None, f"not well-formed XML: {exc.msg}")]) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise ModelError([Problem(filename, 1, None, "DOCTYPE declarations are not allowed in BPMN uploads")])
    xi = root.xpath("//*[namespace-uri()='http://www.w3.org/2001/XInclude']")
    if xi:
        raise ModelError([Problem(filename, xi[0].sourceline, None, "XInclude is not allowed in BPMN uploads")])
    return root
