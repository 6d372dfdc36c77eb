"""The one exception tree. Each type owns its wording and its exit code; the CLI catches them once."""

from __future__ import annotations

from policylint.model import Location
from policylint.redact import no_command_lines, printable, redact

ISSUES_URL = "https://github.com/policylint/policylint/issues"
MAX_SHOWN = 100  # characters of a found string an error message repeats


class PolicylintError(Exception):
    """Base of every error policylint raises on purpose."""

    exit_code = 3

    def __str__(self) -> str:
        """As printed on stderr: a value from an input in the message is redacted and its control characters escaped."""
        return no_command_lines(printable(redact(super().__str__())))


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
        """`file:line:col: error: message` on one line, the file name and the message redacted and escaped (both
        can come from an input: a walked file's name, a value the message repeats)."""
        file, message = (printable(redact(text)) for text in (self.location.file, self.message))
        return no_command_lines(f"{file}:{self.location.line}:{self.location.column}: error: {message}")


def file_error(path: str, message: str) -> InputError:
    """An error about a whole file (unreadable, binary, missing): located at its first line."""
    return InputError(Location(path, 1, 1), message)


class SourceCrash(InputError):
    """A bug met while reading one file: reported on that file, exit 3, and every other file is still read."""

    exit_code = 3

    def __init__(self, path: str, source: str, exc: Exception) -> None:
        super().__init__(Location(path, 1, 1), f"internal error while reading this file as {source} "
                                               f"({type(exc).__name__}: {redact(str(exc))}); this is a bug in "
                                               f"policylint, please report it at {ISSUES_URL}")


class InputErrors(PolicylintError):
    """Several input errors at once (a rule folder, say), raised where the caller cannot go on."""

    exit_code = 2

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)  # each on its own line, each already safe to print


def found(value: object, *, none: str = "null") -> str:
    """A value as an error message names what it found: its kind, and a string's text (secrets masked, shortened).
    `none` names a missing value where the caller means absence ("nothing") rather than a null."""
    if value is None:
        return none
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        text = redact(value)
        text = text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."
        return f"the string {text!r}" if text else "an empty string"
    return f"a {type(value).__name__}"
