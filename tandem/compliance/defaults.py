"""The product's default wording rules (French), from ``research/compliance.md`` §4 and §7.

Inserted by the data migration ``0002_default_wording_rules`` as rules without a node: every
group, brand and regional bank inherits them, and their compliance officers replace or switch
them off with a rule of the same name on their own node. ``W…`` numbers refer to §7 of the
research note; "(à confirmer)" marks a source the note itself asks compliance to verify.

False positives on advisors' replies were the main design constraint:

- promotional rules (offers, rates, mentions, ESG, urgency) apply to **posts** only — an advisor
  answering "quel est le taux de mon prêt ?" in a private message is not advertising;
- claims that are acceptable in a one-to-one conversation but not in front of everyone
  (comparisons, tax, "capital garanti", security) are ``public_only``;
- broad words need a context word: "aucun risque" blocks only next to a savings or investment
  word ("aucun risque, votre carte est bloquée" passes), "sans condition" only next to a credit
  word;
- the bank's own security warnings ("ne communiquez jamais votre code") are exceptions of the
  data-request rules, and the required mentions are removed from the text before matching.
"""

from __future__ import annotations

from typing import Any, Final

CMF: Final = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072026/"
CONSUMER_CODE: Final = "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006069565/"
DELEGATED_REGULATION_2017_565: Final = "https://eur-lex.europa.eu/eli/reg_del/2017/565/oj"
MIFID_II: Final = "https://eur-lex.europa.eu/eli/dir/2014/65/oj"
AMF_DOC_2011_24: Final = "https://www.amf-france.org/fr/reglementation/doctrine/doc-2011-24"
AMF_DOC_2020_03: Final = "https://www.amf-france.org/fr/reglementation/doctrine/doc-2020-03"
LAW_2023_451: Final = "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000047663185"

CONSUMER_CREDIT_WARNING: Final = (
    "Un crédit vous engage et doit être remboursé. "
    "Vérifiez vos capacités de remboursement avant de vous engager."
)
INVESTMENT_RISK_WARNING: Final = (
    "Investir comporte des risques, dont un risque de perte en capital."
)
PAST_PERFORMANCE_WARNING: Final = (
    "Les performances passées ne préjugent pas des performances futures."
)
PUBLIC_REDIRECT: Final = (
    "Pour votre sécurité, ne partagez jamais vos données bancaires ici. Écrivez-nous via votre "
    "messagerie sécurisée ou contactez votre agence."
)

_SAVINGS_CONTEXT: Final = (
    "placement\nplacer\népargne\népargner\ninvestir\ninvestissement\nrendement\nrapporte\n"
    "livret\nassurance vie\nbourse\nfonds\nOPCVM\nSCPI\nPEA\nobligation\ncapital\ncrypto\ngain\n"
    "intérêt"
)
_CREDIT_CONTEXT: Final = "crédit\nprêt\nfinancement\nemprunt\nemprunter\nmensualité"
_INVESTMENT_CONTEXT: Final = (
    "fonds\nplacement\nplacer\ninvestir\ninvestissement\népargne\nassurance vie\nPEA\nSCPI\n"
    "obligation\nOPCVM"
)
_CREDIT_EXCEPTIONS: Final = (
    "crédit immobilier\nprêt immobilier\nfinancement immobilier\ncrédit d'impôt\n"
    "carte de crédit\nCrédit Agricole\nCrédit Mutuel\nCrédit Lyonnais\nCrédit du Nord\n"
    "Crédit Coopératif\ncrédits photo"
)
_PERCENT: Final = r"\d+ ?%"

