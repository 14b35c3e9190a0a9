"""Unit and property tests for ``tandem.compliance.detection`` (pure, no database).

Vectors marked "stdnum" or "registry" come from python-stdnum's documentation and the IBAN
registry samples quoted in docs/research (public test data); the others were computed for these
tests. Card numbers are public test PANs or random Luhn-valid numbers that only live here.
"""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from tandem.compliance.corpus import Values
from tandem.compliance.detection import KINDS, Finding, detect, normalise
from tandem.compliance.detection.accounts import rib_key
from tandem.compliance.detection.cards import is_card_number

NBSP = "\u00a0"
NNBSP = "\u202f"


def luhn_valid(number: str) -> bool:
    return bool(luhn.is_valid(number))


def found(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, text[finding.start : finding.end]) for finding in detect(text)]


def assert_only(text: str, kind: str, value: str) -> None:
    assert found(text) == [(kind, value)], text


# --- IBAN ------------------------------------------------------------------------------------

IBANS = [
    "FR76 1234 5678 9001 2345 6789 061",
    "fr7612345678900123456789061",
    f"FR76{NNBSP}1234{NNBSP}5678{NNBSP}9001{NNBSP}2345{NNBSP}6789{NNBSP}061",
    f"FR76{NBSP}1234{NBSP}5678{NBSP}9001{NBSP}2345{NBSP}6789{NBSP}061",
    "FR76.1234.5678.9001.2345.6789.061",
    "FR76-1234-5678-9001-2345-6789-061",
    "FR76 12345 67890 01234567890 61",  # grouped like the RIB inside it
    "FR 76 1234 5678 9001 2345 6789 061",
    "Fr76 1234 5678 9001 2345 6789 061",
    "FR22 9999 9000 0100 0012 3456 A86",  # alphanumeric account
    "FR14 2004 1010 0505 0001 3M02 606",  # registry sample
    "MC58 1122 2000 0101 2345 6789 030",
    "DE89 3704 0044 0532 0130 00",
    "GB29 NWBK 6016 1331 9268 19",
    "BE68 5390 0754 7034",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "NL91 ABNA 0417 1643 00",
    "CH93 0076 2011 6238 5295 7",
    "PT50 0002 0123 1234 5678 9015 4",
    "LU28 0019 4006 4475 0000",
    "CY17 0020 0128 0000 0012 0052 7600",  # registry sample
]


@pytest.mark.parametrize("iban", IBANS)
def test_iban_is_found_in_every_spelling(iban: str) -> None:
    assert_only(f"Bonjour, voici mon IBAN {iban} merci", "iban", iban)


def test_iban_glued_to_label_and_following_word() -> None:
    text = "IBAN:FR7612345678900123456789061MERCI"
    assert_only(text, "iban", "FR7612345678900123456789061")
    assert_only("monIBANFR7612345678900123456789061", "iban", "FR7612345678900123456789061")


@pytest.mark.parametrize(
    "text",
    [
        "FR76 1234 5678 9001 2345 6789 062",  # check digits
        "FR76 1234 5678 9001 2345 6789 016",  # transposition
        "FR76 1234 5678 9001",  # too short
        "AB15 0120 6900 0000 3111 141",  # unknown country
        "GB29 NWBK 6016 1331 9268 18",
        "FR76123456789001234567890612",  # a digit glued after: not an IBAN of this length
    ],
)
def test_invalid_iban_is_not_reported(text: str) -> None:
    assert found(text) == []


def test_iban_followed_by_word_keeps_exact_length() -> None:
    text = "CY17 0020 0128 0000 0012 0052 7600 failed"
    assert_only(text, "iban", "CY17 0020 0128 0000 0012 0052 7600")
    # A wrong last digit must not be rescued by reading the next word into the checksum.
    assert found("CY17 0020 0128 0000 0012 0052 7601 failed") == []


def test_mistyped_iban_hides_the_numbers_inside_it() -> None:
    # 0417 1643 00 would be a valid French landline on its own.
    assert found("NL91 ABNA 0417 1643 01") == []


# --- RIB -------------------------------------------------------------------------------------


