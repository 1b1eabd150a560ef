"""Bytes to normalised transcript text.

One decoding cascade and one normalisation, so that every format parser sees
the same kind of text: NFC, lines split on "\\n" only (every other character
that `str.splitlines` would split on has become "\\n"), no zero-width or
bidi-control characters, no other control characters than tab and newline.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from whoclaims.ingest.errors import TranscriptError

log = logging.getLogger(__name__)

# Magic numbers of binary files that get named `.txt` by mistake.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"BZh91AY&SY", "bzip2"),
    (b"\x7fELF", "ELF executable"),
    (b"SQLite format 3\x00", "SQLite"),
    (b"PAR1", "Parquet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE (old Office document)"),
)
# Byte order marks, longest first is not needed: no UTF-32 support, so FF FE 00 00 reads as UTF-16 LE + NUL.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Zero-width characters, bidi marks/embeddings/overrides/isolates, invisible operators, stray BOMs.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\u180e]")
# Everything else `str.splitlines` splits on, once CR and CRLF are handled.
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Control characters that are neither tab nor a line break.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
# Above this share of control characters, text is binary rather than a transcript with a stray byte.
_MAX_CONTROL_SHARE = 0.01


def binary_kind(data: bytes) -> str | None:
    """Name of the binary format `data` starts with, or None."""
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


def decode_transcript(data: bytes) -> str:
    """Decode transcript bytes and normalise the text.

    Tries a byte order mark (UTF-8, UTF-16 LE/BE), then strict UTF-8, then cp1252.

    Raises:
        TranscriptError: empty or whitespace-only content, binary data, NUL bytes,
            or bytes that are neither UTF-8 nor cp1252.
    """
    if not data:
        raise TranscriptError("empty file (0 bytes)")
    kind = binary_kind(data)
    if kind:
        raise TranscriptError(f"binary file ({kind} data), not a text transcript")
    text = _decode(data)
    nul = text.find("\x00")
    if nul >= 0:
        raise TranscriptError(f"NUL character on line {text.count(chr(10), 0, nul) + 1} (binary file?)")
    controls = len(_CONTROL.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise TranscriptError(f"binary content: {controls} control characters in {len(text)} characters")
    if controls:
        log.warning("removing %d stray control characters", controls)
    text = normalise_text(text)
    if not text.strip():
        raise TranscriptError(f"file holds only whitespace ({len(data)} bytes)")
    return text


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as error:
                raise TranscriptError(
                    f"invalid {encoding.upper()} after its byte order mark: {error.reason} "
                    f"at byte offset {error.start + len(bom)}"
                ) from error
    nul = data.find(b"\x00")
    if nul >= 0:
        raise TranscriptError(f"NUL byte at offset {nul} (binary file, or UTF-16 without a byte order mark)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as cp1252_error:
            raise TranscriptError(
                "undecodable bytes: not UTF-8 "
                f"(byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}: {utf8_error.reason}) "
                f"and not cp1252 (byte 0x{data[cp1252_error.start]:02x} at offset {cp1252_error.start} is undefined)"
            ) from cp1252_error
        log.info("not UTF-8 (byte offset %d); decoded as cp1252", utf8_error.start)
        return text


def normalise_text(text: str) -> str:
    """Normalise decoded text: line breaks to "\\n", invisible and control characters out, NFC.

    Idempotent. Afterwards `text.split("\\n")` and `text.splitlines()` agree.
    """
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_BREAKS.sub("\n", text)
    return unicodedata.normalize("NFC", text)
