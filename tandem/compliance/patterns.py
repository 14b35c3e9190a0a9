"""The safe-regex guard for the regular expressions compliance officers write in wording rules.

Python's ``re`` backtracks and cannot be interrupted: one careless pattern such as ``(a+)+$`` or
``(\\w|\\d)*x`` can hold a web worker for minutes on a long reply. Rules run on every reply, so
a pattern is refused at save time unless it passes three checks:

1. **Restricted syntax**, checked on the parse tree (``re._parser``), which removes every source
   of exponential backtracking:

   - no backreferences, lookarounds, conditionals, atomic groups or possessive quantifiers;
   - a quantifier applies to a single character (``x+``, ``\\d{2,4}``, ``[a-z]*``) or to an
     optional group (``(?:s|es)?``); the only repeated group allowed is the *word gap*
     ``(?: \\w+){0,5}`` (a space then a run of characters that cannot be a space, or the
     reverse), whose iterations cannot overlap;
   - a character that can match a space (``.``, ``\\s``, ``[^x]``) repeats at most 50 times;
   - at most three repetitions (of more than one character) in the whole pattern.

2. **Bounded input**: the text a pattern sees is normalised (``wording.normalise``), and no
   word in it is longer than 64 characters, so a repeat of word characters is bounded too.

3. **A timing probe** at save time: the compiled pattern is searched in a few adversarial
   texts, first their first 500 characters (10 ms budget), then all 4,000 (50 ms); over budget,
   the pattern is refused. After the first two checks every repetition is bounded, so the cost
   grows linearly with the text and the probe ends quickly even for a slow pattern.

The normalised text has no capitals and no accents, so a pattern with either could never match:
it is refused with an explanation rather than saved and silently useless.
"""

from __future__ import annotations

import importlib
import re
import time
from typing import Any, Final

from django.utils.translation import gettext as _

_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

MAX_PATTERN_LENGTH: Final = 300
MAX_REPEATS: Final = 3
MAX_SPACE_REPEAT: Final = 50
MAX_GAP_WORDS: Final = 5
PROBE_SLICE: Final = 500
PROBE_SLICE_BUDGET: Final = 0.01
PROBE_BUDGET: Final = 0.05

_SINGLE: Final = {"LITERAL", "NOT_LITERAL", "ANY", "IN"}
_REPEATS: Final = {"MAX_REPEAT", "MIN_REPEAT"}
_ZERO_WIDTH: Final = {"AT"}
_SPACE: Final = 32
_SPACE_CATEGORIES: Final = {"CATEGORY_SPACE", "CATEGORY_NOT_WORD", "CATEGORY_NOT_DIGIT"}

_PROBES: Final = (
    " ".join(["a" * 64] * 62),
    " ".join(["1" * 64] * 62),
    "a " * 2000,
    "1 " * 2000,
    " ".join(["credit taux 3 % sans risque votre compte"] * 100),
    "a1 " * 1300 + "%",
)


class UnsafePattern(ValueError):
    """The pattern is invalid or could be too slow; the message says why, for the officer."""


def _name(op: Any) -> str:
    return str(op)


def _class_matches_space(items: list[tuple[Any, Any]]) -> bool:
    negate = False
    found = False
    for op, value in items:
        name = _name(op)
        if name == "NEGATE":
            negate = True
        elif (
            (name == "LITERAL" and value == _SPACE)
            or (name == "RANGE" and value[0] <= _SPACE <= value[1])
            or (name == "CATEGORY" and _name(value) in _SPACE_CATEGORIES)
        ):
            found = True
    return found != negate


def _matches_space(op: Any, value: Any) -> bool:
    name = _name(op)
    if name == "LITERAL":
        return bool(value == _SPACE)
    if name in {"NOT_LITERAL", "ANY"}:
        return name == "ANY" or value != _SPACE
    return _class_matches_space(value)


