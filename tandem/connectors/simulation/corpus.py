"""The words of the traffic simulator: what French bank customers write, as plain data.

Hand-written for Tandem. ``texts.py`` assembles these pieces (template, register, typos,
emojis, sensitive values) into messages; keeping the vocabulary here keeps the logic readable.
Templates use ``{slot}`` placeholders filled from ``SLOTS``; closers may use ``{prenom}`` and
``{nom}``. Everything else is written the way a customer would write it.
"""

from __future__ import annotations

import enum
from typing import Final


class Topic(enum.StrEnum):
    """What the customer writes about; the first three are urgent (24/7 team)."""

    CARD_LOST = "card_lost"
    CARD_BLOCKED = "card_blocked"
    FRAUD = "fraud"
    LOAN = "loan"
    MORTGAGE = "mortgage"
    SAVINGS = "savings"
    APPOINTMENT = "appointment"
    OPENING_HOURS = "opening_hours"
    COMPLAINT = "complaint"
    JOB_APPLICATION = "job_application"
    APP_PROBLEM = "app_problem"
    THANKS = "thanks"
    GREETING = "greeting"

    @property
    def urgent(self) -> bool:
        return self in (Topic.CARD_LOST, Topic.CARD_BLOCKED, Topic.FRAUD)


class Register(enum.StrEnum):
    FORMAL = "formal"
    NEUTRAL = "neutral"
    CASUAL = "casual"
    SMS = "sms"
    ANGRY = "angry"


FIRST_NAMES: Final = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Émilie", "Nathalie", "Sophie",
    "Isabelle", "Hélène", "Aïcha", "Fatou", "Océane", "Maëlle", "Brigitte", "Françoise",
    "Thomas", "Nicolas", "Julien", "Maxime", "Lucas", "Hugo", "Karim", "Mehdi", "Yanis",
    "Jean-Pierre", "Philippe", "François", "Stéphane", "Loïc", "Gaëtan", "Mathéo", "Kévin",
)  # fmt: skip
LAST_NAMES: Final = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Roux", "Fontaine", "Chevalier",
    "Le Goff", "Le Gall", "Guérin", "Boyer", "N'Diaye", "Benali", "Nguyen", "Da Silva", "Mercier",
)  # fmt: skip
TOWNS: Final = (
    "Lyon", "Villeurbanne", "Annecy", "Chambéry", "Grenoble", "Valence", "Saint-Étienne",
    "Bourg-en-Bresse", "Roanne", "Aix-les-Bains", "Nantes", "Rennes", "Angers", "Brest",
    "Quimper", "Lorient", "Saint-Nazaire", "Vannes", "Laval", "Le Mans", "Cholet", "Saint-Malo",
)  # fmt: skip

SLOTS: Final[dict[str, tuple[str, ...]]] = {
    "ville": TOWNS,
    "quand": ("hier soir", "ce matin", "cette nuit", "ce week-end", "tout à l'heure", "samedi"),
    "lieu": ("dans le tram", "au marché", "à la gare", "dans le métro", "à la piscine", "en boîte"),
    "magasin": ("au supermarché", "à la station-service", "à la pharmacie", "sur Internet"),
    "pays": ("en Espagne", "en Italie", "en Grèce", "en Croatie", "au Portugal", "au Canada"),
    "montant": ("49,90 €", "120 €", "315 €", "89 €", "1 250 €", "12,50 €", "640 €", "27 €"),
    "somme": ("8 000 €", "12 000 €", "15 000 €", "5 000 €", "20 000 €", "9 500 €"),
    "jour": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"),
    "heure": ("9h30", "10h", "11h15", "14h", "16h30", "17h45"),
    "conseiller": ("Mme Martin", "M. Durand", "Sophie", "Karim", "Mme Lefèvre", "M. Le Gall"),
    "ferie": ("15 août", "1er mai", "8 mai", "14 juillet", "11 novembre", "lundi de Pentecôte"),
}

