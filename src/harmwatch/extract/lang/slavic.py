"""The annotator for Ukrainian and Russian: one sentence -> `SentenceFeatures`, as the English one.

Every word list and pattern comes from the language's resources file (data/lang/uk.yaml,
ru.yaml); this module holds only the procedure:

* words are lemmatised with pymorphy3 and its dictionary for the language (loaded once per
  process, on first use; the dictionaries ship in the pymorphy3-dicts-* packages, nothing is
  downloaded);
* places: a capitalised word in any grammatical case is brought back to the name the gazetteer
  holds by the file's case endings ("Харкові" -> "Харків") or by its lemma; the preposition before
  it says what it is to the sentence ("у" -> in, "під" -> near); "Харківській області" and
  "Харківщині" are the oblast only;
* numbers in digits and words, collective numerals ("двоє", "п'ятеро", "обоє") in every case;
* casualty figures: a number (or a single named person) and a killed/injured word in the same
  clause; the person noun gives the group (children, women, men, healthcare);
* dates ("16 квітня 2025 року", "вчора", "у ніч на 24 лютого", a weekday) and clock times
  ("близько 10:30", "о 7 ранку");
* weapons from the catalogue (its Cyrillic aliases, also inflected: "КАБами", "Шахедів");
* objects hit, attribution ("повідомив начальник ОВА", "за даними прокуратури"), the perpetrator,
  and the cue flags assemble reads (attack, tally, several events, new event, hypothetical, denial).

Every mention keeps its offsets in the original text.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

import yaml

from ...errors import CatalogueError
from ...geo import Gazetteer, Place
from ...geo.names import translit_kmu, translit_ru
from ..casualties import without_sum_of_parts, ADULTS, CHILDREN, HEALTH, MEN, TOTAL, WOMEN, Figure
from ..dates import DateMention, TimeMention, _latest_on_or_before
from ..features import SentenceFeatures
from ..objects import ObjectMention
from ..places import PlaceMention, foreign_place_plausible
from ..text import Sentence
from ..weapons import Catalogue, WeaponMention
from . import DATA_DIR

_WORD = re.compile(r"\d+(?:[:.,]\d+)?|[^\W\d_]+(?:['’ʼ][^\W\d_]+)*(?:-[^\W\d_]+)*", re.UNICODE)
_CLAUSE = re.compile(r"[,;:()]|\s[-–—]\s|[–—]")
_SHARE_OPEN = re.compile(r"\s[-–—]\s|[–—:]")  # the dash or colon before a count's shares
_NAMED_SUBGROUP = re.compile(r"\w[^,;]*[,;]\s*$")
_APOS = str.maketrans({"’": "'", "ʼ": "'"})
_CYR_UPPER = re.compile(r"^[А-ЯІЇЄҐЁ]")
# an adjective of a district or community name: "Межівській", "Пологовском", "Шебекинский", "Кам'янському"
_AREA_ADJ_ENDINGS = "ому|ій|ий|ого|ої|а|е|их|им|ом|ой|ая|ое|ую|ие|ім|і"
_AREA_ADJ = re.compile(rf"(?:ськ|цьк|зьк|ск|цк|зк)(?:{_AREA_ADJ_ENDINGS})$")
# an adjective's locative or dative ending before a district noun ("у Центральному районі", "в Заводском районе")
_DISTRICT_ADJ = re.compile(r"(?:ому|ім|ом|ой|ій)$")
_AREA_ADJ_ANY = re.compile(rf"(?:ськ|цьк|зьк|ск|цк|зк)(?:{_AREA_ADJ_ENDINGS}|у)$")  # (and the accusative -ську)
_ITEM_HEAD = re.compile(r"\s*(?:\([^()]{0,60}\)\s*)?[:\u2013\u2014]")
_CITY_NOUNS = frozenset({"місто", "город", "столиця", "столица", "обласний", "областной"})
_HEADING_END = re.compile(r"^[^\W\d_][^.…!?]*[.…]?\s*$")
_HEADED = re.compile(r"^\s*[-–—:]\s*$")
_GROUPS = {"total": TOTAL, "children": CHILDREN, "women": WOMEN, "men": MEN, "healthcare": HEALTH}


@dataclass
class Resources:
    """One language's data file, read and compiled."""
    language: str
    annotator: str
    morphology: str
    raw: dict
    cues: dict[str, str] = field(default_factory=dict)  # preposition -> English cue word
    patterns: dict[str, list[re.Pattern]] = field(default_factory=dict)

    def words(self, key: str) -> frozenset[str]:
        return frozenset(_key(w) for w in self.raw.get(key) or ())

    def pat(self, key: str) -> list[re.Pattern]:
        if key not in self.patterns:
            self.patterns[key] = [re.compile(p, re.IGNORECASE) for p in self.raw.get(key) or ()]
        return self.patterns[key]

    def any(self, key: str, text: str) -> re.Match | None:
        for p in self.pat(key):
            m = p.search(text)
            if m:
                return m
        return None


def _key(w) -> str:
    return str(w).lower().translate(_APOS)


@lru_cache(maxsize=None)
def load_resources(language: str) -> Resources:
    path = DATA_DIR / f"{language}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise CatalogueError(f"{path}: cannot read the language resources: {e}") from e
    if not isinstance(raw, dict) or raw.get("language") != language or not raw.get("morphology"):
        raise CatalogueError(f"{path}: a language resources file needs 'language: {language}' and 'morphology'")
    res = Resources(language, raw.get("annotator", "slavic"), raw["morphology"], raw)
    for cue, preps in (raw.get("place_cues") or {}).items():
        for p in preps:
            res.cues.setdefault(_key(p), cue)
    try:
        for key, value in raw.items():
            if key.endswith("_patterns") and isinstance(value, list):
                res.pat(key)
    except re.error as e:
        raise CatalogueError(f"{path}: a pattern does not compile: {e}") from e
    return res


_MORPH: dict[str, object] = {}
_MORPH_LOCK = threading.Lock()


def analyzer(morphology: str):
    """The pymorphy3 analyser for a dictionary ("uk", "ru"), built once per process."""
    m = _MORPH.get(morphology)
    if m is None:
        with _MORPH_LOCK:
            m = _MORPH.get(morphology)
            if m is None:
                try:
                    import pymorphy3
                    m = pymorphy3.MorphAnalyzer(lang=morphology)
                except Exception as e:  # missing dictionary package: say which
                    raise CatalogueError(f"no pymorphy3 dictionary for {morphology!r} "
                                         f"(install pymorphy3-dicts-{morphology}): {e}") from e
                _MORPH[morphology] = m
    return m


@dataclass(frozen=True)
class Tok:
    text: str
    start: int  # offsets into the document
    end: int
    key: str  # lower case, apostrophes unified
    lemmas: frozenset[str]
    noun: bool
    singular: bool
    given_name: bool = False  # a first name ("Володимира"): before a capitalised word, a person, not a place


