"""The French vocabulary of topic and urgency detection: plain data, read by ``topics.py``.

Every keyword here is already normalised (see ``topics.normalise_keyword``): lower-case, no
accents, words separated by one space, SMS spellings already expanded ("rendez vous", never
"rdv"). A ``*`` stands for zero to two arbitrary words: "perdu * carte" matches "perdu carte",
"perdu ma carte" and "perdu ma petite carte", not "perdu le code de ma carte".
Matching is on whole words: "vol" never matches "volontiers" or "volet". Plurals and feminines
are listed, not stemmed, so that every match can be read back in the rule that made it.

Choices and their trade-offs (bank customers write about many things that are not banking):

- "vol" alone is **not** a keyword: on a bank's Page it is as often a flight ("mon vol pour
  Lisbonne", "payer mon vol avec ma carte") or an insult about fees ("c'est du vol !") as a
  theft. A theft is nearly always said with its object or its victim ("vol de ma carte", "on m'a
  volé", "carte volée", "victime d'un vol"), which are keywords. "volee"/"volees" alone are
  keywords (in a bank message the feminine is almost always "ma carte volée").
- "perdu" alone is not a keyword either ("j'ai perdu mon mot de passe", "perdu mon emploi",
  "je suis perdu avec l'appli"); "perdu * carte", "carte * perdue" … are.
- Accusations ("c'est du vol", "bande de voleurs", "c'est de l'arnaque") are complaints, and come
  *before* the card and fraud rules, else "vous m'avez volé 30 euros de frais" would wake the
  24/7 team. The price: "on m'a volé ma carte, c'est du vol ces frais" is a complaint (high)
  rather than a lost card; the advisor still sees it quickly.
- "pret" alone would catch "je suis prêt à passer en agence": loans need a determiner or a
  qualifier ("un pret", "pret immobilier"); "credit" likewise, and "de credit" is left out
  ("carte de crédit"). Brand names ("Crédit Agricole", "Caisse d'Épargne") are merged into one
  word by the normaliser, so they never mean a loan or savings.
- "taux" alone is a loan keyword: "taux de change" is an accepted false positive; savings come
  before loans so that "le taux du livret A" is savings.
- "candidat" alone is not a keyword (elections, game shows); "cdi"/"cdd" are not either (a
  customer asking for a loan says "je suis en CDI"). "stage" alone is one: "stage de voile" is an
  accepted false positive, and routes only to recruiters at normal priority.
- Complaints come before job applications: a frustrated candidate reaching the complaints desk
  costs less than a regulated complaint waiting in the recruiters' queue.
- "opposition" alone is a card keyword, so an opposition on a direct debit also goes to the 24/7
  team: oppositions are that team's job, and a disputed debit is often a fraud.
- Negations are ignored for topics ("je n'ai pas perdu ma carte" is card_lost) but not for
  urgency ("ce n'est pas urgent" does not raise the priority).
- Punctuation is gone before matching: a gap runs across a comma ("je suis perdu, ma carte est
  bloquée" is card_lost, which at least puts a blocked card in front of the 24/7 team).
"""

from __future__ import annotations

# Tables of words: kept dense by hand, one theme a line, rather than one word a line.
# fmt: off

# -- normalisation ---------------------------------------------------------------------------

