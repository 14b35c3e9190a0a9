"""The fictional group of the demo: names invented, cities and postcodes real."""

from __future__ import annotations

GROUP = ("GRP", "Groupe Lumière & Sillon")

# brand code, brand name, e-mail domain
BRANDS = (
    ("CL", "Caisse Lumière", "lumiere.example"),
    ("BS", "Banque Sillon", "sillon.example"),
)

# regional bank code, brand code, name, head office (address, postcode, city, phone)
REGIONAL_BANKS = (
    (
        "CL-OUEST",
        "CL",
        "Caisse Lumière Bretagne-Pays de Loire",
        ("2 place de la République", "35000", "Rennes", "02 99 00 10 00"),
    ),
    (
        "CL-IDF",
        "CL",
        "Caisse Lumière Île-de-France",
        ("18 rue de la Boétie", "75008", "Paris", "01 40 00 10 00"),
    ),
    (
        "CL-SUD",
        "CL",
        "Caisse Lumière Provence-Alpes",
        ("40 La Canebière", "13001", "Marseille", "04 91 00 10 00"),
    ),
    (
        "BS-NORD",
        "BS",
        "Banque Sillon Nord",
        ("5 rue Nationale", "59000", "Lille", "03 20 00 10 00"),
    ),
    (
        "BS-RA",
        "BS",
        "Banque Sillon Rhône-Alpes",
        ("12 rue de la République", "69002", "Lyon", "04 72 00 10 00"),
    ),
    (
        "BS-OCC",
        "BS",
        "Banque Sillon Occitanie",
        ("3 place du Capitole", "31000", "Toulouse", "05 61 00 10 00"),
    ),
    (
        "BS-EST",
        "BS",
        "Banque Sillon Grand Est",
        ("9 place Kléber", "67000", "Strasbourg", "03 88 00 10 00"),
    ),
)

# regional bank code → branches: (city, postcode, street address, département)
BRANCHES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "CL-OUEST": (
        ("Rennes", "35000", "14 quai Lamartine", "35"),
        ("Brest", "29200", "60 rue de Siam", "29"),
        ("Quimper", "29000", "8 rue Kéréon", "29"),
        ("Vannes", "56000", "21 rue du Mené", "56"),
        ("Nantes", "44000", "3 rue Crébillon", "44"),
        ("Angers", "49000", "27 boulevard Foch", "49"),
        ("Saint-Malo", "35400", "11 rue Broussais", "35"),
    ),
    "CL-IDF": (
        ("Paris 8e", "75008", "52 rue de Miromesnil", "75"),
        ("Paris 11e", "75011", "96 boulevard Voltaire", "75"),
        ("Paris 15e", "75015", "210 rue de Vaugirard", "75"),
        ("Versailles", "78000", "35 rue de la Paroisse", "78"),
        ("Boulogne-Billancourt", "92100", "80 route de la Reine", "92"),
        ("Saint-Denis", "93200", "7 rue de la République", "93"),
        ("Créteil", "94000", "1 place Salvador Allende", "94"),
    ),
    "CL-SUD": (
        ("Marseille", "13001", "26 rue Saint-Ferréol", "13"),
        ("Aix-en-Provence", "13100", "14 cours Mirabeau", "13"),
        ("Avignon", "84000", "33 rue de la République", "84"),
        ("Toulon", "83000", "6 boulevard de Strasbourg", "83"),
        ("Nice", "06000", "45 avenue Jean Médecin", "06"),
        ("Gap", "05000", "10 rue Carnot", "05"),
    ),
    "BS-NORD": (
        ("Lille", "59000", "30 rue Esquermoise", "59"),
        ("Roubaix", "59100", "12 Grande Rue", "59"),
        ("Arras", "62000", "4 place des Héros", "62"),
        ("Amiens", "80000", "50 rue des Trois Cailloux", "80"),
        ("Valenciennes", "59300", "17 rue de Famars", "59"),
        ("Dunkerque", "59140", "22 boulevard Alexandre III", "59"),
    ),
    "BS-RA": (
        ("Lyon 2e", "69002", "41 rue Victor Hugo", "69"),
        ("Villeurbanne", "69100", "150 cours Émile Zola", "69"),
        ("Grenoble", "38000", "9 place Grenette", "38"),
        ("Saint-Étienne", "42000", "20 rue du Général Foy", "42"),
        ("Annecy", "74000", "5 rue Royale", "74"),
        ("Chambéry", "73000", "68 rue de Boigne", "73"),
    ),
    "BS-OCC": (
        ("Toulouse", "31000", "18 rue d'Alsace-Lorraine", "31"),
        ("Montpellier", "34000", "2 rue de la Loge", "34"),
        ("Nîmes", "30000", "25 boulevard Victor Hugo", "30"),
        ("Perpignan", "66000", "7 quai Vauban", "66"),
        ("Albi", "81000", "13 rue Mariès", "81"),
    ),
    "BS-EST": (
        ("Strasbourg", "67000", "24 rue des Grandes Arcades", "67"),
        ("Metz", "57000", "15 rue Serpenoise", "57"),
        ("Nancy", "54000", "42 rue Saint-Dizier", "54"),
        ("Reims", "51100", "31 place Drouet d'Erlon", "51"),
        ("Mulhouse", "68100", "8 rue du Sauvage", "68"),
        ("Colmar", "68000", "3 rue des Clefs", "68"),
    ),
}

