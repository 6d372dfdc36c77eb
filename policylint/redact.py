"""Keep secret values out of every output: anything that looks like key material is masked when shown."""

from __future__ import annotations

import re

_SECRET = re.compile(
    r"(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{12,}"  # AWS key ids
    r"|-----BEGIN [A-Z ]*(?:PRIVATE KEY|CERTIFICATE)-----"  # PEM
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JWT
    r"|(?:ghp|gho|ghs|ghu|github_pat|glpat|xox[abpr]|sk_live|rk_live)[-_][A-Za-z0-9_-]{8,}"
)
_TOKENISH = re.compile(r"[A-Za-z0-9+/=_]{24,}")


def looks_secret(text: str) -> bool:
    if _SECRET.search(text):
        return True
    match = _TOKENISH.fullmatch(text)
    if not match:
        return False
    classes = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes == 3


def redact(text: str) -> str:
    """The text, or a mask when it looks like a secret (the mask keeps its length class, not its value)."""
    return "<redacted>" if looks_secret(text) else text
