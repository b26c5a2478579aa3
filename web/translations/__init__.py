"""Translations: web/translations/<lang>/LC_MESSAGES/messages.po, compiled to .mo at app start.

The .po files are the source (kept in git); `compiled_directory` writes each catalog's .mo under
instance/translations/ when the .po is newer, so no build step and no binary files in the repo.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
_lock = threading.Lock()


def compiled_directory(instance: Path) -> str:
    """Compile every messages.po that changed into `instance`/translations and return that folder.

    Safe in several processes at once: each writes its own temporary file and renames it into place."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = instance / "translations"
    with _lock:
        for po in HERE.glob("*/LC_MESSAGES/messages.po"):
            mo = target / po.relative_to(HERE).with_suffix(".mo")
            if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=po.parts[-3])
            # a name of this process's own: gunicorn's workers all compile at once on a fresh instance,
            # and a shared name let one worker move another's file away (the worker failed to boot)
            tmp = mo.with_suffix(f".mo.{os.getpid()}.tmp")
            with tmp.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            tmp.replace(mo)
    return str(target)