# "Envoyez-nous une photo de votre pièce d'identité": a request verb, up to five words, the data.
_REQUEST_VERB: Final = (
    r"\b(?:(?:envoy|communiqu|indiqu|donn|transmett|precis|confirm|partag)(?:ez|er|re)"
    r"|fourni(?:ssez|r))(?: [a-z0-9]+){0,5} "
)
_CARD_AND_CODES: Final = (
    r"(?:numeros? de (?:votre )?carte|cryptogramme|cvv|cvc"
    r"|code (?:secret|confidentiel|pin|recu|sms)|mot de passe|identifiant|date d expiration)\b"
)
_ACCOUNT_AND_IDENTITY: Final = (
    r"(?:iban|rib|numero de compte|piece d identite|carte d identite|passeport"
    r"|numero de secu(?:rite sociale)?)\b"
)
_IMPERATIVES: Final = (
    "communiquez", "donnez", "transmettez", "envoyez", "partagez", "indiquez", "fournissez",
)  # fmt: skip
_INFINITIVES: Final = (
    "communiquer", "donner", "transmettre", "envoyer", "partager", "indiquer", "fournir",
)  # fmt: skip
# The bank's own security warnings: "ne communiquez jamais…", "nous ne vous demanderons jamais
# de communiquer…" — removed before the data-request rules look for a request.
_SECURITY_WARNINGS: Final = "\n".join(
    [f"{negation} {verb} {adverb}" for verb in _IMPERATIVES for negation in ("ne", "n'")
     for adverb in ("jamais", "pas")]
    + [f"{adverb} * {verb}" for verb in _INFINITIVES for adverb in ("jamais", "ne pas")]
)  # fmt: skip


def _rule(  # noqa: PLR0917 - the table below reads as one line of facts per rule
    order: int,
    name: str,
    kind: str,
    source: str,
    url: str,
    explanation: str,
    *,
    keywords: str = "",
    pattern: str = "",
    applies_to: str = "both",
    public_only: bool = False,
    context: str = "",
    exceptions: str = "",
    mention: str = "",
) -> dict[str, Any]:
    return {
        "order": order,
        "name": name,
        "kind": kind,
        "legal_source": source,
        "legal_source_url": url,
        "explanation": explanation,
        "keywords": keywords,
        "pattern": pattern,
        "applies_to": applies_to,
        "public_only": public_only,
        "context_keywords": context,
        "exceptions": exceptions,
        "mention_text": mention,
    }


