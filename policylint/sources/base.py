"""What every source module offers: `detect` a file by its content, `load` it into a model fragment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from policylint.errors import InputError
from policylint.model import Inventory


@dataclass(frozen=True, slots=True)
class Fragment:
    """What one file contributed: the model records it defines and the located errors it has."""

    inventory: Inventory
    errors: list[InputError] = field(default_factory=list)


class Source(Protocol):
    NAME: str

    def detect(self, path: str, text: str) -> bool: ...

    def load(self, path: str, text: str) -> Fragment: ...