def test_rib_key_matches_known_vectors() -> None:
    assert rib_key("20041", "01005", "0500013M026") == 6  # registry sample
    assert rib_key("12345", "67890", "01234567890") == 61


@pytest.mark.parametrize(
    "rib",
    [
        "12345 67890 01234567890 61",
        "20041 01005 0500013M026 06",
        "20041-01005-0500013M026-06",
        "2004101005 0500013M026 06",
        f"20041{NBSP}01005{NBSP}0500013M026{NBSP}06",
        "20041010050500013m02606",
    ],
)
def test_rib_is_found(rib: str) -> None:
    assert_only(f"mon RIB : {rib}.", "rib", rib)


@pytest.mark.parametrize(
    "text", ["12345 67890 01234567890 62", "RIB 20041 01005 0500013M026 07", "commande 12345"]
)
def test_rib_with_wrong_key_is_not_reported(text: str) -> None:
    assert found(text) == []


def test_rib_inside_iban_is_reported_as_iban() -> None:
    assert found("FR76 12345 67890 01234567890 61") == [("iban", "FR76 12345 67890 01234567890 61")]


# --- Cards -----------------------------------------------------------------------------------

CARDS = [
    "4111 1111 1111 1111",  # public Visa test PAN
    "5555 5555 5555 4444",  # public Mastercard test PAN
    "378282246310005",  # public Amex test PAN
    "3782 822463 10005",
    "2223 0000 0000 0015",  # Mastercard 2-series
    f"4970{NBSP}1012{NBSP}3456{NBSP}7893",
    f"4970{NNBSP}1012{NNBSP}3456{NNBSP}7893",
    "4970-1012-3456-7893",
    "4970.1012.3456.7893",
    "4970101234567893",
    "4970 10 12 34 56 78 93",
    "6011 0009 9013 9424",  # Discover test PAN
    "3530 1113 3330 0000",  # JCB test PAN
    "3056 930902 5904",  # Diners 14 digits, printed 4-6-4
    "6759 6498 2643 8453",  # Maestro
    "4000 0000 0000 0000 006",  # 19 digits
]


@pytest.mark.parametrize("card", CARDS)
def test_card_is_found(card: str) -> None:
    assert_only(f"ma carte {card} est bloquée", "card", card)


def test_two_cards_in_one_run_of_digits() -> None:
    # The 19-digit card is tried first (longer); the 16-digit one before it must still be found.
    text = "4970 1012 3456 7893 4000 0000 0000 0000 006"
    assert found(text) == [("card", "4970 1012 3456 7893"), ("card", "4000 0000 0000 0000 006")]


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1111 201",  # the whole run is also a Luhn-valid 19-digit number
        "4970 1012 3456 7893 123",
        "4970101234567893 123",
        "3782 822463 10005 1234",  # Amex and its 4-digit CID
    ],
)
def test_digits_typed_after_a_card_are_its_security_code(text: str) -> None:
    card, code = text.rsplit(" ", 1)
    assert found(text) == [("card", card), ("secret", code)]


def test_nineteen_digit_card_stays_whole_when_its_prefix_is_not_a_card() -> None:
    assert_only("4000 0000 0000 0000 006", "card", "4000 0000 0000 0000 006")


def test_card_followed_by_expiry_and_cvv_keeps_card_span() -> None:
    text = "4970 1012 3456 7893 08/27 crypto 123"
    assert found(text) == [("card", "4970 1012 3456 7893"), ("secret", "123")]


@pytest.mark.parametrize(
    "text",
    [
        "4970 1012 3456 7890",  # Luhn fails
        "1748503543012",  # millisecond timestamp, Luhn-valid
        "1234-5678-1234-5678",
        "0000 0000 0000 0000",
        "commande n° 4532015112830366",  # Luhn-valid order number, labelled
        "Commande N°4532015112830366",
        "SIRET 732 829 320 00074",
        "73282932000074",
        "356 000 000 09075",  # La Poste SIRET, starts in the JCB range
        "35600000009075",
        "36252187900034",  # Luhn-valid 14 digits in the Diners range, compact
        "IMEI 356938035643809",
        "7000 0000 0000 0002",  # Luhn-valid, no issuer
    ],
)
def test_card_traps_are_not_reported(text: str) -> None:
    assert found(text) == []