# Topic → templates. ``{slot}`` is filled from SLOTS; everything else is as a customer writes.
TEMPLATES: Final[dict[Topic, tuple[str, ...]]] = {
    Topic.CARD_LOST: (
        "J'ai perdu ma carte bancaire {quand}, comment je fais opposition ?",
        "On m'a volé mon sac {lieu} avec ma carte dedans, il faut la bloquer au plus vite",
        "Ma carte est restée dans le distributeur de {ville} ce matin, je fais quoi ?",
        (
            "Je ne retrouve plus ma CB depuis {quand}, je crois que je l'ai perdue {lieu}. "
            "Vous pouvez la bloquer ?"
        ),
        (
            "Portefeuille volé {quand}, carte bancaire comprise. Je suis {pays}, "
            "comment faire opposition d'ici ?"
        ),
        "URGENT carte volée, je n'arrive pas à joindre le numéro d'opposition",
        "Mon fils a perdu sa carte au lycée, on peut la mettre en opposition depuis l'appli ?",
        "Le distributeur a avalé ma carte à {ville}, comment je la récupère ?",
    ),
    Topic.CARD_BLOCKED: (
        "Ma carte est refusée partout depuis ce matin alors que j'ai de l'argent sur le compte",
        "Paiement refusé {magasin}, ma carte est bloquée ou quoi ?",
        (
            "J'ai tapé trois fois le mauvais code et maintenant ma carte est bloquée, "
            "comment la débloquer ?"
        ),
        "Impossible de retirer au distributeur, il affiche « carte invalide »",
        "Ma carte ne passe plus pour les achats en ligne, refusé à chaque fois",
        "Mon plafond est atteint et je dois payer le garage aujourd'hui, vous pouvez l'augmenter ?",
        "Je suis en vacances {pays} et ma carte ne marche pas, au secours",
    ),
    Topic.FRAUD: (
        "Il y a un prélèvement de {montant} que je n'ai jamais fait sur mon compte",
        (
            "Quelqu'un m'a appelé en se faisant passer pour un conseiller de la banque et m'a "
            "demandé de valider une opération, j'ai un gros doute"
        ),
        (
            "J'ai reçu un SMS qui me demande de mettre à jour mes coordonnées bancaires, "
            "c'est bien vous ?"
        ),
        "Paiement de {montant} sur un site que je ne connais pas, c'est une fraude !",
        (
            "J'ai cliqué sur un lien dans un mail soi-disant de la banque, "
            "j'ai peur d'avoir donné mes identifiants"
        ),
        (
            "Faux conseiller au téléphone {quand}, il connaissait mon nom et mon agence. "
            "J'ai validé une opération sur l'appli, je fais quoi maintenant ?"
        ),
        "Des achats à l'étranger apparaissent sur mon relevé, je n'ai rien commandé",
    ),
    Topic.LOAN: (
        (
            "Je voudrais faire un prêt pour une voiture d'occasion, autour de {somme}, "
            "c'est possible ?"
        ),
        "Quel taux vous proposez pour un prêt perso en ce moment ?",
        "Vous faites des prêts étudiants ? Je rentre en master à la rentrée",
        "J'ai une demande de crédit en cours depuis deux semaines, vous avez une réponse ?",
        "Je souhaiterais financer des travaux dans ma cuisine, quelles sont les conditions ?",
        "Est-il possible de rembourser mon crédit auto par anticipation ?",
        "Je voudrais regrouper mes crédits, vous faites ça ?",
    ),
    Topic.MORTGAGE: (
        (
            "Nous cherchons à acheter notre première maison vers {ville}, "
            "pouvez-vous faire une simulation de prêt immobilier ?"
        ),
        "J'ai signé un compromis et j'ai besoin d'une attestation de financement rapidement",
        "Le PTZ est encore possible pour un appartement neuf ?",
        "Je voudrais renégocier le taux de mon prêt immo, à qui dois-je m'adresser ?",
        "On aimerait un rendez-vous pour un projet immobilier, on est dispo {jour} après 17h",
        "L'assurance emprunteur est obligatoire chez vous ou je peux aller ailleurs ?",
    ),
    Topic.SAVINGS: (
        "Quel est le taux du Livret A en ce moment ?",
        "Mon Livret A est au plafond, vous me conseillez quoi pour épargner à côté ?",
        "Je voudrais ouvrir un livret pour ma fille qui vient de naître",
        "Comment faire un virement de mon Livret A vers mon compte courant depuis l'appli ?",
        "C'est quoi la différence entre un LDDS et un Livret A ?",
        (
            "Je voudrais mettre un peu d'argent de côté chaque mois, "
            "un virement automatique vers mon livret c'est possible ?"
        ),
        "On peut ouvrir un PEL à 17 ans ?",
        "Je pense à une assurance vie, est-ce qu'on peut en parler avec un conseiller ?",
    ),
    Topic.APPOINTMENT: (
        "Je voudrais prendre rendez-vous avec mon conseiller la semaine prochaine",
        "Est-ce possible d'avoir un rendez-vous {jour} matin à l'agence de {ville} ?",
        "Mon conseiller ne répond pas au téléphone, comment je peux le joindre ?",
        "J'avais rendez-vous {jour} à {heure} mais je ne pourrai pas venir, on peut décaler ?",
        "Je viens d'emménager à {ville}, je voudrais changer d'agence",
        "Un rendez-vous en visio c'est possible ? Je travaille en horaires décalés",
    ),
    Topic.OPENING_HOURS: (
        "L'agence de {ville} est ouverte le samedi ?",
        "Vous fermez à quelle heure ce soir ?",
        "L'agence est fermée entre midi et deux ?",
        "L'agence de {ville} sera ouverte pour le {ferie} ?",
        "Le distributeur de {ville} est en panne depuis trois jours, il sera réparé quand ?",
        "Quels sont les horaires du guichet pour déposer un chèque ?",
    ),
    Topic.COMPLAINT: (
        "Ça fait trois semaines que j'attends un retour de mon conseiller, personne ne répond",
        "On m'a prélevé {montant} de frais pour un rejet de prélèvement, c'est abusif",
        "Deuxième fois ce mois-ci que mon virement met quatre jours à arriver, c'est inadmissible",
        "Je n'ai toujours pas reçu ma nouvelle carte alors que l'ancienne expire demain",
        (
            "Attente interminable au guichet ce matin à {ville}, un seul conseiller pour "
            "quinze personnes"
        ),
        "Frais de tenue de compte en hausse sans prévenir, je songe à changer de banque",
        "Je souhaite déposer une réclamation concernant le traitement de mon dossier",
        "Mon chèque a été débité deux fois !",
    ),
    Topic.JOB_APPLICATION: (
        "Je cherche une alternance en BTS banque pour septembre, à qui envoyer ma candidature ?",
        "Vous recrutez des conseillers clientèle vers {ville} ?",
        "J'ai postulé à l'offre de chargé d'accueil il y a deux semaines, pas de nouvelles",
        (
            "Je suis en licence et je cherche un stage de deux mois cet été, "
            "vous prenez des stagiaires ?"
        ),
        "Comment se passe le recrutement chez vous ?",
        "L'offre de conseiller patrimonial à {ville} est toujours d'actualité ?",
    ),
    Topic.APP_PROBLEM: (
        "L'appli me déconnecte sans arrêt depuis la dernière mise à jour",
        "Je n'arrive plus à me connecter à mon espace client, message d'erreur à chaque fois",
        "Je n'ai pas reçu le code par SMS pour valider mon virement",
        "Comment ajouter un bénéficiaire depuis l'application ?",
        "Mon nouveau téléphone n'est pas reconnu pour valider les paiements, comment je l'active ?",
        "L'appli plante dès que je veux voir mes relevés",
        "Impossible d'ajouter ma carte dans Apple Pay, ça met « carte non éligible »",
        "J'ai changé de numéro, comment le mettre à jour pour recevoir les codes ?",
    ),
    Topic.THANKS: (
        "Merci beaucoup à {conseiller} pour son aide, très efficace !",
        "Super accueil à l'agence de {ville}, merci à toute l'équipe",
        "Merci pour votre réponse rapide, problème réglé",
        "C'est bon j'ai reçu ma carte, merci !",
        "Parfait, merci pour les infos",
        "Merci, bonne soirée",
    ),
    Topic.GREETING: (
        "Bonjour",
        "Bonjour, il y a quelqu'un ?",
        "Bonsoir, j'ai une question",
        "Vous êtes là ?",
        "Allô ?",
    ),
}

