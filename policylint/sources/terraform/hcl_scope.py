"""What an HCL expression is evaluated in: the module instance that answers its names (`Names`), the variables a
`for`, a `dynamic` block, `each` or a template file gives it, and the run's evaluation budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from policylint.errors import InputError
from policylint.model import Location
from policylint.sources.terraform.hcl_values import Cfn, Encoded, Open, Partial, TooLarge

__all__ = ["Budget", "Facts", "Names", "Scope", "TfSet", "TooLarge"]


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


@dataclass(frozen=True, slots=True)
class Facts:
    """What a walk over a value finds: its size as written out (every item and character, a part that appears twice
    counted twice), whether it is plain JSON, and the first `Open` in it."""

    size: int
    plain: bool
    opened: Open | None


class Budget:
    """What evaluating a run's configuration may spend, so that no configuration hangs the run or exhausts memory.

    Steps: every `for`, splat and range item, every instance, and a function's pass over its arguments costs one per
    item. Each top-level expression (an argument of a resource, a `for_each`, a module's input: what `evaluate` is
    first called for) has `STEPS` of its own, so one heavy expression cannot starve the rest, and the run `RUN` in
    all. Size: one value may hold at most `SIZE` items and characters, counted as written out (a value that holds
    another twice holds it twice: `[local.b, local.b]` doubling thirty times is a billion, not sixty), and the
    resources of a run at most `TEMPLATE`. What is past a bound is not evaluated: it is `Open`, and `errors` says
    where (exit 2), never silently."""

    STEPS = 1_000_000
    RUN = 2_000_000  # a configuration of 5,000 IAM resources (benchmarks/terraform-5000) spends under 10,000
    SIZE = 1_000_000
    TEMPLATE = 10_000_000  # the same benchmark's resources hold under 700,000
    INSTANCES = 100_000  # resource and module instances of a run (the same benchmark makes under 6,000)

    def __init__(self) -> None:
        self.spent = 0
        self.total = 0
        self.written = 0
        self.made = 0
        self.errors: dict[tuple[Location, str], None] = {}
        self._depth = 0
        self._facts: dict[int, tuple[Any, Facts]] = {}  # by id; the value kept, so that no other takes its id

    # -- steps ------------------------------------------------------------------------------------------------------

    def enter(self) -> int:
        """An evaluation starts; a top-level one has the whole `STEPS` to spend. What was spent before it: the mark
        to go back to when it is given up (`refund`)."""
        if self._depth == 0:
            self.spent = 0
        self._depth += 1
        return self.spent

    def refund(self, mark: int) -> None:
        """An evaluation past a bound is given up (its value open, and said where): what it spent is not the
        expression's that needed it, which goes on with what it had (the run's `RUN` keeps counting it)."""
        self.spent = min(self.spent, mark)

    def leave(self) -> None:
        self._depth -= 1

    @property
    def outer(self) -> bool:
        """Whether the evaluation under way is part of another (whose place a `TooLarge` is then reported at)."""
        return self._depth > 1

    def spend(self, count: int = 1) -> None:
        self.spent += count
        self.total += count
        if self.spent > self.STEPS:
            raise TooLarge(f"more than {self.STEPS:,} evaluation steps (`for` items, instances, function passes)")
        if self.total > self.RUN:
            raise TooLarge(f"more than {self.RUN:,} evaluation steps in the whole run")

    def instances(self, count: int) -> None:
        """Instances about to be made (a `count`, a `for_each`, a module call's): the run makes at most `INSTANCES`."""
        if self.made + count > self.INSTANCES:
            raise TooLarge(f"more than {self.INSTANCES:,} resource and module instances in the run")
        self.made += count
        self.spend(count)

    def text(self, made: str) -> None:
        """Text an expression made (a template, a function's result): a step per 64 characters, so that no expression
        makes text without end, a piece at a time under `hcl_values.MOST_TEXT`."""
        self.spend(1 + len(made) // 64)

    def write(self, value: Any) -> None:
        """A resource's value written into the template the readers read: the run's `TEMPLATE` bounds them all."""
        size = self.facts(value).size
        if self.written + size > self.TEMPLATE:
            raise TooLarge(f"resources whose values hold more than {self.TEMPLATE:,} items and characters in all")
        self.written += size

    def fail(self, at: Location, text: str) -> None:
        self.errors[(at, text)] = None

    def located(self) -> list[InputError]:
        return [InputError(at, text) for at, text in self.errors]

    # -- sizes ------------------------------------------------------------------------------------------------------

    def facts(self, value: Any) -> Facts:
        """The value's `Facts`, each container's computed once; past `SIZE`, `TooLarge`."""
        try:
            found = self._walk(value)
        except RecursionError:
            raise TooLarge("a value nested too deeply to follow") from None
        if found.size > self.SIZE:
            raise TooLarge(f"a value of {found.size:,} items and characters (at most {self.SIZE:,})")
        return found

    def _walk(self, value: Any) -> Facts:
        if isinstance(value, str):
            return Facts(len(value) + 1, True, None)
        if value is None or isinstance(value, bool | int | float):
            return _SCALAR
        if isinstance(value, Partial):  # its known items count (`concat` doubling them); it is what is not known
            return Facts(self._walk(value.known).size, False, value.rest)
        if not isinstance(value, dict | list | Cfn | Encoded):
            return Facts(1, False, value if isinstance(value, Open) else None)
        known = self._facts.get(id(value))
        if known is not None:
            return known[1]
        inner = value.value if isinstance(value, Cfn | Encoded) else value
        parts = [self._walk(v) for v in (inner.values() if isinstance(inner, dict) else inner)] \
            if isinstance(inner, dict | list) else [self._walk(inner)]
        size = 1 + sum(p.size for p in parts) + (sum(len(str(k)) for k in inner) if isinstance(inner, dict) else 0)
        mine = isinstance(value, dict | list)  # an intrinsic's parts are not the value's own (as `first_open`)
        found = Facts(min(size, self.SIZE + 1), mine and all(p.plain for p in parts),
                      next((p.opened for p in parts if p.opened is not None), None) if mine else None)
        self._facts[id(value)] = (value, found)
        return found


_SCALAR = Facts(1, True, None)


@dataclass
class Scope:
    names: Names
    variables: dict[str, Any] = field(default_factory=dict)  # `each`, `count`, a `for`'s, a template file's
    depth: int = 0
    template: bool = False  # inside a `templatefile`'s template (which Terraform refuses to call it again)

    def with_vars(self, **values: Any) -> Scope:
        return Scope(self.names, {**self.variables, **values}, self.depth, self.template)
