"""The errors atoz raises. The CLI turns each into one line on stderr and an exit code."""

SHOWN = 100  # characters of a value quoted in a message; a 10 MB cell is not echoed whole


def quote(value: object) -> str:
    """A value as a message shows it: its repr (one line, escapes visible); a long one keeps its
    start and its end (where a path has its file name) around a `…`."""
    if isinstance(value, str) and len(value) > SHOWN:
        half = SHOWN // 2
        return f"{value[:half] + '…' + value[-half:]!r} ({len(value):,} characters)"
    try:
        text = repr(value)
    except ValueError:  # an int past Python's digit limit for str()
        return "<a number too long to show>"
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}…"


class AtozError(Exception):
    """Something the user can fix; the message says what."""

    exit_code = 1


class InputError(AtozError):
    """Bad input: a field and its value, named in the message. Exit 2."""

    exit_code = 2

    def __init__(self, field: str, value: object, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field}: {quote(value)}: {problem}" if value != ""
                         else f"{field}: {problem}")


class FileFormatError(AtozError):
    """A file that cannot be imported, with the place: `file:line: field: problem`."""

    exit_code = 2


class NotFoundError(AtozError):
    """A claim or step that does not exist. Exit 1."""

    exit_code = 1
