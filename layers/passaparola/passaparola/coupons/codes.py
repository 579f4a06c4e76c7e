"""Coupon code patterns and cryptographically secure, collision-free code generation.

A pattern is a template: `#` is a digit of the charset, `?` a letter of the charset, `*` any charset character, and
every other character is kept literally (upper-cased). `PROMO-####` gives codes like `PROMO-4827`.
"""

import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from passaparola.coupons.models import CODE_PATTERN
from passaparola.errors import CodesGuessable, InvalidRequest

DIGITS = "23456789"
"""Digits without 0 and 1, which are read as O and I/L."""
LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
"""A-Z without I, L and O, which are read as 1 and 0: codes are typed from print and spoken over the phone."""
CHARSET = DIGITS + LETTERS
"""Every character a placeholder can produce (31): no look-alikes, so a code read by a person is typed right."""

PLACEHOLDERS: dict[str, str] = {"#": DIGITS, "?": LETTERS, "*": CHARSET}
DEFAULT_PATTERN = "********"
MAX_CODE_LENGTH = 64
GUESS_FACTOR = 10_000
"""A pattern must have at least this many combinations per live code; see `check_not_guessable`."""

_LITERAL = re.compile(r"[A-Z0-9_-]")
RandBytes = Callable[[int], bytes]


@dataclass(frozen=True)
class CodePattern:
    """A parsed, upper-cased code pattern with its literal prefix and suffix."""

    pattern: str
    prefix: str = ""
    suffix: str = ""

    @property
    def length(self) -> int:
        """Length of every code this pattern makes."""
        return len(self.prefix) + len(self.pattern) + len(self.suffix)

    def combinations(self) -> int:
        """How many distinct codes the pattern can make."""
        result = 1
        for char in self.pattern:
            if char in PLACEHOLDERS:
                result *= len(PLACEHOLDERS[char])
        return result

    def __str__(self) -> str:
        return f"{self.prefix}{self.pattern}{self.suffix}"


def parse_pattern(pattern: str | None, prefix: str | None = None, suffix: str | None = None) -> CodePattern:
    """Validate and upper-case a pattern; raise `InvalidRequest` when its codes could not be valid codes.

    Checked: at least one placeholder (else every code would be the same), only characters allowed in codes as
    literals, a total length of at most 64, and a first character that is a letter or digit (`CODE_PATTERN`).
    """
    text = (DEFAULT_PATTERN if pattern is None else pattern).upper()
    before = (prefix or "").upper()
    after = (suffix or "").upper()
    parsed = CodePattern(pattern=text, prefix=before, suffix=after)
    if not any(char in PLACEHOLDERS for char in text):
        raise InvalidRequest(
            "The pattern has no placeholder ('#' digit, '?' letter, '*' any character).",
            details={"pattern": text},
        )
    invalid = sorted({char for char in str(parsed) if char not in PLACEHOLDERS and not _LITERAL.fullmatch(char)})
    if invalid:
        raise InvalidRequest(
            "Codes may only contain letters A-Z, digits, '-' and '_'.",
            details={"pattern": str(parsed), "invalid_characters": invalid},
        )
    if parsed.length > MAX_CODE_LENGTH:
        raise InvalidRequest(
            f"Codes may be at most {MAX_CODE_LENGTH} characters long.",
            details={"length": parsed.length, "max_length": MAX_CODE_LENGTH},
        )
    sample = str(parsed).replace("#", DIGITS[0]).replace("?", LETTERS[0]).replace("*", CHARSET[0])
    if not re.fullmatch(CODE_PATTERN, sample):
        raise InvalidRequest("A code must start with a letter or digit.", details={"pattern": str(parsed)})
    return parsed


def check_not_guessable(pattern: CodePattern, count: int, live: int = 0) -> None:
    """Refuse (`CodesGuessable`) unless the pattern has at least `(live + count) * GUESS_FACTOR` combinations.

    `live` is how many codes of this pattern the campaign already has: 30 requests of 26 codes are as
    guessable as one of 780. Someone trying random codes of the pattern then hits one of the campaign's codes
    with probability at most 1 in 10,000 per try; together with rate limiting that makes brute-forcing codes
    impractical, while short, human-friendly patterns stay possible for small campaigns.
    """
    required = (live + count) * GUESS_FACTOR
    combinations = pattern.combinations()
    if combinations < required:
        details = {"combinations": combinations, "count": count, "live": live, "required": required}
        raise CodesGuessable(details=details)


def most_live(pattern: CodePattern) -> int:
    """How many codes of `pattern` one campaign may have before they become guessable."""
    return pattern.combinations() // GUESS_FACTOR


def generate(pattern: CodePattern, count: int, rng: random.Random | None = None) -> list[str]:
    """`count` distinct upper-case codes of `pattern`, random from `secrets` unless a seeded `rng` is given (tests).

    Random bytes are mapped to characters with `bytes.translate`, rejecting the bytes above the largest multiple
    of the alphabet size so every character is equally likely; this keeps 100,000 codes well under a second.
    """
    if count < 0:
        raise InvalidRequest("The count cannot be negative.", details={"count": count})
    if count > pattern.combinations():
        raise InvalidRequest(
            "The pattern cannot make this many distinct codes.",
            details={"combinations": pattern.combinations(), "count": count},
        )
    randbytes = (rng or secrets.SystemRandom()).randbytes
    codes: dict[str, None] = {}
    while len(codes) < count:
        for code in _batch(pattern, count - len(codes), randbytes):
            if code not in codes:
                codes[code] = None
                if len(codes) == count:
                    break
    return list(codes)


def _batch(pattern: CodePattern, size: int, randbytes: RandBytes) -> list[str]:
    """`size` random codes (possibly with repeats), built column by column."""
    segments: list[tuple[bool, str]] = []  # (is_placeholder, placeholder or literal run)
    for char in pattern.pattern:
        if char in PLACEHOLDERS:
            segments.append((True, char))
        elif segments and not segments[-1][0]:
            segments[-1] = (False, segments[-1][1] + char)
        else:
            segments.append((False, char))
    positions = {
        kind: sum(1 for placeholder, text in segments if placeholder and text == kind) for kind in PLACEHOLDERS
    }
    pools = {kind: _random_chars(PLACEHOLDERS[kind], size * n, randbytes) for kind, n in positions.items() if n}
    seen = dict.fromkeys(PLACEHOLDERS, 0)
    columns: list[str | list[str]] = []
    for placeholder, text in segments:
        if placeholder:
            columns.append(pools[text][seen[text] :: positions[text]])
            seen[text] += 1
        else:
            columns.append([text] * size)
    head, tail = pattern.prefix, pattern.suffix
    return [head + "".join(parts) + tail for parts in zip(*columns, strict=True)]


def _random_chars(alphabet: str, n: int, randbytes: RandBytes) -> str:
    """`n` uniformly random characters of `alphabet` (at most 256), by rejection sampling of random bytes."""
    limit = 256 - 256 % len(alphabet)
    table = bytes(ord(alphabet[b % len(alphabet)]) if b < limit else 0 for b in range(256))
    rejected = bytes(range(limit, 256))
    out = b""
    while len(out) < n:
        missing = n - len(out)
        out += randbytes(missing + missing // 16 + 16).translate(table, rejected)
    return out[:n].decode("ascii")
