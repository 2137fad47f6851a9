"""Names, places and bank accounts for the demo company's customers: plausible per country.

Everything here is plain data and pure functions of a seeded `random.Random`, so the same seed
always gives the same company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from o2c.parties.model import IBAN_LENGTHS


@dataclass(frozen=True)
class Country:
    """How a country's companies are named and where they sit."""

    code: str
    language: str
    legal_forms: tuple[str, ...]
    stems: tuple[str, ...]
    trades: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (city, postal code)
    streets: tuple[str, ...]
    people: tuple[str, ...]
    bank_codes: tuple[str, ...]  # the leading part of the BBAN (letters where the country has)


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country(
            "DE",
            "de",
            ("GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "e.K."),
            ("Hartmann", "Brenner", "Nordlicht", "Kessler", "Wagner", "Elbtal", "Rheinblick",
             "Schönfeld", "Weber", "Falkenstein", "Lindner", "Bergmann"),
            ("Maschinenbau", "Haustechnik", "Logistik", "Elektrotechnik", "Metallbau",
             "Baustoffe", "Anlagenbau", "Gebäudeservice"),
            (("Hamburg", "20095"), ("Bremen", "28195"), ("Hannover", "30159"),
             ("Köln", "50667"), ("Dortmund", "44135"), ("Leipzig", "04109"),
             ("Stuttgart", "70173"), ("München", "80331"), ("Nürnberg", "90402")),
            ("Industriestraße", "Hafenweg", "Bahnhofstraße", "Gewerbepark", "Lindenallee"),
            ("Anna Becker", "Jonas Krüger", "Sabine Vogel", "Markus Schulz", "Katrin Neumann"),
            ("37040044", "50010517", "20050550", "70150000", "10070000", "43060967"),
        ),
        Country(
            "AT",
            "de",
            ("GmbH", "AG", "KG"),
            ("Alpenblick", "Donautal", "Steiner", "Hofer", "Gruber", "Tauern"),
            ("Hotelbetriebe", "Holzbau", "Handel", "Installationen"),
            (("Wien", "1010"), ("Graz", "8010"), ("Linz", "4020"), ("Salzburg", "5020")),
            ("Mariahilfer Straße", "Landstraße", "Kärntner Ring"),
            ("Lukas Huber", "Eva Pichler", "Thomas Moser"),
            ("12000", "20111", "32000"),
        ),
        Country(
            "FR",
            "fr",
            ("SARL", "SAS", "SA"),
            ("Lefèvre", "Moreau", "Bellevue", "Dufour", "Garnier", "Rivoli", "Mercier"),
            ("Distribution", "Bâtiment", "Équipements", "Industries", "Services"),
            (("Paris", "75008"), ("Lyon", "69002"), ("Lille", "59000"), ("Nantes", "44000"),
             ("Strasbourg", "67000")),
            ("Rue de la République", "Avenue Jean Jaurès", "Quai des Chartrons", "Rue Nationale"),
            ("Claire Dubois", "Julien Lambert", "Sophie Laurent", "Nicolas Roux"),
            ("3000400003", "2004101005", "1820600002"),
        ),
        Country(
            "NL",
            "nl",
            ("B.V.", "B.V.", "N.V."),
            ("Van Dijk", "De Vries", "Bakker", "Jansen", "Zuiderzee", "Hollands"),
            ("Installatietechniek", "Groothandel", "Bouwmaterialen", "Transport"),
            (("Amsterdam", "1017 AB"), ("Rotterdam", "3011 AD"), ("Utrecht", "3511 LX"),
             ("Eindhoven", "5611 AZ")),
            ("Keizersgracht", "Coolsingel", "Stationsplein", "Havenstraat"),
            ("Sanne de Boer", "Daan Visser", "Lotte Smit"),
            ("ABNA", "INGB", "RABO"),
        ),
        Country(
            "BE",
            "nl",
            ("NV", "BV", "SRL"),
            ("Peeters", "Maes", "Brouwerij De Klok", "Janssens", "Schelde"),
            ("Techniek", "Distributie", "Bouw"),
            (("Antwerpen", "2000"), ("Gent", "9000"), ("Brussel", "1000")),
            ("Meir", "Korenmarkt", "Rue Neuve"),
            ("Wout Claes", "Elke Wouters"),
            ("001", "068", "310"),
        ),
        Country(
            "IT",
            "it",
            ("S.r.l.", "S.p.A."),
            ("Ferretti", "Bianchi", "Lombardi", "Colombo", "Adriatica"),
            ("Costruzioni", "Forniture", "Impianti", "Meccanica"),
            (("Milano", "20121"), ("Torino", "10121"), ("Bologna", "40121"), ("Verona", "37121")),
            ("Via Roma", "Corso Vittorio Emanuele", "Via Garibaldi"),
            ("Giulia Rossi", "Marco Ricci", "Francesca Conti"),
            ("X0542811101", "A0306909606", "K0503401633"),
        ),
        Country(
            "ES",
            "es",
            ("S.L.", "S.A."),
            ("Levante", "Iberia", "Navarro", "Castell", "Mediterránea"),
            ("Distribuciones", "Suministros", "Instalaciones"),
            (("Madrid", "28013"), ("Barcelona", "08002"), ("Valencia", "46002")),
            ("Calle Mayor", "Gran Via", "Avenida del Puerto"),
            ("Lucía García", "Javier Fernández"),
            ("21000418", "00491500", "20385778"),
        ),
        Country(
            "GB",
            "en",
            ("Ltd", "Ltd", "plc", "LLP"),
            ("Thornbury", "Kestrel", "Ashworth", "Pennine", "Hawthorne", "Sovereign"),
            ("Engineering", "Facilities", "Supplies", "Fabrication", "Building Services"),
            (("London", "EC2A 4NE"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 4DY"),
             ("Bristol", "BS1 5TR")),
            ("Old Street", "Deansgate", "Park Row", "Victoria Street"),
            ("Oliver Bennett", "Charlotte Hughes", "James Walker"),
            ("NWBK601613", "BARC200000", "LOYD309634"),
        ),
        Country(
            "IE",
            "en",
            ("Ltd", "DAC"),
            ("Liffey", "Shannon", "Connolly", "Emerald"),
            ("Hospitality", "Contracting", "Supplies"),
            (("Dublin", "D02 X285"), ("Cork", "T12 RX2P")),
            ("Grafton Street", "Patrick Street"),
            ("Aoife Murphy", "Conor Byrne"),
            ("AIBK931152", "BOFI900017"),
        ),
        Country(
            "US",
            "en",
            ("Inc.", "LLC", "Corp."),
            ("Great Lakes", "Redwood", "Lone Star", "Atlantic", "Keystone", "Cascade"),
            ("Supply", "Fabrication", "Industrial", "Distributors"),
            (("Chicago", "60601"), ("Houston", "77002"), ("Boston", "02110"),
             ("Seattle", "98101"), ("Pittsburgh", "15222")),
            ("Main Street", "Commerce Drive", "Industrial Parkway"),
            ("Emily Johnson", "Michael Carter", "Ashley Brooks"),
            (),  # no IBANs in the United States
        ),
    )
}  # fmt: skip


