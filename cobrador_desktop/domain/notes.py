"""Notes about a debtor, kept in the debtor's `notes` text with a stamp line per note.

The stamp says when (UTC) and who: `[2026-11-23 13:05 UTC · Carla]`. A text that came with an
import has no stamp and reads as one note of unknown date. The format stays readable in exports
and in the database, and needs no table of its own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from cobrador_desktop.domain.errors import InvalidNote, NoteTooLong
from cobrador_desktop.domain.records import NoteRecord

#: longest note accepted (a note is a few lines, not a document)
MAX_NOTE = 2000

_STAMP = re.compile(r"^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC(?: · (.*))?\]$")


def clean_note(text: str) -> str:
    """The note as it will be kept: trimmed, runs of blank lines squeezed.

    Raises:
        InvalidNote: nothing but spaces.
        NoteTooLong: over `MAX_NOTE` characters.
    """
    lines = [line.rstrip() for line in text.strip().splitlines()]
    squeezed: list[str] = []
    for line in lines:
        if line or (squeezed and squeezed[-1]):
            squeezed.append(line)
    note = "\n".join(squeezed).strip()
    if not note:
        raise InvalidNote()
    if len(note) > MAX_NOTE:
        raise NoteTooLong(length=len(note), limit=MAX_NOTE)
    return note


def stamp(at: datetime, author: str | None) -> str:
    """The stamp line of a note written at `at` by `author`."""
    when = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    # a name with a line break would end the stamp early
    who = f" · {' '.join(author.split())}" if author and author.strip() else ""
    return f"[{when} UTC{who}]"


def append_note(existing: str | None, note: str, at: datetime, author: str | None) -> str:
    """`existing` notes with `note` added at the end, stamped."""
    # a line of the note that looks like a stamp must not start a note of its own
    body = "\n".join(f" {line}" if _STAMP.match(line) else line for line in note.splitlines())
    entry = f"{stamp(at, author)}\n{body}"
    previous = (existing or "").rstrip()
    return f"{previous}\n\n{entry}" if previous else entry


def parse_notes(text: str | None) -> tuple[NoteRecord, ...]:
    """The notes kept in `text`, oldest first."""
    if not text or not text.strip():
        return ()
    notes: list[NoteRecord] = []
    at: datetime | None = None
    author: str | None = None
    body: list[str] = []

    def close() -> None:
        content = "\n".join(body).strip()
        if content or at is not None:
            notes.append(NoteRecord(text=content, at=at, author=author))

    for line in text.splitlines():
        match = _STAMP.match(line)
        if match is None:
            body.append(line)
            continue
        close()
        at = datetime.strptime(match[1], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        author = match[2] or None
        body = []
    close()
    return tuple(notes)
