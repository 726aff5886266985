"""Person names, without a language model: a cue that announces a name ("Dear", "Ship to:",
"Sehr geehrte Frau", "Bonjour", "Estimado", "Gentile", a sign-off, a name key, 様, 先生,
收件人) followed by name-shaped words; or, without a cue, a first name followed by a surname
that are both in the gazetteer. The cue is the stronger evidence, so it scores higher."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.anchors import finditer as anchors_finditer
from tutela.core.detect.context import any_case
from tutela.core.detect.gazetteer import gazetteer, is_first_name, is_last_name
from tutela.core.detect.kinds import Detection, PiiType

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ\u0100-\u017f"
# A capitalised word whose second letter is lower case ("McDonald", "O'Neil", "Hans-Peter"),
# so that an all-capitals code or header never looks like a name.
_AFTER_CAPITAL = rf"[{_LOWER}'’][{_LOWER}{_UPPER}'’]*(?:-[{_UPPER}][{_LOWER}'’]+)*"
_TOKEN = rf"[{_UPPER}]{_AFTER_CAPITAL}"
_PARTICLE = r"(?:de|del|della|di|da|van|von|der|den|le|la|du|dos|das|y|zu|ter|ten)"
_NAME = rf"{_TOKEN}(?:[ \t](?:{_PARTICLE}[ \t])*{_TOKEN}){{0,3}}"

# In this order: an alternation takes the first word that leads to a match.
_HONORIFICS = (
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Herr", "Frau", "Mme", "Mlle", "Sr", "Sra", "Srta", "Sig.ra", "Sig",
    "Dott.ssa", "Dott", "Signor", "Signora", "Señor", "Señora", "Monsieur", "Madame", "Don", "Doña",
)  # fmt: skip
_HONORIFIC = "(?:" + "|".join(map(re.escape, _HONORIFICS)) + r")\.?[ \t]+"
_GREETING_WORDS = (
    "dear",
    "hi",
    "hello",
    "hey",
    "good morning",
    "good afternoon",
    "good evening",
    "hallo",
    "liebe",
    "lieber",
    "guten tag",
    "sehr geehrte",
    "sehr geehrter",
    "sehr geehrte/r",
    "bonjour",
    "bonsoir",
    "salut",
    "cher",
    "chère",
    "hola",
    "estimado",
    "estimada",
    "estimado/a",
    "querido",
    "querida",
    "buenos días",
    "gentile",
    "gentilissimo",
    "gentilissima",
    "caro",
    "cara",
    "ciao",
    "buongiorno",
    "salve",
)
_GREETING = any_case(*_GREETING_WORDS) + r"[ \t,]+"
_LABEL_WORDS = (
    "buyer name",
    "customer name",
    "recipient name",
    "ship to name",
    "bill to name",
    "full name",
    "first name",
    "last name",
    "given name",
    "family name",
    "contact name",
    "cardholder name",
    "card holder",
    "account holder",
    "sender name",
    "receiver name",
    "billing name",
    "shipping name",
    "name",
    "nom",
    "nombre",
    "nome",
    "vorname",
    "nachname",
    "attn",
    "attention",
    "ship to",
    "bill to",
    "sold to",
    "deliver to",
    "customer",
    "buyer",
    "recipient",
    "kunde",
    "empfänger",
    "destinataire",
    "destinatario",
    "cliente",
    "client",
    "acquirente",
    "comprador",
    "consignee",
    "payee",
    "cardholder",
    "fullName",
    "buyerName",
    "customerName",
    "recipientName",
)
_LABEL = any_case(*_LABEL_WORDS) + r"[\"']?[ \t]*[:=][ \t]*[\"']?"
_SIGN_OFF_WORDS = (
    "regards",
    "best",
    "thanks",
    "thank you",
    "cheers",
    "sincerely",
    "best wishes",
    "kind regards",
    "yours truly",
    "mit freundlichen grüßen",
    "viele grüße",
    "beste grüße",
    "liebe grüße",
    "grüße",
    "cordialement",
    "bien à vous",
    "salutations",
    "saludos",
    "atentamente",
    "un saludo",
    "cordiali saluti",
    "distinti saluti",
    "saluti",
    "grazie",
)
_SIGN_OFF = any_case(*_SIGN_OFF_WORDS) + r"[,!.]?[ \t]*\r?\n[ \t]*"
_CUE = rf"(?:{_GREETING}(?:{_HONORIFIC})?|{_LABEL}(?:{_HONORIFIC})?|{_HONORIFIC}|{_SIGN_OFF})(?P<name>{_NAME})"
# The letters a cue can start with, in any case: where another letter follows a space, the
# four cue alternations are not tried at all.
_CUE_INITIALS = "".join(
    sorted(
        {initial for word in (*_GREETING_WORDS, *_LABEL_WORDS, *_SIGN_OFF_WORDS, *_HONORIFICS)
         for initial in (word[0], word[0].lower(), word[0].upper())}
    )
)  # fmt: skip
# A cue starts a word ("Mr" in "TMr", "hi" in "this" do not count), so the pattern opens on the
# character before it: `re` skips in C to the few positions after a space or a punctuation mark
# that a cue's first letter follows, instead of trying every cue word at every character. That
# character is found as one that is no ASCII letter or digit, a range test, with `[\W_]` (a
# Unicode category lookup, twice the cost per character) asked only where such a letter follows.
_CUED = re.compile(rf"[^0-9A-Za-z](?=[{re.escape(_CUE_INITIALS)}])(?<=[\W_]){_CUE}")
_CUED_AT_START = re.compile(_CUE)
# Opens on the capital with the lookbehind after it, so that `re` skips to capitals in C.
_PHRASE = re.compile(rf"[{_UPPER}](?<![\w-].){_AFTER_CAPITAL}(?:[ ](?:{_PARTICLE}[ ])*{_TOKEN}){{1,4}}")

# Words a greeting or a label is often followed by that are not anybody's name.
_NOT_A_NAME_WORDS = (
    "Customer Customers Team Sir Sirs Madam All Everyone There Friend Friends Valued Seller Sellers Support Amazon "
    "Kunde Kundin Kunden Client Cliente Clienti Signore Signora Monsieur Madame Señor Señora Sehr Damen Herren "
    "Mesdames Messieurs Partner Colleague Colleagues Guys Folks Team Buyer Shopper User Order Address Thanks Thank "
    "Please The This That Your Our My We You It Hope Again Regards Best Kind Sincerely Service Info Unknown"
)
_NOT_A_NAME = frozenset(_NOT_A_NAME_WORDS.split())

_CJK = "\u4e00-\u9fff"
_KANA = "\u3040-\u30ff"
# The most frequent Chinese surnames (single and compound) for cue-led names; the gazetteer
# adds Faker's longer list for names without a cue.
_CN_SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜"
    "冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝]"
)
_CN_CUE = r"(?:收件人|收货人|姓名|联系人|客户|买家|顾客|用户|尊敬的|亲爱的|持卡人|购买人|寄件人|签收人)[:：\s]{0,3}"
_JP_NAME = rf"[{_CJK}]{{1,4}}[ \u3000]?[{_CJK}{_KANA}]{{1,4}}?"
_CJK_CUED = re.compile(
    rf"{_CN_CUE}(?P<cn>(?:{_CN_SURNAMES})[{_CJK}]{{1,2}})"
    rf"|(?P<cn2>(?:{_CN_SURNAMES})[{_CJK}]{{1,2}}?)(?:先生|女士|小姐)"
    rf"|(?:氏名|お名前|宛名|購入者|注文者|お届け先|名前)[:：\s]{{0,3}}(?P<jp>{_JP_NAME})(?=[\s,、。様]|$)"
    rf"|(?P<jp2>{_JP_NAME})[ \u3000]?(?:様|さま|さん|殿)"
)
# Every match holds a cue word or a title, which starts with one of these (anchors.py).
_CJK_CUE_ANCHOR = re.compile(r"[收姓联客买顾用尊亲持购寄签先女小氏お宛購注名様さ殿]")
_CJK_CUED_LONGEST = 16  # the pattern's longest match (the tests check it)
# A run of CJK characters standing alone (a table cell, a field): a name if the gazetteer
# knows its surname and given name. Opens on the character with the lookbehind after it, so
# that `re` skips to Chinese characters in C instead of trying the lookbehind everywhere.
_CJK_ALONE = re.compile(
    rf"[{_CJK}](?<![{_CJK}{_KANA}].)[{_CJK}]{{0,2}}(?:[ \u3000][{_CJK}{_KANA}]{{1,4}}|[{_CJK}]{{1,2}})"
    rf"(?![{_CJK}{_KANA}])"
)
_HAS_CJK = re.compile(f"[{_CJK}]")


def _trim(name: str) -> str:
    """Drop trailing words that are not names ("Ryan Thanks" after "Hi")."""
    words = name.split()
    while len(words) > 1 and words[-1] in _NOT_A_NAME:
        words.pop()
    return name[: name.rfind(words[-1]) + len(words[-1])]


def _cued(text: str) -> Iterator[Detection]:
    head = _CUED_AT_START.match(text)
    matches = _CUED.finditer(text, head.end() if head else 0)
    for match in [head, *matches] if head else matches:
        name = match.group("name")
        if name.split()[0] in _NOT_A_NAME:
            continue
        start = match.start("name")
        yield Detection(start, start + len(_trim(name)), PiiType.PERSON_NAME, "name.context", 0.85)


def _gazetteer_pairs(text: str) -> Iterator[Detection]:
    for match in _PHRASE.finditer(text):
        # The phrase is its words and particles joined by single spaces; particles are lower
        # case, so never a first name or a surname, and only skipped over.
        words = match.group().split(" ")
        starts = [0] * len(words)
        for at in range(1, len(words)):
            starts[at] = starts[at - 1] + len(words[at - 1]) + 1
        index = 0
        while index < len(words):
            if not is_first_name(words[index]):
                index += 1
                continue
            end = None
            for later in range(index + 1, len(words)):
                word = words[later]
                if is_last_name(word):
                    end = later
                elif not (is_first_name(word) or word.islower()):
                    break
            if end is None:
                index += 1
                continue
            base = match.start()
            first, last = base + starts[index], base + starts[end] + len(words[end])
            yield Detection(first, last, PiiType.PERSON_NAME, "name.gazetteer", 0.75)
            index = end + 1


def _cjk(text: str) -> Iterator[Detection]:
    anchors = (match.start() for match in _CJK_CUE_ANCHOR.finditer(text))
    for match in anchors_finditer(_CJK_CUED, text, anchors, _CJK_CUED_LONGEST):
        group = match.lastgroup or "cn"
        yield Detection(match.start(group), match.end(group), PiiType.PERSON_NAME, "name.context", 0.85)
    names = gazetteer()
    for match in _CJK_ALONE.finditer(text):
        value = match.group()
        if " " in value or "\u3000" in value:
            family, _, given = value.replace("\u3000", " ").partition(" ")
            known = family in names.last and given in names.first
        else:
            known = any(value[:cut] in names.last and value[cut:] in names.first for cut in (1, 2))
        if known:
            yield Detection(match.start(), match.end(), PiiType.PERSON_NAME, "name.gazetteer", 0.75)


def person_names(text: str) -> Iterator[Detection]:
    yield from _cued(text)
    yield from _gazetteer_pairs(text)
    if _HAS_CJK.search(text):
        yield from _cjk(text)
