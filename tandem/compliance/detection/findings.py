"""The value object every detector returns, and the kinds it can carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

IBAN: Final = "iban"
CARD: Final = "card"
RIB: Final = "rib"
FR_NIR: Final = "fr_nir"
PHONE: Final = "phone"
EMAIL: Final = "email"
SECRET: Final = "secret"  # noqa: S105 - the name of a kind, not a password

#: Every kind ``detect`` can return, in the order used to break ties between overlapping
#: candidates: a value validated by a stronger checksum wins over a weaker reading of the same
#: characters (a phone number inside an IBAN is part of the IBAN).
KINDS: Final[tuple[str, ...]] = (IBAN, RIB, CARD, FR_NIR, EMAIL, PHONE, SECRET)


@dataclass(frozen=True, slots=True)
class Finding:
    """One sensitive value found in a text.

    ``start`` and ``end`` are character offsets (Python ``str`` indices, end exclusive) into the
    text exactly as it was given to ``detect``, so ``text[finding.start:finding.end]`` is the
    value as the customer typed it, separators included.
    """

    kind: str
    start: int
    end: int

    def as_dict(self) -> dict[str, str | int]:
        """The JSON shape used by ``tandem scan`` and the labelled corpus."""
        return {"kind": self.kind, "start": self.start, "end": self.end}