class SlavicAnnotator:
    def __init__(self, res: Resources, gaz: Gazetteer, catalogue: Catalogue):
        self.res, self.gaz, self.catalogue = res, gaz, catalogue
        self.morph = analyzer(res.morphology)
        r = res
        self.numbers = {_key(k): int(v) for k, v in (r.raw.get("numbers") or {}).items()}
        self.collectives = {_key(k): int(v) for k, v in (r.raw.get("collectives") or {}).items()}
        self.couple_nouns = frozenset(_key(w) for w in r.raw.get("couple_nouns") or ())
        self.person = {_key(w): _GROUPS[g] for g, ws in (r.raw.get("person_nouns") or {}).items() for w in ws}
        self.killed, self.injured = r.words("killed"), r.words("injured")
        # the second words of settlement names, in the form the gazetteer's (Ukrainian) name takes
        self.name_words = {_key(k): _key(v) for k, v in (r.raw.get("name_words") or {}).items()}
        # "забрав життя трьох людей", "унес жизнь 56-летней женщины": a verb of taking and the word life
        self.life_verbs, self.life_words = r.words("life_verbs"), r.words("life_words")
        self.help_verbs, self.help_words = r.words("help_verbs"), r.words("help_words")
        self.attack = r.words("attack")
        self.strike_verbs = r.words("strike_verbs")
        self.age_words = r.words("age_words")
        self.conjunctions = r.words("conjunctions")
        self.single_victims = r.words("single_victims")
        self.relative_pronouns = r.words("relative_pronouns")
        self.between_words = r.words("between_words")
        self.emphatic_words = r.words("emphatic_words")
        self.whence_pairs = {tuple(p) for p in (r.raw.get("whence_phrases") or ())}
        self.unknown_name_endings = [tuple(p) for p in (r.raw.get("unknown_name_endings") or ())]
        self.generic_buildings = r.words("generic_buildings")
        self.not_after, self.not_before = r.words("not_figure_after"), r.words("not_figure_before")
        self.negations, self.range_words = r.words("negations"), r.words("range_words")
        self.oblast_institution = r.words("oblast_institution")
        self.settlement_words = r.words("settlement_words")
        self.stop = r.words("stop_places")
        self.region_nouns = r.words("region_nouns")
        self.raion_nouns = r.words("raion_nouns")
        self.area_nouns, self.area_qualifiers = r.words("area_nouns"), r.words("area_qualifiers")
        self.attack_nouns = r.words("attack_nouns")
        sfx = r.raw.get("region_suffix") or ()
        self.region_suffixes = tuple(sfx) if isinstance(sfx, list) else (sfx,) if sfx else ()
        self.on_words = r.words("on_words")
        self.on_regions = {_key(k): v for k, v in (r.raw.get("on_regions") or {}).items()}
        self.destination_nouns = r.words("destination_nouns")
        self.river_words = r.words("river_words")
        self.endings = [(_key(a), str(b)) for a, b in (r.raw.get("place_endings") or ())]
        self.foreign_endings = [(_key(a), str(b)) for a, b in (r.raw.get("foreign_place_endings") or ())]
        self.aid_stems = tuple(str(w) for w in r.raw.get("aid_stems") or ())  # "гуманітарн": aid, not care for the hurt
        self.place_forms = {_key(k): v for k, v in (r.raw.get("place_forms") or {}).items()}
        self.adjective_endings = [(_key(a), str(b)) for a, b in (r.raw.get("adjective_place_endings") or ())]
        self.uk_spelling = [(str(a), str(b)) for a, b in (r.raw.get("uk_spelling_endings") or ())]
        plural = r.raw.get("plural_name_endings") or {}
        self.plural_adjective = [(_key(a), str(b)) for a, b in plural.get("adjective") or ()]
        self.plural_noun = [(_key(a), str(b)) for a, b in plural.get("noun") or ()]
        self.foreign_regions = {_key(k): v for k, v in (r.raw.get("foreign_regions") or {}).items()}
        self.objects = {_key(w): t for t, ws in (r.raw.get("objects") or {}).items() for w in ws}
        self.weapon_phrases = {c: [(_key(a), _key(b)) for a, b in pairs]
                               for c, pairs in (r.raw.get("weapon_phrases") or {}).items()}
        self.cluster_phrases = {c: [(_key(a), _key(b)) for a, b in pairs]
                                for c, pairs in (r.raw.get("cluster_phrases") or {}).items()}
        self.months = {_key(k): int(v) for k, v in (r.raw.get("months") or {}).items()}
        self.relative = {_key(k): int(v) for k, v in (r.raw.get("relative_days") or {}).items()}
        self.weekdays = {_key(k): int(v) for k, v in (r.raw.get("weekdays") or {}).items()}
        self.time_parts = {_key(k): int(v) for k, v in (r.raw.get("time_parts") or {}).items()}
        months = "|".join(sorted(map(re.escape, self.months), key=len, reverse=True))
        years = "|".join(map(re.escape, r.raw.get("year_words") or ()))
        self._date = re.compile(rf"\b(\d{{1,2}})(?:-?(?:го|е))?\s+({months})(?:\s+(\d{{4}})(?:\s*(?:{years}|р\.|г\.))?)?",
                                re.IGNORECASE)
        self._range = re.compile(rf"\b(?:з|із|с|от|від)\s+\d{{1,2}}(?:\s+(?:{months}))?\s+(?:по|до|-)\s+\d{{1,2}}\s+(?:{months})",
                                 re.IGNORECASE)
        cues = "|".join(map(re.escape, r.raw.get("time_cues") or ()))
        parts = "|".join(map(re.escape, self.time_parts))
        self._clock = re.compile(rf"(?<!\w)(?:{cues})\s+(\d{{1,2}})[:.](\d{{2}})\b", re.IGNORECASE)
        self._hour = re.compile(rf"(?<!\w)(?:{cues})\s+(\d{{1,2}})(?:\s+\w+)?\s+({parts})\b", re.IGNORECASE)

    # words ---------------------------------------------------------------------------------------

    def tokens(self, sent: Sentence) -> list[Tok]:
        out = []
        for m in _WORD.finditer(sent.text):
            w = m.group()
            out.append(self._tok(w, sent.start + m.start(), sent.start + m.end()))
        return out

    def _tok(self, w: str, start: int, end: int) -> Tok:
        key = _key(w)
        lemmas, noun, sing, name = _analyse(self.morph, key) if not key[:1].isdigit() else (frozenset(), False, False, False)
        return Tok(w, start, end, key, lemmas | {key}, noun, sing, name)

    # the sentence --------------------------------------------------------------------------------

    def annotate(self, sent: Sentence, published: date | None) -> SentenceFeatures:
        text = sent.text
        toks = self.tokens(sent)
        f = SentenceFeatures(sent=sent)
        f.places = self.places(toks, sent)
        f.areas = self.areas(toks, sent)
        if f.areas:  # "у Куп'янському районі": the district, not the town it is named after
            f.places = [p for p in f.places if not any(a.start <= p.start < a.end for a in f.areas)]
        f.dates = [d for d in self.dates(text, sent.start, published, toks)
                   if not self.res.any("reporting_date_patterns", text[max(0, d.start - sent.start - 30):d.start - sent.start])]
        # "Во вторник Балицкий сообщал, что ...", "Учора голова ОВА повідомив, що ...": the day the statement was
        # made, not the attack's (GUIDELINES: "said on Friday" dates the statement). A calendar date there ("Вечером
        # 29 августа Хинштейн сообщал, что ...") is read as the attack's, as the annotation of every set reads it
        f.told = [d for d in f.dates if d.relative
                  and self.res.any("told_after_patterns", text[d.end - sent.start:d.end - sent.start + 60])]
        f.dates = [d for d in f.dates if d not in f.told]
        f.day_named = bool(f.dates or f.told)
        f.times = self.times(text, sent.start)
        f.weapons = self.weapons(text, sent.start, toks)
        f.figures = self.figures(toks, text, sent.start)
        f.objects = self.objects_in(toks, text, sent.start)
        lem = set().union(*(t.lemmas for t in toks)) if toks else set()
        f.attack = bool(lem & self.attack) or bool(f.figures) or bool(f.weapons)
        r = self.res
        if not f.figures and not f.objects and r.any("no_harm_patterns", text):
            # "Ночью россияне сбросили авиабомбу на Купянск – обошлось без пострадавших": no incident; its
            # weapons and its day are no other attack's (a roundup's next place takes no date from it)
            f.weapons, f.dates = [], []
        if f.attack and not f.figures and not f.objects and r.any("intercepted_patterns", text) \
                and not r.any("harm_patterns", text):
            # "Сили ППО збили керовану авіаційну ракету": no harm; its weapons are no attack's (the region it
            # names stays, for "уламки збитого дрона пошкодили ..." after it)
            f.weapons, f.intercepted = [], True
        f.tally_cue = bool(r.any("tally_patterns", text))
        if not f.tally_cue and r.any("total_patterns", text):
            f.tally_cue = f.total_only = True
        f.plural_events = bool(r.any("plural_event_patterns", text))
        f.new_event = bool(r.any("new_event_patterns", text))
        f.hypothetical = bool(r.any("hypothetical_patterns", text))
        f.denial = bool(r.any("denial_patterns", text))
        if published is not None and (live := r.any("live_patterns", text)) is not None:
            # "Працюють профільні служби": told as it happens; the publication day, if the text gives none
            f.live = DateMention(published, sent.start + live.start(), sent.start + live.end(), True)
        if published is not None and (past := r.any("past_day_patterns", text)) is not None:
            # "за минулу добу", "за сутки": the day before publication, if the attack has no date word of its own
            f.past_day = DateMention(published - timedelta(days=1), sent.start + past.start(), sent.start + past.end(),
                                     True)
            told = r.any("reporting_clause_patterns", text)
            if len(f.dates) == 1 and (not f.attack and not f.figures
                                      or told is not None and f.dates[0].end - sent.start <= told.start()
                                      and f.dates[0].start - sent.start < past.start()):
                # "Уранці 24 вересня начальник ОВА підбив підсумки минулої доби", "Уранці 26 листопада начальник ОВА
                # повідомив, що за добу ворог обстріляв ...": the date is the summary's, its day the one before
                f.past_day = DateMention(f.dates[0].value - timedelta(days=1), sent.start + past.start(),
                                         sent.start + past.end(), False)
                f.dates = []
        f.recalled = bool(r.any("recalled_patterns", text))
        f.vague_day = bool(r.any("vague_day_patterns", text))
        f.bodies_found = not f.dates and bool(r.any("bodies_found_patterns", text))
        f.other_place = bool(r.any("other_place_patterns", text))
        f.later_report = bool(r.any("later_report_patterns", text))
        f.recall_start = bool(r.any("recall_start_patterns", text))
        # "Вчора росіяни обстріляли Херсон." (the toll in the next sentence): the strike on the place starts its incident
        if r.any("happened_patterns", text):
            f.attack = True  # "Це сталося вранці 7 вересня, близько 07:19": the day and time of the attack told before
        under_fire = r.any("strike_patterns", text) is not None  # "потрапили під обстріл", "накрили вогнем"
        f.strike = bool(lem & self.strike_verbs or under_fire) and bool(f.settlements) \
            and not f.hypothetical and not f.denial
        if under_fire and f.strike:
            f.attack = True  # "Опівдні російські військові накрили вогнем Дніпровський район Херсона"
        named = sum(1 for t in toks if any(p.start <= t.start < p.end for p in f.places))
        if f.places and len(f.places) == 1 and len(toks) == named and len(toks) <= 2 and _HEADING_END.search(text):
            # "Дніпро.", "Суми…", "Курская область." on its own: the place the report that follows is about
            f.attack = f.new_event = True
        elif f.attack and lem & self.attack and any(p.cue == "village" for p in f.settlements):
            # "обстріляли село Велетенське", "удар по селу Широка Балка": an attack on a village named as
            # one is that village's own incident, not a place in passing of the one before
            f.new_event = True
        f.source = self.source(text, sent.start)
        for who, pats in (r.raw.get("perpetrators") or {}).items():
            if any(re.search(p, text, re.IGNORECASE) for p in pats):
                f.perpetrator = who
                break
        return f

    # places --------------------------------------------------------------------------------------

    def places(self, toks: list[Tok], sent: Sentence) -> list[PlaceMention]:
        out: list[PlaceMention] = []
        skip = -1
        # a region across the border named anywhere in the sentence ("у Шебекине Белгородской области",
        # "на Курщині"): a settlement of that name there wins over a Ukrainian namesake
        abroad = self._foreign_region_in(toks)
        office = None
        under_fire = [m for p in self.res.pat("strike_patterns") for m in p.finditer(sent.text)]
        for i, t in enumerate(toks):
            if i == skip:
                continue  # the second word of a two-word name already read
            prev = toks[i - 1] if i else None
            cue = self.res.cues.get(prev.key) if prev else None
            listed = False
            if cue is not None and any(q in sent.quote(prev.end, t.start) for q in "«\"“„"):
                continue  # "в торговом центре «Маяк»": a quoted name (a building's, a firm's), not a town
            after = toks[i + 1] if i + 1 < len(toks) else None
            if after is not None and after.lemmas & self.raion_nouns and after.text[:1].islower() \
                    and _DISTRICT_ADJ.search(t.key) and self._raion_of(t) is None:
                continue  # "у Центральному районі", "в Заводском районе": a city's district (the city is the scene)
            if cue == "near" and prev.lemmas & self.raion_nouns and not (i > 1 and self.res.cues.get(toks[i - 2].key) == "in"):
                # "у Шевченківському районі Харкова": a city district, not "в районі X" (near X); the city is the scene
                city_district = i > 2 and _AREA_ADJ.search(toks[i - 2].key) and self.res.cues.get(toks[i - 3].key) == "in"
                cue = "in" if city_district else None
            if cue is None and prev is not None and prev.key in self.conjunctions and out and i > 1 \
                    and out[-1].kind == "settlement" and out[-1].end == toks[i - 2].end:
                cue = out[-1].cue  # "у Херсоні та Бериславі": the second place is introduced like the first
                listed = True
            elif cue is None and prev is not None and out and out[-1].kind == "settlement" and out[-1].end == prev.end \
                    and sent.quote(prev.end, t.start).strip() == ",":
                cue, listed = out[-1].cue, True  # "у Костянтинівці, Покровську та Родинському": a list
            before = next((x for x in reversed(toks[:i]) if not x.key.isdigit()), None)  # past "№ 2"
            if before is not None and before.lemmas & self.destination_nouns and self.res.any("destination_patterns", sent.text):
                continue  # "доставили в больницу (№ 2) Белгорода": where victims were taken, not a place of the report
            if cue in ("in", "to") and i > 1 and self.res.any("destination_patterns", toks[i - 2].text):
                continue  # "его госпитализировали в Херсон": where the victim was taken, not a place of the report
            if cue is None and prev is not None and out and out[-1].kind == "oblast" and out[-1].end == prev.end \
                    and sent.quote(prev.end, t.start).strip() in ("—", "–", "-", ":"):
                cue = "in"  # "три міста Донеччини — Торецьк, Залізне та Курахове": the region's places listed
            if cue is None and prev is not None and any(m.end() == prev.end - sent.start for m in under_fire):
                cue = "in"  # "Також під обстріл потрапила Токарівка": the place struck, introduced by the phrase
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.lemmas & (self.raion_nouns | self.area_nouns) and _AREA_ADJ.search(t.key):
                continue  # "Дніпровського району", "Межівської громади": a district's or community's name
            if nxt is not None and nxt.key in self.conjunctions and _AREA_ADJ_ANY.search(t.key) and i + 3 < len(toks) \
                    and _AREA_ADJ_ANY.search(toks[i + 2].key) and toks[i + 3].lemmas & (self.raion_nouns | self.area_nouns) \
                    and t.key[:4] != toks[i + 2].key[:4]:  # (not "по Курску и Курскому району": the city and its district)
                continue  # "на Зеленодольську та Грушівську громади": the first of two communities named together
            if cue is None and prev is not None and prev.lemmas & self.strike_verbs and t.text[:1].isupper():
                cue = "in"  # "обстріляли Оріхів", "атаковали Шебекино": the place struck, object of the verb
            if cue is None and i >= 3 and toks[i - 3].lemmas & self.strike_verbs and toks[i - 2].key in ("из", "з", "із") \
                    and t.text[:1].isupper():
                cue = "in"  # "обстреляли из артиллерии Каменку-Днепровскую": the object after the weapon
            if cue is None and i > 1 and prev.key in self.emphatic_words:
                cue = self.res.cues.get(toks[i - 2].key)  # "В самой Грайворонке", "У самому Харкові": in the town itself
            if cue is None and i >= 2 and t.text[:1].isupper() and any((a.key, b.key) in self.whence_pairs
                                                                        for a, b in zip(toks[max(0, i - 5):i], toks[max(0, i - 4):i])):
                cue = "from"  # "стріляли з танка з боку окупованої Каховки", "со стороны Белгорода": whence the fire
            if cue is None and prev is not None and prev.lemmas & self.attack_nouns:
                cue = "in"  # "Унаслідок обстрілу Кучерівки поранено ...": the place of the attack named
            if cue is None and i == 0 and _ITEM_HEAD.match(sent.text, t.end - sent.start):
                cue = "in"  # "Шахове: шестеро поранених", "Богоявленка (Вугледарська громада): ...": a list item's place
            if prev is not None and prev.lemmas & self.river_words:
                continue  # "з лівого берега Дніпра", "вдоль реки Днепр": the river, not the city of that name
            if prev is not None and prev.lemmas & self.settlement_words and i > 1 and toks[i - 2].key in self.between_words:
                continue  # "між селами Самарка і Марково", "между селами ...": on the road between, neither is the scene
            if prev is not None and prev.key in self.conjunctions and i > 3 and toks[i - 4].key in self.between_words \
                    and toks[i - 3].lemmas & self.settlement_words:
                continue  # (the second of the two)
            if prev is not None and prev.lemmas & self.settlement_words:
                cue = "village"
                if i > 1 and self.res.cues.get(toks[i - 2].key) in ("near", "from", "to"):
                    cue = self.res.cues[toks[i - 2].key]
                    if cue == "from" and i > 2 and self.res.cues.get(toks[i - 3].key) == "near":
                        cue = "near"  # "недалеко от села X", "неподалік від села X": near X
            # an oblast: "-щина" names and "<adjective> область"
            suffix = self.region_suffixes
            if prev is not None and prev.key in self.on_words and t.key in self.on_regions:
                # "на Запоріжжі": the region (the city is "у Запоріжжі")
                out.append(PlaceMention(t.start, t.end, t.text, "oblast", self.on_regions[t.key], cue=cue))
                continue
            fr = self._foreign_region_noun(t)
            if fr:  # "на Бєлгородщині", "на Курщине": the region across the border only
                out.append(PlaceMention(t.start, t.end, t.text, "oblast", fr, cue=cue))
                continue
            if suffix and any(lm.endswith(suffix) for lm in t.lemmas):
                ob = next((self.gaz.oblast(lm.capitalize()) for lm in t.lemmas if lm.endswith(suffix)
                           and self.gaz.oblast(lm.capitalize())), None)
                if ob:
                    out.append(PlaceMention(t.start, t.end, t.text, "oblast", ob, cue=cue))
                    continue
            if nxt is not None and nxt.lemmas & self.region_nouns:
                ob = self._oblast(t) or self._foreign_region_named(t, nxt)
                if ob:
                    out.append(PlaceMention(t.start, nxt.end, sent.quote(t.start, nxt.end), "oblast", ob,
                                            cue=self.res.cues.get(prev.key) if prev else None))
                    continue
            if not _CYR_UPPER.match(t.text) or t.key in self.stop or t.text.isupper() and len(t.text) <= 4:
                continue
            if nxt is not None and nxt.lemmas & self.oblast_institution:
                # "Донецька обласна прокуратура": the oblast's office that speaks, not the city Donetsk (and no
                # scene); a settlement of the sentence that lies in that oblast is the one meant
                office = office or self._oblast(t)
                continue
            if nxt is not None and _CYR_UPPER.match(nxt.text) and nxt.key not in self.stop \
                    and "," not in sent.quote(t.end, nxt.start):  # (not "в Днепрянах, Кардашинке": a list)
                two = self._two_word(t, nxt)  # "село Широка Балка"
                if two is not None:
                    name, cands = two
                    out.append(PlaceMention(t.start, nxt.end, name, "settlement", cands[0].admin1, tuple(cands), cue=cue))
                    skip = i + 1
                    continue
                if t.given_name and cue != "village" \
                        and not any(u.lemmas & (self.region_nouns | self.raion_nouns | self.area_nouns)
                                    for u in toks[i + 2:i + 4]):
                    # (not "в Алешках Херсонской области", "в Тополевке Новокаховского городского округа": a place of the
                    # region or district named after it, though "Алёшка" is a name)
                    skip = i + 1
                    continue  # "Володимира Зеленського", "Станіслав Петренко": a person
            if prev is not None and _CYR_UPPER.match(prev.text) and prev.key not in self.stop and i > 1 \
                    and not prev.lemmas & self.settlement_words \
                    and not (out and out[-1].end == prev.end and sent.quote(prev.end, t.start).strip() in (",", "—", "–", ":")):
                continue  # the second word of a name ("Олег Григоров")
            there = self._foreign_settlement(t, abroad) if abroad else None
            if there is not None:  # "Валуйки Белгородской области": Valuyki, Russia, not Valuiky of Luhansk
                name, cands = there
                out.append(PlaceMention(t.start, t.end, name, "settlement", abroad, tuple(cands), cue=cue,
                                        admin_hint=abroad))
                continue
            district, last = self._foreign_district_after(toks, i), i
            if district is None and cue == "village" and nxt is not None and _CYR_UPPER.match(nxt.text) \
                    and nxt.key not in self.stop:
                district, last = self._foreign_district_after(toks, i + 1), i + 1  # "Новая Таволжанка Шебекинского ..."
            if district is not None and (cue == "village" or self._settlement(t) is not None):
                # "села Максимовка Шебекинского городского округа", "Кульбаки Глушковского района": a village of a
                # district across the border, named after its town (the region need not be named)
                there = self._foreign_settlement(t, district) if last == i else None
                quote = self._nominative(sent.quote(t.start, toks[last].end), toks[last])
                name, cands = there if there is not None else (
                    translit_ru(quote) if self.res.language == "ru" else translit_kmu(quote), [])
                out.append(PlaceMention(t.start, toks[last].end, name, "settlement", district, tuple(cands), cue=cue,
                                        admin_hint=district))
                skip = last + 1
                continue
            hit = self._settlement(t)
            if hit is not None and i + 1 < len(toks) and _CYR_UPPER.match(toks[i + 1].text) \
                    and (obs := self._oblasts_in(toks[i + 1:i + 5])) \
                    and not any(c.admin1 in obs for c in hit[1]) \
                    and (other := self._adjective_settlement(t)) is not None and any(c.admin1 in obs for c in other[1]):
                # "в Шахтерском Синельниковского района Днепропетровской области": Shakhtarske of that oblast, not
                # Shakhtarsk of another; the oblast named after the place decides between its endings
                hit = other
            if hit is not None and abroad and self._foreign_region_in(toks[i + 1:i + 4]) == abroad:
                # "в селе Никольское Белгородской области": the village across the border, not a Ukrainian namesake
                there = self._foreign_settlement(t, abroad)
                hit = None
                if there is not None:
                    out.append(PlaceMention(t.start, t.end, there[0], "settlement", abroad, tuple(there[1]), cue=cue,
                                            admin_hint=abroad))
                    continue
            if hit is None and (cue in ("village", "near") or listed) and (nxt is None or not nxt.lemmas & self.raion_nouns):
                hit = self._adjective_settlement(t)  # "у селі Молодіжному", "в районі Молодіжного"
            if hit is None and cue == "in" and not listed and (nxt is None or not (nxt.noun and nxt.text[:1].islower())) \
                    and not self._elliptic_raion(t, toks):
                hit = self._adjective_settlement(t)  # "в Удачном один человек погиб": a village with an adjective's name
            if hit is None and cue == "in" and nxt is not None and i + 2 < len(toks) and _AREA_ADJ.search(nxt.key) \
                    and toks[i + 2].lemmas & (self.raion_nouns | self.area_nouns):
                hit = self._adjective_settlement(t)  # "У Новотроїцькому Покровської громади": the village of that community
            if hit is None and abroad and (cue == "village" or (cue == "near" and prev is not None
                                                                 and prev.lemmas & self.settlement_words)):
                # "в селе Верхний Любаж Курской области": a village across the border that no table holds; its
                # name (romanised, as English reports spell it) and region, no point (lat/lon are never guessed)
                k = i + 1
                while k < len(toks) and k <= i + 2 and _CYR_UPPER.match(toks[k].text) and toks[k].key not in self.stop \
                        and not toks[k].lemmas & self.region_nouns and not (k + 1 < len(toks)
                                                                            and toks[k + 1].lemmas & self.region_nouns) \
                        and not (k + 1 < len(toks) and toks[k + 1].lemmas & (self.raion_nouns | self.area_nouns)
                                 and _AREA_ADJ.search(toks[k].key)):
                    k += 1  # (not the district's adjective: "в селе Заолешенка Суджанского района")
                end = toks[k - 1].end
                name = self._nominative(sent.quote(t.start, end), toks[k - 1])
                latin = translit_ru(name) if self.res.language == "ru" else translit_kmu(name)
                out.append(PlaceMention(t.start, end, latin, "settlement", abroad, (), cue=cue, admin_hint=abroad))
                skip = k - 1
                continue
            if hit is None and not abroad and cue == "village" and prev is not None and prev.lemmas & self.settlement_words \
                    and (nxt is None or not nxt.lemmas & (self.raion_nouns | self.area_nouns)) \
                    and self._foreign_settlement(t, None) is None:
                # "вибухи пролунали у селі Мочанівка Куп'янського району": a village the gazetteer does not hold; its
                # name (romanised) and the oblast of the raion or region named after it, no point (never guessed).
                # With no region after it, the text's one region decides, or it is left out (_place_unknown_villages)
                k = i + 1
                while k < len(toks) and k <= i + 2 and _CYR_UPPER.match(toks[k].text) and toks[k].key not in self.stop \
                        and not _AREA_ADJ.search(toks[k].key) and not toks[k].lemmas & self.region_nouns:
                    k += 1
                region, code = self._raion_after(toks, k - 1) or (None, None)
                if region is None and len(obs := self._oblasts_in(toks[k:k + 4])) == 1:
                    region = next(iter(obs))
                end = toks[k - 1].end
                name = self._nominative(sent.quote(t.start, end), toks[k - 1])
                latin = translit_ru(name) if self.res.language == "ru" else translit_kmu(name)
                out.append(PlaceMention(t.start, end, latin, "settlement", region, (), cue=cue, admin_hint=region,
                                        raion=code))
                skip = k - 1
                continue
            if hit is None:
                there = self._foreign_settlement(t, None)
                top = there[1][0].population if there is not None else 0
                if there is not None and foreign_place_plausible(cue is not None, top, i == 0):
                    # "у Шебекине", "Белгород": a place across the border, no Ukrainian one of that name
                    name, cands = there
                    out.append(PlaceMention(t.start, t.end, name, "settlement", cands[0].admin1, tuple(cands),
                                            cue=cue, admin_hint=cands[0].admin1))
                continue
            name, cands = hit
            raion, code = self._raion_after(toks, i) or (None, None)
            if raion is not None and any(c.admin1 == raion for c in cands):
                # "у селі Гроза Куп'янського району": the namesake in that raion's oblast, and in that raion
                cands = sorted(cands, key=lambda c: (c.admin1 != raion, c.raion != code))
                out.append(PlaceMention(t.start, t.end, name, "settlement", cands[0].admin1, tuple(cands), cue=cue,
                                        admin_hint=raion, raion=code))
                continue
            big = max(c.population for c in cands) >= 20000
            if cue is None and not big:
                continue  # a capitalised word that is also a village's name: only as a place when introduced as one
            if cue is None and i == 0 and max(c.population for c in cands) < 100000 \
                    and not (big and name != t.text.translate(_APOS) and any(u.lemmas & self.attack for u in toks)):
                continue  # (a town in an oblique case opening a sentence about an attack: "Авдіївку атакували")
            out.append(PlaceMention(t.start, t.end, name, "settlement", cands[0].admin1, tuple(cands), cue=cue))
        if office is not None:
            # "неподалік Слов'янська, повідомила Донецька обласна прокуратура": Sloviansk of Donetsk oblast
            out = [replace(p, candidates=tuple(sorted(p.candidates, key=lambda c: c.admin1 != office)),
                           admin1=office, admin_hint=p.admin_hint or office)
                   if p.kind == "settlement" and p.admin_hint is None and any(c.admin1 == office for c in p.candidates)
                   else p for p in out]
        return out

    def areas(self, toks: list[Tok], sent: Sentence) -> list[PlaceMention]:
        """Districts and communities named in the sentence: an adjective (or a list of them) before a
        district or community noun ("у Межівській громаді", "Марганецька, Мирівська та Покровська громади",
        "в Пологовском районе", "Шебекинском городском округе"), or a "-щина" noun that is no oblast
        ("на Нікопольщині"). A city's district ("у Шевченківському районі Харкова") is not one."""
        out: list[PlaceMention] = []
        nouns, quals = self.area_nouns, self.area_qualifiers
        i = 0
        while i < len(toks):
            t = toks[i]
            if not (_CYR_UPPER.match(t.text) and _AREA_ADJ.search(t.key)):
                i += 1
                continue
            names, k = [i], i + 1
            while k < len(toks) and k - i <= 12:
                u = toks[k]
                if u.key in self.conjunctions:
                    k += 1
                elif _CYR_UPPER.match(u.text) and _AREA_ADJ.search(u.key) and not u.lemmas & nouns \
                        and (toks[k - 1].key in self.conjunctions or "," in sent.quote(toks[k - 1].end, u.start)):
                    names.append(k)  # "Марганецька, Мирівська та Покровська громади"
                    k += 1
                else:
                    break
            while k < len(toks) and toks[k].lemmas & quals and k - names[-1] <= 3:
                k += 1
            if k >= len(toks) or not toks[k].lemmas & nouns or toks[k - 1].key in self.conjunctions:
                i += 1
                continue
            noun, after = toks[k], toks[k + 1] if k + 1 < len(toks) else None
            if after is not None and (after.lemmas & _CITY_NOUNS or _CYR_UPPER.match(after.text)
                                      and after.key not in self.stop and not _AREA_ADJ.search(after.key)
                                      and not self._region_word(after)):
                i = k + 1
                continue  # "у Київському районі Харкова", "в Ворошиловском районе города": a district of the city
            prev = toks[i - 1] if i else None
            cue = self.res.cues.get(prev.key) if prev is not None else None
            for j in names:
                a = toks[j]
                admin1 = code = None
                if noun.lemmas & self.raion_nouns:
                    hit = self._raion_of(a)
                    admin1 = hit[0] if hit else None
                    code = self._raion_code_of(a)
                    if hit is None and any(c.feature_code == "PPLX" for lm in sorted(a.lemmas)
                                           for c in self.gaz.candidates(f"{lm} район")):
                        continue  # "у Святошинському районі": a city's district (the city is the scene)
                end = noun.end if len(names) == 1 else a.end
                out.append(PlaceMention(a.start, end, sent.quote(a.start, end), "area", admin1, cue=cue, raion=code))
            i = k + 1
        if any(u.lemmas & self.raion_nouns for u in toks):
            # "Наслідки по районах: у Богодухівському ..., в Ізюмському - ...": raions' adjectives, the noun left out
            for i, t in enumerate(toks):
                prev = toks[i - 1] if i else None
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                if prev is None or self.res.cues.get(prev.key) != "in" or not _CYR_UPPER.match(t.text) \
                        or not _AREA_ADJ.search(t.key) or (nxt is not None and nxt.lemmas & (self.raion_nouns | self.area_nouns)) \
                        or any(a.start <= t.start < a.end for a in out):
                    continue
                hit = self._raion_of(t)
                if hit is not None:
                    code = self._raion_code_of(t)
                    out.append(PlaceMention(t.start, t.end, t.text, "area", hit[0], cue="in", raion=code))
        suffix = self.region_suffixes
        for i, t in enumerate(toks):
            if not suffix or not _CYR_UPPER.match(t.text) or self._foreign_region_noun(t):
                continue
            for lm in sorted(t.lemmas):
                end = next((s for s in suffix if lm.endswith(s)), None)
                if end and not self.gaz.oblast(lm.capitalize()) and len(lm) > len(end) + 3:
                    hit = self.gaz.raion(f"{lm[:-len(end)]}ський район")
                    code = self.gaz.raion_code(f"{lm[:-len(end)]}ський район") if hit is not None else None
                    if hit is None:
                        # "на Никопольщине" (Russian): the district of the town the noun is made from
                        town = max((c for c in self.gaz.candidates(lm[:-len(end)].capitalize())
                                    if c.country == "UA" and c.population >= 10000), key=lambda c: c.population,
                                   default=None)
                        hit, code = ((town.admin1,), town.raion or None) if town is not None else (None, None)
                    if hit is not None:  # "на Нікопольщині": the Nikopol district
                        prev = toks[i - 1] if i else None
                        out.append(PlaceMention(t.start, t.end, t.text, "area", hit[0],
                                                cue=self.res.cues.get(prev.key) if prev is not None else None,
                                                raion=code))
                        break
        return sorted(out, key=lambda p: p.start)

    def _forms(self, t: Tok) -> list[str]:
        w = t.text.translate(_APOS)
        forms = [self.place_forms[t.key]] if t.key in self.place_forms else []
        forms.append(w)
        forms += self._ending_forms(t, self.endings)
        forms.extend(lm.capitalize() for lm in sorted(t.lemmas) if lm != t.key)
        return forms

    def _ending_forms(self, t: Tok, endings: list[tuple[str, str]]) -> list[str]:
        """The word with a case ending undone, for each (ending, replacement) that fits it."""
        w = t.text.translate(_APOS)
        out = []
        for end, rep in endings:
            if end and not t.key.endswith(end):
                continue
            base = w[:len(w) - len(end)] if end else w
            if len(base) >= 3:
                out.append(base + rep)
        return out

    def _nominative(self, quote: str, last: Tok) -> str:
        """An unknown village's name as the text gives it, its last word in the nominative when the text has it in
        another case of a "-ка" name ("в село Елизаветовку" -> Елизаветовка; `unknown_name_endings`): the name,
        not its case, is romanised."""
        for end, rep in self.unknown_name_endings:
            if last.key.endswith(end) and last.key[:len(last.key) - len(end)] + rep in last.lemmas:
                return quote[:len(quote) - len(end)] + rep
        return quote

    def _two_word(self, t: Tok, nxt: Tok):
        """A two-word settlement name ("Широка Балка", "Нова Каховка"), each word in its own case."""
        firsts = [t.text.translate(_APOS)] + [f for f in self._forms(t)[1:6]]
        seconds = [nxt.text.translate(_APOS)] + [f for f in self._forms(nxt)[1:6]]
        for a in dict.fromkeys(firsts):
            for b in dict.fromkeys(seconds):
                cands = [c for c in self.gaz.candidates(f"{a} {b}") if c.feature_code != "PPLX"]
                if cands:
                    return f"{a} {b}", cands
        # "в Великих Копанях" -> Великие Копани: both words in the plural, their endings undone together
        for a in dict.fromkeys(self._ending_forms(t, self.plural_adjective)):
            for b in dict.fromkeys(self._ending_forms(nxt, self.plural_noun)):
                cands = [c for c in self.gaz.candidates(f"{a} {b}") if c.feature_code != "PPLX"]
                if cands:
                    return f"{a} {b}", cands
        # "Новоселовка Первая" -> Novoselivka Persha: the first word as the gazetteer spells it, the second
        # (an ordinal, "Первая", "Друга") in the Ukrainian form the gazetteer's name takes, romanised
        second = self.name_words.get(nxt.key)
        one = self._settlement(t) if second else None
        if one is not None:
            for base in dict.fromkeys(c.name for c in one[1]):
                cands = [c for c in self.gaz.candidates(f"{base} {translit_kmu(second).capitalize()}")
                         if c.feature_code != "PPLX"]
                if cands:
                    return f"{base} {translit_kmu(second).capitalize()}", cands
        return None

    def _adjective_settlement(self, t: Tok):
        w = t.text.translate(_APOS)
        for end, rep in self.adjective_endings:
            if t.key.endswith(end) and len(w) - len(end) >= 4:
                cands = [c for c in self.gaz.candidates(w[:len(w) - len(end)] + rep) if c.feature_code != "PPLX"]
                if cands:
                    return w[:len(w) - len(end)] + rep, cands
        return None

    def _settlement(self, t: Tok):
        for name in self._forms(t):
            cands = [c for c in self.gaz.candidates(name) if c.feature_code != "PPLX"]
            if cands:
                return name, self._with_uk_spelling(name, self.gaz.preferred_first(name, cands))
        return None

    def _with_uk_spelling(self, name: str, cands: list[Place]) -> list[Place]:
        """A Russian name's candidates, then those of its Ukrainian spelling ("Токаревка": the Mykolaiv village
        GeoNames spells so, then the Kherson one the codifier holds as Токарівка) that are not among them."""
        low = name.lower().replace("ё", "е")
        for end, rep in self.uk_spelling:
            if low.endswith(end.replace("ё", "е")) and len(low) - len(end) >= 3:
                seen = {c.geonameid for c in cands}
                more = [c for c in self.gaz.candidates(name[:len(name) - len(end)] + rep)
                        if c.feature_code != "PPLX" and c.geonameid not in seen]
                return cands + more if more else cands
        return cands

    def _raion_after(self, toks: list[Tok], i: int) -> tuple[str, str | None] | None:
        """(oblast, KATOTTG prefix) of a raion named right after a place ("Гроза Куп'янського району"), else None."""
        if i + 2 >= len(toks) or not toks[i + 2].lemmas & self.raion_nouns:
            return None
        for lm in sorted(toks[i + 1].lemmas):
            if (hit := self.gaz.raion(f"{lm} район")) is not None:
                return hit[0], self.gaz.raion_code(f"{lm} район")
        return None

    def _elliptic_raion(self, t: Tok, toks: list[Tok]) -> bool:
        """"в Ізюмському районі пошкоджено автобус, у Харківському - легковий автомобіль": a raion's adjective with
        its noun left out, in a sentence that names a raion by its noun."""
        return any(u.lemmas & self.raion_nouns for u in toks) and self._raion_of(t) is not None

    def _region_word(self, t: Tok) -> bool:
        """"Дніпропетровщини", "Курщины": a region's noun (after a district it names the district's region)."""
        suffix = tuple(self.region_suffixes or ())
        return bool(self._foreign_region_noun(t)) or any(
            lm.endswith(suffix) and self.gaz.oblast(lm.capitalize()) for lm in t.lemmas) if suffix else False

    def _foreign_district_after(self, toks: list[Tok], i: int) -> str | None:
        """The region of a district across the border named right after a place, by the town it is named after
        ("Шебекинского городского округа" -> Shebekino -> Belgorod; "Глушковского района" -> Kursk), else None."""
        k = i + 1
        if k >= len(toks) or not _CYR_UPPER.match(toks[k].text) or not _AREA_ADJ.search(toks[k].key):
            return None
        n = k + 1
        while n < len(toks) and n <= k + 2 and toks[n].lemmas & self.area_qualifiers:
            n += 1
        if n >= len(toks) or not toks[n].lemmas & (self.raion_nouns | self.area_nouns):
            return None
        for lm in sorted(toks[k].lemmas):
            stem = re.sub(r"(?:ский|ський|ской|ськой)$", "", lm)
            if stem == lm or self.gaz.raion(f"{lm} район") is not None:
                continue  # not a district adjective, or a Ukrainian raion's
            for end in ("о", "а", "", "ск", "ка", "ая", "и", "ы", "е"):
                cands = self.gaz.foreign_candidates((stem + end).capitalize())
                if cands:
                    return cands[0].admin1
        return None

    def _raion_code_of(self, t: Tok) -> str | None:
        """The KATOTTG prefix of the raion an adjective names ("Нікопольський" -> its raion's code), else None."""
        return next((c for lm in sorted(t.lemmas) if (c := self.gaz.raion_code(f"{lm} район"))), None)

    def _raion_of(self, t: Tok) -> tuple[str, tuple[float, float] | None] | None:
        """(oblast, centre) of the raion an adjective names ("Куп'янського" -> Kupiansk raion), else None."""
        return next((r for lm in sorted(t.lemmas) if (r := self.gaz.raion(f"{lm} район")) is not None), None)

    def _foreign_settlement(self, t: Tok, region: str | None):
        """(name, places) across the border for a capitalised word in any case, in ``region`` if given."""
        for name in self._forms(t) + self._ending_forms(t, self.foreign_endings):
            cands = self.gaz.foreign_candidates(name, region)
            if cands:
                return name, cands
        return None

    def _foreign_region_noun(self, t: Tok) -> str | None:
        """'Бєлгородщина', 'Курщине', 'Брянщины' (the file's ``foreign_regions`` nouns) -> the region."""
        if not _CYR_UPPER.match(t.text):
            return None
        return next((self.foreign_regions[lm] for lm in sorted(t.lemmas)
                     if lm in self.foreign_regions and lm.endswith(("щина", "чина"))), None)

    def _foreign_region_in(self, toks: list[Tok]) -> str | None:
        """The first region across the border the sentence names: a ``foreign_regions`` adjective before
        a region noun ("Белгородской области") or a region noun ("Бєлгородщині")."""
        for i, t in enumerate(toks):
            fr = self._foreign_region_noun(t)
            if fr:
                return fr
            if i + 1 < len(toks) and toks[i + 1].lemmas & self.region_nouns:
                hit = next((self.foreign_regions[lm] for lm in t.lemmas if lm in self.foreign_regions), None) \
                    or self._foreign_region_named(t, toks[i + 1])
                if hit:
                    return hit
        return None

    def _foreign_region_named(self, t: Tok, noun: Tok) -> str | None:
        """A region across the border named as the gazetteer's region table names it ("Тамбовській області",
        "Рязанской области"; border_regions.tsv), else None."""
        if not _CYR_UPPER.match(t.text):
            return None
        fr = self.gaz.foreign_region(f"{t.text} {noun.text}")
        return fr[1] if fr else None

    def _oblasts_in(self, toks: list[Tok]) -> set[str]:
        """The oblasts named by an adjective before a region noun ("Днепропетровской области") in ``toks``."""
        return {ob for a, b in zip(toks, toks[1:]) if b.lemmas & self.region_nouns and (ob := self._oblast(a))}

    def _oblast(self, t: Tok) -> str | None:
        for lm in t.lemmas:
            if lm in self.foreign_regions:
                return self.foreign_regions[lm]
        for p in self.morph.parse(t.key):
            if "ADJF" not in p.tag:
                continue
            fem = p.inflect({"femn", "nomn"})
            stem = re.sub(r"(?:ий|ій|ой|ый)$", "", p.normal_form)
            for w in filter(None, (fem.word if fem else None, stem + "а", stem + "ая", p.normal_form)):
                ob = self.gaz.oblast(f"{w.capitalize()} область") or self.gaz.oblast(w.capitalize())
                if ob:
                    return ob
                if w in self.foreign_regions:
                    return self.foreign_regions[w]
        return None

    # numbers and figures -------------------------------------------------------------------------

    def number(self, toks: list[Tok], i: int, text: str, offset: int) -> tuple[int, int] | None:
        """(value, index of the last token) of a number starting at toks[i], or None."""
        t = toks[i]
        if t.key.isdigit():
            after = text[t.end - offset:t.end - offset + 1]
            if after in "-–" and after:
                return None  # "56-річний"
            v, j = int(t.key), i
            while j + 1 < len(toks) and len(toks[j + 1].key) == 3 and toks[j + 1].key.isdigit() and v < 1000 \
                    and text[toks[j].end - offset:toks[j + 1].start - offset] in (" ", "\u00a0", "\u202f"):
                v, j = v * 1000 + int(toks[j + 1].key), j + 1  # "1 760"
            return v, j
        if t.key in self.collectives:
            return self.collectives[t.key], i
        vals = [self.numbers[lm] for lm in t.lemmas if lm in self.numbers]
        if not vals:
            return None
        v, j = vals[0], i
        if v >= 20 and j + 1 < len(toks):
            nx = [self.numbers[lm] for lm in toks[j + 1].lemmas if lm in self.numbers]
            if nx and nx[0] < 10:
                v, j = v + nx[0], j + 1
        return v, j

    def _role(self, t: Tok) -> str | None:
        if t.lemmas & self.killed:
            return "killed"
        if t.lemmas & self.injured:
            return "injured"
        return None

    def figures(self, toks: list[Tok], text: str, offset: int) -> list[Figure]:
        # clauses: token index -> clause number
        # a parenthetical word between commas ("ще один рятувальник, на жаль, загинув") splits no clause
        plain = text
        for p in self.res.pat("parenthetical_patterns"):
            plain = p.sub(lambda m: " " * len(m.group()), plain)
        bounds = [offset + m.start() for m in _CLAUSE.finditer(plain)]
        clause = [sum(1 for b in bounds if b < t.start) for t in toks]
        roles: dict[int, list[tuple[int, str]]] = {}
        for i, t in enumerate(toks):
            r = self._role(t)
            if r is None and t.lemmas & self.life_verbs and any(x.lemmas & self.life_words for x in toks[i + 1:i + 3]):
                r = "killed"
            if r is not None and i and toks[i - 1].key in self.negations:
                continue  # "водій не постраждав", "Люди не пострадали": nobody was hurt
            if r is None and t.lemmas & self.help_verbs and any(
                    x.lemmas & self.help_words for x, c in zip(toks, clause) if c == clause[i]) \
                    and not any(x.key.startswith(self.aid_stems) for x, c in zip(toks, clause) if c == clause[i]):
                r = "injured"  # "звернулися по допомогу до медиків" (not "потребують гуманітарної допомоги")
            if r is not None:
                roles.setdefault(clause[i], []).append((i, r))
        saved = None
        if not roles and (m := self.res.any("not_saved_patterns", text)) is not None:
            # "Мужчину доставили в больницу, но спасти его не удалось": no casualty word, the one not saved is dead
            k = next((n for n, x in enumerate(toks) if x.start >= offset + m.start()), len(toks) - 1)
            saved = (k, "killed")
            roles.setdefault(clause[k], []).append(saved)
        if not roles:
            return []
        sentence_roles = {r for rs in roles.values() for _, r in rs}
        out: list[Figure] = []
        used: set[int] = set()
        # people counted by their ages: "постраждали чоловіки 46 і 43 років", "ранены женщины 30, 41 и 65 лет"
        for k, t in enumerate(toks):
            if k in used or not (g := next((self.person[lm] for lm in t.lemmas if lm in self.person), None)):
                continue
            if k and (self.number(toks, k - 1, text, offset) is not None or toks[k - 1].lemmas & self.age_words):
                continue  # "двоє чоловіків 46 і 43 років": counted by the number before them
            m, ages = k + 1, 0
            while m < len(toks) and toks[m].key.isdigit() and int(toks[m].key) < 120:
                ages, m = ages + 1, m + 1
                if m < len(toks) and toks[m].key in self.conjunctions:
                    m += 1
            if ages < 2 or m >= len(toks) or not toks[m].lemmas & self.not_after or m in used:
                continue
            if not (rs := roles.get(clause[k]) or roles.get(clause[m]) or []):
                continue
            out.append(Figure(min(rs, key=lambda x: abs(x[0] - k))[1], g, ages, None, t.start, toks[m].end, False))
            used.update(range(k, m + 1))
        i = 0
        while i < len(toks):
            if i in used:
                i += 1
                continue
            num = self.number(toks, i, text, offset)
            if num is None:
                i += 1
                continue
            value, j = num
            t = toks[i]
            before = toks[i - 1] if i else None
            if before is not None and (before.lemmas & self.not_before or before.key in self.months):
                i = j + 1
                continue
            nxt = toks[j + 1] if j + 1 < len(toks) and clause[j + 1] == clause[j] else None
            if nxt is not None and (nxt.lemmas & self.not_after or nxt.key in self.months or nxt.key.isdigit()):
                i = j + 1
                continue
            if nxt is not None and nxt.key in self.range_words and j + 3 < len(toks) and toks[j + 2].key.isdigit() \
                    and toks[j + 3].lemmas & self.not_after:
                i = j + 3
                continue  # "віком від 49 до 72 років", "в возрасте от 38 до 46 лет": an age range, no count
            if nxt is not None and nxt.key in self.conjunctions and j + 3 < len(toks) and toks[j + 2].key.isdigit() \
                    and clause[j + 3] == clause[j] and toks[j + 3].lemmas & self.not_after:
                i = j + 3
                continue  # "Чоловіки 45, 66 і 68 років", "мужчины 40 и 52 лет": a list of ages, no count
            group, k = TOTAL, j
            # the person noun after the number (adjectives between: "мирних жителів")
            # a collective that is itself a noun ("загинуло подружжя", "погибли супруги Александр и ...") names its people
            # ("троє у Костянтинівці": a count and its place, no noun of things after it)
            placed = out and any(p.match(text, toks[j].end - offset) for p in self.res.pat("share_place_patterns"))
            for m in range(j + 1, min(j + 4, len(toks)) if t.key not in self.couple_nouns and not placed else 0):
                if clause[m] != clause[j] or "," in text[toks[j].end - offset:toks[m].start - offset]:
                    break  # the clause ends: "... выросло до 27, сообщил глава"
                g = next((self.person[lm] for lm in toks[m].lemmas if lm in self.person), None)
                if g is not None:
                    group, k = g, m
                    if g == TOTAL and m + 1 < len(toks):  # "цивільних дітей"
                        g2 = next((self.person[lm] for lm in toks[m + 1].lemmas if lm in self.person), None)
                        if g2 not in (None, TOTAL):
                            group, k = g2, m + 1
                    break
                if toks[m].noun and not self._role(toks[m]):
                    k = -1  # "810 дронів": a number of things
                    break
                if self._role(toks[m]) or toks[m].key.isdigit():
                    break
            if k == -1:
                i = j + 1
                continue
            head = text[max(0, t.start - offset - 30):t.start - offset]
            hm = self.res.any("subgroup_patterns", head[-24:])
            # (not when the subgroup was named before a comma: "серед них мала дитина, троє людей загинули")
            sub = hm is not None and not _NAMED_SUBGROUP.search(head[-24:][hm.end():])
            c = clause[i]
            rs = roles.get(c) or []
            if not rs and i and clause[i - 1] == c - 1 and _HEADED.match(text[toks[i - 1].end - offset:t.start - offset]):
                # "Поранених і травмованих – 144", "Загиблих: 6": a clause of casualty words, then the number
                head_toks = [x for x, cx in zip(toks, clause) if cx == c - 1]
                if head_toks and all(self._role(x) or x.key in self.conjunctions for x in head_toks) \
                        and self._role(head_toks[-1]):
                    rs = [(i - 1, self._role(head_toks[-1]))]
            last = k
            while last + 1 < len(toks) and clause[last + 1] == c and any(lm in self.person for lm in toks[last + 1].lemmas):
                last += 1  # ("мирных жителях": the noun after its adjective)
            if not rs and k > j and last + 1 < len(toks) and clause[last + 1] == c + 1 \
                    and any(p.match(text, toks[last].end - offset) for p in self.res.pat("relative_clause_patterns")):
                rs = roles.get(c + 1) or []  # "о пятерых мирных жителях, получивших ранения": the clause on them
            share = False
            if not rs and len(sentence_roles) == 1 \
                    and any(p.search(text, 0, t.start - offset) for p in self.res.pat("rise_to_patterns")):
                # "Число мирных жителей, пострадавших при обстреле ..., выросло до 13": the count the toll rose to
                rs = [(i, next(iter(sentence_roles)))]
            base = next((x for x in reversed(out) if not x.sub and x.value), None) if placed else None
            if not rs and group == TOTAL and k == j and base is not None \
                    and _SHARE_OPEN.search(text, base.end - offset, t.start - offset):
                # "загинули п'ятеро — троє у Костянтинівці і двоє в Іллінівці": each place's share of the count
                # told before the dash
                rs, share = [(i, base.role)], True
            if rs:
                role = min(rs, key=lambda x: abs(x[0] - i))[1]
                if sub and (whole := next((x for x in reversed(out) if not x.sub and x.value), None)) is not None:
                    role = whole.role  # "Три жителя, в том числе двое детей, пострадали": part of the count before
            elif group != TOTAL and len(sentence_roles) == 1 and k > j:
                role = next(iter(sentence_roles))  # "..., в том числе двое детей"
            else:
                i = j + 1
                continue
            if sub and group == TOTAL:
                used.update(range(i, max(j, k) + 1))
                i = j + 1
                continue  # "четверо з них - у важкому стані": part of the figure before, no group
            end = toks[k].end if k > j else toks[j].end
            out.append(Figure(role, group, value, None, t.start, end, sub or share))
            used.update(range(i, max(j, k) + 1))
            i = max(j, k) + 1
        # single named people with no number: "загинув 56-річний чоловік", "мати та її дитина"
        singles: list[Figure] = []
        first_tok: dict[int, int] = {}
        for n, c in enumerate(clause):
            first_tok.setdefault(c, n)
        for i, t in enumerate(toks):
            if i in used or not (t.singular or self._age_before(toks, i) is not None
                                 or (i and toks[i - 1].key == "у" and t.key.endswith(("ы", "и")))):
                # ("У женщины минно-взрывная травма": "у" and a genitive singular, which reads like a plural)
                continue  # (an age before says one person: "56-летней женщины", whose case form is also plural)
            g = next((self.person[lm] for lm in t.lemmas if lm in self.person), None)
            if g is None or (g == TOTAL and not t.lemmas & self.single_victims):
                continue
            if t.key in self.collectives or self._role(t) or (i and self.res.cues.get(toks[i - 1].key) in ("to", "from")):
                continue  # "до лікарів": where victims went, not who was hurt
            age = self._age_before(toks, i)
            if g == CHILDREN and age is not None and age >= 18:
                g = ADULTS  # "її 45-річний син", "ее 45-летний сын": a grown son is no child
            minor = g == CHILDREN or (age or 99) < 18
            # "серед них", "в том числе" right before: one of those counted before
            in_subgroup = self.res.any("subgroup_patterns", text[max(0, t.start - offset - 30):t.start - offset]) is not None
            rs = roles.get(clause[i]) or []
            if not rs and saved is not None:
                rs = [saved]  # (the victim named in another clause)
            if not rs and (nxt_first := first_tok.get(clause[i] + 1)) is not None \
                    and toks[nxt_first].lemmas & self.relative_pronouns:
                # "60-річний господар, який там перебував, дістав поранення": the clause after the relative one
                rs = roles.get(clause[i] + 2) or []
            gapped = False
            if not rs and len(sentence_roles) == 1 and i and _HEADED.match(text[toks[i - 1].end - offset:t.start - offset]) \
                    and any(c < clause[i] for c in roles):
                # "в Петровском районе погибла женщина, в Александровке – женщина": the verb left out, the
                # role of the clause before
                rs, gapped = [(i, next(iter(sentence_roles)))], True
            if not rs and minor and g in (CHILDREN, MEN, WOMEN) and len(sentence_roles) == 1 and t.singular \
                    and any(x.group == TOTAL and x.value and not x.sub for x in out) and in_subgroup:
                rs = [(i, next(iter(sentence_roles)))]  # "Поранено чотирьох людей, серед них 14-річного хлопця"
            if not rs:
                continue
            role = min(rs, key=lambda x: abs(x[0] - i))[1]
            if in_subgroup and (whole := next((x for x in reversed(out) if not x.sub and x.value and x.start < t.start),
                                              None)) is not None:
                role = whole.role  # "постраждали шестеро, серед них мала дитина, троє загинули": among the hurt
            if role == "injured" and any(r == "killed" for _, r in rs) and self.res.any("died_of_wounds_patterns", text):
                role = "killed"  # "отримав поранення і загинув", "получил ранение и умер в больнице": one dead
            elif role == "injured" and self.res.any("not_saved_patterns", text):
                role = "killed"  # "спасти его врачи не смогли", "врятувати його не вдалося"
            if any(x.role == role and (x.group == TOTAL or x.sub) for x in out):
                if minor and in_subgroup and not any(x.role == role and x.group == CHILDREN for x in out):
                    # "Поранено чотирьох людей, серед них 14-річного хлопця": one child among those counted
                    out.append(Figure(role, CHILDREN, 1, None, t.start, t.end, True))
                continue  # "двоє людей ..., серед них чоловік": one of those counted
            if gapped:
                out.append(Figure(role, g, 1, None, t.start, t.end, False))  # another place's victim: no sum
                continue
            singles.append(Figure(role, g, 1, None, t.start, t.end, False))
        out.extend(singles)
        for role in ("killed", "injured"):
            ss = [x for x in singles if x.role == role]
            if len(ss) >= 2 and not any(x.role == role and x.group == TOTAL for x in out):
                out.append(Figure(role, TOTAL, len(ss), None, ss[0].start, ss[-1].end, False))
        hurt = [x for x in out if x.role == "injured" and x.value is not None]
        if len(hurt) == 1 and hurt[0].value == 1 and not any(x.role == "killed" for x in out) \
                and self.res.any("died_of_wounds_patterns", text):
            # "Ещё один горожанин получил ранения и позднее скончался": the one wounded died, one dead
            out = [replace(x, role="killed") if x is hurt[0] else x for x in out]
        return without_sum_of_parts(sorted(out, key=lambda x: x.start), text, offset)

    def _age_before(self, toks: list[Tok], i: int) -> int | None:
        """The age given just before a person noun ("45-річний син", "45-летний сын"), or None."""
        for j in range(max(0, i - 3), i - 1):
            if toks[j].key.isdigit() and toks[j + 1].lemmas & self.age_words:
                return int(toks[j].key)
        return None

    # dates and times -----------------------------------------------------------------------------

    def dates(self, text: str, offset: int, published: date | None, toks: list[Tok]) -> list[DateMention]:
        out: list[DateMention] = []
        ranged = [(m.start(), m.end()) for m in self._range.finditer(text)]
        for m in self._date.finditer(text):
            day, month, year = int(m.group(1)), self.months[_key(m.group(2))], m.group(3)
            try:
                d = date(int(year), month, day) if year else (
                    _latest_on_or_before(published, month, day) if published else None)
            except ValueError:
                d = None
            if d is None:
                continue
            span = any(a <= m.start() < b for a, b in ranged)
            out.append(DateMention(d, offset + m.start(), offset + m.end(), False, span=span))
        if out or published is None or self.res.any("toll_update_patterns", text):
            return out  # "сьогодні зросла кількість загиблих": the day the count rose
        for i, t in enumerate(toks):
            rel = self.relative.get(t.key)
            if rel is None:
                rel = next((self.relative[lm] for lm in sorted(t.lemmas) if lm in self.relative), None)
            if rel is not None:
                out.append(DateMention(published + timedelta(days=rel), t.start, t.end, True))
                break
            wd = next((self.weekdays[lm] for lm in t.lemmas if lm in self.weekdays), None)
            if wd is not None and i and self.res.cues.get(toks[i - 1].key) == "in":  # "у неділю", not "серед"
                back = (published.weekday() - wd) % 7
                out.append(DateMention(published - timedelta(days=back), t.start, t.end, True))
                break
        return out

    def times(self, text: str, offset: int) -> list[TimeMention]:
        out = []
        for m in self._clock.finditer(text):
            h, mi = int(m.group(1)), int(m.group(2))
            if h < 24 and mi < 60:
                out.append(TimeMention(f"{h:02d}:{mi:02d}", offset + m.start(1), offset + m.end(2)))
        for m in self._hour.finditer(text):
            h = int(m.group(1))
            h = h + self.time_parts[_key(m.group(2))] if h < 12 else h
            if h < 24:
                out.append(TimeMention(f"{h:02d}:00", offset + m.start(1), offset + m.end(2)))
        return sorted(out, key=lambda x: x.start)

    # weapons, objects, attribution ---------------------------------------------------------------

    def weapons(self, text: str, offset: int, toks: list[Tok]) -> list[WeaponMention]:
        from dataclasses import replace
        found = [replace(w, start=w.start + offset, end=w.end + offset) for w in self.catalogue.find(text)]
        for a, b in zip(toks, toks[1:]):
            wclass = next((c for c, pairs in self.cluster_phrases.items()
                           for first, second in pairs if first in a.lemmas and second in b.lemmas), None)
            if wclass is not None:
                # "касетними боєприпасами", "кассетные боеприпасы": the text says cluster munitions
                found = [w for w in found if not (w.start < b.end and a.start < w.end and w.entry is None)]
                found.append(WeaponMention(a.start, b.end, text[a.start - offset:b.end - offset], None, wclass,
                                           True, True, None))
                continue
            wclass = next((c for c, pairs in self.weapon_phrases.items()
                           for first, second in pairs if first in a.lemmas and second in b.lemmas), None)
            if wclass is not None:
                # "балістичною ракетою": the phrase's class replaces the bare word's ("ракета": unknown)
                found = [w for w in found if not (w.start < b.end and a.start < w.end and w.entry is None)]
                if not any(w.start < b.end and a.start < w.end for w in found):
                    found.append(WeaponMention(a.start, b.end, text[a.start - offset:b.end - offset], None, wclass,
                                               True, False, None))
        covered = [(w.start, w.end) for w in found]
        for i, t in enumerate(toks):
            if any(a <= t.start < b for a, b in covered) or t.key.isdigit():
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.lemmas & (self.raion_nouns | self.area_nouns) and _AREA_ADJ.search(t.key):
                continue  # "Краснопольской громады": a community's name, not the Krasnopol shell
            w = self._weapon_word(t)
            if w is not None:
                found.append(WeaponMention(t.start, t.end, t.text, w.entry, w.weapon_class, w.generic, w.cluster, w.family))
        return sorted(found, key=lambda w: w.start)

    def _weapon_word(self, t: Tok) -> WeaponMention | None:
        tries = []
        for n in range(0, 5):
            base = t.text[:len(t.text) - n] if n else t.text
            if len(base) >= 3 and (n == 0 or base[-1:].isalpha()):
                tries.append(base)
        named = t.text[:1].isupper()  # a named system is written with a capital ("Калібр"), "калібр" is a calibre
        for lm in sorted(t.lemmas):
            tries += [lm, lm.capitalize(), lm.upper()] if named else [lm]
        for s in tries:
            ms = self.catalogue.find(s)
            if len(ms) == 1 and ms[0].start == 0 and ms[0].end == len(s) and (named or ms[0].entry is None):
                return ms[0]
        return None

    def objects_in(self, toks: list[Tok], text: str, offset: int) -> list[ObjectMention]:
        bounds = [offset + m.start() for m in _CLAUSE.finditer(text)]
        out: list[ObjectMention] = []
        seen: dict[tuple[str, int], int] = {}  # (type, clause start) -> token index of its last mention
        last = -2
        for i, t in enumerate(toks):
            typ = next((self.objects[lm] for lm in sorted(t.lemmas) if lm in self.objects), None)
            if typ is None:
                continue
            if i and t.text[:1].isupper() and toks[i - 1].text[:1].isupper() and not toks[i - 1].text.isupper():
                continue  # "по Казачьим Лагерям": a word of a place's name, not a thing hit
            if i == last + 1 and t.lemmas & self.generic_buildings:
                continue  # "пологовий будинок": the adjective before says what the building is
            if t.lemmas & self.generic_buildings and i + 1 < len(toks) and any(
                    self.objects.get(lm) not in (None, typ) for lm in toks[i + 1].lemmas):
                continue  # "будинок культури", "будівлю навчального закладу": the word after says what it is
            lo = max([b for b in bounds if b <= t.start], default=offset)
            hi = min([b for b in bounds if b > t.start], default=offset + len(text))
            # once per clause, or again after a name ("будинок у селі Осинове та приватні будинки в селі Ківшарівка": a
            # house of each place)
            if (typ, lo) in seen and not any(x.text[:1].isupper() for x in toks[seen[(typ, lo)] + 1:i]):
                last = i
                continue
            cl = text[lo - offset:hi - offset]
            if self.res.any("object_speaker_patterns", cl):
                continue  # "повідомили в ОВА": who speaks, not what was hit
            if typ == "hospital" and self.res.any("victims_at_hospital_patterns", cl):
                continue  # where victims were taken, are treated or died ("Зараз у лікарнях міста 16 людей")
            seen[(typ, lo)] = i
            last = i
            out.append(ObjectMention(typ, t.start, t.end, t.text))
        return out

    def source(self, text: str, offset: int) -> tuple[str, int, int] | None:
        for p in self.res.pat("source_patterns"):
            m = p.search(text)
            if m:
                who = m.group("who")
                words = who.split()[:8]
                who = " ".join(words).strip(" \"«»'")
                if len(who) < 3:
                    continue
                s = m.start("who") + (len(m.group("who")) - len(m.group("who").lstrip(" \"«»'")))
                return who, offset + s, offset + s + len(who)
        return None


