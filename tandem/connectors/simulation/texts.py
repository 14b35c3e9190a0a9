"""French messages and comments from a retail bank's customers, generated deterministically.

``compose(rng, ...)`` returns one ``Utterance``: what a customer of a French regional bank might
write to their bank on Messenger, Instagram, WhatsApp or under a Facebook post. Texts are built
from hand-written templates (cards lost or blocked, fraud, loans, mortgages, savings, appointments,
opening hours, complaints, job applications, app problems, thanks, bare greetings), then given a
register (formal letter, neutral, casual, SMS shorthand, angry) and the small accidents of typing
on a phone: missing accents, swapped letters, missing apostrophes, emojis.

A configurable share of texts (``sensitive_share``) carries a sensitive value (IBAN, RIB, card
number, NIR, phone, e-mail, code or password; see ``sensitive.py``). Typos never touch those
values, and ``Utterance.findings`` gives their exact character offsets, so a test can check
that a detector finds them.

Contract: the same ``random.Random`` state gives the same utterance; nothing else is consulted.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Final

from tandem.connectors.simulation.corpus import (
    CLOSERS,
    DIRECT_WEIGHTS,
    EMOJIS,
    FIRST_NAMES,
    LAST_NAMES,
    OPENERS,
    PUBLIC_EXTRAS,
    PUBLIC_WEIGHTS,
    REGISTER_WEIGHTS,
    SENSITIVE_BY_TOPIC,
    SHORTHAND,
    SLOTS,
    TEMPLATES,
    Register,
    Topic,
)
from tandem.connectors.simulation.sensitive import make_piece

__all__ = ["FIRST_NAMES", "LAST_NAMES", "Register", "Topic", "Utterance", "compose"]


@dataclass(frozen=True, slots=True)
class Utterance:
    """One customer text. ``findings`` are ``(kind, start, end)`` offsets of sensitive values."""

    text: str
    topic: Topic
    register: Register
    findings: tuple[tuple[str, int, int], ...] = ()

    @property
    def urgent(self) -> bool:
        return self.topic.urgent

    @property
    def sensitive(self) -> bool:
        return bool(self.findings)


_SHORTHAND_RE: Final = [(re.compile(rf"\b{re.escape(a)}\b"), b) for a, b in SHORTHAND]
_SLOT: Final = re.compile(r"\{(\w+)\}")
_ELISION: Final = re.compile(r"\bde ([AEIOUÉÈ])")
# After "Bonjour" or "Salut," the sentence runs on in lower case; after "!" or "…" it does not.
_RUN_ON: Final = frozenset("abcdefghijklmnopqrstuvwxyz,")
_UNACCENT: Final = str.maketrans("éèêëàâäçîïôöùûüÉÈÀÇ", "eeeeaaaciioouuuEEAC")
_HOMOPHONES: Final = (("ça ", "sa "), ("à ", "a "), ("c'est", "ces"), ("quand", "quant"))


def _fill(template: str, rng: random.Random) -> str:
    text = _SLOT.sub(lambda match: rng.choice(SLOTS[match.group(1)]), template)
    # French elision and contraction around town names: "de Annecy", "à Le Mans".
    text = _ELISION.sub(r"d'\1", text)
    return text.replace("de Le ", "du ").replace("à Le ", "au ")


def _typos(text: str, rng: random.Random, rate: float) -> str:
    """Phone-keyboard accidents: swapped or doubled letters, missing apostrophes, homophones."""
    if rng.random() < rate:
        for right, wrong in _HOMOPHONES:
            if right in text and rng.random() < 0.5:
                text = text.replace(right, wrong, 1)
                break
    if rng.random() < rate:
        text = text.replace("'", "", rng.randrange(1, 3))
    words = text.split(" ")
    for index, word in enumerate(words):
        if len(word) > 4 and word.isalpha() and rng.random() < rate / 12:
            at = rng.randrange(1, len(word) - 2)
            if rng.random() < 0.5:
                words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
            else:
                words[index] = word[:at] + word[at] + word[at:]
    return " ".join(words)


def _restyle(text: str, register: Register, rng: random.Random) -> str:
    if register is Register.SMS:
        text = text.lower()
        for pattern, short in _SHORTHAND_RE:
            text = pattern.sub(short, text)
        text = text.translate(_UNACCENT).rstrip(" ?!.")
        return _typos(text, rng, 0.6)
    if register is Register.ANGRY:
        if rng.random() < 0.4:
            text = text.upper()
        text = text.rstrip(".! ")
        if text.endswith("?"):
            return text + rng.choice(("!!", "?", "?!", ""))
        return text + rng.choice((" !!!", " !", " !!"))
    if register is Register.CASUAL:
        if rng.random() < 0.35:
            text = text.translate(_UNACCENT)
        return _typos(text, rng, 0.35)
    if register is Register.NEUTRAL:
        return _typos(text, rng, 0.15)
    return text


def _emoji(topic: Topic, register: Register, rng: random.Random) -> str:
    chance = {Register.FORMAL: 0.02, Register.ANGRY: 0.35}.get(register, 0.3)
    if rng.random() >= chance:
        return ""
    if register is Register.ANGRY or topic is Topic.COMPLAINT:
        mood = "angry"
    elif topic.urgent:
        mood = "urgent"
    elif topic is Topic.THANKS:
        mood = "happy"
    else:
        mood = "neutral"
    return rng.choice(EMOJIS[mood]) * rng.choice((1, 1, 1, 2, 3))


def compose(
    rng: random.Random,
    *,
    sensitive_share: float = 0.03,
    public: bool = False,
    first_name: str | None = None,
    last_name: str | None = None,
    topic: Topic | None = None,
) -> Utterance:
    """One customer text.

    ``public`` selects what people write under a post (no bare greetings, more complaints and
    praise, no letter-style closing). With probability ``sensitive_share`` (0 to 1) the text
    carries exactly one sensitive value of a kind that fits the topic (a card number about a
    lost card, a phone number for an appointment), whose offsets are returned in ``findings``;
    otherwise it carries none. The author's name (formal sign-offs, e-mail addresses) is drawn
    when not given.
    """
    if not 0.0 <= sensitive_share <= 1.0:
        raise ValueError("sensitive_share must be between 0 and 1")
    first_name = first_name or rng.choice(FIRST_NAMES)
    last_name = last_name or rng.choice(LAST_NAMES)
    sensitive = rng.random() < sensitive_share
    weights = PUBLIC_WEIGHTS if public else DIRECT_WEIGHTS
    if topic is None or (sensitive and topic is Topic.GREETING):
        choices = [t for t in weights if not (sensitive and t is Topic.GREETING)]
        topic = rng.choices(choices, weights=[weights[t] for t in choices])[0]
    register = rng.choices(list(REGISTER_WEIGHTS), weights=list(REGISTER_WEIGHTS.values()))[0]
    if register is Register.ANGRY and topic in (Topic.THANKS, Topic.GREETING):
        register = Register.CASUAL  # nobody thanks their bank in capitals
    templates = TEMPLATES[topic] + (PUBLIC_EXTRAS.get(topic, ()) if public else ())
    text = _restyle(_fill(rng.choice(templates), rng), register, rng)

    joint = "\n" if register is Register.FORMAL else " "
    opener = "" if topic is Topic.GREETING else rng.choice(OPENERS[register])
    if opener:
        if (
            joint == " "
            and opener[-1] in _RUN_ON
            and text[:1].isupper()
            and not text[1:2].isupper()
        ):
            text = text[0].lower() + text[1:]  # "Bonjour je voudrais…", as people type it
        text = opener + joint + text
    findings: tuple[tuple[str, int, int], ...] = ()
    if sensitive:
        kinds = SENSITIVE_BY_TOPIC[topic]
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        piece = make_piece(rng, first_name=first_name, last_name=last_name, kind=kind)
        phrase, start, end = piece.render()
        if register is Register.SMS:
            lowered = phrase.lower().translate(_UNACCENT)
            phrase = lowered[:start] + phrase[start:end] + lowered[end:]
        separator = ". " if text[-1].isalnum() else " "
        offset = len(text) + len(separator)
        text = text + separator + phrase
        findings = ((piece.kind, offset + start, offset + end),)
    emoji = _emoji(topic, register, rng)
    if emoji:
        text = f"{text} {emoji}"
    # Thanks are their own closing; greetings and public comments have none.
    silent = public or topic in (Topic.GREETING, Topic.THANKS)
    closer = "" if silent else rng.choice(CLOSERS[register])
    if closer:
        if register is Register.NEUTRAL and text[-1].isalnum():
            text += "."
        text = text + joint + closer.format(prenom=first_name, nom=last_name)
    return Utterance(text=text, topic=topic, register=register, findings=findings)