def test_fourteen_digits_need_diners_grouping() -> None:
    assert is_card_number("30569309025904", (4, 6, 4))
    assert not is_card_number("30569309025904", (14,))
    assert not is_card_number("30569309025904", (3, 3, 3, 5))


# --- NIR -------------------------------------------------------------------------------------

NIRS = [
    "1 85 05 78 006 084 91",
    "185057800608491",
    "1850578006084 91",
    "2 90 01 2A 004 123 85",
    "2 95 10 99 126 111 93",  # stdnum docstring
    "253072B07300470",  # stdnum docstring (Corsica)
    "253072A07300443",
    "2 53 07 2b 073 004 70",
    f"1{NBSP}85{NBSP}05{NBSP}78{NBSP}006{NBSP}084{NBSP}91",
    "1.85.05.78.006.084.91",
]


@pytest.mark.parametrize("nir", NIRS)
def test_nir_is_found(nir: str) -> None:
    assert_only(f"mon numéro de sécu : {nir}", "fr_nir", nir)


@pytest.mark.parametrize(
    "text",
    [
        "1 85 05 78 006 084 92",  # key
        "253072C07300443",  # stdnum docstring: bad département
        "1 85 15 78 006 084 57",  # month 15 does not exist (key is right)
        "dossier 185057800608491",  # labelled as a case number
    ],
)
def test_nir_traps_are_not_reported(text: str) -> None:
    assert found(text) == []


# --- Phones ----------------------------------------------------------------------------------

PHONES = [
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "0612345678",
    "+33 6 12 34 56 78",
    "+33612345678",
    "+33 (0)6 12 34 56 78",
    "(+33) 6 12 34 56 78",
    "0033 6 12 34 56 78",
    "01 42 68 53 00",
    "09 70 12 34 56",
    "07 81 23 45 67",
    f"06{NBSP}12{NBSP}34{NBSP}56{NBSP}78",
    "0690 12 34 56",  # Guadeloupe
    "0696 20 12 34",  # Martinique
    "0694 20 12 34",  # Guyane
    "0692 12 34 56",  # La Réunion
    "0262 16 12 34",  # La Réunion landline
    "+590 690 00 12 34",
    "+262 692 12 34 56",
    "+32 470 12 34 56",
    "+41 79 123 45 67",
    "+44 20 7946 0958",
    "+1 415 555 2671",
    "+49 1512 3456789",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_is_found(phone: str) -> None:
    assert_only(f"rappelez-moi au {phone} svp", "phone", phone)


@pytest.mark.parametrize(
    "text",
    [
        "06 12 34 56",  # too short
        "3631",
        "+33 6 12 34 56",
        "06 12 34 56 78 90",  # the run goes on
        "Réf. dossier 0612345678",
        "n° client 0142685300",
        "contrat n° 0456789123",
        "mon numéro client est le 0612345678 ?",
        "le 12 03 2024 14 30",
        "12/03/2024 à 14h30",
        "0612345678svp",
    ],
)
def test_phone_traps_are_not_reported(text: str) -> None:
    assert found(text) == []


def test_two_phones_separated_by_slash() -> None:
    text = "06 12 34 56 78 / 07 81 23 45 67"
    assert found(text) == [("phone", "06 12 34 56 78"), ("phone", "07 81 23 45 67")]


# --- E-mail ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "jean.dupont@example.com",
        "JEAN.DUPONT@EXAMPLE.COM",
        "élodie.martin@example.org",
        "kevin.martin+banque@orange.fr",
        "j_dupont92@etu.univ-exemple.fr",
        "hélène@mail.example.co.uk",
    ],
)
def test_email_is_found(email: str) -> None:
    assert_only(f"écrivez-moi à {email}.", "email", email)