@lru_cache(maxsize=200_000)
def _analyse_cached(morph_id: int, key: str):
    morph = _BY_ID[morph_id]
    parses = morph.parse(key)
    lemmas = frozenset(_key(p.normal_form) for p in parses[:4])
    if "-" in key:
        lemmas |= _hyphenated(morph, key)
    top = parses[0] if parses else None
    noun = bool(top and "NOUN" in top.tag and top.score >= 0.3)
    sing = bool(top and "plur" not in top.tag)
    name = any("Name" in p.tag for p in parses[:4])
    return lemmas, noun, sing, name


def _hyphenated(morph, key: str) -> frozenset[str]:
    """"каменке-днепровской": each part's lemma, the adjective agreeing with the noun ("каменка-днепровская"),
    which the dictionary does not give for the whole word (it gives "каменке-днепровский")."""
    head, _, tail = key.partition("-")
    if not head or not tail or "-" in tail:
        return frozenset()
    h, a = morph.parse(head)[0], morph.parse(tail)[0]
    noun = h.normal_form
    out = {f"{noun}-{a.normal_form}"}
    gender = h.normalized.tag.gender
    if "ADJF" in a.tag and gender:
        agreed = a.inflect({"nomn", "sing", gender})
        if agreed is not None:
            out.add(f"{noun}-{agreed.word}")
    return frozenset(_key(x) for x in out)


_BY_ID: dict[int, object] = {}


def _analyse(morph, key: str):
    _BY_ID.setdefault(id(morph), morph)
    return _analyse_cached(id(morph), key)
