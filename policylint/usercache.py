"""The user's own cache folder for policylint (`$XDG_CACHE_HOME/policylint`, else `~/.cache/policylint`): made
private, and used only when it is the user's own and writable. A cache that cannot be used costs time, never a
check; a shared temporary folder is never used (what is cached there must not be another user's to write)."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "policylint")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if os.stat(folder).st_uid != os.getuid() or not os.access(folder, os.W_OK):
            return None
    except (OSError, AttributeError):
        return None
    return Path(folder)
