"""What a plan's value stands for when it is not plain text: another resource of the plan, or nothing known until
apply. Shared by the GCP and Kubernetes translations (`plan_gcp`, `plan_k8s`), which, unlike the AWS one, do not go
through a CloudFormation template and so read `Translation`'s stand-ins themselves:

- a value the plan leaves unknown (`after_unknown`) is what `Translation.value` and `.items` make of it: a `Ref`
  (or `Fn::GetAtt`) to the one resource instance its expression references, else an open parameter named
  "ADDRESS.ATTR (known after apply)";
- an HCL configuration's values hold the same stand-ins (`hcl_values`): a `Ref` to an open parameter, a `Ref` or
  `Fn::GetAtt` to one of its resources, and an `Fn::Join` of text around them;
- a part of a nested block unknown until apply is a `True` mark in the same place of `after_unknown`
  (`marked`).

The readers read one file, and an HCL configuration's resources stand in several: `Places` gives each resource's
location a position of its own for the documents handed to a reader, and puts the real locations back in what the
reader made of them.

A reference is named by the caller (`Naming`): alone, as the attribute that reads it wants it (a member, a
service account's resource name), inside text by the referenced resource's own name. What cannot be named is
`Opened`, with the text that says what and why, for the condition that fails closed on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, cast

from policylint.errors import InputError
from policylint.model import Inventory, Location
from policylint.sources.base import Fragment
from policylint.sources.terraform.plan_cfn import Translation
from policylint.sources.terraform.plan_read import TfResource

_DEEPEST = 64  # nested blocks followed (a manifest deeper than this is not RBAC)


@dataclass(frozen=True, slots=True)
class Opened:
    """A value not known until apply: `what` says which and why ("x.member (known after apply)")."""

    what: str


Name = Callable[[TfResource], str | None]  # a referenced resource's name, as text; None: not known


@dataclass(frozen=True, slots=True)
class Naming:
    alone: Name  # a reference that is the whole value
    inside: Name  # a reference inside text (`"serviceAccount:${google_service_account.app.email}"`)


def resolved(t: Translation, value: Any, naming: Naming, by_address: dict[str, TfResource]) -> str | Opened | None:
    """A value as text: known, named after the resource it references, or `Opened`; None when absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if not isinstance(value, dict):
        return Opened(f"a {type(value).__name__} where text was expected")
    join = value.get("Fn::Join")
    if isinstance(join, list) and len(join) == 2 and isinstance(join[1], list):
        parts = [resolved(t, part, Naming(naming.inside, naming.inside), by_address) for part in join[1]]
        opened = next((p for p in parts if isinstance(p, Opened)), None)
        return opened or str(join[0]).join(p or "" for p in parts if isinstance(p, str))
    target = referenced(t, value, by_address)
    if isinstance(target, TfResource):
        name = naming.alone(target)
        return name if name is not None else Opened(f"{target.address} (known after apply)")
    return target


def referenced(t: Translation, value: dict[str, Any], by_address: dict[str, TfResource]) -> TfResource | Opened:
    """The resource a `Ref` or `Fn::GetAtt` names, or what an open parameter says."""
    ref = value.get("Ref")
    if ref is None:
        att = value.get("Fn::GetAtt")
        ref = att[0] if isinstance(att, list) and att else None
    if isinstance(ref, str) and ref in by_address:
        return by_address[ref]
    if isinstance(ref, str) and ref in t.parameters:
        return Opened(ref)  # an open parameter's name says what is open and why
    return Opened(f"{ref} (known after apply)" if isinstance(ref, str) else "a value known only after apply")


def marked(value: Any, unknown: Any, what: str, depth: int = 0) -> Any:
    """A nested value with each part `after_unknown` marks (a part the plan's values then leave out, or null) as
    `Opened`: "ADDRESS.rule[0].verbs (known after apply)"."""
    if unknown is True:
        return Opened(f"{what} (known after apply)")
    if depth > _DEEPEST:
        return value
    if isinstance(value, dict) and not _stand_in(value):
        marks = unknown if isinstance(unknown, dict) else {}
        keys = [*value, *(k for k, m in marks.items() if k not in value and m is True)]
        return {k: marked(value.get(k), marks.get(k), f"{what}.{k}", depth + 1) for k in keys}
    if isinstance(value, list):
        marks_list = unknown if isinstance(unknown, list) else []
        return [marked(item, marks_list[i] if i < len(marks_list) else None, f"{what}[{i}]", depth + 1)
                for i, item in enumerate(value)]
    if value is None and isinstance(unknown, list | dict) and unknown:
        return marked([] if isinstance(unknown, list) else {}, unknown, what, depth)
    return value


def _stand_in(value: dict[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt", "Fn::Join")


def attribute(resource: TfResource, attr: str) -> Any:
    """A nested attribute with its unknown parts `Opened` (see `marked`)."""
    return marked(resource.values.get(attr), resource.unknown.get(attr), f"{resource.address}.{attr}")


def joined(*fragments: Fragment) -> Fragment:
    """One fragment of several (each platform's part of one plan)."""
    def inventory(parts: list[Inventory]) -> Inventory:
        return Inventory(**{f.name: tuple(x for p in parts for x in getattr(p, f.name)) for f in fields(Inventory)})

    return Fragment(inventory([f.inventory for f in fragments]), [e for f in fragments for e in f.errors],
                    inventory([f.implied for f in fragments]))


class Places:
    """The k-th distinct location a document holds is line k of the reader's file, and back again."""

    def __init__(self) -> None:
        self._number: dict[Location, int] = {}
        self._places: list[Location] = []

    def pos(self, location: Location) -> tuple[int, int]:
        number = self._number.get(location)
        if number is None:
            self._places.append(location)
            number = self._number[location] = len(self._places)
        return number, 1

    def relocated(self, fragment: Fragment) -> Fragment:
        return relocated(fragment, self._place)

    def _place(self, location: Location) -> Location:
        return self._places[location.line - 1] if 0 < location.line <= len(self._places) else location


def relocated(fragment: Fragment, place: Callable[[Location], Location],
              message: Callable[[str], str] = lambda text: text) -> Fragment:
    """The fragment with every location of its records and errors moved by `place` (and each error's message
    rewritten by `message`): a reader's file placed them; this puts them back where they are."""

    def moved(value: Any) -> Any:
        if isinstance(value, Location):
            return place(value)
        if isinstance(value, tuple):
            return tuple(moved(item) for item in value)
        if not is_dataclass(value) or isinstance(value, type):
            return value
        return replace(value, **{f.name: moved(getattr(value, f.name)) for f in fields(value) if f.init})

    errors = [InputError(place(e.location), message(e.message)) for e in fragment.errors]
    return Fragment(cast(Inventory, moved(fragment.inventory)), errors, cast(Inventory, moved(fragment.implied)))