def iban(country: str, bank_code: str, rng: random.Random) -> str:
    """A valid IBAN (ISO 13616, mod-97 check digits) for `country`, in groups of four."""
    length = IBAN_LENGTHS[country]
    account = "".join(str(rng.randrange(10)) for _ in range(length - 4 - len(bank_code)))
    bban = bank_code + account
    check = 98 - int(_digits(bban + country + "00")) % 97
    compact = f"{country}{check:02d}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _digits(text: str) -> str:
    return "".join(str(int(ch, 36)) for ch in text)


def company_name(country: Country, rng: random.Random, taken: set[str]) -> str:
    """A new company name in the country's style ("Kessler Metallbau GmbH"), never repeated."""
    for _ in range(200):
        name = f"{rng.choice(country.stems)} {rng.choice(country.trades)} "
        name += rng.choice(country.legal_forms)
        if name not in taken:
            taken.add(name)
            return name
    raise ValueError(f"ran out of {country.code} company names")


def email_domain(name: str, country: str) -> str:
    """A plausible mail domain: "Kessler Metallbau GmbH" → kessler-metallbau.de."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e",
                           "à": "a", "í": "i", "á": "a", "É": "e"})  # fmt: skip
    words = [w for w in name.translate(table).lower().split() if w.isalpha()][:2]
    tld = {"GB": "co.uk", "US": "com"}.get(country, country.lower())
    return f"{'-'.join(words) or 'customer'}.{tld}"