# Whole words only, after accents and punctuation are gone and repeated letters collapsed.
SMS_SPELLINGS: dict[str, str] = {
    "cb": "carte bancaire", "cbs": "cartes bancaires", "pb": "probleme", "pbs": "problemes",
    "pbm": "probleme", "pblm": "probleme", "pbl": "probleme", "prob": "probleme",
    "rdv": "rendez vous", "rdvs": "rendez vous", "rv": "rendez vous",
    "svp": "s il vous plait", "svpl": "s il vous plait", "stp": "s il te plait",
    "mdp": "mot de passe", "mdps": "mots de passe", "dab": "distributeur", "gab": "distributeur",
    "bjr": "bonjour", "bsr": "bonsoir", "slt": "salut", "mrc": "merci", "mci": "merci",
    "dsl": "desole", "tjr": "toujours", "tjrs": "toujours", "tjs": "toujours", "pk": "pourquoi",
    "pq": "pourquoi", "pkoi": "pourquoi", "koi": "quoi", "qd": "quand", "kan": "quand",
    "ke": "que", "ki": "qui", "pr": "pour", "ds": "dans", "dc": "donc", "vs": "vous",
    "ns": "nous", "bcp": "beaucoup", "tt": "tout", "tte": "toute", "ttes": "toutes",
    "ts": "tous", "g": "j ai", "jai": "j ai", "jsuis": "je suis", "chui": "je suis",
    "chuis": "je suis", "jpeux": "je peux", "jveux": "je veux", "jvais": "je vais",
    "jme": "je me", "jarrive": "j arrive", "ya": "il y a", "nn": "non", "msg": "message",
    "tel": "telephone", "num": "numero", "auj": "aujourd hui", "ajd": "aujourd hui",
    "aujd": "aujourd hui", "mtn": "maintenant", "qqn": "quelqu un", "qqun": "quelqu un",
    "qqch": "quelque chose", "pcq": "parce que", "pck": "parce que", "psk": "parce que",
    "maj": "mise a jour", "immo": "immobilier", "urgt": "urgent", "dmd": "demande",
    "hs": "hors service", "cdt": "cordialement", "cordt": "cordialement", "tkt": "t inquiete",
    "jpp": "j en peux plus", "rendezvous": "rendez vous", "oposition": "opposition",
    "arnak": "arnaque", "urgant": "urgent",
}

# Names whose words must not count on their own ("Caisse d'Épargne" is not about savings).
MERGED_NAMES: dict[str, str] = {
    "caisse d epargne": "caissedepargne", "caisses d epargne": "caissedepargne",
    "credit agricole": "creditagricole", "credit mutuel": "creditmutuel",
    "credit lyonnais": "creditlyonnais", "credit cooperatif": "creditcooperatif",
    "credit du nord": "creditdunord", "banque populaire": "banquepopulaire",
    "banques populaires": "banquepopulaire", "banque postale": "banquepostale",
    "banque de france": "banquedefrance", "caisse depargne": "caissedepargne",
    "livret de famille": "livretdefamille", "livrets de famille": "livretdefamille",
}

# -- the default rules: (topic, priority, order, keywords) ------------------------------------

_LOSABLE = (
    "carte", "cartes", "portefeuille", "porte monnaie", "portemonnaie", "sac", "sac a main",
    "telephone", "portable", "chequier", "chequiers", "papiers", "moyens de paiement",
)

ACCUSATIONS = (
    "c est du vol", "du vol organise", "vol pur et simple", "c est de l arnaque",
    "c est une escroquerie ces frais", "vous m avez vole", "m avez vole", "vous me volez",
    "vous nous volez", "la banque m a vole", "la banque me vole", "bande de voleurs",
    "banque de voleurs", "vous etes des voleurs", "sont des voleurs", "tous des voleurs",
    "bande d arnaqueurs", "banque d arnaqueurs", "vous etes des arnaqueurs",
    "sont des arnaqueurs", "tous des arnaqueurs", "bande d escrocs", "banque d escrocs",
    "vous etes des escrocs", "sont des escrocs", "tous des escrocs",
)