# Said in public under a post, not in a private thread.
PUBLIC_EXTRAS: Final[dict[Topic, tuple[str, ...]]] = {
    Topic.THANKS: ("Bravo pour cette initiative", "Belle opération, merci !"),
    Topic.COMPLAINT: (
        "Et répondre aux messages privés, c'est prévu quand ?",
        "Toujours aucune réponse à mon message, c'est ça la banque proche de ses clients ?",
    ),
    Topic.JOB_APPLICATION: ("Vous prenez des alternants à {ville} ?",),
    Topic.SAVINGS: ("Et le taux du Livret A, il baisse encore ?",),
}

DIRECT_WEIGHTS: Final = {
    Topic.CARD_LOST: 7, Topic.CARD_BLOCKED: 8, Topic.FRAUD: 6, Topic.LOAN: 7,
    Topic.MORTGAGE: 6, Topic.SAVINGS: 9, Topic.APPOINTMENT: 11, Topic.OPENING_HOURS: 8,
    Topic.COMPLAINT: 9, Topic.JOB_APPLICATION: 4, Topic.APP_PROBLEM: 11, Topic.THANKS: 7,
    Topic.GREETING: 6,
}  # fmt: skip
PUBLIC_WEIGHTS: Final = {
    **DIRECT_WEIGHTS, Topic.GREETING: 0, Topic.COMPLAINT: 16, Topic.THANKS: 12,
    Topic.JOB_APPLICATION: 8, Topic.OPENING_HOURS: 10,
}  # fmt: skip

