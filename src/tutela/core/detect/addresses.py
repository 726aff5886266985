"""Street lines: a house number and a street name with a street-type word, in the orders of
each market (US/UK "12 Baker Street", DE "Hauptstraße 5", FR "12, rue de la Paix", ES/IT/MX
"Calle Mayor 12" / "Via Roma, 12", JP 丁目/番/号, CN 路/街 with 号). The street-type words
come from USPS Publication 28 (appendix C1) and the national conventions."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.context import any_case
from tutela.core.detect.kinds import Detection, PiiType

_US_UK_TYPE_WORDS = (
    "Alley Avenue Ave Bend Blvd Boulevard Branch Bridge Brook Brooks Burg Bypass Camp Canyon Cape Causeway Center "
    "Circle Cir Cliff Cliffs Close Club Common Corner Corners Course Court Courts Ct Cove Coves Creek Crescent Crest "
    "Crossing Crossroad Curve Dale Dam Divide Dr Drive Drives Estate Estates Expressway Expy Extension Fall Falls "
    "Ferry Field Fields Flat Flats Ford Fords Forest Forge Forges Fork Forks Fort Freeway Fwy Garden Gardens Gateway "
    "Glen Glens Green Greens Grove Groves Harbor Harbors Haven Heights Highway Hill Hills Hollow Hwy Inlet Island "
    "Islands Isle Junction Junctions Key Keys Knoll Knolls Lake Lakes Land Landing Lane Light Lights Ln Loaf Lock "
    "Locks Lodge Loop Mall Manor Manors Meadow Meadows Mews Mill Mills Mission Motorway Mount Mountain Mountains Neck "
    "Orchard Oval Overpass Park Parks Parkway Parkways Pass Passage Path Pike Pine Pines Pkwy Pl Place Plain Plains "
    "Plaza Point Points Port Ports Prairie Radial Ramp Ranch Rapid Rapids Rd Rest Ridge Ridges River Road Roads Route "
    "Row Rue Run Shoal Shoals Shore Shores Skyway Spring Springs Spur Spurs Sq Square Squares St Station Stravenue "
    "Stream Street Streets Summit Ter Terrace Throughway Trace Track Trafficway Trail Trl Tunnel Turnpike Underpass "
    "Union Unions Valley Valleys Via Viaduct View Views Village Villages Ville Vista Walk Walks Wall Way Ways "
    "Well Wells"
)
_US_UK_TYPES = _US_UK_TYPE_WORDS.split()
_UNIT = r"(?:,?\s(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.|Room|#)\s?#?[\w-]{1,6})?"
_CAP_WORD = r"[A-ZÀ-Þ][\w'’.-]{0,30}"

_US_UK = (
    r"(?:(?:Flat|Studio|Apartment|Apt\.?|Unit|Suite)\s\d{1,4}[A-Za-z]?,\s(?:" + _CAP_WORD + r"\s){0,3}"
    r"|(?<![\w./:-])\d{1,6}[A-Za-z]?\s(?:" + _CAP_WORD + r"\s){1,3}?)" + any_case(*_US_UK_TYPES) + r"\b\.?" + _UNIT
)
_DE_SUFFIX = any_case("straße", "strasse", "str.", "weg", "gasse", "allee", "platz", "ring", "damm", "ufer", "chaussee")
_DE = (
    r"(?<![\w-])(?:(?:[Vv]an|[Vv]on|der|den|de|Am|An|Auf|Im|In|Zum|Zur|Alte[rn]?|Neue[rn]?|Große[rn]?|Kleine[rn]?)\s)*"
    r"[A-ZÄÖÜ][a-zäöüß]{0,30}(?:-[A-ZÄÖÜ][a-zäöüß]{0,30}){0,3}-?" + _DE_SUFFIX + r"\s?\d{1,4}\s?[a-zA-Z]?"
    r"(?:\s?[-/]\s?\d{1,4}[a-z]?)?(?![\w])"
)
_FR_TYPE = r"(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Cc]hemin|[Aa]ll[ée]e|[Ii]mpasse|[Qq]uai|[Pp]lace|[Rr]oute|[Cc]ours|[Pp]assage|[Ss]quare|[Vv]oie|[Ss]entier|[Ff]aubourg)"  # noqa: E501
_FR_NAME = r"(?:\s(?:de\s(?:la\s)?|du\s|des\s|d'|l')?[A-ZÀ-Þ][\wà-ÿ'’-]{0,30}){1,4}"
_FR = (
    r"(?<![\w.,/-])\d{1,4}(?:\s?(?:bis|ter|[A-C]))?,?\s"
    + _FR_TYPE
    + _FR_NAME
    + r"|(?<![\w])(?:rue|boulevard|chemin|avenue|allée|impasse|quai)"
    + _FR_NAME
)
# Spanish, Mexican and Italian lines start with the street type and end with the number.
_LATIN_TYPE = (
    r"(?:Calle|C/|Avenida|Avda\.|Paseo|Plaza|Pasaje|Pasadizo|Camino|Carrera|Carretera|Ronda|Rambla|Vía|Glorieta|"
    r"Travesía|Callejón|Cañada|Urbanización|Acceso|Alameda|Cuesta|Calzada|Circunvalación|Peatonal|Periférico|"
    r"Eje vial|Privada|Prolongación|Retorno|Diagonal|Corredor|Circuito|Continuación|Cerrada|Andador|Viaducto|"
    r"Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|Strada|Contrada|Borgo|Rotonda|Canale|Incrocio|Lungomare|"
    r"Località|Salita|Traversa|Stretto|Galleria|Vial)"
)
_LATIN = (
    r"(?<![\w])"
    + _LATIN_TYPE
    + r"(?:\s(?:de\s(?:la\s|los\s|las\s)?|del\s|della\s|dei\s|degli\s|di\s|d')?[A-ZÀ-Þ][\wà-ÿ'’.-]{0,30}){1,5}"
    r",?\s(?:\d{1,5}[A-Za-z]?(?:/\d{1,4})?|[Ss]/[Nn])"
    r"(?:\s(?:Puerta|Piso|Apt\.|Depto\.|Edif\.|Interior|Appartamento|Piano|Interno|Scala)\s\d{1,4}"
    r"(?:\s?,?\s(?:Puerta|Piso|Apt\.|Depto\.|Interior)\s\d{1,4})?)?(?![\w])"
)
# The prefecture and city are often in columns of their own; the 丁目/番/号 run is the line.
_JP = (
    r"(?:[\u4e00-\u9fff]{1,3}[都道府県])?(?:[\u4e00-\u9fff\u3040-\u30ff]{1,8}?[市区町村郡])?"
    r"[\u4e00-\u9fff\u3040-\u30ff]{1,10}?"
    r"(?:\d{1,3}丁目\d{1,4}番地?(?:\d{1,4}号)?|[\u4e00-\u9fff]{1,6}\d{1,4}-\d{1,4}(?:-\d{1,4})?)"
    r"(?:[ \u3000][^\s,\t\"]{1,20}?\d{1,4}号室)?"
)
_CN = (
    r"(?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|区|县|镇|乡))*[\u4e00-\u9fff]{1,10}?(?:路|街|大道|巷|胡同|弄)"
    r"(?:\d{1,5}号(?:\d{1,5}(?:室|楼))?|[A-Za-z0-9]{1,3}座)"
)

# One pattern per market: joined in one alternation they would scan several times slower,
# since `re` can no longer skip ahead to the characters that start each of them.
_STREETS = tuple(re.compile(part) for part in (_US_UK, _DE, _FR, _LATIN, _JP, _CN))


def street_addresses(text: str) -> Iterator[Detection]:
    for pattern in _STREETS:
        for match in pattern.finditer(text):
            yield Detection(match.start(), match.end(), PiiType.STREET_ADDRESS, "address.street", 0.85)