def _is_word_gap(items: list[tuple[Any, Any]]) -> bool:
    """``(?: \\w+)`` or ``(?:\\w+ )``: a space and a run that cannot contain a space."""
    if len(items) != 2:
        return False
    first, second = items
    space, run = (first, second) if _name(first[0]) == "LITERAL" else (second, first)
    if _name(space[0]) != "LITERAL" or space[1] != _SPACE or _name(run[0]) not in _REPEATS:
        return False
    _low, _high, body = run[1]
    body_items = list(body)
    return (
        len(body_items) == 1
        and _name(body_items[0][0]) in _SINGLE
        and not _matches_space(*body_items[0])
    )


def _walk(items: Any, repeats: list[int]) -> None:
    for op, value in items:
        name = _name(op)
        if name in _SINGLE or name in _ZERO_WIDTH:
            continue
        if name == "SUBPATTERN":
            _walk(value[-1], repeats)
        elif name == "BRANCH":
            for alternative in value[1]:
                _walk(alternative, repeats)
        elif name in _REPEATS:
            _check_repeat(value, repeats)
        else:
            raise UnsafePattern(
                _(
                    "Backreferences, lookarounds, conditionals, atomic groups and possessive "
                    "quantifiers are not allowed; use the rule's exceptions instead."
                )
            )


def _check_repeat(value: Any, repeats: list[int]) -> None:
    _low, high, body = value
    body_items = list(body)
    if high <= 1:  # "?" doubles the ways to match at most once per group: harmless
        _walk(body_items, repeats)
        return
    repeats.append(1)
    if len(body_items) == 1 and _name(body_items[0][0]) in _SINGLE:
        unbounded = high == _constants.MAXREPEAT
        if _matches_space(*body_items[0]) and (unbounded or high > MAX_SPACE_REPEAT):
            raise UnsafePattern(
                _(
                    "A character that can match a space (., \\s, [^…]) must have a bounded "
                    "repetition of at most %(limit)s, such as .{0,40}."
                )
                % {"limit": MAX_SPACE_REPEAT}
            )
        return
    if len(body_items) == 1 and _name(body_items[0][0]) == "SUBPATTERN":
        body_items = list(body_items[0][1][-1])
    if _is_word_gap(body_items) and high <= MAX_GAP_WORDS:
        return
    raise UnsafePattern(
        _(
            "A repeated group can only be a gap of up to %(words)s words, written "
            "(?: \\w+){0,3}; other repeated groups and nested repetitions are refused."
        )
        % {"words": MAX_GAP_WORDS}
    )


def pattern_validate(pattern: str, *, probe: bool = True) -> re.Pattern[str]:
    """The compiled pattern, or ``UnsafePattern`` explaining what to change. ``probe=False``
    skips the timing probe (for patterns already accepted once)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(
            _("The regular expression is longer than %(limit)s characters.")
            % {"limit": MAX_PATTERN_LENGTH}
        )
    # Capitals are only allowed in the escapes \W, \S, \D, \B, \A and \Z.
    if re.search(r"(?<!\\)[A-Z]", pattern) or re.search(r"\\[CE-RT-VXY]", pattern):
        raise UnsafePattern(_("Write the expression in lower case: the text is compared so."))
    if any(not character.isascii() and character != "€" for character in pattern):
        raise UnsafePattern(_("Write the expression without accents: the text is compared so."))
    try:
        compiled = re.compile(pattern)
        tree = _parser.parse(pattern)
    except re.error as error:
        raise UnsafePattern(
            _("This regular expression is not valid: %(error)s") % {"error": error}
        ) from None
    repeats: list[int] = []
    _walk(tree, repeats)
    if len(repeats) > MAX_REPEATS:
        raise UnsafePattern(
            _("At most %(limit)s repetitions (+, *, {n,m}) in one expression.")
            % {"limit": MAX_REPEATS}
        )
    for text in _PROBES if probe else ():
        # A short slice first, so that a slow pattern is refused in milliseconds, not seconds.
        for sample, budget in ((text[:PROBE_SLICE], PROBE_SLICE_BUDGET), (text, PROBE_BUDGET)):
            started = time.perf_counter()
            compiled.search(sample)
            if time.perf_counter() - started > budget:
                raise UnsafePattern(
                    _("This regular expression is too slow on long texts; simplify it.")
                )
    return compiled
