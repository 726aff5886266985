"""Street lines: a house number and a street name with a street-type word, in the orders of
each market (US/UK "12 Baker Street", DE "Hauptstraße 5", FR "12, rue de la Paix", ES/IT/MX
"Calle Mayor 12" / "Via Roma, 12", JP 丁目/番/号, CN 路/街 with 号). The street-type words
come from USPS Publication 28 (appendix C1) and the national conventions."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.anchors import finditer as anchors_finditer
from tutela.core.detect.context import any_case, has_cjk, one_of
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

# Each pattern opens with a character class that few positions pass (a capital, a CJK
# character) so that `re` skips ahead in C; a lookbehind or an optional group in front would
# make it try the whole pattern at every character. What precedes the opening word (a house
# number, a particle) is then read backwards from the match, a bounded distance.
_US_UK_TYPE = any_case(*_US_UK_TYPES) + r"\b\.?" + _UNIT
# "12 Baker Street", "221B Baker Street": from the first capitalised word after the number.
_US_UK = r"[A-ZÀ-Þ](?:(?<=\d\s.)|(?<=\d[A-Za-z]\s.))[\w'’.-]{0,30}\s(?:" + _CAP_WORD + r"\s){0,2}?" + _US_UK_TYPE
_US_UK_FLAT = (
    r"(?:Flat|Studio|Apartment|Apt\.?|Unit|Suite)\s\d{1,4}[A-Za-z]?,\s(?:" + _CAP_WORD + r"\s){0,3}" + _US_UK_TYPE
)
_DE_SUFFIX = any_case("straße", "strasse", "str.", "weg", "gasse", "allee", "platz", "ring", "damm", "ufer", "chaussee")
# "Hauptstraße 5", "Müller-Lüdenscheid-Weg 12a"; particles before it ("An der") are read
# backwards once the street is found.
_DE_PARTICLE = r"(?:[Vv]an|[Vv]on|der|den|de|Am|An|Auf|Im|In|Zum|Zur|Alte[rn]?|Neue[rn]?|Große[rn]?|Kleine[rn]?)"
_DE = (
    r"[A-ZÄÖÜ](?<![\w-].)[a-zäöüß]{0,30}(?:-[A-ZÄÖÜ][a-zäöüß]{0,30}){0,3}-?" + _DE_SUFFIX + r"\s?\d{1,4}\s?[a-zA-Z]?"
    r"(?:\s?[-/]\s?\d{1,4}[a-z]?)?(?![\w])"
)
_DE_PARTICLES_BEFORE = re.compile(rf"(?<![\w-])(?:{_DE_PARTICLE}\s)+\Z")
# French lines are found from the street type: "12, rue de la Paix" needs the number before
# it (read backwards), a lower-case "rue de la Paix" alone will do.
_FR_TYPES = (
    "Rue rue Avenue avenue Boulevard boulevard Bd bd Chemin chemin Allée allée Allee allee Impasse impasse Quai quai "
    "Place place Route route Cours cours Passage passage Square square Voie voie Sentier sentier Faubourg faubourg"
)
_FR_BARE_TYPES = frozenset({"rue", "boulevard", "chemin", "avenue", "allée", "impasse", "quai"})
_FR_NAME = r"(?:\s(?:de\s(?:la\s)?|du\s|des\s|d'|l')?[A-ZÀ-Þ][\wà-ÿ'’-]{0,30}){1,4}"
_FR_LINE = r"(?P<type>" + one_of(*_FR_TYPES.split()) + r")" + _FR_NAME
# A street type starts a word: the pattern opens on the character before it, found by a
# range test (no ASCII letter, digit or "_") with `[^\w]`, a Unicode category lookup, asked
# only where a street type's first letter follows.
_FR = r"[^0-9A-Za-z_](?=[RrAaBbCcIiQqPpSsVvFf])(?<=[^\w])" + _FR_LINE
_FR_NUMBER_BEFORE = re.compile(r"(?<![\w.,/-])\d{1,4}(?:\s?(?:bis|ter|[A-C]))?,?\s\Z")
# Spanish, Mexican and Italian lines start with the street type and end with the number.
_LATIN_TYPE = (
    r"(?:Calle|C/|Avenida|Avda\.|Paseo|Plaza|Pasaje|Pasadizo|Camino|Carrera|Carretera|Ronda|Rambla|Vía|Glorieta|"
    r"Travesía|Callejón|Cañada|Urbanización|Acceso|Alameda|Cuesta|Calzada|Circunvalación|Peatonal|Periférico|"
    r"Eje vial|Privada|Prolongación|Retorno|Diagonal|Corredor|Circuito|Continuación|Cerrada|Andador|Viaducto|"
    r"Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|Strada|Contrada|Borgo|Rotonda|Canale|Incrocio|Lungomare|"
    r"Località|Salita|Traversa|Stretto|Galleria|Vial)"
)
_LATIN = (
    _LATIN_TYPE
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
    r"(?:[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|区|县|镇|乡)){0,5}[\u4e00-\u9fff]{1,10}?(?:路|街|大道|巷|胡同|弄)"
    r"(?:\d{1,5}号(?:\d{1,5}(?:室|楼))?|[A-Za-z0-9]{1,3}座)"
)

# Every Japanese line has a Chinese character or kana right before its 丁目 number or its
# dashed block number; the line is searched for only around those (anchors.py). Chinese text
# has a Chinese character before most of its numbers, so the anchor reads past the digits.
_JP_ANCHOR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff](?=\d{1,3}丁目|\d{1,4}-\d)")
_JP_LONGEST = 70  # the pattern's longest match (the tests check it)
# Likewise every Chinese line has its street type's last character right before the house
# number or the building letter. A chain of more than five regions before the street is no
# address the seller's customers write; bounding it bounds the match.
_CN_ANCHOR = re.compile(r"[路街道巷同弄](?=\d{1,5}号|[A-Za-z0-9]{1,3}座)")
_CN_LONGEST = 89

# One pattern per market: joined in one alternation they would scan several times slower,
# since `re` can no longer skip ahead to the characters that start each of them.
_US_UK_RE = re.compile(_US_UK)
_US_UK_FLAT_RE = re.compile(_US_UK_FLAT)
_DE_RE = re.compile(_DE)
_FR_RE = re.compile(_FR)
_FR_AT_START = re.compile(_FR_LINE)
_LATIN_RE = re.compile(_LATIN)
_JP_RE = re.compile(_JP)
_CN_RE = re.compile(_CN)


def _street(start: int, end: int) -> Detection:
    return Detection(start, end, PiiType.STREET_ADDRESS, "address.street", 0.85)


def _house_number_start(text: str, start: int) -> int | None:
    """Where the house number before the street name at `start` begins ("12 ", "221B "), or
    None: one to six digits, not continuing a longer token."""
    at = start - 2  # the character before the separating space
    if at >= 0 and text[at].isascii() and text[at].isalpha():
        at -= 1
    end = at
    while at >= 0 and end - at < 7 and text[at].isdigit() and text[at].isascii():
        at -= 1
    if at == end or end - at > 6 or (at >= 0 and (text[at].isalnum() or text[at] in "_./:-")):
        return None
    return at + 1


def _us_uk(text: str) -> Iterator[Detection]:
    for match in _US_UK_RE.finditer(text):
        start = _house_number_start(text, match.start())
        if start is not None:
            yield _street(start, match.end())
    for match in _US_UK_FLAT_RE.finditer(text):
        yield _street(match.start(), match.end())


def _de(text: str) -> Iterator[Detection]:
    for match in _DE_RE.finditer(text):
        start = match.start()
        if start and text[start - 1].isspace():
            particles = _DE_PARTICLES_BEFORE.search(text, max(0, start - 48), start)
            start = particles.start() if particles else start
        yield _street(start, match.end())


def _fr(text: str) -> Iterator[Detection]:
    head = _FR_AT_START.match(text)
    if head is not None:
        yield from _fr_line(text, 0, head.group("type"), head.end())
    for match in _FR_RE.finditer(text, head.end() if head else 0):
        yield from _fr_line(text, match.start("type"), match.group("type"), match.end())


def _fr_line(text: str, start: int, kind: str, end: int) -> Iterator[Detection]:
    number = _FR_NUMBER_BEFORE.search(text, max(0, start - 12), start)
    if number is not None:
        yield _street(number.start(), end)
    elif kind in _FR_BARE_TYPES:
        yield _street(start, end)


def _latin(text: str) -> Iterator[Detection]:
    for match in _LATIN_RE.finditer(text):
        start = match.start()
        if not (start and (text[start - 1].isalnum() or text[start - 1] == "_")):
            yield _street(start, match.end())


def street_addresses(text: str) -> Iterator[Detection]:
    yield from _us_uk(text)
    yield from _de(text)
    yield from _fr(text)
    yield from _latin(text)
    if has_cjk(text):
        anchors = (match.end() for match in _JP_ANCHOR.finditer(text))
        for match in anchors_finditer(_JP_RE, text, anchors, _JP_LONGEST):
            yield _street(match.start(), match.end())
        anchors = (match.end() for match in _CN_ANCHOR.finditer(text))
        for match in anchors_finditer(_CN_RE, text, anchors, _CN_LONGEST):
            yield _street(match.start(), match.end())
