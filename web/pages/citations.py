"""Published sources as the auditor's pages show them: in the page's language, with links to where they were published.

A citation names its publishers by domain (`hhhzy.com`, `sndrc.shaanxi.gov.cn`), as shared/domain cites them; each
domain becomes a link to that site, and a source's `url` (the cited page itself, when known) is linked as well.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from markupsafe import Markup, escape

from web.pages import lang

EXTERNAL = 'rel="external noopener noreferrer"'
DOMAIN = re.compile(r"(?<![\w.@/-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|cn|net|org|gov|info|cc))(?![\w-])")


def scope_label(scope: str) -> str:
    return {"national": _("national"), "province": _("province"), "city": _("city or county")}.get(scope, scope)


def source_parts(source) -> tuple[str, str, str | None]:
    """(place, citation, unit) of a published figure in the page's language."""
    return source.shown(lang())


def cited(source) -> Markup:
    """The citation of a published figure in the page's language, its publishers' domains linked."""
    _place, citation, _unit = source_parts(source)
    text = str(escape(citation))
    linked = DOMAIN.sub(lambda m: f'<a href="https://{m.group(1)}/" {EXTERNAL}>{m.group(1)}</a>', text)
    if source.url:
        page = _("the cited page")
        linked += f' · <a href="{escape(source.url)}" {EXTERNAL}>{escape(page)}</a>'
    return Markup(linked)