DEFAULT_RULES: Final[tuple[dict[str, Any], ...]] = (
    # -- block ------------------------------------------------------------------------------
    _rule(10, "Demande de codes ou de données de carte", "block",
          "Secret bancaire (CMF art. L511-33) ; PCI DSS ; politique WhatsApp Business", CMF,
          "Un conseiller ne demande jamais un code, un mot de passe, un identifiant ou des "
          "données de carte sur un réseau social : c'est le mode opératoire des fraudes au faux "
          "conseiller. Orientez le client vers l'application de la banque ou l'agence.",
          pattern=_REQUEST_VERB + _CARD_AND_CODES, exceptions=_SECURITY_WARNINGS),
    _rule(11, "Demande de coordonnées bancaires ou d'identité", "block",
          "Secret bancaire (CMF art. L511-33) ; politique WhatsApp Business (identifiants "
          "financiers et pièces d'identité)", CMF,
          "Ne demandez ni IBAN, ni RIB, ni numéro de compte, ni pièce d'identité sur un réseau "
          "social : proposez la messagerie sécurisée de la banque ou un rendez-vous en agence.",
          pattern=_REQUEST_VERB + _ACCOUNT_AND_IDENTITY, exceptions=_SECURITY_WARNINGS),
    _rule(20, "Promesse d'absence de risque", "block",
          "Directive 2014/65/UE (MiFID II) art. 24(3) ; Règlement délégué (UE) 2017/565 "
          "art. 44(2)(b) ; recommandation ARPP « Produits financiers et d'investissement »",
          DELEGATED_REGULATION_2017_565,
          "Un placement ou une épargne ne peut pas être présenté comme sans risque : les risques "
          "doivent être indiqués de façon claire et équilibrée.",
          keywords="sans risque\nzéro risque\naucun risque\nrisque nul\n100 % sûr\n100 % sûre\n"
          "placement sûr", context=_SAVINGS_CONTEXT),
    _rule(21, "Rendement ou gain garanti", "block",
          "Règlement délégué (UE) 2017/565 art. 44 ; AMF DOC-2011-24 (information exacte, "
          "claire et non trompeuse)", AMF_DOC_2011_24,
          "Ne promettez jamais un rendement, une performance ou un gain : aucun résultat d'un "
          "placement ne peut être garanti dans une communication.",
          keywords="rendement garanti\nrendement assuré\nperformance garanti\nperformance assuré\n"
          "gain garanti\ngain assuré\nrentabilité garanti\nrentabilité assuré\n"
          "plus-value garanti\nvous ne pouvez pas perdre\nsans danger pour votre argent"),
    _rule(22, "Promesse d'enrichissement", "block",
          "Code de la consommation art. L121-2 (pratiques commerciales trompeuses) ; "
          "recommandation ARPP ; guide AMF/ESMA pour les influenceurs", CONSUMER_CODE,
          "Les promesses d'enrichissement (« doublez votre argent », « argent facile ») sont "
          "trompeuses et interdites.",
          keywords="doublez votre argent\ndoublez votre capital\ndoublez votre épargne\n"
          "multipliez votre argent\ndevenez riche\nargent facile\nrevenus passifs garantis\n"
          "enrichissez-vous\nx10"),
    _rule(23, "Promesse interdite sur le crédit", "block",
          "Code de la consommation, publicité du crédit (art. L312-4 et suivants, numéros "
          "d'articles à confirmer)", CONSUMER_CODE,
          "Une communication sur le crédit ne peut pas laisser croire qu'il est accordé sans "
          "étude de la situation, qu'il augmente les ressources ou qu'il est disponible sans "
          "condition.",
          keywords="sans justificatif\nsans condition\nsans étude\naccord immédiat\n"
          "accord garanti\naccordé automatiquement\nmême fiché\nmême interdit bancaire\n"
          "argent disponible tout de suite\naugmentez votre pouvoir d'achat",
          context=_CREDIT_CONTEXT),
    _rule(24, "Mensualité comparée à un loyer", "block",
          "Code de la consommation, publicité du crédit immobilier (article à confirmer)",
          CONSUMER_CODE,
          "Une mensualité de crédit immobilier ne doit pas être comparée à un loyer.",
          keywords="mensualité comme * loyer\nmensualité équivalente * loyer\n"
          "mensualité inférieure * loyer\nmensualité moins chère * loyer\n"
          "remboursez comme * loyer\nau prix d'un loyer"),
    _rule(25, "Conseil en investissement personnalisé en public", "block",
          "Directive 2014/65/UE (MiFID II) art. 25 (adéquation du conseil ; portée à confirmer)",
          MIFID_II,
          "Un conseil personnalisé d'investissement suppose d'évaluer la situation du client : "
          "il ne se donne pas en public. Proposez un rendez-vous.",
          keywords="je vous conseille d'acheter\nje vous conseille de placer\n"
          "je vous conseille d'investir\nje vous recommande d'investir\n"
          "je vous recommande d'acheter\nvous devriez investir\nvous devriez acheter\n"
          "vous devriez placer\nmettez tout sur\nplacez tout sur\ninvestissez tout",
          public_only=True),
    # -- mention ----------------------------------------------------------------------------
    _rule(100, "Crédit à la consommation : mention obligatoire", "mention",
          "Code de la consommation, art. L312-5", CONSUMER_CODE,
          "Toute publicité pour un crédit à la consommation doit porter la mention légale : "
          f"« {CONSUMER_CREDIT_WARNING} »",
          keywords="crédit\ncrédit conso\ncrédit à la consommation\nprêt perso\n"
          "prêt personnel\nprêt auto\nprêt travaux\nfinancement\nmensualité\n"
          "regroupement de crédits\nrachat de crédits\ncrédit renouvelable\ndécouvert autorisé",
          applies_to="posts", exceptions=_CREDIT_EXCEPTIONS, mention=CONSUMER_CREDIT_WARNING),
    _rule(101, "Chiffre de rendement : avertissement sur les risques", "mention",
          "Règlement délégué (UE) 2017/565 art. 44(4) à (6) ; AMF DOC-2011-24",
          DELEGATED_REGULATION_2017_565,
          "Un chiffre de rendement ou de performance doit être accompagné d'un avertissement "
          f"clair sur les risques : « {INVESTMENT_RISK_WARNING} »",
          pattern=_PERCENT, applies_to="posts",
          context="rendement\nperformance\nrapporte\nrapportent\ngagné\nplus-value\nvalorisé",
          mention=f"{INVESTMENT_RISK_WARNING}\nrisque de perte en capital"),
    _rule(102, "Performances passées : avertissement", "mention",
          "Règlement délégué (UE) 2017/565 art. 44(4)", DELEGATED_REGULATION_2017_565,
          "Une performance passée doit être accompagnée de l'avertissement : "
          f"« {PAST_PERFORMANCE_WARNING} », avec la période et la source.",
          pattern=_PERCENT, applies_to="posts",
          context="a rapporté\nont rapporté\na progressé\nont progressé\nperformance\n"
          "sur 5 ans\nsur 10 ans\nl'an dernier\nl'année dernière\ndepuis sa création",
          mention=f"{PAST_PERFORMANCE_WARNING}\n"
          "les performances passées ne sont pas un indicateur fiable des performances futures"),
    _rule(103, "Contenu partenaire : mention « Publicité »", "mention",
          "Loi n° 2023-451 du 9 juin 2023 (influence commerciale), art. 5 (à confirmer) ; "
          "recommandation ACPR 2016-R-01", LAW_2023_451,
          "Un contenu réalisé avec un partenaire ou un créateur doit porter la mention "
          "« Publicité » ou « Collaboration commerciale » pendant toute sa diffusion.",
          keywords="partenariat\nen partenariat avec\ncollaboration\nsponsorisé\ninfluenceur\n"
          "influenceuse\nambassadeur\nambassadrice\ncode promo\nlien affilié",
          applies_to="posts", mention="Publicité\nCollaboration commerciale"),
    # -- review -----------------------------------------------------------------------------
    _rule(200, "Publication promotionnelle", "review",
          "Recommandation ACPR 2016-R-01 du 14 novembre 2016 (usage des médias sociaux à des "
          "fins commerciales)", "",
          "Une publication qui promeut un produit ou un service est validée par la conformité "
          "avant d'être publiée.",
          keywords="offre\npromotion\npromo\noffert\nremise\nréduction\njusqu'à\nsouscrivez\n"
          "ouvrez un\nouvrez votre\nprofitez\ngratuit\nparrainage\nprime\nbonus",
          applies_to="posts"),
    _rule(201, "Crédit chiffré : exemple représentatif", "review",
          "Code de la consommation, art. L312-6", CONSUMER_CODE,
          "Une publicité pour un crédit qui donne un taux ou un chiffre sur son coût doit "
          "comporter un exemple représentatif (taux débiteur fixe ou variable, montant total "
          "du crédit, TAEG, durée, montant total dû, mensualités ; coût de l'assurance "
          "facultative en € par mois). La conformité le vérifie avant publication.",
          keywords="TAEG\ntaux\nmensualité de\n€ par mois\n€/mois\neuros par mois",
          pattern=_PERCENT, applies_to="posts", context=_CREDIT_CONTEXT,
          exceptions=_CREDIT_EXCEPTIONS),
    _rule(202, "Crédit gratuit ou à 0 %", "review",
          "Code de la consommation, publicité du crédit gratuit (article à confirmer)",
          CONSUMER_CODE,
          "« Crédit gratuit » et « prêt à 0 % » sont soumis à des conditions strictes (qui "
          "supporte le coût ?) : la conformité valide le texte.",
          keywords="crédit gratuit\nprêt gratuit\nprêt à 0 %\ncrédit à 0 %\ntaux 0 %\n"
          "taux de 0 %\ntaux zéro\n0 % d'intérêt", applies_to="posts"),
    _rule(203, "Capital garanti ou protégé", "review",
          "AMF DOC-2011-24 et DOC-2010-05 (protection et garantie du capital ; formulation à "
          "confirmer)", AMF_DOC_2011_24,
          "« Capital garanti » ou « protégé » n'est permis qu'avec ses conditions : qui "
          "garantit, à quelle échéance, net ou brut de frais, et le risque de perte pour les "
          "unités de compte. La conformité valide le texte.",
          keywords="capital garanti\ncapital protégé\ncapital assuré\ncapital 100 % garanti",
          public_only=True,
          exceptions="garantie des dépôts\nfonds de garantie des dépôts\nFGDR"),
    _rule(204, "Superlatif ou comparaison", "review",
          "Règlement délégué (UE) 2017/565 art. 44(3) ; Code de la consommation (publicité "
          "comparative)", DELEGATED_REGULATION_2017_565,
          "Une comparaison ou un superlatif (« le meilleur taux », « n° 1 ») doit être sourcé, "
          "daté et équilibré : la conformité valide le texte.",
          keywords="le meilleur placement\nle meilleur taux\nmeilleur taux du marché\n"
          "imbattable\nnuméro 1\nnuméro un\nn°1 du\nn°1 des\nn°1 de la\nleader du marché\n"
          "moins cher du marché", public_only=True),
    _rule(205, "Urgence ou pression commerciale", "review",
          "Code de la consommation art. L121-6 et suivants (pratiques commerciales agressives) ; "
          "recommandation ARPP", CONSUMER_CODE,
          "L'urgence et la pression (« dernière chance », « plus que 2 jours ») ne doivent pas "
          "pousser à souscrire : la conformité valide le texte.",
          keywords="dernière chance\navant qu'il ne soit trop tard\n"
          "offre exceptionnelle réservée\ndépêchez-vous\nne ratez pas",
          pattern=r"plus que \d+ (?:heure|jour)s?", applies_to="posts"),
    _rule(206, "Vocabulaire ESG ou durable", "review",
          "AMF DOC-2020-03 (mise à jour décembre 2024, orientations ESMA sur les noms de fonds)",
          AMF_DOC_2020_03,
          "Les termes « durable », « responsable », « ISR », « ESG » ou « impact » ne "
          "s'emploient que pour les produits dont l'engagement le justifie : la conformité "
          "valide le texte.",
          keywords="durable\nresponsable\nvert\nISR\nESG\nneutre en carbone\nimpact",
          applies_to="posts", context=_INVESTMENT_CONTEXT),
    _rule(207, "Produits spéculatifs (crypto-actifs, CFD, Forex)", "review",
          "Loi n° 2023-451 du 9 juin 2023, art. 4 ; recommandation ARPP (produits à effet de "
          "levier) ; AMF", LAW_2023_451,
          "La promotion des crypto-actifs, CFD, Forex, options binaires et produits à effet "
          "de levier est interdite sauf produit et canal approuvés par la conformité — y "
          "compris un message de prévention des arnaques.",
          keywords="crypto\ncryptomonnaie\ncrypto-monnaie\ncrypto-actif\nbitcoin\nethereum\n"
          "CFD\nForex\noption binaire\neffet de levier\ntrading", applies_to="posts"),
    _rule(208, "Sécurité absolue", "review",
          "Code de la consommation art. L121-2 (allégations trompeuses)", CONSUMER_CODE,
          "Aucun service n'est « 100 % sécurisé » ou « inviolable » : la conformité valide le "
          "texte.",
          keywords="100 % sécurisé\ntotalement sécurisé\ninviolable\naucune fraude possible\n"
          "zéro fraude\nrisque zéro\nimpossible à pirater", public_only=True),
    _rule(209, "Promesse fiscale", "review",
          "Règlement délégué (UE) 2017/565 art. 44(7)", DELEGATED_REGULATION_2017_565,
          "Le traitement fiscal dépend de la situation de chacun et peut évoluer : ajoutez "
          "« selon votre situation personnelle ; le traitement fiscal peut évoluer ». La "
          "conformité valide le texte.",
          keywords="défiscalisation garantie\nzéro impôt\nsans impôt\n"
          "économie d'impôt garantie\nplus jamais d'impôt", public_only=True),
)  # fmt: skip


def default_rule_rows() -> list[dict[str, Any]]:
    """The defaults as field values for ``WordingRule`` (node empty, active)."""
    return [dict(rule, is_active=True) for rule in DEFAULT_RULES]