@pytest.mark.parametrize(
    "text",
    [
        "photo@2x.png",
        "contact@banque",
        "user@localhost",
        "jean.dupont@domaine.test",
        "merci @BanqueExemple pour la réponse",
    ],
)
def test_email_traps_are_not_reported(text: str) -> None:
    assert found(text) == []


def test_digits_inside_email_are_not_a_phone() -> None:
    assert_only("0612345678@sfr.fr", "email", "0612345678@sfr.fr")


# --- Secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("mon code est 482913", "482913"),
        ("cryptogramme 123", "123"),
        ("le cryptogramme visuel : 907", "907"),
        ("mot de passe : Soleil2024!", "Soleil2024!"),
        ("mon mot de passe c'est Soleil2024!.", "Soleil2024!"),
        ("mdp: Azerty123", "Azerty123"),
        ("password = « P@ssw0rd »", "P@ssw0rd"),
        ("code reçu par SMS 582 019", "582 019"),
        ("le code pin c'est 1234", "1234"),
        ("le code pin c\u2019est 1234", "1234"),
        ("CVV 123", "123"),
        ("CVC2: 4821", "4821"),
        ("les 3 chiffres au dos : 907", "907"),
        ("Le code que j'ai reçu est 739201, il ne marche pas", "739201"),
        ("code de validation : 48-29-13", "48-29-13"),
        ("mon code à 6 chiffres c'est 482913", "482913"),
        ("MON CODE SECRET EST 2580", "2580"),
        ("OTP 123456", "123456"),
        ("mon code de ma CB c'est 1234", "1234"),
        ("le code que je viens de recevoir : 482913", "482913"),
        ("les trois chiffres derrière la carte 123", "123"),
        ("code de sécurité 123", "123"),
        ("code de sécurité reçu par SMS 482913", "482913"),
        ("mon mdp c Soleil2024", "Soleil2024"),
        ("le mot de passe provisoire est Xk7#pQ", "Xk7#pQ"),
        ("Mon code confidentiel: 4 8 2 1", "4 8 2 1"),
    ],
)
def test_secret_value_only_is_found(text: str, value: str) -> None:
    assert_only(text, "secret", value)


@pytest.mark.parametrize(
    "text",
    [
        "code postal 75008",
        "code promo NOEL25",
        "erreur code 404",
        "l'appli affiche erreur code 4012",
        "code d'erreur 404",
        "Code civil art. 1240",
        "crypto 2025 : avis ?",
        "je veux investir 100 € en crypto",
        "mot de passe oublié",
        "mon mot de passe est bloqué",
        "MON MOT DE PASSE EST BLOQUÉ",
        "j'ai reçu un code par SMS mais il ne marche pas",
        "le code est valable 10 minutes",
        "code guichet 00550 code banque 30004",
        "code APE 6419Z",
        "mon code client est 12345678",
        "CVV 123 €",
        "le code PIN à 4 chiffres ne marche plus",
    ],
)
def test_secret_traps_are_not_reported(text: str) -> None:
    assert found(text) == []


# --- General traps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1 250,00 €",
        "1500 euros",
        "12 345,67 EUR",
        "12/03/2024",
        "12 03 2024",
        "12.03.2024",
        "2024-03-12",
        "75008 Paris",
        "14h30",
        "14:30",
        "dossier n° 2024-118734",
        "référence 4567",
        "client depuis 2019",
        "SIREN 812 345 676",
        "812345676",
        "TVA FR19812345676",
        "6A12345678901",
        "colis 8R00012345678 pas livré",
        "1Z999AA10123456784",
        "LA123456789FR",
        "BIC : AGRIFRPP",
        "ISIN FR0000120271",
        "numéro de suivi 0612345678",
    ],
)
def test_general_traps_are_not_reported(text: str) -> None:
    assert found(f"Bonjour, {text} merci") == []


# --- Offsets, overlaps and normalisation ------------------------------------------------------


def _full_width(text: str) -> str:
    return "".join(
        chr(ord(character) + 0xFEE0) if character.isdigit() else character for character in text
    )