CARD_LOST = (
    # loss
    *(f"perdu * {thing}" for thing in _LOSABLE),
    "carte * perdue", "cartes * perdues", "carte * perdu", "perte de * carte",
    "perte de * cartes", "perte de * portefeuille", "perte de * chequier", "egare * carte",
    "carte * egaree", "carte * egare", "trouve plus * carte", "retrouve plus * carte",
    "trouve pas * carte", "retrouve pas * carte", "retrouver * carte", "oublie * carte dans",
    "laisse * carte dans",
    # theft
    *(f"vol de * {thing}" for thing in _LOSABLE),
    *(f"vol du {thing}" for thing in _LOSABLE),
    "volee", "volees", "carte * vole", "portefeuille * vole", "sac * vole",
    "telephone * vole", "portable * vole", "chequier * vole", "papiers * voles",
    "a ete vole", "ont ete voles", "on m a vole", "m a vole", "on ma vole", "m ont vole",
    "vole * carte", "vole * cartes", "pique * carte", "m a pique", "on m a pique",
    *(f"{verb} {what}" for verb in ("fait", "faire")
      for what in ("voler", "vole", "piquer", "derober", "arracher", "braquer", "depouiller")),
    "derobe", "derobee", "derobes", "derobees", "pickpocket", "pickpockets", "cambriolage",
    "cambriole", "cambriolee", "cambrioles", "victime d un vol", "victime de vol",
    "victime d un pickpocket", "plainte pour vol", "declaration de vol", "declarer * vol",
    "signaler * vol", "vol a l arrache", "vol a la tire", "voleur", "voleurs", "voleuse",
    # opposition and blocking
    "opposition", "faire opposition", "mettre * opposition", "bloquer * carte",
    "bloquer * cartes", "bloquez * carte", "faire bloquer", "suspendre * carte",
    # swallowed by a cash machine
    "carte * avalee", "carte * avale", "a ete avalee", "a ete avale", "avale * carte",
    "carte * aspiree", "aspire * carte",
    "carte * retenue", "mange ma carte", "bouffe * carte", "garde * carte", "pas rendu * carte",
    "restee dans le distributeur", "coincee dans le distributeur",
)

FRAUD = (
    "fraude", "fraudes", "frauduleux", "frauduleuse", "frauduleuses", "fraudeur",
    "fraudeurs", "fraudeuse", "arnaque", "arnaques", "arnaquee", "arnaquees", "arnaquer",
    "arnaqueur", "arnaqueurs", "escroquerie", "escroqueries", "escroc", "escrocs", "escroquer",
    "escroque", "escroques",
    "escroquee", "phishing", "hameconnage", "smishing", "vishing", "spoofing", "piratage",
    "pirate", "piratee", "pirates", "piratees", "hacke", "hackee", "hacker", "hackers",
    "hacking", "usurpation", "usurpe", "usurpee", "usurpateur", "faux conseiller",
    "faux conseillers", "fausse conseillere", "faux banquier", "faux service", "faux sms",
    "faux mail", "faux email", "faux message", "faux site", "faux appel", "faux numero",
    "se faisant passer", "se fait passer", "fait passer pour", "chantage",
    "soi disant conseiller", "soi disant conseillere", "soi disant banquier",
    "soi disant de la banque", "soi disant service", "m a fait valider", "m ont fait valider",
    "fait valider * operation", "fait valider * virement", "cliquez ici", "cliquez sur ce lien",
    "cliquer sur ce lien", "a ouvert * a mon nom",
    "ont ouvert * a mon nom", "pour securiser * compte", "compte securise",
    "compte de securite", "donne * identifiants", "communique * identifiants",
    "donne * numero de carte", "debite sans",
    *(
        f"{what} * {adjective}"
        for what, adjective in (
            ("prelevement", "inconnu"), ("prelevements", "inconnus"), ("debit", "inconnu"),
            ("debits", "inconnus"), ("paiement", "inconnu"), ("paiements", "inconnus"),
            ("achat", "inconnu"), ("achats", "inconnus"), ("virement", "inconnu"),
            ("virements", "inconnus"), ("operation", "inconnue"), ("operations", "inconnues"),
            ("transaction", "inconnue"), ("transactions", "inconnues"),
            ("operation", "suspecte"), ("operations", "suspectes"),
            ("transaction", "suspecte"), ("transactions", "suspectes"),
            ("paiement", "suspect"), ("paiements", "suspects"), ("prelevement", "suspect"),
            ("virement", "suspect"), ("activite", "suspecte"), ("mouvement", "suspect"),
            ("mouvements", "suspects"), ("lien", "suspect"), ("sms", "suspect"),
            ("mail", "suspect"), ("message", "suspect"), ("appel", "suspect"),
            ("beneficiaire", "inconnu"), ("retrait", "inconnu"), ("retraits", "inconnus"),
        )
    ),
    *(
        f"que {subject} pas {verb}"
        for subject in ("je n ai", "j ai", "je n ai jamais", "j ai jamais")
        for verb in ("fait", "faits", "faite", "faites", "effectue", "effectues",
                     "effectuee", "effectuees", "autorise", "autorises", "autorisee",
                     "demande", "demandee", "commande", "valide")
    ),
    *(
        f"{thing} * que je {negation}connais pas"
        for thing in ("paiement", "paiements", "prelevement", "prelevements", "debit", "debits",
                      "achat", "achats", "operation", "operations", "virement", "virements",
                      "retrait", "retraits", "site", "marchand", "commercant", "societe",
                      "numero", "beneficiaire")
        for negation in ("ne ", "")
    ),
    "que je n ai jamais fait", "que j ai jamais fait", "reconnais pas", "reconnait pas",
    "non autorise", "non autorisee", "non autorises", "non autorisees", "sans mon accord",
    "sans mon autorisation", "sans mon consentement", "a mon insu", "a utilise ma carte",
    "a utilise mes coordonnees", "a utilise mon identite", "a utilise mon compte",
    "vide mon compte", "compte a ete vide", "siphonne", "fraud", "scam", "bloquer * compte",
    "bloquez * compte",
    "m a demande * code", "m a demande * codes", "m ont demande * code", "m ont demande * codes",
    "m a demande * mot de passe", "m ont demande * mot de passe", "donne * code secret",
    "donne mes codes", "donne mon mot de passe", "communique * codes", "communique * code",
    "communique * mot de passe", "clique sur un lien", "clique sur le lien",
)

