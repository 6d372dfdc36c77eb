"""policylint: who can reach customer data, and which of those paths should not exist."""

from __future__ import annotations

__version__ = "0.1.0"