# Which sensitive values customers volunteer, by topic (relative weights).
SENSITIVE_BY_TOPIC: Final[dict[Topic, dict[str, int]]] = {
    Topic.CARD_LOST: {"card": 5, "secret": 2, "phone": 2},
    Topic.CARD_BLOCKED: {"card": 4, "secret": 3, "phone": 1},
    Topic.FRAUD: {"card": 3, "secret": 3, "iban": 3, "phone": 1},
    Topic.LOAN: {"iban": 3, "rib": 2, "fr_nir": 2, "phone": 2, "email": 2},
    Topic.MORTGAGE: {"iban": 2, "rib": 1, "fr_nir": 2, "phone": 3, "email": 3},
    Topic.SAVINGS: {"iban": 4, "rib": 2, "phone": 1},
    Topic.APPOINTMENT: {"phone": 5, "email": 3},
    Topic.OPENING_HOURS: {"phone": 1},
    Topic.COMPLAINT: {"iban": 3, "card": 2, "phone": 2, "email": 2},
    Topic.JOB_APPLICATION: {"phone": 3, "email": 4, "fr_nir": 1},
    Topic.APP_PROBLEM: {"secret": 5, "phone": 2, "email": 2},
    Topic.THANKS: {"phone": 1, "email": 1},
    Topic.GREETING: {"phone": 1},
}