def test_offsets_point_into_the_original_text() -> None:
    card = _full_width("4970 1012 3456 7893")
    text = f"😡😡 carte {card} et tel 06{NBSP}12 34 56 78"
    findings = detect(text)
    assert [finding.kind for finding in findings] == ["card", "phone"]
    assert text[findings[0].start : findings[0].end] == card
    assert text[findings[1].start : findings[1].end] == f"06{NBSP}12 34 56 78"


def test_normalise_keeps_length() -> None:
    text = f"a{NBSP}b{NNBSP}c\u2013d\u2019e\uff11\u00ad"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "a b c-d'e1-"


def test_findings_are_sorted_and_typed() -> None:
    text = (
        "IBAN FR76 1234 5678 9001 2345 6789 061, tel 06 12 34 56 78, "
        "mail jean.dupont@example.com, code PIN 1234"
    )
    findings = detect(text)
    assert [finding.kind for finding in findings] == ["iban", "phone", "email", "secret"]
    assert findings == sorted(findings, key=lambda finding: finding.start)
    assert all(isinstance(finding, Finding) for finding in findings)
    assert findings[0].as_dict() == {"kind": "iban", "start": 5, "end": 38}


def test_empty_and_plain_text() -> None:
    assert detect("") == []
    assert detect("Super accueil à l'agence, merci !") == []


# --- Properties ------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
# Text made of what surrounds numbers in real messages, so that the search actually reaches the
# detectors' code paths instead of bouncing off the "no digit" shortcut.
NUMBERISH = st.lists(
    st.sampled_from(
        [*"0123456789 .-+()@:/AaBbFfRrEe\u00a0\u202f", "FR76", "code ", "mdp ", "est ", "x.fr"]
    ),
    max_size=80,
).map("".join)


def _check_invariants(text: str) -> None:
    findings = detect(text)
    previous_end = 0
    for finding in findings:
        assert finding.kind in KINDS
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.start >= previous_end
        previous_end = finding.end


@PROPERTY_SETTINGS
@given(st.text(max_size=300))
def test_never_raises_and_findings_are_well_formed(text: str) -> None:
    _check_invariants(text)


@PROPERTY_SETTINGS
@given(NUMBERISH)
def test_never_raises_on_number_like_text(text: str) -> None:
    _check_invariants(text)


SURROUNDING = st.text(alphabet=st.sampled_from(list("abcdefghijklmnoprstuvé ,!?'")), max_size=30)


@PROPERTY_SETTINGS
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    generator=st.sampled_from(["iban", "card", "rib", "nir", "phone", "email"]),
    before=SURROUNDING,
    after=SURROUNDING,
)
def test_generated_values_are_found_with_exact_span(
    seed: int, generator: str, before: str, after: str
) -> None:
    piece = getattr(Values(random.Random(seed)), generator)()
    # "voici" keeps the random prefix from ending in a reference label ("imei", "ref"…), which
    # rightly suppresses a card or phone number.
    text = f"{before} voici {piece.text} {after}"
    start = len(before) + len(" voici ")
    expected = Finding(piece.kind or "", start, start + len(piece.text))
    found = detect(text)
    if expected not in found and piece.kind == "card":
        # Documented trade-off (cards.py): a 19-digit card whose first 16 digits also pass Luhn
        # is read as a 16-digit card followed by its CVV; everything is still masked.
        digits = "".join(character for character in piece.text if character.isdigit())
        assert len(digits) == 19 and luhn_valid(digits[:16]), (text, found)
        assert [finding.kind for finding in found] == ["card", "secret"], (text, found)
        assert found[0].start == start and found[-1].end == start + len(piece.text)
        return
    assert expected in found, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 100_000,
        "1 " * 50_000,
        "1234 " * 20_000,
        "a@" * 50_000,
        "a." * 50_000 + "@",
        "x@" + "a." * 50_000,
        "code " * 20_000,
        "code le " * 10_000 + "1234",
        "mot de passe " * 10_000,
        "FR76 " * 20_000,
        "+33 " * 20_000,
        "0" * 100_000,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_pathological_inputs_stay_fast(text: str) -> None:
    started = time.perf_counter()
    detect(text)
    assert time.perf_counter() - started < 2.0
