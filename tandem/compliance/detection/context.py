"""Context words that turn a number into a reference rather than personal data.

A Luhn-valid 16-digit order number, a 10-digit case number starting with ``06`` or a parcel
number are indistinguishable from a card or a phone number by their digits alone (about one
random 16-digit number in ten passes Luhn). What tells them apart is the label the customer wrote
right before them: "commande n° …", "dossier …", "réf. …", "numéro de suivi …". Only a label that
*immediately* precedes the number counts, so "ma commande a été payée avec la carte 4970 …" is
still a card.
"""

from __future__ import annotations

import re
from typing import Final

_E: Final = "[eEéÉèÈêÊ]"
_NUMBER_SIGN: Final = rf"(?:n\s?[°º]|n[o°º]\.?|num{_E}ro|nr\.?|#)"

# Labels that name a business reference. The customer's own client number is included because
# French banks print it on every letter and it is not what the detectors are for.
_REFERENCE_WORDS: Final = (
    "commande",
    "cde",
    "cmd",
    "colis",
    "suivi",
    "tracking",
    f"exp{_E}dition",
    "envoi",
    "dossier",
    f"r{_E}f{_E}rence",
    f"r{_E}f",
    "facture",
    "contrat",
    "police",
    "siret",
    "siren",
    "tva",
    "sinistre",
    "ticket",
    "imei",
    "bordereau",
    "transaction",
    f"op{_E}ration",
    f"recommand{_E}e?",
    "lettre suivie",
    f"{_NUMBER_SIGN}\\s*(?:de\\s+)?(?:client|adh{_E}rent|soci{_E}taire|s{_E}rie|lot|article)",
)

_REFERENCE_LABEL: Final = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(_REFERENCE_WORDS)
    + rf")\.?\s*(?:{_NUMBER_SIGN}\s*)?(?:de\s+)?[:=]?\s*(?:(?:c'est|est)\s+(?:le\s+)?)?$",
    re.ASCII | re.IGNORECASE,
)

# How far back to look: the longest label plus "n° " and a colon fits comfortably.
_WINDOW: Final = 40

# Every label above contains one of these words, as they read once lower-cased ("lettre suivie"
# contains "suivi", "référence" contains "réf", the number sign is always followed by "client",
# "série"…). Looking for them in the lower-cased window is much cheaper than running
# ``_REFERENCE_LABEL``, which is tried at each of the 40 positions, and most windows before a
# number hold none of them.
_LOWER_E: Final = "[eéèê]"
_LABEL_WORDS: Final = re.compile(
    "commande|cde|cmd|colis|suivi|tracking|envoi|dossier|facture|contrat|police|siret|siren"
    "|tva|sinistre|ticket|imei|bordereau|transaction|client|lot|article"
    f"|exp{_LOWER_E}dition|r{_LOWER_E}f|op{_LOWER_E}ration|recommand{_LOWER_E}"
    f"|adh{_LOWER_E}rent|soci{_LOWER_E}taire|s{_LOWER_E}rie"
)


def is_labelled_reference(text: str, start: int) -> bool:
    """Whether the value starting at ``start`` is introduced as an order, case or parcel number."""
    window = max(0, start - _WINDOW)
    if _LABEL_WORDS.search(text[window:start].lower()) is None:
        return False
    return _REFERENCE_LABEL.search(text, window, start) is not None