OPENERS: Final[dict[Register, tuple[str, ...]]] = {
    Register.FORMAL: ("Bonjour,", "Bonjour Madame, Monsieur,", "Madame, Monsieur,", "Bonsoir,"),
    Register.NEUTRAL: ("Bonjour", "Bonjour,", "Bonjour !", "Bonsoir", "Re bonjour,", ""),
    Register.CASUAL: ("Salut", "Coucou !", "Hello,", "Hey !", ""),
    Register.SMS: ("bjr", "slt", "bsr", ""),
    Register.ANGRY: ("", "Bonjour.", "Sérieusement ?", "Franchement…"),
}
CLOSERS: Final[dict[Register, tuple[str, ...]]] = {
    Register.FORMAL: (
        "Cordialement.",
        "Bien cordialement,\n{prenom} {nom}",
        "Merci par avance pour votre retour.",
        "Je vous remercie de votre aide.\n{prenom} {nom}",
    ),
    Register.NEUTRAL: ("Merci d'avance", "Merci !", "Bonne journée", "Merci de me recontacter", ""),
    Register.CASUAL: ("merci !!", "bonne journée", "merci bcp", "bisous", ""),
    Register.SMS: ("merci", "mrc", "svp", "stp", "dsl pr le derangement", ""),
    Register.ANGRY: (
        "J'attends une réponse rapide.",
        "Merci de faire le nécessaire !!!",
        "Lamentable.",
        "Je vais finir par changer de banque.",
    ),
}
EMOJIS: Final[dict[str, tuple[str, ...]]] = {
    "urgent": ("😱", "🙏", "😰", "🆘"),
    "angry": ("😡", "😤", "🤬", "👎"),
    "happy": ("🙏", "😊", "👍", "❤️", "👏", "🙂"),
    "neutral": ("🙂", "😅", "🤞", "🤔", "🙏"),
}
REGISTER_WEIGHTS: Final = {
    Register.FORMAL: 16, Register.NEUTRAL: 38, Register.CASUAL: 20, Register.SMS: 14,
    Register.ANGRY: 12,
}  # fmt: skip
# Word-level shorthand used in SMS-style messages (longest first, matched on word boundaries).
SHORTHAND: Final = (
    ("s'il vous plaît", "svp"), ("s'il te plaît", "stp"), ("rendez-vous", "rdv"),
    ("aujourd'hui", "ajd"), ("quelqu'un", "qqn"), ("quelque chose", "qqch"),
    ("beaucoup", "bcp"), ("bonjour", "bjr"), ("pourquoi", "pk"), ("toujours", "tjs"),
    ("maintenant", "mtn"), ("je suis", "jsuis"), ("c'est", "c"), ("quand", "qd"),
    ("dans", "ds"), ("pour", "pr"), ("vous", "vs"), ("avec", "avc"), ("merci", "mrc"),
)  # fmt: skip

# What the bank's side says in public under its posts (its own comments come back as events).
PAGE_REPLIES: Final = (
    "Bonjour {prenom}, nous vous répondons en message privé. Belle journée !",
    "Bonjour {prenom}, pour ne pas exposer vos informations, écrivez-nous en message privé.",
    "Merci pour votre message {prenom} ! Votre conseiller vous recontacte rapidement.",
    "Bonjour {prenom}, l'agence est ouverte du mardi au samedi. À bientôt !",
)
# Buttons the bank offers in Messenger (persistent menu and quick replies): (title, payload).
MENU_BUTTONS: Final = (
    ("Parler à un conseiller", "CONSEILLER"),
    ("Carte perdue ou volée", "CARTE_OPPOSITION"),
    ("Prendre rendez-vous", "RENDEZ_VOUS"),
    ("Horaires de mon agence", "HORAIRES"),
)
QUICK_REPLIES: Final = (("Oui", "CONFIRMER"), ("Non merci", "ANNULER"), ("Plus tard", "PLUS_TARD"))
# Replies to the bank's WhatsApp interactive buttons: (id, title).
WHATSAPP_BUTTONS: Final = (
    ("rdv_confirme", "Je confirme"),
    ("rdv_decale", "Décaler le rendez-vous"),
    ("rappel", "Être rappelé"),
)
# The prefilled text of the bank's click-to-chat links; the linking code goes at the end.
PREFILLED_TEXTS: Final = (
    "Bonjour, je souhaite échanger avec mon conseiller sur WhatsApp.",
    "Bonjour ! Je viens de l'appli, je voudrais parler à mon agence.",
)
MEDIA_CAPTIONS: Final = (
    "Voici la capture d'écran du message d'erreur",
    "Le ticket du distributeur",
    "Mon justificatif de domicile comme demandé",
    "",
)
DOCUMENT_NAMES: Final = ("justificatif.pdf", "avis_imposition.pdf", "devis_travaux.pdf")
REACTIONS: Final = ("👍", "🙏", "❤️", "😮")
EDIT_SUFFIXES: Final = (" Edit : c'est réglé, merci.", " EDIT : toujours rien…", " (édité)")
