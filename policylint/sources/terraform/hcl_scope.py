"""What an HCL expression is evaluated in: the module instance that answers its names (`Names`), the variables a
`for`, a `dynamic` block, `each` or a template file gives it, and the run's evaluation budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from policylint.sources.terraform.hcl_values import Open


class Names(Protocol):
    """What a module instance answers: the root of a reference (`var`, `local`, `aws_iam_role`, `data`, ...) with
    the steps after it; and a file a function reads."""

    def lookup(self, root: str, steps: list[str | int | Any], scope: Scope) -> Any: ...

    def read_file(self, path: str) -> str | Open: ...

    @property
    def budget(self) -> Budget: ...


class TfSet(list[Any]):
    """A set (`toset`, a `set(…)` variable): a list in every use, but iterated by `dynamic` and `for_each` with each
    element its own key, as Terraform does."""


class TooLarge(Exception):
    """The configuration asks for more evaluation than any real one needs (nested `for`s over large ranges)."""


class Budget:
    """How much evaluation a run may spend: every `for` item, splat item, range item and instance costs one."""

    LIMIT = 500_000

    def __init__(self) -> None:
        self.spent = 0

    def spend(self, count: int = 1) -> None:
        self.spent += count
        if self.spent > self.LIMIT:
            raise TooLarge(f"a configuration that needs more than {self.LIMIT:,} evaluation steps")


@dataclass
class Scope:
    names: Names
    variables: dict[str, Any] = field(default_factory=dict)  # `each`, `count`, a `for`'s, a template file's
    depth: int = 0

    def with_vars(self, **values: Any) -> Scope:
        return Scope(self.names, {**self.variables, **values}, self.depth)
