"""Errors: one class per kind of problem, each printing the CLI's one line `FILE: problem`."""

from __future__ import annotations


def _escape_controls(s: str) -> str:
    out = []
    for ch in s:
        c = ord(ch)
        if c < 0x20 or 0x7F <= c <= 0x9F:
            out.append("\\u{%x}" % c)
        else:
            out.append(ch)
    return "".join(out)


def display_path(path) -> str:
    """A path as error messages show it (control characters escaped, so a message stays one line)."""
    return _escape_controls(str(path))


def quoted(s: str) -> str:
    """A name from a (possibly hostile) file, quoted as the Swift tools quote it: escapes, at most 200 characters."""
    out = ['"']
    for ch in s[:200]:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        else:
            out.append(_escape_controls(ch))
    if len(s) > 200:
        out.append("…")
    out.append('"')
    return "".join(out)


class IngotError(Exception):
    """Base class of every error this package raises about a file. `str(e)` is the CLI's line: `path: problem`.

    Attributes: `path` (the file, or None), `problem` (the text after the path), `kind` (the name of the Swift
    reader's error case, e.g. "badMagic", "tensorChecksumMismatch")."""

    def __init__(self, path, problem: str, kind: str = "error"):
        self.path = None if path is None else str(path)
        self.problem = problem
        self.kind = kind
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.path is None:
            return self.problem
        return f"{display_path(self.path)}: {self.problem}"


class InvalidFileError(IngotError, ValueError):
    """The file breaks a structural rule of specs/format.md (preamble, header, layout): found when it is opened."""


class CorruptDataError(IngotError, ValueError):
    """A tensor's stored data cannot be decoded (a bad chunk table, chunk or plane)."""


class ChecksumMismatchError(CorruptDataError):
    """A tensor's decoded bytes do not match its XXH3-64."""


class NoSuchTensorError(IngotError, KeyError):
    """No tensor of that name."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return IngotError.__str__(self)


class UnsupportedError(IngotError, ValueError):
    """A request this package cannot honour (a bad argument, a dtype a framework lacks)."""


class MemoryBudgetError(IngotError, MemoryError):
    """Decoding would need more memory than half of this machine's (a compressed tensor can claim any size)."""


class IngotIOError(IngotError, OSError):
    """An operating-system call failed."""


# Swift IngotError cases found when the file is opened vs when data is decoded.
_DATA_KINDS = {"badChunkTable", "chunkTooLarge", "corruptChunk", "chunkSizeMismatch"}


def error_for(kind: str, path, problem: str) -> IngotError:
    if kind == "tensorChecksumMismatch":
        return ChecksumMismatchError(path, problem, kind)
    if kind in _DATA_KINDS:
        return CorruptDataError(path, problem, kind)
    if kind == "noSuchTensor":
        return NoSuchTensorError(path, problem, kind)
    if kind == "unsupported":
        return UnsupportedError(path, problem, kind)
    if kind == "memory":
        return MemoryBudgetError(path, problem, kind)
    if kind == "io":
        return IngotIOError(path, problem, kind)
    return InvalidFileError(path, problem, kind)