COMPLAINT = (
    "reclamation", "reclamations", "reclamer", "plainte", "plaintes", "porter plainte",
    "me plaindre", "scandaleux", "scandaleuse", "scandale", "scandalise", "scandalisee",
    "catastrophe", "catastrophique", "je suis a bout", "inadmissible", "inacceptable",
    "honteux", "honteuse", "une honte", "lamentable", "pitoyable", "deplorable", "minable",
    "c est nul", "service nul", "service client nul", "nul a chier", "trop nul", "vous etes nuls",
    "banque nulle", "incompetent",
    "incompetents", "incompetente", "incompetence", "mediateur", "mediatrice", "mediation",
    "parler * responsable", "parler * directeur", "parler * directrice", "parler * superieur",
    "parler * hierarchie", "je veux parler a un responsable", "mecontent", "mecontente",
    "mecontents", "mecontentement", "decu", "decue", "decus", "degoute", "degoutee",
    "insatisfait", "insatisfaite", "insatisfaction", "en colere", "furieux", "furieuse",
    "excede", "excedee", "je suis outre", "outree", "c est pas normal", "ce n est pas normal",
    "anormal", "aucune reponse", "toujours pas de reponse", "sans reponse",
    "jamais de reponse", "personne ne repond", "personne ne me repond", "jamais rappele",
    "jamais rappelee", "repondez jamais", "je relance", "relance", "troisieme fois",
    "3eme fois", "3e fois", "quatrieme fois", "enieme fois", "nieme fois", "changer de banque",
    "quitter * banque", "partir a la concurrence", "aller a la concurrence", "frais abusifs",
    "frais injustifies", "frais exorbitants", "abusif", "abusive", "abusifs", "abusives",
    "vous abusez", "litige", "contester", "conteste", "contestation", "rembourser * frais",
    "remboursement * frais", "que choisir", "60 millions", "association de consommateurs",
    "avocat", "tribunal", "en justice", "acpr", "signal conso", "signalconso", "mauvais avis",
    "une etoile", "1 etoile", "zero etoile", "foutage de gueule", "vous foutez",
    "se fout de", "vous moquez", "se moque de", "c est n importe quoi",
    "grand n importe quoi", "perdu un client", "perdez un client",
)

