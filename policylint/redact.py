"""Keep secret values out of every output: anything shaped like secret material is masked when shown.

Identifiers are not secrets (an AWS access key id names a key; its secret access key is the secret), so only
shapes of real secret material are masked: private keys, JWTs, vendor tokens, and long high-entropy strings.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_SECRET = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"  # PEM private keys
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JWTs
    r"|\b(?:ghp|gho|ghs|ghu|github_pat|glpat|xox[abpr]|sk_live|rk_live|npm)_[A-Za-z0-9_-]{16,}"  # vendor tokens
)
_TOKENISH = re.compile(r"[A-Za-z0-9+/=_-]{32,}")
MIN_ENTROPY = 4.2  # bits per character: random base64 is near 6, English-like identifiers stay under 4


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _random_looking(token: str) -> bool:
    if _entropy(token) < MIN_ENTROPY:
        return False
    if "-" in token or "_" in token:
        # names join words with dashes (instance-profile/AWSMAD-LinuxEC2DomainJoinRole): random text of this
        # alphabet is one character in six a digit, words seldom are
        return sum(c.isdigit() for c in token) >= 0.08 * len(token)
    if "/" not in token:
        return True
    # a resource path (projects/acmeprod/locations/global/keyRings/main) is words between slashes; random
    # base64 with slashes has as many capitals as small letters
    letters = [c for c in token if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 0.25 * len(letters)


def looks_secret(text: str) -> bool:
    if _SECRET.search(text):
        return True
    return any(_random_looking(m.group()) for m in _TOKENISH.finditer(text))


def redact(text: str) -> str:
    """The text, or a mask when it looks like secret material."""
    return "<redacted>" if looks_secret(text) else text
