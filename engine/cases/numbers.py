"""Case numbers people can read out on the phone: date, then five Crockford base32 characters."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
PATTERN = re.compile(r"^\d{8}-[0-9A-HJKMNP-TV-Z]{5}$")


def new_case_number(now: datetime) -> str:
    """E.g. 20261125-7K3MQ; uniqueness is enforced by the database (callers retry on collision)."""
    tail = "".join(secrets.choice(ALPHABET) for _ in range(5))
    return f"{now:%Y%m%d}-{tail}"


def normalize(number: str) -> str:
    """Accept lower case and the look-alikes people type (O for 0, I/L for 1)."""
    text = number.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return text
