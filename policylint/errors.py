"""The one exception tree. Each type owns its wording and its exit code; the CLI catches them once."""

from __future__ import annotations

from policylint.model import Location

ISSUES_URL = "https://github.com/policylint/policylint/issues"


class PolicylintError(Exception):
    """Base of every error policylint raises on purpose."""

    exit_code = 3


class UsageError(PolicylintError):
    """The command line asks for something that cannot be done."""

    exit_code = 2


class InputError(PolicylintError):
    """Something in an input file (inventory, rule) the user must fix: always located."""

    exit_code = 2

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message

    def __str__(self) -> str:
        return f"{self.location}: error: {self.message}"


def file_error(path: str, message: str) -> InputError:
    """An error about a whole file (unreadable, binary, missing): located at its first line."""
    return InputError(Location(path, 1, 1), message)


class InputErrors(PolicylintError):
    """Several input errors at once (a rule folder, say), raised where the caller cannot go on."""

    exit_code = 2

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