# Applying for a job: strong words, that win over any product mentioned with them.
JOB_APPLICATION = (
    "candidature", "candidatures", "candidater", "je suis candidat", "je suis candidate",
    "etre candidat", "etre candidate", "candidat spontane", "candidate spontanee", "cv",
    "mon cv", "curriculum", "lettre de motivation", "offre d emploi", "offres d emploi",
    "offre de stage", "offre d alternance", "recherche * stage", "recherche * alternance",
    "cherche * stage", "cherche * alternance", "recrutement", "recrutements", "recrutez",
    "recrute", "recruter", "recruteur", "recruteuse", "embauchez", "embaucher", "postuler",
    "postule", "un poste", "poste de conseiller", "poste a pourvoir", "postes a pourvoir",
    "cherchez des conseillers", "cherchez des conseilleres", "cherchez du personnel",
    "vous embauchez",
    "poste de conseillere", "travailler chez vous", "travailler avec vous",
    "travailler pour vous", "travailler dans votre", "rejoindre * equipe",
    "rejoindre * equipes", "job", "jobs", "job d ete", "emploi saisonnier", "interim",
    "entretien d embauche", "service rh", "rh", "drh", "ressources humaines", "job dating",
    "cooptation",
)

# A status more than a request ("je suis en alternance, puis-je avoir un prêt ?"): after the
# products, so that the product wins.
JOB_STATUS = (
    "alternance", "alternant", "alternante", "alternants", "apprentissage", "apprenti",
    "apprentie", "contrat pro", "contrat de professionnalisation", "stage", "stages",
    "stagiaire", "stagiaires", "embauche",
)

SAVINGS = (
    "livret a", "livrets a", "livret", "livrets", "ldds", "ldd", "lep", "pel", "cel", "pea",
    "per", "perp", "assurance vie", "assurances vie", "epargne", "epargner", "epargnant",
    "plan d epargne", "compte epargne", "compte sur livret", "livret jeune", "placement",
    "placements", "placer * argent", "placer * economies", "placer * euros", "ou placer",
    "economies", "mettre de cote",
    "argent de cote", "en bourse", "compte titres", "compte titre", "rendement",
    "fonds euros", "fonds en euros", "unites de compte", "scpi", "opcvm",
)

_LOAN_WORDS = ("pret", "prets", "credit", "credits", "emprunt", "emprunts")
_LOAN_BEFORE = (
    "un", "mon", "le", "du", "ce", "cet", "votre", "notre", "son", "leur", "d un", "des", "les",
    "mes", "nos", "vos", "ses", "leurs", "ces", "nouveau", "demande de", "offre de",
    "dossier de", "simulation de", "rachat de", "regroupement de", "contrat de", "accord de",
    "refus de",
)
_LOAN_AFTER = (
    "immobilier", "auto", "voiture", "perso", "personnel", "travaux", "etudiant", "conso",
    "a la consommation", "relais", "a taux zero", "renouvelable", "revolving",
)

LOAN = (
    *(f"{before} {word}" for word in _LOAN_WORDS for before in _LOAN_BEFORE),
    *(f"{word} {after}" for word in ("pret", "credit") for after in _LOAN_AFTER),
    "ptz", "loa", "lld", "immobilier", "achat immobilier", "projet immobilier", "taux",
    "taux d interet", "taeg", "simulation", "simulations", "simuler", "emprunter",
    "emprunteur", "mensualite", "mensualites", "echeance", "echeances", "echeancier",
    "capacite d emprunt", "apport personnel", "hypotheque", "courtier", "renegocier",
    "renegociation", "remboursement anticipe", "financement", "financer", "acheter * maison",
    "acheter * appartement", "acheter * voiture", "achat * maison", "achat * appartement",
    "faire construire",
    "primo accedant", "primo accedants",
)

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

APPOINTMENT = (
    "rendez vous", "prendre rendez vous", "disponibilite", "disponibilites", "dispo", "dispos",
    "horaire", "horaires", "heure d ouverture", "heures d ouverture", "a quelle heure",
    *(f"{state} * {day}" for state in ("ouvert", "ouverte", "ouverts", "ferme", "fermee")
      for day in (*_DAYS, "aujourd hui", "demain")),
    "etes vous ouvert", "etes vous ouverts", "vous etes ouvert", "vous etes ouverts",
    "agence * ouverte", "agence * fermee", "agence * ferme", "fermeture de l agence",
    "ouvert pendant", "ouverte pendant", "ouverts pendant", "jour ferie", "jours feries",
    "creneau", "creneaux", "passer * agence", "venir * agence", "rencontrer * conseiller",
    "rencontrer * conseillere", "voir * conseiller", "voir * conseillere", "rappeler",
    "me rappeler", "rappelez moi", "conseiller me rappelle", "conseillere me rappelle",
    "etre rappele", "etre rappelee", "appelez moi", "visio", "visioconference", "un entretien",
    "adresse de l agence", "agence la plus proche",
)

