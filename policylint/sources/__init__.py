"""Input formats. One module per format, registered here explicitly; each satisfies `base.Source`."""

from __future__ import annotations

from policylint.sources import native
from policylint.sources.base import Fragment, Options, Source

SOURCES: dict[str, Source] = {
    native.NAME: native,
}

__all__ = ["SOURCES", "Fragment", "Options", "Source"]
