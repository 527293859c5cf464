"""The errors atoz raises. The CLI turns each into one line on stderr and an exit code."""


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
        super().__init__(f"{field}: {value!r}: {problem}" if value != "" else f"{field}: {problem}")


class FileFormatError(AtozError):
    """A file that cannot be imported, with the place: `file:line: field: problem`."""

    exit_code = 2


class NotFoundError(AtozError):
    """A claim or step that does not exist. Exit 1."""

    exit_code = 1