ONLINE_BANKING = (
    "appli", "applis", "application", "applications", "app", "site", "site internet",
    "site web", "espace client", "espace perso", "espace personnel", "banque en ligne",
    "compte en ligne", "comptes en ligne", "acces a mon compte", "acces a mes comptes",
    "acceder a mon compte", "acceder a mes comptes", "code n arrive", "pas recu * code",
    "recois pas * code", "valider * virement", "valider * paiement", "valider * operation",
    "mot de passe", "mots de passe", "mot de passe oublie", "identifiant",
    "identifiants", "code d acces", "codes d acces", "connexion", "connecter",
    "connecte", "deconnecte", "deconnexion", "reconnecter", "bug", "bugs", "bugue", "beug",
    "beugue", "plante", "plantage", "crash", "crashe", "mise a jour", "telecharger",
    "telechargement", "installer * appli", "installer * application", "reinstaller",
    "securipass", "secur pass", "certicode",
    "cle digitale", "authentification", "double authentification", "code de validation",
    "code par sms", "sms de validation", "3d secure", "3ds", "face id", "empreinte",
    "nouveau telephone", "changer de telephone", "changement de telephone", "ecran blanc",
    "message d erreur", "code erreur", "trop d essais", "trop de tentatives", "acces * bloque",
    "ajouter * beneficiaire", "ajout * beneficiaire", "beneficiaire", "beneficiaires",
    "e releve", "virement en ligne", "apple pay", "google pay", "samsung pay", "paylib", "wero",
    "android", "iphone",
)

# (topic, priority, order, keywords); order leaves room for a regional bank's own rules.
DEFAULT_RULE_SPECS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("complaint", "high", 5, ACCUSATIONS),
    ("card_lost", "urgent", 10, CARD_LOST),
    ("fraud", "urgent", 20, FRAUD),
    ("complaint", "high", 30, COMPLAINT),
    ("job_application", "normal", 40, JOB_APPLICATION),
    ("savings", "normal", 50, SAVINGS),
    ("loan", "normal", 60, LOAN),
    ("job_application", "normal", 65, JOB_STATUS),
    ("appointment", "normal", 70, APPOINTMENT),
    ("online_banking", "normal", 80, ONLINE_BANKING),
)

# -- urgency ---------------------------------------------------------------------------------

# Any of these raises a normal (or low) priority to high.
URGENCY_MARKERS = (
    "urgent", "urgente", "urgents", "urgentes", "urgence", "urgences", "en urgence",
    "au secours", "a l aide", "aidez moi", "sos", "help", "tout de suite", "immediatement",
    "au plus vite", "au plus tot", "le plus vite possible", "le plus rapidement possible",
    "des que possible", "asap", "peux plus payer", "peux plus rien payer", "peux pas payer",
    "peux plus retirer", "peux pas retirer", "impossible de payer", "impossible de retirer",
    "paiement refuse", "paiements refuses", "carte * refusee", "bloque", "bloquee", "bloques",
    "bloquees", "plus un centime", "plus d argent", "sans argent", "sans un sou", "coince",
    "coincee", "coinces", "coincees", "panique", "paniquee", "desespere", "desesperee",
    "detresse", "huissier", "expulsion", "interdit bancaire", "j en peux plus",
    "d ici ce soir", "avant ce soir",
)

# ... unless they are negated: these win over the markers they contain.
NOT_URGENT = (
    *(
        f"{negation} {degree}{word}"
        for negation in ("pas", "plus", "non")
        for degree in ("", "tres ", "si ", "super ", "vraiment ", "trop ", "du tout ")
        for word in ("urgent", "urgente")
    ),
    "rien d urgent", "pas d urgence", "pas une urgence", "pas en urgence", "sans urgence",
    "aucune urgence", "pas bloque", "pas bloquee", "plus bloque", "plus bloquee", "pas coince",
    "pas coincee", "pas de panique",
)
# fmt: on