# Alsace and Moselle keep two more public holidays (local law of 1 June 1924).
ALSACE_MOSELLE = {"57", "67", "68"}

FIRST_NAMES = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Sarah",
    "Julie",
    "Claire",
    "Anaïs",
    "Pauline",
    "Marine",
    "Laura",
    "Élise",
    "Nadia",
    "Amina",
    "Sophie",
    "Céline",
    "Aurélie",
    "Lucie",
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Antoine",
    "Hugo",
    "Lucas",
    "Karim",
    "Mehdi",
    "Romain",
    "Pierre",
    "Yann",
    "Erwan",
    "Mathieu",
    "Olivier",
    "Sébastien",
    "David",
    "Benoît",
    "Rachid",
    "Vincent",
)
# The first twenty first names are women's (job titles agree with them).
FEMININE_FIRST_NAMES = FIRST_NAMES[:20]
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Le Gall",
    "Le Goff",
    "Kerbrat",
    "Benali",
    "Haddad",
    "Nguyen",
    "Meyer",
    "Schmitt",
    "Muller",
    "Rossi",
)
CUSTOMER_FIRST_NAMES = FIRST_NAMES
CUSTOMER_LAST_NAMES = (*LAST_NAMES, "Perrin", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier")

# Job titles are written in the feminine for women, as French HR systems do.
FEMININE_JOB_TITLES = {
    "Conseiller clientèle": "Conseillère clientèle",
    "Conseiller patrimonial": "Conseillère patrimoniale",
    "Conseiller professionnels": "Conseillère professionnels",
    "Directeur d'agence": "Directrice d'agence",
    "Conseiller centre de relation client 24/7": "Conseillère centre de relation client 24/7",
    "Chargé de réclamations": "Chargée de réclamations",
    "Chargé de recrutement": "Chargée de recrutement",
    "Responsable conformité": "Responsable conformité",
    "Administrateur Tandem": "Administratrice Tandem",
    "Administrateur plateforme": "Administratrice plateforme",
    "Pilote du programme Tandem": "Pilote du programme Tandem",
}

# The first digits of landline numbers by regional bank (French numbering zones).
PHONE_ZONE = {
    "CL-OUEST": "02",
    "CL-IDF": "01",
    "CL-SUD": "04",
    "BS-NORD": "03",
    "BS-RA": "04",
    "BS-OCC": "05",
    "BS-EST": "03",
}

SKILLS = (
    "crédit immobilier",
    "épargne",
    "assurance",
    "professionnels",
    "jeunes",
    "patrimoine",
    "agriculture",
    "international",
)

# Typical French retail opening hours: closed Monday, open Saturday morning.
HOURS_TUESDAY_SATURDAY = {
    "tue": [["09:00", "12:30"], ["14:00", "18:00"]],
    "wed": [["09:00", "12:30"], ["14:00", "18:00"]],
    "thu": [["09:00", "12:30"], ["14:00", "18:00"]],
    "fri": [["09:00", "12:30"], ["14:00", "18:00"]],
    "sat": [["09:00", "12:30"]],
}
HOURS_MONDAY_FRIDAY = {
    day: [["09:00", "12:30"], ["13:45", "17:45"]] for day in ("mon", "tue", "wed", "thu", "fri")
}
# Regional teams (community managers, complaints) also work on Saturdays.
HOURS_HEAD_OFFICE = {
    day: [["08:30", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")
}
