"""What makes a file a gcloud export (an IAM policy, service-account keys, Cloud KMS keys), without the reader: the
registry asks this of every file, and the reader (`gcp/`) is imported only when a run has such a file. It lives
beside the package, not in it: importing anything from `policylint.sources.gcp` runs the reader's `__init__`."""

from __future__ import annotations

import re

NAME = "gcp"
_HEAD = 65536
_KUBERNETES = re.compile(r"""^["']?apiVersion["']?\s*:""", re.MULTILINE)  # Config Connector IAMPolicy is not ours
_BINDINGS = re.compile(r"""^(?:bindings:|\{?\s*"bindings"\s*:)""", re.MULTILINE)
_ROLE = re.compile(r"""["']?role["']?\s*:\s*["']?(?:roles|projects/[^/\s]+/roles|organizations/[^/\s]+/roles)/""")
_SA_KEY = re.compile(r"""serviceAccounts/[^/\s"']+/keys/""")
_KEY_TYPE = re.compile(r"""["']?keyType["']?\s*:""")
_KMS_KEY = re.compile(r"""keyRings/[^/\s"']+/cryptoKeys/[^/\s"']+""")
_PURPOSE = re.compile(r"""["']?purpose["']?\s*:""")
_WORDS = ("bindings", "/keys/", "/cryptoKeys/")  # a plain search first: every file is asked


def format_of(text: str) -> str | None:
    """Which of the three exports the text is, by its first 64 KB; None: none of them."""
    head = text[:_HEAD]
    if not any(word in head for word in _WORDS) or _KUBERNETES.search(head):
        return None
    if _BINDINGS.search(head) and _ROLE.search(head):
        return "policy"
    if _SA_KEY.search(head) and _KEY_TYPE.search(head):
        return "service-account-keys"
    if _KMS_KEY.search(head) and _PURPOSE.search(head):
        return "kms-keys"
    return None


def detect(path: str, text: str) -> bool:
    return format_of(text) is not None
