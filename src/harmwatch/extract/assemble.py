"""From annotated sentences to incident claims and tallies.

Walks the sentences in order, keeping a current incident draft:
- a sentence with an attack word and a settlement or oblast starts a draft,
  refines the current one (an oblast-only draft gets its settlement), or
  re-joins an earlier draft about the same place;
- sentences without a place continue the current draft while they follow
  closely;
- sentences with casualty figures and aggregate wording ("since the start of
  the invasion", "so far", several incidents) become tallies;
- a sentence listing several places without details ("attacks occurred in A,
  B and C") sets the date context but creates nothing.
A draft becomes a claim only if its sentences give a casualty figure, an
object hit or a weapon.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ..geo import Gazetteer, Place
from ..geo.names import normalize, translit_kmu, translit_ru
from ..records import IncidentClaim, Span, TallyClaim
from .casualties import ADULTS, CHILDREN, HEALTH, MEN, TOTAL, WOMEN, Figure
from .dates import DateMention
from .features import TALLY, SentenceFeatures, without_comparison
from .lang import text_pattern, text_words
from .places import SPEAKER_AFTER, PlaceMention
from .numbers import parse_number
from .scope import RETRACTED
from .weapons import classify

MAX_GAP_SENTENCES = 3
# a live page's entry line: "08:05 - Missiles hit village", "Updated 21:40"
_ENTRY_HEADLINE = re.compile(r"^\s*(?:(?:updated|update)\s+(?:at\s+)?\d{1,2}[:.]\d\d\b.{0,80}$|\d{1,2}[:.]\d\d\s*[-\u2013\u2014]\s)", re.IGNORECASE)
SCENE_CUES = {"in", "at", "on", "into", "village", "town", "city", "settlement", "hamlet", "suburb", "hit",
              "struck", "shelled", "attacked", "bombed", "targeted", "pounded", "outskirts"}
NOT_SCENE_AFTER = re.compile(r"^\W*(governor|mayor|region|oblast|regional|city council|military administration|"
                             r"authorities|officials|police|head|district|prosecutor|'s governor|’s governor)", re.IGNORECASE)
# "KYIV, Oct 1 (Reuters) -": the place a wire story was filed from
_DATELINE_AFTER = re.compile(r"^(?:,\s*[A-Z][a-z]+)?,\s*(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d|\d{1,2}\s+[A-Z][a-z]+\s*[(\-–—])"
                             # "KYIV (Reuters) -", "KYIV, Ukraine (AP) —": a dateline with no date
                             r"|^(?:,\s*[A-Z][a-z]+)?\s*\([A-Za-z][\w .&-]{0,30}\)\s*[-–—]")


@dataclass
class Draft:
    feats: list[SentenceFeatures] = field(default_factory=list)
    scene: PlaceMention | None = None
    admin1: str | None = None
    admin1_mention: PlaceMention | None = None
    date_ctx: DateMention | None = None
    last_index: int = -100
    last_para: int = -100
    header: bool = False  # a district header ("In the X district, rockets hit two villages"); no incident of its own
    area: PlaceMention | None = None  # the header's area: the incident's place when no village follows
    header_used: bool = False
    # a region's summary ("Протягом минулої доби ... обстріляла Херсонську область", "struck seven settlements
    # in Kharkiv region over the past day"): placeless figures under it are the region's count, a settlement
    # named after it is its own incident, and it is an incident itself only with an object hit
    summary: bool = False
    recalled: bool = False  # an earlier attack recalled on another day, no place named: no place is guessed for it

    def add(self, f: SentenceFeatures) -> None:
        self.feats.append(f)
        self.last_index = f.sent.index
        self.last_para = f.sent.paragraph

    @property
    def first_date(self) -> DateMention | None:
        # the first sentence that dates the attack; of its dates the earliest, since a sentence
        # like "X held a day of mourning on Friday for those killed on Thursday" reports after the attack
        # a sentence giving the clock time and the day together dates the attack itself
        # ("the first missile hit at about 7:15 p.m. on Monday"), ahead of report dates
        for f in self.feats:
            if f.dates and f.times and f.attack:
                t = f.times[0]
                d = min(f.dates, key=lambda d: abs(d.start - t.start))
                if min(abs(d.start - t.end), abs(t.start - d.end)) <= 12:
                    return d
        for f in self.feats:
            if f.dates:
                return min(f.dates, key=lambda d: d.value)
        return None


def assemble(feats: list[SentenceFeatures], gaz: Gazetteer, text: str, publisher: str | None,
             trace: list | None = None, leave_out=None, start_new=None) -> tuple[list[IncidentClaim], list[TallyClaim]]:
    """`trace`: a list that receives (draft, claim or None) for every draft (training reads it).
    `leave_out(f, draft_feats, earlier_feats)` and `start_new(...)`: the segmentation model's decisions
    (segment_model.py; None = rules only). `leave_out` True leaves a placeless figure sentence out of the
    draft the rules would add it to; `start_new` True makes a figure sentence naming an earlier draft's
    place start another attack there instead of re-joining it."""
    # one end of a range of days ("On 15-16 January, ...") dates no single attack, nor does the context
    feats = _place_unknown_villages(feats, gaz)
    # harm told without a count, found once per text (in lower case: the same offsets when lowering keeps the length)
    low_text = text.lower()
    harm_at = [m.start() for m in (_UNNAMED_HARM_LOW.finditer(low_text) if len(low_text) == len(text)
                                   else _UNNAMED_HARM.finditer(text))]
    ranged = frozenset(f.sent.index for f in feats if any(d.span for d in f.dates))
    feats = [replace(f, dates=[d for d in f.dates if not d.span]) if any(d.span for d in f.dates) else f for f in feats]
    drafts: list[Draft] = []
    tallies: list[TallyClaim] = []
    current: Draft | None = None
    date_ctx: DateMention | None = None
    last_source: str | None = None
    headline = _headline(feats, text)
    doc_date: DateMention | None = None  # the date a roundup or dated report is about
    para = -1
    ctx_owned = False  # the date context came from a sentence that went into a draft
    prev: SentenceFeatures | None = None
    para_sizes: dict[int, int] = {}
    for f in feats:
        para_sizes[f.sent.paragraph] = para_sizes.get(f.sent.paragraph, 0) + 1
    dated_places: set[str] = set()  # the places named in sentences that give a date, so far
    listed_before: tuple[int, list[PlaceMention]] | None = None  # the last sentence that only listed places
    wave_memo: list[bool] = []

    def wave_doc() -> bool:
        """Does the text tell of a wave over the country or several regions? (computed once, when first asked)"""
        if not wave_memo:
            wave_memo.append(any(_NATIONWIDE.search(f.sent.text) or _many_places(f) or _multi_region(f) or (
                any(w in f.sent.text.lower() for w in _COUNTRY_WORDS) and _WAVE_ON_COUNTRY.search(f.sent.text))
                for f in feats))
        return wave_memo[0]
    header: SentenceFeatures | None = None  # a district sentence whose weapon and time belong to the villages named next
    parts: list[SentenceFeatures] = []
    shared_tallies: dict[int, TallyClaim] = {}  # sentence index -> the tally of its one toll over several places
    skipped: list[int] = []  # indexes of the sentences left out, which do not count as distance
    for f in feats:
        if f is headline or (_ENTRY_HEADLINE.match(f.sent.text) and para_sizes[f.sent.paragraph] == 1
                             and not f.sent.text.rstrip().endswith(".")):
            skipped.append(f.sent.index)
            continue  # a headline (or a live entry's own title line) repeats the body in short and mixes its incidents
        split, is_total = _split_scenes(f)
        if is_total and not _is_tally(f, None):
            tallies.append(_tally(f, f.source[0] if f.source else None, publisher))
            shared_tallies[f.sent.index] = tallies[-1]
        parts.extend(split)
    parts = _regional_centres(parts, gaz)
    district_para: dict[int, PlaceMention] = {}
    for f in parts:
        areas = _district_mentions(f)
        if areas and len(areas) == len(f.settlements) and not f.oblasts:
            district_para.setdefault(f.sent.paragraph, areas[0])
    by_index = {g.sent.index: g for g in parts}
    orphan = False  # placeless figures were left out as another place's; later ones too, until a place is named
    last_district: tuple[TallyClaim, SentenceFeatures] | None = None
    wave: SentenceFeatures | None = None  # the last sentence telling of an attack on the whole country
    last_oblast = headline.oblasts[0] if headline is not None and headline.oblasts else None
    named_oblasts = [o for g in feats for o in g.oblasts]
    doc_oblast = named_oblasts[0] if len({o.admin1 for o in named_oblasts}) == 1 else None
    for f in parts:
        if last_district is not None and _continues_district(f, last_district[1]):
            _fill_tally(last_district[0], _tally(f, last_source, publisher))
            last_district = (last_district[0], f)
            continue  # "... has now claimed 13 civilian lives. 11 people are wounded": the district's count
        last_district = None
        if (shared := shared_tallies.get(f.sent.index - 1)) is not None and not f.places \
                and any(x.value is not None for x in f.figures) and not f.objects and not f.new_event \
                and all(getattr(shared, x.role) is None for x in f.figures if x.value is not None):
            # "загинули троє людей - у A, B та C. Ще троє поранені.": the same places' count, the tally's
            _fill_tally(shared, _tally(f, last_source, publisher))
            continue
        if (area := _district_total(f, current, district_para, parts)) is not None:
            t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
            t.scope = area.text + " district"
            tallies.append(t)
            last_district = (t, f)
            continue
        if tallies and not f.places and any(x.value is not None for x in f.figures) and _TOLL_UPDATE.search(f.sent.text) \
                and _after_tally(f, by_index, tallies):
            continue  # "Shelling of the region killed 23. On Wednesday evening the toll had stood at 21": the tally's
        if prev is not None and prev.dates and any(d.feats and d.feats[-1] is prev for d in drafts):
            ctx_owned = True
        prev = f
        if f.source:
            last_source = f.source[0]
        if doc_date is None and (f.dateline or (f.dates and not f.attack and not drafts and f.sent.paragraph <= 2)):
            # "MOSCOW, Aug 31 (wire) - ... on Friday evening": the lead's attack day is the report's own day, which
            # later paragraphs without a day of their own take; the filing date only when the lead gives none
            doc_date = f.dates[-1] if f.dateline and f.dates and f.attack and not f.recalled else f.dateline or f.dates[-1]
        elif doc_date is None and f.past_day is not None and f.attack and not f.dates and not drafts \
                and f.sent.paragraph <= 1 and not f.recalled:
            # "Минулої доби російські війська 82 рази обстріляли Сумщину": a summary's own day, which the items of
            # its later paragraphs take again after one told of an earlier day ("Жінка постраждала ще 8 жовтня")
            doc_date = f.past_day
        if f.sent.paragraph != para:
            para = f.sent.paragraph
            if doc_date is not None and ctx_owned:
                # a new paragraph of a roundup: the last date belonged to another incident, and
                # items without date words take the roundup's own date
                date_ctx, ctx_owned = doc_date, False
        low = f.sent.text.lower()  # cheap word checks before the rarer regexes below
        if harm_at and not f.attack and not f.figures and any(f.sent.start <= h < f.sent.end for h in harm_at):
            f = replace(f, attack=True)  # "Есть пострадавшие, однако их число не назвал": harm of the attack told
        if f.dates:
            dated_places.update(_place_key(p) for p in f.places)
        if f.dates and not _speech_day_only(f):
            date_ctx, ctx_owned = f.dates[-1], False
        elif f.past_day is not None and f.attack and date_ctx is not None and date_ctx.value != f.past_day.value \
                and not f.recalled and not _SUMMARY_DAY.search(text, max(0, date_ctx.start - 4), date_ctx.start) \
                and not (f.tally_cue and not f.settlements and f.sent.paragraph == by_index.get(
                    f.sent.index - 1, f).sent.paragraph and by_index.get(f.sent.index - 1, f).dates):
            # "Уранці 24 січня ... обстріляли Куп'янськ. Минулої доби у Вовчанську ...": the past day's attacks are
            # not the morning's; the items after it take the past day (not after "за 8 ноября": that day is the
            # summary's own, and "за сутки" is the same day; nor a day's sum right after the sentence that gave the
            # day: "24 июня россияне атаковали Никопольщину. Всего за сутки пострадали четверо")
            date_ctx, ctx_owned = f.past_day, False
        elif f.told and date_ctx is not None and min(d.value for d in f.told) < date_ctx.value:
            # "Во вторник Балицкий сообщал, что ... ранения получила женщина" after Saturday's attack: told on an
            # earlier day, so the attack is not the day before's: no day is carried to it, and it is not that attack
            date_ctx, ctx_owned, current = None, False, None
        elif f.dateline is not None and f.attack and not any(d.value < f.dateline.value for d in f.told):
            # "KYIV, May 3 (Reuters) - A missile hit ...": the lead's attack has only the filing date. Not when
            # the lead was told on an earlier day ("KYIV, July 16 - ... said on Saturday that ... had fired"):
            # the attack came on or before that day, so the filing day is not its day
            date_ctx, ctx_owned = f.dateline, False
        elif drafts and ("next" in low or "following" in low) and (nd := _NEXT_DAY.search(f.sent.text)) is not None \
                and not f.dates \
                and (base := drafts[-1].first_date or drafts[-1].date_ctx) is not None:
            # "And in Kharkiv, an air attack the next day killed a boy": the day after the attack before
            date_ctx = DateMention(base.value + timedelta(days=1), f.sent.start + nd.start(), f.sent.start + nd.end(), True)
            ctx_owned = False
        elif drafts and " days " in low and (nd := _DAYS_APART.search(f.sent.text)) is not None and not f.dates \
                and (base := drafts[-1].first_date) is not None \
                and (n := parse_number([nd.group(1).lower()])[0]) is not None and 0 < n <= 31:
            # "surpassing the strike on Kryvyi Rih nine days earlier": counted from the attack before
            sign = -1 if nd.group(2).lower() in ("earlier", "before") else 1
            date_ctx = DateMention(base.value + timedelta(days=sign * n), f.sent.start + nd.start(),
                                   f.sent.start + nd.end(), True)
            ctx_owned = False
        elif drafts and "same" in low and _SAME_DAY.search(f.sent.text):
            # "In Kryvyi Rih, missiles hit an enterprise the same morning": the day of the attack before, or of the
            # sentence just before when it gives one ("On 1 June ... On the same day ...")
            p1 = by_index.get(f.sent.index - 1)
            same_day = p1.dates[-1] if p1 is not None and p1.dates and p1.sent.paragraph == f.sent.paragraph \
                and not _speech_day_only(p1) else drafts[-1].first_date or drafts[-1].date_ctx
            if same_day is not None:
                date_ctx, ctx_owned = same_day, False
        settlements = [p for p in f.settlements]
        oblasts = f.oblasts
        if settlements or oblasts:
            orphan = False
        if current and (_gap(f, current, skipped) > MAX_GAP_SENTENCES or f.sent.paragraph - current.last_para > MAX_GAP_SENTENCES):
            current = None
        if drafts and not f.dates and f.figures and _past_period(f, drafts[-1]):
            continue  # "Last August a missile struck the theatre in the city, killing seven": background, no day
        if f.hypothetical and f.objects and not any(x.value is not None for x in f.figures) and _AIMED.search(f.sent.text):
            f = replace(f, objects=[])  # "the missiles may have been aimed at energy facilities": nothing hit
        if not f.dates and not any(x.value is not None for x in f.figures) and f.objects and _HABITUAL.search(f.sent.text):
            # "The occupiers keep shelling the right bank, targeting homes": no one attack's objects
            f = replace(f, objects=[])
        if drafts and not f.dates and any(x.value is not None for x in f.figures) and _VAGUE_PAST.search(f.sent.text) \
                and not f.settlements and not f.oblasts:
            # "Last weekend, strikes hit a residential building, leaving 12 dead", "Нагадаємо, минулого тижня ...
            # загинули п'ятеро": an earlier attack on the same place, told without its day; its figures (and those
            # that follow it) are not the current attack's, and it takes no date
            last = current or drafts[-1]
            current = Draft(scene=last.scene, date_ctx=None)
            current.admin1, current.admin1_mention = last.admin1, last.admin1_mention
            current.add(f)
            drafts.append(current)
            continue
        if drafts and f.figures and (aft := _AFTER_OTHER.search(f.sent.text)) is not None \
                and not _TOLL_UPDATE.search(f.sent.text):
            # "The strike came a day after a drone attack on the city killed three people": the figures after
            # "after" are the earlier attack's
            cut = f.sent.start + aft.start()
            f = replace(f, figures=[x for x in f.figures if x.start < cut], objects=[o for o in f.objects if o.start < cut],
                        weapons=[w for w in f.weapons if w.start < cut], dates=[d for d in f.dates if d.start < cut])
        if not f.settlements and len(f.oblasts) == 1 and any(x.value is not None for x in f.figures) \
                and (_ACROSS_REGION.search(f.sent.text[:max(0, f.oblasts[0].start - f.sent.start)])
                     or all(_REGION_PEOPLE.match(f.sent.text, x.end - f.sent.start)
                            for x in f.figures if x.value is not None)):
            # ("внаслідок ударів по Херсонщині ... поранено трьох мешканців області": the region's people, a tally)
            # "across the Kyiv region, three more people were injured": the region's count, a tally
            tallies.append(_tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher))
            continue
        if f.oblasts and f.settlements and any(x.value is not None for x in f.figures) \
                and _AT_REGION.search(f.sent.text[max(0, f.oblasts[0].start - f.sent.start - 16):max(0, f.oblasts[0].start - f.sent.start)]) \
                and all(_SHARE_BEFORE.search(f.sent.text[max(0, p.start - f.sent.start - 60):p.start - f.sent.start])
                        for p in f.settlements):
            # "12 civilians were killed in the Donetsk region on Tuesday, including four in Kramatorsk": the region's
            # tally; the city's share is not read as its toll (abstain), the city is still named
            tallies.append(_tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher))
            f = replace(f, figures=[])
        if drafts and f.figures and (pw := _PAST_WHEN.search(f.sent.text)) is not None:
            # "... since March, when a drone strike on an apartment block killed 12 people": what follows
            # "when" is an earlier attack's, told without a day; its figures, object and weapon join nothing
            cut = f.sent.start + pw.start()
            f = replace(f, figures=[x for x in f.figures if x.start < cut], objects=[o for o in f.objects if o.start < cut],
                        weapons=[w for w in f.weapons if w.start < cut])
        if (not f.settlements and not f.oblasts and any(w in low for w in _COUNTRY_WORDS)
                and _WAVE_ON_COUNTRY.search(f.sent.text)) or (f.attack and _multi_region(f)):
            # "Russia unleashed its largest aerial assault against Ukraine", "росія атакувала Україну", "drones hit
            # the Kharkiv, Sumy and Odesa regions": no city's incident
            wave, current = f, None
            if not any(x.value is not None for x in f.figures):
                continue
        if wave is not None and wave is not f and not f.settlements and not f.oblasts and f.figures \
                and (f.sent.paragraph == wave.sent.paragraph or (current is None and f.sent.paragraph == wave.sent.paragraph + 1)) \
                and f.sent.index - wave.sent.index <= 2 \
                and not f.new_event and any(x.value is not None for x in f.figures):
            # "It killed at least 41 civilians": the country's count for that wave
            t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
            t.scope = "Ukraine"
            prev_t = tallies[-1] if tallies and tallies[-1].scope == "Ukraine" and tallies[-1].span is not None \
                and tallies[-1].span.start >= wave.sent.start else None
            if prev_t is not None and all(getattr(prev_t, k) is None for k in _COUNT_FIELDS if getattr(t, k) is not None):
                _fill_tally(prev_t, t)  # "відомо про 10 постраждалих. На жаль, п'ятеро загинули": one count of the wave
            else:
                tallies.append(t)
            continue
        if wave is f:
            t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
            t.scope = "Ukraine"
            tallies.append(t)
            continue
        if any(x.value is not None for x in f.figures) and (sw := _sweep(f)) is not None \
                and (swept := _figures_of(f, sw)):
            # "The attack on Kharkiv came as Russia pounded cities across the east, killing at least nine people":
            # a count over part of the country, a tally; what the sentence says of a city is still the city's
            t = _tally(replace(f, figures=swept), f.source[0] if f.source and not f.pronoun_source else last_source,
                       publisher)
            tallies.append(t)
            f = replace(f, figures=[x for x in f.figures if x not in swept])
            if not any(x.value is not None for x in f.figures) and not f.objects:
                continue
        if current is not None and current.scene is not None and not f.settlements and not f.oblasts \
                and any(x.value is not None for x in f.figures) and _IN_THE_REGION.search(f.sent.text) \
                and not _THIS_ATTACK.search(f.sent.text):
            # "A missile struck Zaporizhzhia. Russian shelling of 12 towns and villages in the region killed two":
            # the region's count, never the city's toll
            t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
            region = _text_region(doc_oblast, current)
            t.scope = f"{region} region" if region else "region"
            tallies.append(t)
            continue
        if any(x.value is not None for x in f.figures) and _SEVERAL_TOTAL.search(f.sent.text) \
                and len(_scene_places(f)) <= 1:
            # "In total, six people were killed and 23 injured in the two cities": a sum over the places told of,
            # never the toll of the last one named
            tallies.append(_tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher))
            continue
        if f.settlements and any(x.value is not None for x in f.figures) and (around := _and_around(f)) is not None:
            # "glide bombs on Zaporizhzhia and the surrounding area, injuring at least 29", "у Харкові та області
            # загинули троє": a count over the city and more, a tally; the city's own toll is not told
            t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
            t.scope = f"{around.text} and the area around"
            prev_t = tallies[-1] if tallies and tallies[-1].span is not None else None
            if prev_t is not None and (p1 := by_index.get(f.sent.index - 1)) is not None \
                    and prev_t.span.start == p1.sent.start and _ONE_MORE.match(f.sent.text) \
                    and all(getattr(prev_t, k) is None for k in _COUNT_FIELDS if getattr(t, k) is not None):
                # "... про одного загиблого в області за минулу добу. Ще троє людей поранені внаслідок атак на Запоріжжя
                # та Запорізький район": more of the region's count of the sentence before
                _fill_tally(prev_t, t)
            else:
                tallies.append(t)
            f = replace(f, figures=[])
        if listed_before is not None and listed_before[0] == f.sent.index - 1 and not f.settlements and not f.oblasts \
                and by_index[listed_before[0]].sent.paragraph == f.sent.paragraph \
                and not f.areas and any(x.value is not None for x in f.figures) and not f.new_event:
            # "обстріляли три міста — Торецьк, Залізне та Курахове. Поранень зазнали п'ятеро": the count right after
            # a list of places is over all of them, no one place's toll (the items after it give each its own)
            t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
            names = list(dict.fromkeys(_display(p) for p in listed_before[1]))
            if len(names) >= 2 and any(getattr(t, k) is not None for k in _COUNT_FIELDS):
                t.scope = ", ".join(names[:-1]) + " and " + names[-1]
                tallies.append(t)
                continue
        if _is_tally(f, current, sole=len(drafts) == 1,
                     only=drafts[0] if len(drafts) == 1 and not drafts[0].header else None,
                     several=sum(1 for d in drafts if not d.header and d.scene is not None) >= 2):
            tallies.append(_tally(f, last_source, publisher))
            if not f.settlements and not f.oblasts and _REGION_WIDE.search(f.sent.text):
                # "13 injured across the region on Friday": the region of the text, not the country (the one region
                # the text names, else the current incident's)
                region = _text_region(doc_oblast, current)
                tallies[-1].scope = f"{region} region" if region else "region"
            if (share := _city_share(f, tallies[-1])) is not None:
                tallies.append(share)
            national = _nationwide_figures(f)
            if not (national and share is None and f.objects and f.settlements):
                continue
            # "An attack across Ukraine killed 31 people, and a hotel in Kyiv was hit": the country's
            # count is a tally; what the sentence says of the city (the hotel) is still the city's
            f = replace(f, figures=[x for x in f.figures if x not in national])
        if f.recalled and f.dates and not f.settlements and not f.oblasts and current is not None \
                and (cd := current.first_date or current.date_ctx) is not None \
                and all(d.value != cd.value for d in f.dates):
            # "Нагадаємо, у ніч проти 9 серпня ... обстрілювали Нікопольський район. Тоді одна людина загинула": an
            # earlier attack on another day; its figures are not the current attack's (no place: they join nothing)
            last = current
            current = Draft(scene=None, date_ctx=f.dates[-1], recalled=True)
            # its region is the region told of before (the span that said it is its evidence)
            current.admin1 = last.admin1 or (last.scene.candidates[0].admin1 if last.scene and last.scene.candidates else None)
            current.admin1_mention = last.admin1_mention or last.scene
            if current.admin1_mention is None:
                current.admin1 = None
            current.add(f)
            drafts.append(current)
            continue
        if f.other_place and not settlements and not f.areas and current is not None and not f.recalled \
                and (any(x.value is not None for x in f.figures) or f.objects):
            # "In another village a drone hit a timber truck", "Ще в одному селі громади ...": another attack, in a
            # village the text does not name, of the area or region told of
            last = current
            current = _new_draft(f, None, _carried(date_ctx, f, drafts, None, wave_doc, dated_places))
            current.admin1 = last.admin1 or (last.scene.candidates[0].admin1 if last.scene and last.scene.candidates else None)
            current.admin1_mention, current.area = last.admin1_mention or last.scene, last.area
            if current.admin1_mention is None:
                current.admin1 = None
            drafts.append(current)
            continue
        if f.recall_start and not settlements and not f.areas and not f.oblasts and current is not None \
                and not any(x.value is not None for x in f.figures) and not f.times:  # ("Нагадаємо, удар стався о 13:00")
            continue  # "Ранее Сальдо заявлял, что ... уничтожили ... пять автомобилей": another day's news, no part of this one
        if f.oblasts:
            last_oblast = f.oblasts[0]
        if current is not None and not settlements and (f.oblasts or f.areas) and _second_strike(current, f):
            # "Близько 21:00 росіяни повторили масований авіаудар по Херсонщині: ... влучання в Херсонському та
            # Бериславському районах": another strike on the place just told, named by its region or districts
            current = _strike_again(current, f, date_ctx)
            drafts.append(current)
            continue
        if f.areas and not settlements and (f.attack or any(x.value is not None for x in f.figures)) \
                and not all(_city_district(a, current, f) for a in f.areas):
            current = _area_draft(f, current, drafts, tallies, last_oblast, doc_oblast, last_source, publisher,
                                  lambda: _carried(date_ctx, f, drafts, None, wave_doc, dated_places))
            continue
        if not f.attack and not f.figures and current is not None and not settlements \
                and f.sent.index - current.last_index <= MAX_GAP_SENTENCES and _DIED_LATER.search(f.sent.text):
            current.add(f)  # "Позднее он скончался в больнице": the wounded of the attack just told of
            continue
        if not f.attack and not f.figures:
            continue
        distinct = {p.text.lower() for p in settlements}
        if len(distinct) >= 2 and not f.figures and (not f.objects or len(distinct) >= 3) and _listed(settlements, f):
            # (with three places or more, what was hit is the list's too: "жилые кварталы в A, B, C и D")
            if not _HARM_WORDS.search(f.sent.text):
                listed_before = (f.sent.index, settlements)  # (not "Люди погибли в A, B и C": where the dead were)
            continue  # a list of places ("in the A, B and C districts"): a summary, not an incident
        if settlements and len(f.areas) >= 2 and not f.figures and not f.objects and current is not None:
            # "Під ударом був сам Нікополь, а також Марганецька, Мирівська ... громади": the places of the day's
            # attacks listed, a summary; no incident of the city
            continue
        scene = _scene(settlements, text)
        if scene is not None and f.oblasts and _is_dateline_place(scene, text):
            # "KHERSON, Ukraine, Oct 7 - Russian attacks on the Kherson region over the past 24 hours killed one":
            # the region's figures, filed from its capital; the city is not the scene
            scene = None
            if len(distinct) == 1:
                settlements = []
        if scene is not None and f.weapons and not f.figures and not f.objects and len(distinct) == 1 \
                and _AREA_AFTER.match(text[scene.end:scene.end + 20]) and scene.cue in SCENE_CUES:
            # "In the X district, rockets hit two villages at 10 a.m.": the weapon and time of the
            # villages named next, not an incident in X
            current = _new_draft(f, None, date_ctx)
            current.header, current.area = True, scene
            current.admin1 = scene.candidates[0].admin1 if scene.candidates else None
            drafts.append(current)
            header = f
            continue
        if scene is not None:
            same = _draft_for_place(drafts, scene, f)
            if same is not None and start_new is not None and any(x.value is not None for x in f.figures) \
                    and _can_start(f) and start_new(f, same.feats, [d.feats for d in drafts if d is not same and not d.header]):
                current = _new_draft(f, scene, date_ctx)  # the segmentation model: another attack on the same place
                drafts.append(current)
            elif same is not None and f.dates and (same.first_date or same.date_ctx) is None and _can_start(f) \
                    and any(x.value is not None for x in f.figures) and _draft_counts(same) \
                    and _draft_counts(same) != _sentence_counts(f):  # (the same toll again is the same attack told)
                # "Снаряд попал в дом в Каховке ... Один человек погиб ... 23 апреля при обстреле Каховки пострадали
                # пятеро": a toll told of the place before with no day, then another toll of it with a day: another attack
                current = _new_draft(f, scene, date_ctx)
                drafts.append(current)
            elif same is not None and f.dates and same.first_date is None and same.date_ctx is not None \
                    and all(x.value < same.date_ctx.value for x in f.dates) and not any(x.relative for x in f.dates) \
                    and _can_start(f) and (f.objects or any(x.value is not None for x in f.figures)) \
                    and f.sent.paragraph != same.last_para \
                    and any(g.objects or any(x.value is not None for x in g.figures) for g in same.feats) \
                    and not any(g.plural_events for g in same.feats):
                # "обстреляли поселок Тёткино ... повреждена линия электропередачи ... Вечером 23 июля Старовойт уже
                # сообщал об обстреле Тёткина: ... повредили крыши двух домов": a new paragraph telling harm done on an
                # earlier calendar day than the attack's (the report's day) is another attack (not after a lead on
                # attacks in general: "have struck Kharkiv again and again in unlawful attacks"); so too its victims ("One
                # person was injured in shelling of Shebekino on 6 May" after the report of 8 May)
                current = _new_draft(f, scene, date_ctx)
                drafts.append(current)
            elif same is not None and f.attack and not f.hypothetical and _AGAIN.search(f.sent.text) \
                    and any(x.value is not None for g in same.feats if g is not f for x in g.figures) \
                    and not (_sentence_counts(f) and _sentence_counts(f) == _draft_counts(same)):
                # "30 апреля под обстрел попало село Козино: двое ранены ... Позже ... Козино обстреляли еще раз. На
                # этот раз одна жительница погибла": the place shelled once more after a toll of its own, another attack
                current = _new_draft(f, scene, date_ctx)
                drafts.append(current)
            elif same is not None and f.new_event and f.dates and (same.first_date or same.date_ctx) is not None \
                    and all(x.value != (same.first_date or same.date_ctx).value for x in f.dates) and _can_start(f) \
                    and (f.objects or any(x.value is not None for x in f.figures)):
                # "On Thursday a separate missile attack hit a residential area of Mykolaiv, wounding three" after
                # Friday's attack there: another attack on the same place, on its own day
                current = _new_draft(f, scene, date_ctx)
                drafts.append(current)
            elif same is not None and not (f.recalled and _can_start(f) and (
                    not f.dates or (same.first_date or same.date_ctx) is None
                    or all(x.value != (same.first_date or same.date_ctx).value for x in f.dates))):
                same.add(f)  # (a recalled earlier attack on the same place, "Ранее ... ещё об одном ...", is its own)
                current = same
            elif current and current.scene is None and not current.summary \
                    and not (current.admin1 is None and any(g.tally_cue and g.attack for g in current.feats)
                             and any(x.value is not None for g in current.feats for x in g.figures)) \
                    and not (current.admin1 and not _in_admin1(scene, current.admin1)) \
                    and not (f.new_event and current.admin1 is None and current.feats and current.feats[0].figures) \
                    and not (current.area is not None and not current.header and (
                        _new_day(current, f) or any(g.objects or any(x.value is not None for x in g.figures)
                                                    for g in current.feats))) \
                    and not (current.feats and current.feats[0].figures and f.figures
                             and (_NEXT_DAY.search(f.sent.text) or _new_day(current, f))):
                # ("Fifty-two people died in the attack. ... And in Kharkiv, an air attack the next day killed a
                # boy": another day's attack gives the placeless toll no place)
                current.scene = scene
                current.add(f)
            elif current and current.scene is not None and not (f.figures or f.objects or f.new_event or f.strike
                                                                or f.shared_toll) \
                    and not (f.sent.paragraph != current.last_para and _is_scene_cue(scene, text) and _can_start(f)
                             and not NOT_SCENE_AFTER.match(text[scene.end:scene.end + 30])) \
                    and not (oblasts and _can_start(f) and _is_scene_cue(scene, text)
                             and not _in_admin1(current.scene, oblasts[0].admin1)):
                # (not "Drones hit Pavlohrad ... In Russia's Kursk region, a drone hit a man in the village of Amon":
                # a place of another region, named as a scene, is another attack)
                current.add(f)  # another place named in passing ("near X"); a new paragraph about another place is another incident
            elif _can_start(f) or _casualty_item(f, scene):
                # "Нагадаємо, минулого тижня ... по Марганцю": a recalled attack elsewhere takes no date carried over
                current = _new_draft(f, scene, None if f.recalled and not f.dates
                                     else _carried(date_ctx, f, drafts, scene, wave_doc, dated_places))
                if header is not None and f.sent.index - header.sent.index <= 1:
                    current.feats.insert(0, header)  # the next village of the header's list
                    for d in drafts:
                        if d.header and d.feats and d.feats[0] is header:
                            d.header_used = True
                if oblasts and _in_admin1(scene, oblasts[0].admin1):
                    current.admin1, current.admin1_mention = oblasts[0].admin1, oblasts[0]
                drafts.append(current)
        elif oblasts:
            ob = oblasts[0]
            if _region_summary(f):
                current = _new_draft(f, None, _carried(date_ctx, f, drafts, ob, wave_doc, dated_places))
                current.admin1, current.admin1_mention, current.summary = ob.admin1, ob, True
                drafts.append(current)
            elif current and (current.admin1 == ob.admin1 or (current.admin1 is None and current.scene is None)) and not f.new_event:
                current.admin1, current.admin1_mention = current.admin1 or ob.admin1, current.admin1_mention or ob
                current.add(f)
            elif current and current.scene is not None and _in_admin1(current.scene, ob.admin1) and not f.new_event \
                    and not (f.sent.paragraph != current.last_para and f.figures and _new_day(current, f)) \
                    and not (f.figures and _UNNAMED_PLACE.search(f.sent.text[:max(0, ob.start - f.sent.start)])):
                if not f.settlements and any(x.value is not None for x in f.figures) and _IN_REGION.search(
                        f.sent.text[max(0, ob.start - f.sent.start - 16):max(0, ob.start - f.sent.start)]):
                    # "A bomb struck a house in Kupiansk. Altogether 9 civilians have been killed in the Kharkiv
                    # region over the past week": the region's count, not the city's toll; a tally when the
                    # sentence sums or gives a period, else the figures join nothing
                    if _REGION_COUNT.search(f.sent.text):
                        t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
                        tallies.append(t)
                    f = replace(f, figures=[], weapons=[], objects=[])  # the region's, not this attack's
                current.add(f)  # a new paragraph about the region on another day is another incident
            elif _can_start(f, strict=False):
                current = _new_draft(f, None, _carried(date_ctx, f, drafts, ob, wave_doc, dated_places))
                current.admin1, current.admin1_mention = ob.admin1, ob
                drafts.append(current)
        elif (back := _draft_for_object(drafts, current, f)) is not None:
            if leave_out is not None and any(x.value is not None for x in f.figures) \
                    and leave_out(f, back.feats, [d.feats for d in drafts if d is not back and not d.header]):
                continue  # the segmentation model: these figures are not that attack's
            back.add(f)  # "the enemy struck the printing house with three S-300 missiles": the earlier incident there
            current = back
        elif current is not None and _second_strike(current, f):
            # "Later on Saturday evening, a missile strike on ... the city injured a further 25": another
            # attack on the same place the same day, with its own figures or time
            current = _strike_again(current, f, date_ctx)
            drafts.append(current)
        elif current is not None and current.first_date is None and current.date_ctx is None \
                and any(x.value is not None for x in f.figures) and f.dates \
                and (back := next((d for d in reversed(drafts) if d is not current and not d.header
                                   and d.first_date is not None and d.scene is current.scene
                                   and all(x.value == d.first_date.value for x in f.dates)), None)) is not None:
            # "Last weekend, strikes hit a building, leaving 12 dead. ... at least five civilians were killed on
            # March 6": the figures of the day of the earlier incident told there, not of the undated background one
            back.add(f)
            current = back
        elif current is not None and _other_day(current, f):
            # "Two days earlier, a strike on the city had killed four": another attack on the same place
            current = _new_draft(f, current.scene, date_ctx)
            drafts.append(current)
        elif current is not None and f.sent.paragraph != current.last_para and f.plural_events \
                and not f.figures and not f.times and not _BACK_REFERENCE.search(f.sent.text):
            # a new paragraph on attacks in general ("the campaign of missile strikes against ..."): no detail
            # of this one ("the attacks on Tuesday morning were ..." refers back to it and joins)
            continue
        elif current is not None and current.summary and any(x.value is not None for x in f.figures):
            # "Унаслідок російської агресії одна людина загинула, ще п'ятеро дістали поранень" under the
            # region's day summary: the region's count; what the sentence says was hit stays the summary's
            t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
            t.scope = f"{current.admin1} region" if current.admin1 else "region"
            tallies.append(t)
            current.add(replace(f, figures=[]))
        elif current is not None:
            if leave_out is not None and any(x.value is not None for x in f.figures) \
                    and leave_out(f, current.feats, [d.feats for d in drafts if d is not current and not d.header]):
                continue  # the segmentation model: these figures are not the current attack's
            if any(x.value is not None for x in f.figures) and current.feats and _many_places(current.feats[0]) \
                    and not f.new_event:
                # "They struck homes in Kyiv, Lviv, Dnipro, Odesa and Kharkiv. ... at least 25 people have been
                # killed": a total over all the places listed, not the first one's toll
                t = _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)
                t.scope = "Ukraine"
                tallies.append(t)
                continue
            if any(x.value is not None for x in f.figures) and (
                    orphan or _after_other_place(f, by_index.get(f.sent.index - 1), current)):
                # the figures of the place the sentence before named, not the current attack's: none, and
                # none of the placeless figures after them until a place is named again
                orphan = True
                continue
            current.add(f)
        elif f.figures and any(x.value is not None for x in f.figures) and not f.hypothetical:
            if len(drafts) == 1 and drafts[0].scene is not None and not f.new_event and not f.dates:
                if leave_out is not None and leave_out(f, drafts[0].feats, []):
                    continue  # the segmentation model: not the toll of the text's one attack
                current = drafts[0]  # a text about one attack, its toll given further down
                current.add(f)
            else:
                current = _new_draft(f, None, date_ctx)  # a place may follow in the next sentences
                drafts.append(current)
    _list_totals(drafts, tallies, last_source, publisher)
    drafts = _district_totals(drafts, tallies, last_source, publisher)
    tallies = _children_into_totals(_merge_district_tallies(tallies))
    for t in tallies:
        if t.scope == "Ukraine" and doc_oblast is not None and t.span is not None \
                and _IN_THE_REGION.search(t.span.quote) and not _NATIONWIDE.search(t.span.quote):
            t.scope = doc_oblast.admin1  # "на территории области", in a text that names one region: that region's
    datelines = tuple(f.dateline for f in feats if f.dateline is not None)
    # a live report whose text gives no other day than the publication day ("Станом на цей час відомо про 34
    # убитих"; "Сьогодні" only elsewhere): that day is implied for its attack (GUIDELINES)
    live = next((f.live for f in feats if f.live is not None), None)
    if live is not None and (ranged or datelines or any(d.value != live.value for f in feats for d in f.dates)
                             or any(f.vague_day for f in feats)):
        live = None  # (nor in a text of "на выходных", a period with no day of its own)
    # a day summary's lead ("За минулу добу на Харківщині ...", "over the past day"): the day before publication
    # for the attacks of the text with no date word of their own (a lead that names its day gives that day instead)
    lead_past = next((f.past_day for f in feats if f.past_day is not None and f.sent.paragraph <= 1 and not f.dates),
                     None) if not ranged else None
    if lead_past is not None:
        live = None  # a summary of the day before: "тип яких встановлюється" later in it is no live report
    claims = []
    coords = _doc_points(drafts, gaz)
    head_places = {_norm(p.text): p for p in headline.settlements} if headline is not None else {}
    for d in drafts:
        if d.header and d.scene is None and not d.header_used and d.area is not None:
            d.scene = d.area  # "also shelled the X community", and no village of it named after: an incident in X
        if d.header and d.scene is None:
            continue
        if d.summary and d.scene is None and not any(g.objects for g in d.feats):
            if trace is not None:
                trace.append((d, None))
            continue  # a region's summary with nothing hit named: its weapons and days are no one attack's
        if d.scene is None and d.admin1 is None and not d.recalled and (d.area is None or d.header):
            # no scene named in the incident's own sentences: a settlement they mention in another role
            # ("the head of the Mykolayiv regional administration"), else the headline's only place
            weak = [p for f in d.feats for p in f.settlements if p.cue not in ("from", "towards", "toward", "to")]
            # (of the headline's places, those no other incident of the text is at: "у Вовчанську та Колодязному
            # загинули двоє" over an item on Kolodiazne and one with no place)
            free = [p for k, p in head_places.items()
                    if not any(o is not d and o.scene is not None and _norm(o.scene.text) == k for o in drafts)]
            d.scene = weak[0] if weak else (free[0] if len(free) == 1 else None)
        if d.scene is None and d.admin1 is None and (wave_total := _many_places_total(d, feats, publisher)
                                                     or _wave_total(d, feats, publisher)) is not None:
            tallies.append(wave_total)  # "Reports indicate at least 30 people have been killed" after a wave over many cities
            if trace is not None:
                trace.append((d, None))
            continue
        if d.scene is None and d.admin1 is None and not any(g.weapons or g.objects for g in d.feats):
            # figures with no place, no weapon and nothing hit ("25 people were injured" in a speech about a rescue):
            # no identified attack to hold them, so no incident (abstention)
            if trace is not None:
                trace.append((d, None))
            continue
        claim = _claim(d, gaz, coords, text, publisher, datelines, ranged, live, lead_past, harm_at,
                       doc_oblast.admin1 if doc_oblast is not None else None)
        if claim is not None and claim.place is None and claim.admin1 is None \
                and (one := _one_region(doc_oblast, feats)) is not None:
            # "a 16-year-old girl was killed in the border region", in a text that names one region and no place
            # of another: that region's
            claim.admin1 = one.admin1
            claim.evidence["admin1"] = Span(one.start, one.end, text[one.start:one.end])
        if trace is not None:
            trace.append((d, claim))
        if claim is not None:
            _rocket_system(claim, d, feats, text)
            _area_shared(claim, d, tallies, text)
            claims.append(claim)
    return claims, tallies


_COUNT_FIELDS = ("killed", "injured", "children_killed", "children_injured")
AREA_SHARED_CONFIDENCE = 0.2  # the chance a count over a city and its area is the city's own: below any threshold


def _area_shared(c: IncidentClaim, d: Draft, tallies: list[TallyClaim], text: str) -> None:
    """An attack told as on a city and the area around it ("по Белгороду и Белгородскому району", "Belgorod and the
    surrounding Belgorod district"): its counts are over both, so they are a tally, and the city's own toll is not
    told (null, with the reason). The tally is the one the naming sentence made, else one of the draft's counts."""
    if d.scene is None or not any(getattr(c, k) is not None for k in _COUNT_FIELDS):
        return
    # named so before the draft's first count (not "a barrage fired at Kharkiv and its suburbs" after the toll of
    # one site, nor "residents of Kherson and its suburbs face drone attacks" as background)
    first = next((g.sent.index for g in d.feats if any(x.value is not None for x in g.figures)), None)
    around = next((p for g in d.feats if g.settlements and (first is None or g.sent.index <= first)
                   and (p := _and_around(g)) is not None and _norm(p.text) == _norm(d.scene.text)), None)
    if around is None:
        return
    if any(any(x.value is not None for x in g.figures) and g.settlements and not any(p is around for p in g.settlements)
           for g in d.feats):
        return  # "Russia struck Kharkiv and the region overnight. In Kharkiv three people were injured": the city's own
    scope = f"{around.text} and the area around"
    if not any(t.scope == scope for t in tallies):
        t = TallyClaim(scope=scope, source=c.source)
        for k in _COUNT_FIELDS:
            if getattr(c, k) is not None:
                setattr(t, k, getattr(c, k))
                if k in c.evidence:
                    t.evidence[k] = c.evidence[k]
        t.span = Span(around.start, around.end, text[around.start:around.end])
        tallies.append(t)
    for k in _COUNT_FIELDS:
        if getattr(c, k) is not None:
            # withheld for review with its quote (scope.py's shape; a rule's doubt, so a low fixed confidence)
            ev = c.evidence.pop(k, None)
            c.withheld[k] = {"value": getattr(c, k), "confidence": AREA_SHARED_CONFIDENCE,
                             "evidence": ev.to_dict() if ev is not None else None}
            c.uncertain[k] = "the count is over the city and the area around it"
            setattr(c, k, None)


def _text_region(doc_oblast: PlaceMention | None, current: Draft | None) -> str | None:
    """The region a count "in the region" is of: the one region the text names, else the current incident's (its
    region, or its place's first candidate's)."""
    if doc_oblast is not None:
        return doc_oblast.admin1
    if current is None:
        return None
    return current.admin1 or (current.scene.candidates[0].admin1
                              if current.scene is not None and current.scene.candidates else None)


def _one_region(doc_oblast: PlaceMention | None, feats: list[SentenceFeatures]) -> PlaceMention | None:
    """The one region a text names (`doc_oblast`), when every place it names lies there; else None."""
    if doc_oblast is None:
        return None
    region = doc_oblast.admin1
    if any(p.admin1 != region if not p.candidates else all(c.admin1 != region for c in p.candidates)
           for f in feats for p in f.settlements):
        return None
    return doc_oblast


def _place_unknown_villages(feats: list[SentenceFeatures], gaz: Gazetteer) -> list[SentenceFeatures]:
    """Villages the gazetteer does not know ("the village of Makeevo in the Rylsk district"): in a text whose one named
    region lies across the border ("Russia's Kursk region"), that region's; else left out (a Ukrainian village is in
    the gazetteer, and a name it does not know there is no place the map can show)."""
    feats = _unknown_named_again(feats)
    unknown = [p for f in feats for p in f.places if p.kind == "settlement" and not p.candidates and p.admin_hint is None]
    if not unknown and not any(p.cue == "village" and p.candidates for f in feats for p in f.settlements):
        return feats  # (most texts: no village to place, and no region to look for)
    regions = {o.admin1 for f in feats for o in f.oblasts} | {p.admin_hint for f in feats for p in f.places
                                                              if p.admin_hint and gaz.is_foreign_region(p.admin_hint)}
    abroad = next(iter(regions)) if len(regions) == 1 and gaz.is_foreign_region(next(iter(regions))) else None
    if abroad is None and len(regions) > 1 and all(gaz.is_foreign_region(r) for r in regions):
        # regions across the border only ("в Белгородской области ... больше всего — над Брянской областью"): the one
        # the text names most, when one is named more than the others
        counts = Counter(o.admin1 for f in feats for o in f.oblasts if o.admin1 in regions)
        # (and its places: "в поселке Уразово Валуйского округа" counts for Belgorod region)
        counts.update(p.admin_hint for f in feats for p in f.settlements if p.admin_hint in regions)
        top = counts.most_common(2)
        if len(top) == 2 and top[0][1] > top[1][1]:
            abroad = top[0][0]
    if abroad is not None:
        feats = _namesakes_abroad(feats, abroad)
        unknown = [p for f in feats for p in f.places if p.kind == "settlement" and not p.candidates
                   and p.admin_hint is None]
    if not unknown:
        return feats
    out = []
    for f in feats:
        if any(p in unknown for p in f.places):
            # the sentence's own region across the border first ("In Russia's Kursk region, ... the village of Amon"),
            # in a text that names others too
            own = {o.admin1 for o in f.oblasts}
            there = next(iter(own)) if len(own) == 1 and gaz.is_foreign_region(next(iter(own))) else abroad
            places = [replace(p, admin1=there, admin_hint=there) if p in unknown else p for p in f.places
                      if there is not None or p not in unknown]
            f = replace(f, places=places)
        out.append(f)
    return out


def _namesakes_abroad(feats: list[SentenceFeatures], abroad: str) -> list[SentenceFeatures]:
    """A text about one region across the border ("Шебекинский городской округ Белгородской области ... В селе
    Безлюдовка повреждена линия электропередачи") that names a village only Ukrainian namesakes share, and no other
    Ukrainian place: the village across the border the gazetteer does not hold (its name, that region, no point),
    not the Ukrainian one."""
    ukrainian = [p for f in feats for p in f.settlements if p.candidates and p.candidates[0].country == "UA"
                 and all(c.country == "UA" for c in p.candidates)]
    introduced = {_norm(p.text) for p in ukrainian if p.cue in ("village", "settlement")}
    if not ukrainian or any(_norm(p.text) not in introduced for p in ukrainian) \
            or len({_norm(p.text) for p in ukrainian}) > 3:
        return feats  # (each introduced as a village once, and few: "In the settlement of Rakitnoye ... the village of
        # Varvarovka ... в Варваровке")
    out = []
    for f in feats:
        if any(p in ukrainian for p in f.places):
            f = replace(f, places=[replace(p, text=_romanised(_as_named(p, f.sent)),
                                           candidates=(), admin1=abroad, admin_hint=abroad)
                                   if p in ukrainian else p for p in f.places])
        out.append(f)
    return out


def _as_named(p: PlaceMention, sent) -> str:
    """The name as the text spells it, in its nominative where the mention read one ("в Журавлевке" ->
    Журавлевка; not a Ukrainian spelling the gazetteer gave for "Борисовка")."""
    quote = sent.text[p.start - sent.start:p.end - sent.start]
    if _CYRILLIC_NAME.match(p.text) and p.text[:4].lower() == quote[:4].lower() \
            and bool(_UK_LETTERS.search(p.text)) == bool(_UK_LETTERS.search(quote)):
        return p.text
    return quote


def _romanised(name: str) -> str:
    """A Cyrillic name as the text spells it, romanised by its language's system (Ukrainian letters: KMU 2010)."""
    return translit_kmu(name) if _UK_LETTERS.search(name) else translit_ru(name)


_UK_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_CYRILLIC_NAME = re.compile(r"[А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ-]+(?:\s+[А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ-]+)?$")
# a preposition of place right before a village named again ("У Мочанівці"): data/lang/*.yaml
_LOCATIVE_BEFORE = text_pattern("locative_before")
# "еще раз", "повторно", "знову": a place shelled once more (data/lang/*.yaml)
_AGAIN = text_pattern("again_words")


def _unknown_named_again(feats: list[SentenceFeatures]) -> list[SentenceFeatures]:
    """A village the gazetteer does not know, introduced once ("у селі Мочанівка Куп'янського району") and then named
    again in another case ("У Мочанівці ... померла жінка"), or in the same form in a sentence about an attack
    ("Позже ... Козино обстреляли еще раз"): the later sentence's place is the same village."""
    known = []
    for f in feats:
        for p in f.places:
            if p.candidates or p.kind != "settlement":
                continue
            quote = f.sent.text[p.start - f.sent.start:p.end - f.sent.start]
            if _CYRILLIC_NAME.match(quote) and len(quote) >= 7:
                known.append((f.sent.index, p, re.compile(r"(?<!\w)" + re.escape(quote[:-2]) + r"\w{0,4}(?!\w)"), False))
            if _CYRILLIC_NAME.match(quote) and len(quote) >= 5:
                known.append((f.sent.index, p, re.compile(r"(?<!\w)" + re.escape(quote) + r"(?!\w)"), True))
    if not known:
        return feats
    out = []
    for f in feats:
        if not f.places:
            for index, p, pat, same_form in known:
                m = pat.search(f.sent.text)
                if index < f.sent.index and m is not None and (
                        _LOCATIVE_BEFORE.search(f.sent.text[:m.start()]) or (same_form and f.attack)):
                    s = f.sent.start + m.start()
                    f = replace(f, places=[replace(p, start=s, end=f.sent.start + m.end(), cue="in")])
                    break
        out.append(f)
    return out


_BARE_ROCKET = re.compile(r"(?i)^rockets?(?:\s+(?:fire|strike|attack)s?)?$")


def _rocket_system(c: IncidentClaim, d: Draft, feats: list[SentenceFeatures], text: str) -> None:
    """A bare "rockets" in the incident's passage (weapon class unknown, GUIDELINES) when the report names one
    rocket system and no other ("Grad multiple rocket launchers fired on the district ... In the village of X,
    about 40 rockets landed"): the system the text names is the incident's."""
    if c.weapon is not None or c.weapon_class != "unknown":
        return
    own = [w for f in d.feats for w in f.weapons]
    if not own or not all(w.entry is None and _BARE_ROCKET.match(w.text.strip()) for w in own):
        return
    systems = {w.entry.id: w for f in feats for w in f.weapons if w.entry is not None}
    if len(systems) != 1:
        return
    [w] = systems.values()
    if w.entry.weapon_class != "rocket_artillery":
        return
    c.weapon, c.weapon_class = w.entry.name, w.entry.weapon_class
    c.evidence["weapon"] = Span(w.start, w.end, text[w.start:w.end])


def _headline(feats: list[SentenceFeatures], text: str) -> SentenceFeatures | None:
    """The first line when it stands alone above the body (a headline or title)."""
    if len(feats) < 4:
        return None
    first = feats[0].sent
    if first.index != 0:
        return None
    if not re.match(r"[^\S\n]*\n[^\S\n]*\n", text[first.end:first.end + 8]):
        # a title line set directly above the body ("Title\nKYIV, May 12 - ..."), as pages and posts are often
        # copied: one line with no end stop, the body starting on the next
        if not (re.match(r"[^\S\n]*\n", text[first.end:first.end + 8]) and "\n" not in first.text.strip()
                and not first.text.rstrip().endswith((".", "!", "?", ",", ";")) and len(first.text) <= 200):
            return None
    if first.text.rstrip().endswith((".", "!", "?")) and len(first.text) > 160:
        return None
    if first.text.rstrip().endswith(".") and len(first.tokens) >= 8 and not first.text.isupper():
        return None  # a one-sentence lead paragraph ("A missile hit ... on Monday, killing two."), not a title
    return feats[0]


_AND_AROUND = text_pattern("and_around")
_DAMAGE_TOLD = text_pattern("damage_told")
_DAY_PERIOD = text_pattern("day_period")
_HARM_WORDS = text_pattern("harm_words")
_UNNAMED_HARM = text_pattern("unnamed_harm")
_UNNAMED_HARM_LOW = text_pattern("unnamed_harm", lowered=True)


def _and_around(f: SentenceFeatures) -> PlaceMention | None:
    """The settlement a figure sentence names together with the area around it ("Zaporizhzhia and the
    surrounding area", "Kharkiv and the region", "Херсон та околиці"), else None."""
    st = f.sent.start
    for p in f.settlements:
        m = _AND_AROUND.match(f.sent.text[p.end - st:p.end - st + 40])
        # "Belgorod and Belgorod district": the district named after the city, not another place's
        if m is not None and (m.groupdict().get("same") is None or _norm(m.group("same"))[:5] == _norm(p.text)[:5]):
            return p
    return None


# "в обласному центрі", "в областном центре", "in the regional capital": the capital of the region told of
_REGIONAL_CENTRE = text_pattern("regional_centre")


def _regional_centres(parts: list[SentenceFeatures], gaz: Gazetteer) -> list[SentenceFeatures]:
    """A sentence naming no settlement but "the regional centre" takes the capital of the region named last
    (an oblast, else the region of the last settlement): "В областном центре беспилотник упал около
    колледжа" in a post about Belgorod region is Belgorod."""
    region, out = None, []
    for f in parts:
        m = _REGIONAL_CENTRE.search(f.sent.text) if not f.settlements else None
        if m is not None and region is not None and (cap := _capital(gaz, region)) is not None:
            st = f.sent.start
            f = replace(f, places=f.places + [PlaceMention(st + m.start(), st + m.end(), m.group(), "settlement",
                                                           cap.admin1, (cap,), "in")])
        if f.oblasts:
            region = f.oblasts[-1].admin1 or region
        elif f.settlements and f.settlements[-1].candidates:
            region = f.settlements[-1].candidates[0].admin1 or region
        out.append(f)
    return out


def _capital(gaz: Gazetteer, admin1: str) -> Place | None:
    """The seat of a region: the oblast's PPLA ("Dnipropetrovsk" -> Dnipro), else a border region's namesake."""
    seats = [p for p in gaz.candidates(admin1) if p.admin1 == admin1 and p.feature_code in ("PPLA", "PPLC")]
    if seats:
        return seats[0]
    foreign = gaz.foreign_candidates(admin1, admin1)
    return foreign[0] if foreign else None


def _casualty_item(f: SentenceFeatures, scene: PlaceMention) -> bool:
    """"In Kupiansk-Vuzlovyi a 72-year-old man was hurt.": a sentence opening with the place, then who was
    hurt there, is an item of the attacks told of, with no attack word of its own."""
    return scene.cue in SCENE_CUES and scene.start - f.sent.start <= 4 and not f.hypothetical \
        and any(x.value is not None and not x.sub for x in f.figures)


def _city_district(area: PlaceMention, current: Draft | None, f: SentenceFeatures) -> bool:
    """"Попадания зафиксированы в Ворошиловском районе" after an attack on Donetsk: a district of the city the
    incident is in (no raion of that name is known), not an area of its own ("у Слобідському та Холодногірському
    районах": the noun after the list)."""
    after = f.sent.text[area.start - f.sent.start:area.end - f.sent.start + 40]
    if not (_RAION_WORD.search(after) and current is not None and current.scene is not None
            and current.scene.candidates):
        return False
    city = max(current.scene.candidates, key=lambda c: c.population)
    if not (city.population >= 100000 or city.feature_code in ("PPLA", "PPLC")):
        return False
    # a raion of that name in another oblast, the sentence naming none ("під час обстрілу Дніпровського району"
    # after an attack on Kherson): the city's own district
    return area.admin1 is None or (area.admin1 != city.admin1 and not f.oblasts)


_RAION_WORD = text_pattern("raion_word")


def _area_draft(f: SentenceFeatures, current: Draft | None, drafts: list[Draft], tallies: list[TallyClaim],
                last_oblast: PlaceMention | None, doc_oblast: PlaceMention | None, last_source: str | None,
                publisher: str | None, carried) -> Draft:
    """A district or community named as the scene and no settlement ("У Межівській громаді загинув чоловік",
    "В Пологовском районе ранены двое"): an incident there, place null, the area's oblast (else the oblast the
    text is about). Several areas at once ("На Нікопольщині під обстрілами були ... Марганецька, Мирівська та
    Покровська громади") are a summary: figures under it are their count, a tally. An area inside the district
    just named, before any figure ("На Синельниківщині ворог атакував дронами. У Межівській громаді загинув
    ..."), refines that incident."""
    area = f.areas[0]
    several = len(f.areas) >= 2
    # the oblast: named in the sentence, else the raion's (when only one raion has the name), else the one the
    # text is about here, else the only oblast the text names
    ctx = None if current is None else current.admin1 or (
        current.scene.candidates[0].admin1 if current.scene is not None and current.scene.candidates else None)
    if f.oblasts:
        admin1, mention = f.oblasts[0].admin1, f.oblasts[0]
    elif area.admin1 is not None:
        admin1, mention = area.admin1, area
    elif ctx is not None and current is not None and (current.admin1_mention or current.scene) is not None:
        admin1, mention = ctx, current.admin1_mention or current.scene
    elif last_oblast is not None:
        admin1, mention = last_oblast.admin1, last_oblast
    else:
        admin1, mention = (doc_oblast.admin1, doc_oblast) if doc_oblast is not None else (None, None)
    if several and any(x.value is not None for x in f.figures):
        tallies.append(_tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher))
        tallies[-1].scope = ", ".join(a.text for a in f.areas)
        f = replace(f, figures=[])
    if current is not None and current.area is not None and not current.header and current.scene is None \
            and not current.summary and not several and len(current.feats) == 1 \
            and not any(x.value is not None for g in current.feats for x in g.figures) and not current.feats[0].objects:
        current.area = area
        current.add(f)
        return current
    d = _new_draft(f, None, carried())
    d.admin1, d.admin1_mention, d.area, d.summary = admin1, mention, area, several
    drafts.append(d)
    return d


def _draft_counts(d: Draft) -> dict[str, int]:
    """The highest stated count of the dead and of the wounded over the draft's sentences."""
    out: dict[str, int] = {}
    for g in d.feats:
        for role, n in _sentence_counts(g).items():
            out[role] = max(out.get(role, 0), n)
    return out


def _list_totals(drafts: list[Draft], tallies: list[TallyClaim], last_source: str | None,
                 publisher: str | None) -> None:
    """A count with no place inside a list of places with their own counts ("в Голой Пристани погиб мужчина. Еще
    восемь человек получили ранения. Четверо пострадали в Каховке ... Трое ранены в Алешках ... В Старой Збурьевке
    пострадал один"): when the places' own counts add up to it, it is their sum, a tally (filling the region's tally
    told before, if that lacks the count); when they add up to more, it is part of that sum ("семерых раненых
    госпитализировали"), no place's. Either way it leaves the place it followed (in place)."""
    def own(e: Draft, role: str) -> int:
        return max((_sentence_counts(g).get(role, 0) for g in e.feats if g.settlements), default=0)
    for d in drafts:
        if d.scene is None or len(d.feats) < 2:
            continue
        for g in list(d.feats[1:]):
            if g.places or g.areas or g.dates:
                continue
            counts = _sentence_counts(g)
            if len(counts) != 1 or _TOLL_UPDATE.search(g.sent.text):
                continue
            [(role, n)] = counts.items()
            listed = [e for e in drafts if e.scene is not None and own(e, role)]
            total = sum(own(e, role) for e in listed)
            if len(listed) < 3 or n <= own(d, role) or n > total:
                continue
            d.feats.remove(g)
            if n == total:
                t = _tally(g, g.source[0] if g.source and not g.pronoun_source else last_source, publisher)
                lacking = next((x for x in tallies if getattr(x, role) is None and x.evidence
                                and min(s.start for s in x.evidence.values()) < g.sent.start), None)
                if lacking is not None:
                    _fill_tally(lacking, t)
                else:
                    tallies.append(t)


def _district_totals(drafts: list[Draft], tallies: list[TallyClaim], last_source: str | None,
                     publisher: str | None) -> list[Draft]:
    """A district's count told before its places' own ("на Нікопольщині поранені п'ятеро людей ... Марганецькій
    громаді: двоє ... У Нікополі троє"): when two or more places of the text after it add up to it exactly, it is
    their sum, a tally, not an attack with no settlement. The same for a region's count (`_region_total`) and a
    day's count with no place told before the places' own tolls."""
    out = list(drafts)
    for k, d in enumerate(drafts):
        if d.scene is not None or d.header or d.summary:
            continue
        if d.area is None:
            day_count = d.admin1 is None and not d.recalled and any(g.tally_cue and g.attack for g in d.feats) \
                and _draft_counts(d) and any(e.scene is not None and _draft_counts(e) for e in drafts[k + 1:])
            # "число пострадавших за 8 ноября выросло до пяти ... за сутки восемь раз обстреляли ... В Горловке ...
            # оба погибли": a day's count with no place, before the places' own tolls, is their sum, a tally
            if day_count or _region_total(d, drafts[k + 1:]):
                tallies.append(_draft_tally(d, last_source, publisher))
                out.remove(d)
            continue
        counts = _draft_counts(d)
        if not counts:
            continue
        code = d.area.raion  # the district's places only, where its raion is known
        items = [e for e in drafts[k + 1:] if (e.scene is not None or e.area is not None) and not e.header
                 and (e.admin1 is None or d.admin1 is None or e.admin1 == d.admin1) and _draft_counts(e)
                 and (code is None or e.scene is None or any(c.raion == code for c in e.scene.candidates[:1]))]
        if code is None:
            continue  # a community's or a district's of no known raion: its places cannot be told from others
        if len(items) < 2:
            continue
        first = d.first_date or d.date_ctx
        items = [e for e in items if (e.first_date or e.date_ctx) is None or first is None
                 or (e.first_date or e.date_ctx).value == first.value]  # (an earlier day's attack is not of the count)
        sums = {r: sum(_draft_counts(e).get(r, 0) for e in items) for r in counts}
        if sums == counts and all(sum(1 for e in items if _draft_counts(e).get(r)) >= 2 for r in counts):
            t = _draft_tally(d, last_source, publisher)
            t.scope = d.area.text
            tallies.append(t)
            out.remove(d)
            armed = next((g for g in d.feats if g.weapons), None)
            for e in items:
                if armed is not None and not any(g.weapons for g in e.feats):
                    # "атакували Нікопольський район FPV-дронами": the weapon of the district's count is its places'
                    e.feats.insert(0, replace(armed, figures=[], objects=[], places=[], areas=[]))
    return out


_THREAT = text_pattern("threat")
_SUMMARY_DAY = text_pattern("summary_day")  # "за 8 ноября": the day a summary counts


def _draft_tally(d: Draft, last_source: str | None, publisher: str | None) -> TallyClaim:
    """The tally a count-only draft becomes, read from its first sentence with a figure."""
    f = next(g for g in d.feats if any(x.value is not None for x in g.figures))
    return _tally(f, f.source[0] if f.source and not f.pronoun_source else last_source, publisher)


def _sentence_counts(f: SentenceFeatures) -> dict[str, int]:
    """The highest stated count of the dead and of the wounded in one sentence (subgroups left out)."""
    out: dict[str, int] = {}
    for x in f.figures:
        if x.value is not None and x.role in ("killed", "injured") and not x.sub:
            out[x.role] = max(out.get(x.role, 0), x.value)
    return out


def _region_total(d: Draft, later: list[Draft]) -> bool:
    """"Russian drones killed two people and wounded two more in Chernihiv Oblast on Wednesday ... In a village of
    the Snovsk community ... killing its driver ... a village of Novhorod-Siverskyi district. The 39-year-old driver
    was killed": a region's count with no place, told before two or more of its attacks of that day whose dead add
    up to it (and whose other figures do not pass it), is their sum, a tally."""
    counts = _draft_counts(d)
    if d.admin1 is None or not counts.get("killed") or d.admin1_mention is None or d.admin1_mention.kind != "oblast":
        return False
    first = d.first_date or d.date_ctx
    items = [e for e in later if (e.scene is not None or e.area is not None) and not e.header
             and e.admin1 == d.admin1 and _draft_counts(e)
             and ((e.first_date or e.date_ctx) is None or first is None or (e.first_date or e.date_ctx).value == first.value)]
    if len(items) < 2:
        return False
    sums = {r: sum(_draft_counts(e).get(r, 0) for e in items) for r in counts}
    return sums["killed"] == counts["killed"] and sum(1 for e in items if _draft_counts(e).get("killed")) >= 2 \
        and all(sums[r] <= counts[r] for r in counts)


def _region_summary(f: SentenceFeatures) -> bool:
    """A sentence telling of attacks over a region and a period, naming no settlement and giving no figure:
    "Протягом минулої доби російська армія 67 разів обстріляла Херсонську область", "Russian forces struck
    seven settlements in Kharkiv region over the past day"."""
    return bool(f.attack and f.tally_cue and f.oblasts and not f.settlements and not f.hypothetical
                and not any(x.value is not None for x in f.figures))


def _can_start(f: SentenceFeatures, strict: bool = True) -> bool:
    if not f.attack:
        return False
    if _HABITUAL.search(f.sent.text) and not f.dates and not any(x.value is not None for x in f.figures):
        return False
    if f.hypothetical and not f.figures and not f.objects:
        return False
    return bool(f.figures or f.objects or f.weapons or f.new_event or f.times or f.strike or f.shared_toll or not strict)


def _carried(date_ctx: DateMention | None, f: SentenceFeatures, drafts: list[Draft],
             where: PlaceMention | None = None, wave_doc=lambda: False,
             dated_places: frozenset | set = frozenset()) -> DateMention | None:
    """The date a new incident at another place takes from the sentences before, when its own sentence
    gives none. None (abstain) when that date is another incident's and the text's incidents are on
    different days ("On 6 March ... Odesa. On 12 March ... Kryvyi Rih. In Kherson, shelling damaged the
    cathedral."): which day, if any, the new item shares is a guess. None too when the new incident opens
    a paragraph of its own in another region than every incident before, and the text tells of no wave over
    the country or several regions ("Yesterday, a drone hit a house in Kharkiv ...\n\nRussian forces also
    shelled a hospital in Beryslav"): nothing says it was the same day. A place an earlier dated sentence
    named ("Russian forces struck Kyiv and Kharkiv early on Thursday. ... In Kharkiv, a missile hit a school")
    keeps that day (`dated_places`)."""
    if date_ctx is None or f.dates:
        return date_ctx
    if _SEPARATE.search(f.sent.text) and not _SAME_TIME.search(f.sent.text):
        return None  # "In a separate attack, a drone struck a hospital in Rylsk": its day is not told
    told = [d for d in drafts if not d.header]
    owned = any(d.date_ctx is date_ctx or any(dm is date_ctx for g in d.feats for dm in g.dates) for d in told)
    days = {dm.value for d in told if (dm := d.first_date or d.date_ctx) is not None}
    if owned and len(days) >= 2:
        return None
    if owned and where is not None and told and _opens_paragraph(f, told) \
            and not _SAME_TIME.search(f.sent.text) and _place_key(where) not in dated_places and not wave_doc():
        mine = _regions_of(where)
        theirs = [_regions_of_draft(d) for d in told]
        if mine and all(theirs) and not any(mine & t for t in theirs):
            return None
    return date_ctx


# "In a separate attack, ...": told apart from the attack before, and its day not given. ("In another attack"
# is not enough: a report of one day's attacks lists them so, and the annotation keeps that day.)
_SEPARATE = re.compile(r"\b(?:in|during) (?:a|another) separate (?:attack|strike|incident|shelling)s?\b", re.IGNORECASE)
_SAME_TIME = text_pattern("same_time")


def _place_key(p: PlaceMention) -> str:
    """The same place however it is inflected: its first candidate's name, else its text."""
    return p.candidates[0].name if p.candidates else (p.admin1 or _norm(p.text))


def _opens_paragraph(f: SentenceFeatures, told: list[Draft]) -> bool:
    return all(f.sent.paragraph != g.sent.paragraph for d in told for g in d.feats)


def _regions_of(p: PlaceMention) -> set[str]:
    """The regions a place may be in (every candidate's: a village name is often in several)."""
    if p.kind == "oblast":
        return {p.admin1} if p.admin1 else set()
    return {c.admin1 for c in p.candidates if c.admin1}


def _regions_of_draft(d: Draft) -> set[str]:
    out = {d.admin1} if d.admin1 is not None else set()
    return out | (_regions_of(d.scene) if d.scene is not None else set())


def _new_draft(f: SentenceFeatures, scene: PlaceMention | None, date_ctx: DateMention | None) -> Draft:
    d = Draft(scene=scene, date_ctx=date_ctx)
    d.add(f)
    return d


_ANOTHER = re.compile(r"\b(?:another|a second|a further)\b", re.IGNORECASE)


def _new_day(current: Draft, f: SentenceFeatures) -> bool:
    mine = current.first_date or current.date_ctx
    return bool(f.dates) and mine is not None and all(d.value != mine.value for d in f.dates)


_PAST_PERIOD = re.compile(
    r"^(?:(?:back )?in|last|early|late) (?:(?:early|late|mid-?) ?)?(january|february|march|april|may|june|july|"
    r"august|september|october|november|december|year|summer|autumn|winter|spring)\b(?! \d)", re.IGNORECASE)


def _past_period(f: SentenceFeatures, last: Draft) -> bool:
    """A sentence opening on a past month or season with no day ("Last August ...", "In November ...")
    while the text's latest incident has a day in another month: a background recollection."""
    m = _PAST_PERIOD.match(f.sent.text)
    mine = last.first_date
    if m is None or mine is None:
        return False
    if not f.attack or f.plural_events or TALLY.search(f.sent.text, m.end()):
        return False  # "In March, the mission verified 200 civilian deaths": a tally, kept as one
    word = m.group(1).lower()
    return word not in MONTHS or MONTHS.index(word) + 1 != mine.value.month


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")


# "On 13 March, ...", "On March 13 ...": a sentence opening on its calendar day
_OPENS_ON_DATE = re.compile(r"^\W*(?i:on|by)\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+|[A-Z][a-z]+\s+\d{1,2}(?:st|nd|rd|th)?)\b")
_TOLL_UPDATE = re.compile(r"\b(?:toll|rose|risen|rises|climbed|died (?:of|from) (?:their|his|her) (?:wounds|injuries)|succumbed|"
                          r"bodies|recovered|updated?)\b", re.IGNORECASE)


def _after_tally(f: SentenceFeatures, by_index: dict, tallies: list[TallyClaim]) -> bool:
    """The sentence just before f, in its paragraph, gave its figures to a tally."""
    g = by_index.get(f.sent.index - 1)
    if g is None or g.sent.paragraph != f.sent.paragraph or not any(x.value is not None for x in g.figures):
        return False
    return any(g.sent.start <= ev.start < g.sent.end for tl in tallies for ev in tl.evidence.values())


def _other_day(current: Draft, f: SentenceFeatures) -> bool:
    if not (f.dates and f.attack):
        return False
    mine = current.first_date
    if mine is None:
        return False
    if not f.new_event:
        # a background paragraph with its own calendar date and toll ("On March 2, a drone slammed
        # into an apartment block in the city, killing 12"), or with the object it hit in a paragraph
        # of its own ("On 2 March a drone fell on an apartment block in the city."): an earlier attack
        # on the same place
        figures = any(x.value is not None for x in f.figures)
        new_para = f.sent.paragraph != current.last_para
        if figures and _EARLIER_ATTACK.search(f.sent.text) and all(d.value != mine.value for d in f.dates):
            # "It was the second attack on the city this week; on Monday a missile killed seven people there"
            return True
        if (figures or (f.objects and new_para and _OPENS_ON_DATE.match(f.sent.text) is not None)) \
                and any(not d.relative for d in f.dates) and all((mine.value - d.value).days > 1 for d in f.dates):
            return True  # ("on Friday, December 6": the weekday names the same calendar day)
        # a paragraph opening on a later calendar date with its own harm or weapon ("On 13 March,
        # submunitions exploded on a street ..., killing nine"): a dated item of a chronology, another attack
        # (not a toll update: "On 9 March the toll rose to 25")
        return (new_para and (figures or f.objects or f.weapons) and _OPENS_ON_DATE.match(f.sent.text) is not None
                and not _TOLL_UPDATE.search(f.sent.text)
                and all(not d.relative and (d.value - mine.value).days > 1 for d in f.dates))
    if f.weapons and f.sent.paragraph != current.last_para and _ANOTHER.search(f.sent.text):
        # a new paragraph: "At 00:10 on Monday the enemy fired another missile at the city"
        return all(d.value != mine.value for d in f.dates)
    return all(abs((d.value - mine.value).days) > 1 for d in f.dates)


_EARLIER_ATTACK = text_pattern("earlier_attack")
_SECOND_STRIKE = text_pattern("second_strike")  # data/lang/*.yaml


def _strike_again(current: Draft, f: SentenceFeatures, date_ctx: DateMention | None) -> Draft:
    """A new incident for another strike on the current incident's place and region (see _second_strike)."""
    d = _new_draft(f, current.scene, date_ctx)
    d.admin1, d.admin1_mention = current.admin1, current.admin1_mention
    return d


def _second_strike(current: Draft, f: SentenceFeatures) -> bool:
    """A placeless sentence marking another strike on the current incident's place ("another/a second
    strike", "Later on Saturday evening, a missile strike ...") with its own time or figures, while
    the current incident already has figures or a time of its own."""
    if current.scene is None or current.header or not f.attack or f.settlements or f.hypothetical \
            or any(not _in_admin1(current.scene, o.admin1) for o in f.oblasts):
        return False  # (the place's own region may be named: "repeated the air strike on the Kherson region")
    if not (f.times or any(x.value is not None and not x.sub for x in f.figures)):
        return False
    if not any(g.times or any(x.value is not None for x in g.figures) for g in current.feats):
        return False
    return _SECOND_STRIKE.search(f.sent.text) is not None or (f.new_event and _BESIDES.search(f.sent.text) is not None)


_BESIDES = text_pattern("besides_words")  # "Кроме того", "Крім того", "In addition" (data/lang/*.yaml)


_WHENCE = frozenset({"from", "towards", "toward", "to"})  # a place named as whence or whither, not as a scene


def _after_other_place(f: SentenceFeatures, before: SentenceFeatures | None, current: Draft) -> bool:
    """A placeless figure sentence in a new paragraph whose sentence before (same paragraph, left out of
    the current incident) names another region or settlement ("In the north-east, the governor of the
    Kharkiv region said investigators had found a column of cars ... Twenty-four bodies had been
    recovered, among them 13 children"): the figures are about that place, not the current incident.
    Abstain: they join no incident."""
    if before is None or f.sent.paragraph == current.last_para or before.sent.paragraph != f.sent.paragraph:
        return False
    if not any(x.value is not None for x in f.figures) or any(before is g for g in current.feats):
        return False
    names = {_norm(g.scene.text) for g in [current] if g.scene is not None}
    others = [p for p in before.settlements if _norm(p.text) not in names and p.cue not in _WHENCE]
    regions = [o for o in before.oblasts if o.admin1 != current.admin1
               and not (current.scene is not None and _in_admin1(current.scene, o.admin1))]
    return bool(others or regions)


def _draft_for_object(drafts: list[Draft], current: Draft | None, f: SentenceFeatures) -> Draft | None:
    """The earlier incident whose object a placeless sentence names again ("the printing house"),
    when the current incident has no such object."""
    names = {o.text.lower() for o in f.objects}
    if not names or (current is not None and names & {o.text.lower() for g in current.feats for o in g.objects}):
        return None
    for d in reversed(drafts):
        if d is not current and d.scene is not None and names & {o.text.lower() for g in d.feats for o in g.objects}:
            return d
    return None


def _gap(f: SentenceFeatures, current: Draft, skipped: list[int]) -> int:
    """Sentences between the draft's last one and f, not counting left-out lines (live-entry times)."""
    return f.sent.index - current.last_index - sum(1 for i in skipped if current.last_index < i < f.sent.index)


# "з початку війни в Миколаєві загинули 86", "с начала войны", "за время войны": since the war began; "станом на
# 17:00", "по состоянию на": a count as of an hour (data/lang/*.yaml)
_SINCE_WAR = text_pattern("since_war")
_AND = text_pattern("and_words", lowered=True)  # "and", "і", "та", "и" (case-sensitive: lower-case only)
_AS_OF = text_pattern("as_of")


def _is_tally(f: SentenceFeatures, current: Draft | None, sole: bool = False, only: Draft | None = None,
              several: bool = False) -> bool:
    if not any(x.value is not None for x in f.figures):
        return False
    if not f.settlements and re.search(r"\belsewhere\b", f.sent.text, re.IGNORECASE):
        return True  # "elsewhere in the capital another 20 were killed": several sites together
    strong = bool(re.search(r"since the (?:start|beginning)|since (?:the )?(?:full-scale )?invasion|"
                            r"cumulative|monitoring mission|verified|recorded|this year|since (?:january|february|march|april|may|june|july|august|september|october|november|december)|"
                            r"since the war|war began|since 24 february|since february 24|"
                            r"(?:after|in|over) (?:the )?(?:first )?(?:\w+ )?(?:months|years) of (?:the )?(?:full-scale )?(?:war|invasion)",
                            without_comparison(f.sent.text), re.IGNORECASE)
                  or _SINCE_WAR.search(without_comparison(f.sent.text)))
    if strong:
        # "HRMMU verified that 13 civilians were killed" right after the attack it reports (same
        # paragraph, no other place, no other aggregate wording): that attack's verified toll
        return not (_VERIFIED.search(f.sent.text) and not TALLY.search(_VERIFIED.sub(" ", f.sent.text))
                    and current is not None and current.scene is not None and current.last_para == f.sent.paragraph
                    and not f.settlements and max(x.value for x in f.figures if x.value is not None) < 100)
    if f.total_only and (_NATIONWIDE.search(f.sent.text) or _SWEEP.search(f.sent.text) or _IN_THE_REGION.search(f.sent.text)):
        return True  # "Загалом по всій Україні загинули дев'ять людей": the country's (or region's) sum
    if not f.settlements and _OF_ATTACKS.search(f.sent.text) and _IN_THE_REGION.search(f.sent.text):
        return True  # "в результате атак беспилотников на территории области погибли два": the region's sum
    if f.total_only and not f.settlements and _OF_ATTACKS.search(f.sent.text):
        return True  # "Всего при обстрелах были ранены четверо": the sum of several attacks, not the last one's toll
    if f.oblasts and not f.settlements and not f.areas and _DAY_PERIOD.search(f.sent.text):
        return True  # "(Всего) за субботу на Херсонщине погибли уже три человека": the region's count for the day
    if f.total_only or re.search(r"so[- ]far|in total|overall", without_comparison(f.sent.text), re.IGNORECASE):
        # "In total, 12 people have been killed" right after the attack it sums up is that attack's toll
        own = (current is not None and current.scene is not None and current.last_para == f.sent.paragraph
               and not f.settlements and max(x.value for x in f.figures if x.value is not None) < 100)
        # a later entry of a text about one attack: "In total the drone strike killed 12 people"
        own = own or (_continues_only(f, only, totals_ok=True) and max(x.value for x in f.figures if x.value is not None) < 100)
        # "In total the strike on Kramatorsk has killed four people": the toll of the one attack on the current place
        own = own or (current is not None and current.scene is not None and bool(f.settlements)
                      and all(p.text.lower() == current.scene.text.lower() for p in f.settlements)
                      and _ONE_STRIKE_ON.search(f.sent.text) is not None
                      and max(x.value for x in f.figures if x.value is not None) < 100)
        return not own
    if f.settlements and _month_of_attacks(f):
        return True  # "In September Russian forces attacked Kharkiv 53 times and 188 people were injured": a month's count
    if f.settlements and _nationwide_figures(f):
        return True  # "38 civilians were killed nationwide, 27 of them in Kyiv": the country's count
    if _several_places(f):
        return True  # "17 dead and 90 injured in the Kharkiv, Kherson and Sumy regions": several places' total
    if any(not _filed_from(p, f) for p in f.settlements):
        return False
    if re.search(r"\b(already|to date|as of)\b", f.sent.text, re.IGNORECASE) and not f.tally_cue:
        # "As of now we know of 23 dead": in a text about one attack, an update of its toll
        return not (sole and current is not None and max(x.value for x in f.figures if x.value is not None) < 100)
    if several and _AS_OF.search(f.sent.text) and not f.tally_cue:
        return True  # "Станом на 17:00 відомо про одну загиблу та трьох поранених" after several attacks: their sum
    if f.tally_cue:
        return True
    if f.past_day is not None and f.oblasts and not f.dates:
        return True  # "Russian attacks on the Kherson region over the past 24 hours killed one": the region's day
    if f.oblasts and f.plural_events and current is not None and (current.scene is not None or current.area is not None):
        # after the region's places were told: "one person had been killed and 14 injured in the Kyiv region in the
        # massive missile and drone attacks", the region's count
        return True
    if max(x.value for x in f.figures if x.value is not None) >= 100 and not (
            (current is not None and current.last_para == f.sent.paragraph or _continues_only(f, only))
            and max(x.value for x in f.figures if x.value is not None) < 1000) and not _one_dated_attack(f):
        return True  # figures this large with no settlement named are totals, not one attack
    if (f.plural_events or _OF_ATTACKS.search(f.sent.text)) and current is None:
        return True  # "в результате атак ВСУ ранения получили 12 мирных жителей" before any place: several attacks' sum
    return False


# "over 100 injured in this barbaric attack": the toll of the one attack the text is about
# "Russia struck a small settlement in Kharkiv region": another, unnamed place of the region, not the city told of
_UNNAMED_PLACE = re.compile(r"\b(?:a|one|another)\s+(?:small\s+|frontline\s+|front-line\s+|nearby\s+|border\s+)?"
                            r"(?:settlement|village|town|community|hamlet)\s+(?:in|of)\s+(?:the\s+)?$", re.IGNORECASE)
_ONE_STRIKE_ON = re.compile(r"\bthe\s+(?:[\w-]+\s+)?(?:strike|attack|airstrike|air strike|bombing|shelling)\s+(?:on|in)\b",
                            re.IGNORECASE)
_THIS_ATTACK = re.compile(r"\b(?:in|during|by|from)\s+(?:this|that)\s+(?:[\w-]+\s+){0,2}?(?:attack|strike|bombing|shelling)\b(?!s)",
                          re.IGNORECASE)
_BACK_REFERENCE = re.compile(r"\b(?:the|these|those|this|that)\s+(?:[\w-]+\s+)?(?:attacks?|strikes?)\b", re.IGNORECASE)
_ONE_ATTACK = re.compile(r"\b(?:a|an|one|the)\s+(?:[\w-]+\s+){0,2}?(?:missile|rocket|drone|bomb|shell|strike|airstrike)\s+"
                         r"(?:hit|struck|slammed|landed|exploded|tore)\b", re.IGNORECASE)


_OF_ATTACKS = text_pattern("of_attacks")


# a month as the period: "in September", "last month", "у вересні", "минулого місяця", "в сентябре", "за месяц"
_MONTH_PERIOD = text_pattern("month_period")
# a count of attacks: "attacked Kharkiv 53 times", "53 рази атакували", "обстреляли 40 раз"
_COUNT_OF_ATTACKS = text_pattern("count_of_attacks")


def _month_of_attacks(f: SentenceFeatures) -> bool:
    """A month's figures for a place, told with a count of its attacks (or of plural attacks): no incident's toll.
    A single attack recalled by its month ("In September a missile hit Kharkiv, killing five") stays one."""
    text = f.sent.text
    return bool(_MONTH_PERIOD.search(text) and (_COUNT_OF_ATTACKS.search(text) or f.plural_events)
                and not f.dates)


def _one_dated_attack(f: SentenceFeatures) -> bool:
    """"On 19 August last year a Russian missile hit the city's drama theatre ..., injuring 144": one
    weapon hitting one object on a stated day is one attack, whatever the size of its toll."""
    if f.plural_events:
        return False
    return bool((f.dates and f.objects and _ONE_ATTACK.search(f.sent.text)) or _THIS_ATTACK.search(f.sent.text))


def _several_places(f: SentenceFeatures) -> bool:
    """A figure sentence listing several settlements or regions ("in Kharkiv, Kherson, Sumy and Donetsk
    regions") without a clause of its own for each (see _split_scenes): one total over all of them."""
    if len(_scene_places(f)) >= 2:
        return False
    st = f.sent.start
    for group in (f.settlements, f.oblasts):
        for a, b in zip(group, group[1:]):
            if _norm(a.text) == _norm(b.text) or (a.candidates and _norm(b.text) == _norm(a.candidates[0].admin1 or "")):
                continue  # "Sloviansk, Donetsk": a town and its region, not two places
            gap = f.sent.text[a.end - st:b.start - st]
            if _LIST_GAP.match(gap) and _LIST_JOINER.search(gap):
                return True  # (not "the village of Shulske in Lozova district": the second places the first)
    return False


_LIST_JOINER = re.compile(r",|\b(?:and|or)\b")


_CLAUSE_BREAK = re.compile(r"[;:.]|\b(?:while|whereas|but)\b|,\s*(?:and\s+)?(?:in|on|at)\s", re.IGNORECASE)


def _nationwide_figures(f: SentenceFeatures) -> list:
    """The figures a sentence gives for the whole country, in either order: "an attack across Ukraine on
    Monday killed 31", "31 people were killed across Ukraine" (no place and no clause break between
    the figure and the nationwide words)."""
    m = _NATIONWIDE.search(f.sent.text)
    if m is None:
        return []
    st = f.sent.start
    at, at_end = st + m.start(), st + m.end()
    out = []
    for x in f.figures:
        if x.value is None or x.sub:
            continue
        lo, hi = (x.end, at) if x.end <= at else (at_end, x.start)
        if hi < lo:
            continue
        if _CLAUSE_BREAK.search(f.sent.text[lo - st:hi - st]) or any(lo <= p.start < hi for p in f.settlements):
            continue
        out.append(x)
    return out


def _sweep(f: SentenceFeatures) -> re.Match | None:
    """"as Russia pounded cities across the east": a sweep over part of the country; not the words that place a town
    just named ("the village of Shevchenkove in eastern Ukraine")."""
    st = f.sent.start
    for m in _SWEEP.finditer(f.sent.text):
        if not any(p.end <= st + m.start() and not f.sent.text[p.end - st:m.start()].strip(" ,")
                   for p in f.places):
            return m
    return None


def _figures_of(f: SentenceFeatures, m: re.Match) -> list:
    """The figures a sentence gives for the area the match names (no place and no clause break between)."""
    st = f.sent.start
    at, at_end = st + m.start(), st + m.end()
    out = []
    for x in f.figures:
        if x.value is None:
            continue
        lo, hi = (x.end, at) if x.end <= at else (at_end, x.start)
        if hi < lo or _CLAUSE_BREAK.search(f.sent.text[lo - st:hi - st]) or any(lo <= p.start < hi for p in f.places):
            continue
        out.append(x)
    return out


def _continues_only(f: SentenceFeatures, only: Draft | None, totals_ok: bool = False) -> bool:
    """f, with no place, date or plural wording of its own, updates the toll of the text's only incident
    ("In total the drone strike killed 12 people": `totals_ok` lets "in total/so far/overall" pass)."""
    if only is None or only.scene is None or f.settlements or f.oblasts or f.dates or f.plural_events or f.new_event:
        return False
    if not f.tally_cue:
        return True
    return totals_ok and not TALLY.search(_TOTAL_WORDS.sub(" ", f.sent.text))


_NATIONWIDE = text_pattern("nationwide")
# an attack on the whole country: "assault against Ukraine", "росія атакувала Україну", "удар по всей Украине"
_WAVE_ON_COUNTRY = text_pattern("wave_on_country")
# an earlier attack told without its day: "Last month, ...", "earlier this week", "Нагадаємо, минулого тижня ..."
_VAGUE_PAST = text_pattern("vague_past")
# "a day after a drone attack on the city killed three", "hours after", "через день після удару, який ..."
_AFTER_OTHER = text_pattern("after_other_attack")
_ACROSS_REGION = text_pattern("across_region")
# "..., including four in Kramatorsk", "з них двоє у Краматорську": a place named only for its share of a total
_SHARE_BEFORE = text_pattern("share_before")
# a sweep over part of the country: "cities across the east", "In all, four people died in the south"
_SWEEP = text_pattern("sweep")
# "in the region" with no settlement: the region's count ("shelling of 12 towns and villages in the region killed two")
_IN_THE_REGION = text_pattern("in_the_region")
_COUNTRY_WORDS = text_words("country_words")  # "ukraine", "україн", "украин": a cheap test before _WAVE_ON_COUNTRY
# a figure sentence that totals several places it does not name one by one: "in the two cities", "in both
# towns", "у трьох областях", "в двух городах"
_SEVERAL_TOTAL = text_pattern("several_total")
# a region noun in the plural after a region's name: "the Kharkiv, Sumy and Odesa regions", "Харківську, Сумську
# та Одеську області" (the list's other names may not be read as regions)
_REGIONS_PLURAL = text_pattern("regions_plural")
# "since March, when a drone strike ... killed 12": the figures after "when" are another, earlier attack's
_PAST_WHEN = text_pattern("past_when")
_DAYS_APART = re.compile(r"\b(\w+) days (earlier|before|later|after)\b(?!\s+(?:the|a|an|it|its|this|that)\b)",
                         re.IGNORECASE)
_NEXT_DAY = re.compile(r"\b(?:the|on the) (?:next|following) (?:day|morning|night|evening|afternoon)\b", re.IGNORECASE)
_SPEECH_DAY = re.compile(r"(?:today|this (?:morning|afternoon|evening))$", re.IGNORECASE)
# a period with no day ("earlier this month", "last weekend", "recently"): the sentence's attack has no date
_VAGUE_TIME = re.compile(r"\b(?:earlier|later) this (?:week|month|year)\b|\blast (?:week|weekend|month|year|summer|"
                         r"autumn|winter|spring)\b|\b(?:this|that) (?:week|month|year)\b|\bin recent (?:days|weeks|months)\b|"
                         r"\brecently\b|\blately\b|\bover the past (?:week|month|few days)\b", re.IGNORECASE)
def _speech_day_only(f: SentenceFeatures) -> bool:
    """"Thank you for your briefing today": a sentence with no attack or figure whose only dates are
    today's is about the speech, and gives no date context."""
    return not f.attack and not f.figures and all(_SPEECH_DAY.match(f.sent.quote(d.start, d.end)) for d in f.dates)


_AIMED = re.compile(r"\b(?:aimed|intended|meant|headed|heading|targeting)\b", re.IGNORECASE)
# what an army does again and again, not one attack ("keep shelling", "щодня обстрілюють", "регулярно обстреливают",
# "росіяни регулярно б'ють по ньому ракетами"): no one attack (`_can_start`). (A second, shorter definition of this
# name earlier in the module was never in force: this one replaced it at import; it is removed.)
_HABITUAL = text_pattern("habitual")
_SAME_DAY = re.compile(r"\b(?:the same|that same|on the same) (?:day|morning|night|evening|afternoon)\b", re.IGNORECASE)
_VERIFIED = re.compile(r"\b(?:verified|recorded)\b", re.IGNORECASE)
_TOTAL_WORDS = re.compile(r"so[- ]far|in total|overall", re.IGNORECASE)


_AREA_AFTER = re.compile(r"^\W{0,3}(?:district|region|oblast|raion|community|hromada|area)\b", re.IGNORECASE)


def _scene_places(f: SentenceFeatures) -> list[PlaceMention]:
    """Distinct settlements the sentence names as scenes ("in A", "on B"), in order."""
    seen: dict[str, PlaceMention] = {}
    st = f.sent.start
    # "the town of A" is a scene when the sentence gives places' shares ("Three of the dead were in the town of A and
    # two in the village of B"); else a town so introduced may be a landmark ("a few kilometres from the town of B")
    cues = ("in", "on", "at", "village", "town", "city") if sum(1 for x in f.figures if x.sub and x.group == TOTAL) >= 2 \
        else ("in", "on", "at", "village")
    for p in f.settlements:
        if p.cue in cues and not _AREA_AFTER.match(f.sent.text[p.end - st:p.end - st + 20]):
            seen.setdefault(_norm(p.text), p)
    return list(seen.values())


_PART_BREAK = text_pattern("part_break")
_COMMA = text_pattern("comma")
_TOGETHER = text_pattern("together")
_EACH = text_pattern("each")  # "по одній людині": one each


# right after a figure, the region's people: "18 residents of the region", "18 людей по області", "18 жителей области"
_REGION_PEOPLE = text_pattern("region_people")


def _split_scenes(f: SentenceFeatures) -> tuple[list[SentenceFeatures], bool]:
    """A sentence naming several scenes, as one part per place, and whether it is a tally.

    "In A two people were killed; in B four were killed": each place keeps the figures of its
    own clause. "At least 30 were killed in strikes on homes in A, in B and in C": one figure
    for several places is a tally, and each place still gets a part (its objects, its date)
    with no figure."""
    places = _scene_places(f) if f.figures or f.objects else []
    if len(places) < 2:
        return [f], False
    if not any(x.value is not None for x in f.figures) and len({p.text.lower() for p in places}) >= 3 \
            and _listed(places, f) and not _DAMAGE_TOLD.search(f.sent.text):
        # "Обстрелам подверглись жилые кварталы в A, B, C и D": places under fire listed, no damage told of any; left
        # whole, a summary ("повреждены 22 жилых дома в A, B и C" is damage at each)
        return [f], False
    st, end = f.sent.start, f.sent.end
    bounds = [st]
    soft = []  # a bound after a comma or "and" before an item's object: the words before every place still shared
    for a, b in zip(places, places[1:]):
        # a place's clause begins after the last clause break before it ("Two people were wounded in Pavlohrad,
        # and transport infrastructure was damaged in Kyiv"), else at the place
        brk = [m.end() for m in _PART_BREAK.finditer(f.sent.text, a.end - st, b.start - st)]
        # else after a comma when an object is named between it and the place, and no figure ("будинок у Куп'янську,
        # приватний будинок у селі Осинове": each item's object before its place)
        commas = [m.end() for m in _COMMA.finditer(f.sent.text, a.end - st, b.start - st)]
        if not brk and commas and any(st + commas[-1] <= o.start < b.start for o in f.objects) \
                and not any(st + commas[-1] <= x.start < b.start for x in f.figures):
            brk = commas
            soft.append(True)
        else:
            soft.append(False)
        between = [x for x in f.figures if a.end <= x.start < b.start and x.value is not None]
        if not brk and between and any(bounds[-1] <= x.start < a.start for x in f.figures if x.value is not None):
            # "Three of the dead were in A and two in B", "two were killed in A, one in B": each figure told before its
            # place, so the one between them is the next place's; its clause begins at the "and" or comma before it
            joins = [m.end() for m in _COMMA.finditer(f.sent.text, a.end - st, between[0].start - st)] + \
                [m.end() for m in _AND.finditer(f.sent.text[:between[0].start - st])
                 if m.start() >= a.end - st]
            if joins:
                brk = [max(joins)]
        bounds.append(st + brk[-1] if brk else b.start)
    bounds.append(end)
    # places in clauses of their own ("Two people were wounded in Pavlohrad, and transport infrastructure was
    # damaged in Kyiv"): a figure is its clause's place's, and nothing is said of all of them
    separate = any(b != p.start and not sf for b, p, sf in zip(bounds[1:-1], places[1:], soft))
    shared = len({p.cue for p in places}) == 1 and not separate

    # "У Бахмуті та Іванівському двоє людей ... від артилерійського обстрілу": after a bare list of places,
    # what follows the last one is said of all of them
    bare = all(_ANY_LIST_GAP.match(f.sent.text[a.end - st:b.start - st]) for a, b in zip(places, places[1:]))

    def seg(xs, i, own=False):
        lo, hi = bounds[i], bounds[i + 1]
        if own and any(soft):
            return [x for x in xs if lo <= x.start < hi]  # each item's own objects
        # "strikes on homes in A, in B and in C": with the same cue for every place, what comes
        # before the first place is said of all of them
        return [x for x in xs if lo <= x.start < hi or (i > 0 and shared and x.start < places[0].start)
                or (i < len(places) - 1 and shared and bare and x.start >= places[-1].end)]

    # "ещё 18 жителей области получили ранения", "Ще 18 людей по області поранені": the region's, no place's
    regional = [x for x in f.figures if _REGION_PEOPLE.match(f.sent.text, x.end - st)]
    with_figs = [i for i in range(len(places))
                 if any(bounds[i] <= x.start < bounds[i + 1] for x in f.figures if x not in regional)]
    # one figure for several places is their total when it is said before them all ("30 were killed in strikes on
    # A, in B and in C") or the places are a bare list ("In A, B and C, 30 were killed"); after one place, in its
    # clause ("у Харкові постраждав чоловік, у селі Новоселівка ..."), it is that place's
    before = all(x.start < places[0].start for x in f.figures if x.value is not None and x not in regional)
    # ... or a sum word joins them ("strikes on A on 23 June and on B on 24 June together killed 24")
    tally = bool(f.figures) and len(with_figs) < 2 and not separate and (
        before or bare or _TOGETHER.search(f.sent.text) is not None)
    valued = [x for x in f.figures if x.value is not None]
    # "Ще по одній людині дістали поранення в Бахмуті, Святогірську та Костянтинівці": the figure is each place's own
    each = tally and bool(valued) and all(_EACH.search(f.sent.text, 0, x.start - st) for x in valued)
    tally = tally and not each
    parts = []
    shares = [x for x in f.figures if x.sub and x.group == TOTAL and x.value is not None]
    by_place = shares if len(shares) == len(places) and not tally and all(
        sum(1 for x in shares if bounds[i] <= x.start < bounds[i + 1]) == 1 for i in range(len(places))) else []
    # "загинули п'ятеро — троє у Костянтинівці і двоє в Іллінівці": the count the shares add up to is their total,
    # a tally, and no place's toll
    summed = [x for x in f.figures if by_place and not x.sub and x.value is not None and x.role == by_place[0].role
              and x.value == sum(s.value for s in by_place if s.role == x.role)]
    ob = f.oblasts[0].admin1 if len({o.admin1 for o in f.oblasts}) == 1 else None
    if ob is None and not f.oblasts and len({a.admin1 for a in f.areas if a.admin1}) == 1:
        ob = next(a.admin1 for a in f.areas if a.admin1)  # "у Куп'янському районі ... у селі Осинове": the raion's oblast
    for i, p in enumerate(places):
        if ob is not None and p.admin_hint is None and any(c.admin1 == ob for c in p.candidates):
            # "... Донецької області загинули ... у Ямполі та Іванівському": each part keeps the sentence's oblast
            p = replace(p, admin_hint=ob, candidates=tuple(sorted(p.candidates, key=lambda c: c.admin1 != ob)))
        # (not a sum of victims named over several parts: "в Алешках женщина погибла ..., в Голой Пристани погиб
        # мужчина" gives each place its own one, not the two)
        figures = list(f.figures) if each else [] if tally else [x for x in seg(f.figures, i) if x.end <= bounds[i + 1]]
        if by_place:
            # "Three of the dead were in Kostiantynivka and two in Novoekonomichne": each place's share is its toll
            figures = [replace(x, sub=False) if x in by_place else x for x in figures if x not in summed]
        parts.append(replace(f, places=[p], figures=figures, objects=seg(f.objects, i, own=True),
                             weapons=seg(f.weapons, i), dates=seg(f.dates, i), times=seg(f.times, i),
                             shared_toll=tally and bool(valued)))
    return parts, tally or bool(summed)


_DISTRICT_AFTER = re.compile(r"^\W{0,3}(?:district|raion)\b", re.IGNORECASE)


def _district_mentions(f: SentenceFeatures) -> list[PlaceMention]:
    """Settlement names used as a district's name ("the Nikopol district")."""
    st = f.sent.start
    return [p for p in f.settlements if _DISTRICT_AFTER.match(f.sent.text[p.end - st:p.end - st + 15])]


def _district_total(f: SentenceFeatures, current: Draft | None, district_para: dict[int, PlaceMention],
                    parts: list[SentenceFeatures]) -> PlaceMention | None:
    """A governor's district total given before the places hit ("11 people were killed" under "A terrible
    night for the Nikopol district", "The night attack on the Nikopol district has now claimed 13
    civilian lives", and settlements hit named in other sentences): the district, else None."""
    if f.oblasts or f.hypothetical or not any(x.value is not None and not x.sub for x in f.figures):
        return None
    areas = _district_mentions(f)
    if f.settlements:
        if len(areas) != len(f.settlements):
            return None
        area = areas[0]
    elif current is None and f.sent.paragraph in district_para:
        area = district_para[f.sent.paragraph]
    else:
        return None
    name = _norm(area.text)
    for g in parts:
        if g is f or not g.attack:
            continue
        hit = [p for p in g.settlements if _norm(p.text) != name and p not in _district_mentions(g)
               and p.cue in SCENE_CUES]
        if hit:
            return area
    return None


def _continues_district(f: SentenceFeatures, last: SentenceFeatures) -> bool:
    """A placeless, undated figure sentence right after a district total, in its paragraph."""
    return (f.sent.paragraph == last.sent.paragraph and f.sent.index == last.sent.index + 1 and not f.settlements
            and not f.oblasts and not f.dates and not f.weapons and not f.objects and not f.new_event
            and any(x.value is not None and not x.sub for x in f.figures))


def _many_places(f: SentenceFeatures) -> bool:
    """A sentence naming places in three or more regions ("Kyiv, Lviv, Dnipro and Odesa"); a village with its
    district and region ("Serhiivka, in the Bilhorod-Dnistrovskyi district of the Odesa region") is one place."""
    regions = {p.candidates[0].admin1 for p in f.settlements if p.candidates} | {o.admin1 for o in f.oblasts}
    return len(regions - {None}) >= 3


def _many_places_total(d: Draft, feats: list[SentenceFeatures], publisher: str | None) -> TallyClaim | None:
    """The figures of an incident with no place at all, when its paragraph or the one before names three or
    more places in one sentence ("These missiles were aimed at population centres across Ukraine: Kyiv, Lviv,
    Dnipro, Odesa ... Reports indicate at least 30 people have been killed"): a total over a wave of strikes on
    many places, a tally of the country, not one incident."""
    figs = [f for f in d.feats if any(x.value is not None for x in f.figures)]
    if not figs:
        return None
    paras = {f.sent.paragraph for f in d.feats}
    near = paras | {p - 1 for p in paras}
    if not any(f.sent.paragraph in near and _many_places(f) for f in feats):
        return None
    return _country_tally(figs, publisher)


def _country_tally(figs: list[SentenceFeatures], publisher: str | None) -> TallyClaim:
    """One tally of the whole country from these figure sentences (the first one's source)."""
    t = _tally(figs[0], figs[0].source[0] if figs[0].source else None, publisher)
    for f in figs[1:]:
        _fill_tally(t, _tally(f, None, publisher))
    t.scope = "Ukraine"
    return t


def _wave_total(d: Draft, feats: list[SentenceFeatures], publisher: str | None) -> TallyClaim | None:
    """The figures of an incident with no place at all in a text about an attack on the whole country or on
    several regions ("across Ukraine", "по всій Україні", "the Kharkiv, Sumy and Odesa regions"): the wave's
    total, a tally of the country, never a placeless incident."""
    figs = [f for f in d.feats if any(x.value is not None for x in f.figures)]
    if not figs or not any(_NATIONWIDE.search(f.sent.text) or _multi_region(f) or (
            any(w in f.sent.text.lower() for w in _COUNTRY_WORDS) and _WAVE_ON_COUNTRY.search(f.sent.text))
            for f in feats):
        return None
    return _country_tally(figs, publisher)


def _multi_region(f: SentenceFeatures) -> bool:
    """A sentence about several regions and no city: two or more regions named, or a region's name followed by
    the plural region noun ("the Kharkiv, Sumy and Odesa regions", "Харківську, Сумську та Одеську області");
    settlements read inside such a list ("Kharkiv, Sumy") are the list's regions, any other is a scene."""
    if _OTHER_REGIONS.search(f.sent.text):
        return True  # "against Kyiv and several other regions": a wave over the country
    st = f.sent.start
    plural = None
    for o in f.oblasts:
        if (m := _REGIONS_PLURAL.search(f.sent.text, o.start - st, min(len(f.sent.text), o.end - st + 12))) is not None:
            # "області"/"области" is also the genitive singular ("У Ізюмі Харківської області"): plural only
            # after a list ("Харківську, Сумську та Одеську області")
            if m.group(0).lower() in _AMBIGUOUS_PLURAL and not _LIST_BEFORE.search(f.sent.text[:o.start - st]):
                continue
            plural = m
            break
    if plural is None:
        if len({o.admin1 for o in f.oblasts} - {None}) < 2 or f.settlements:
            return False
    else:
        if not all(p.start - st < plural.start() and _LISTED.match(f.sent.text[p.end - st:plural.start()])
                   for p in f.settlements):
            return False
    first = min(p.start for p in f.places) - st
    return _LAUNCHED_FROM.search(f.sent.text[max(0, first - 50):first]) is None


_LISTED = re.compile(r"^[\w\s,'’-]{0,80}$")  # what may stand between the names of a list
_OTHER_REGIONS = text_pattern("other_regions")
# the plural region noun that is also the genitive singular, and what precedes the last name of a list
_AMBIGUOUS_PLURAL = text_words("ambiguous_plural")
_LIST_BEFORE = text_pattern("list_before")
# "missiles launched from the Kursk and Voronezh regions": where the weapons came from, not what they hit
_LAUNCHED_FROM = text_pattern("launched_from")


def _fill_tally(t: TallyClaim, more: TallyClaim) -> None:
    for name in ("killed", "injured", "children_killed", "children_injured"):
        if getattr(t, name) is None and getattr(more, name) is not None:
            setattr(t, name, getattr(more, name))
            t.evidence[name] = more.evidence[name]


_CHILD_FIELDS = ("children_killed", "children_injured")


def _children_into_totals(tallies: list[TallyClaim]) -> list[TallyClaim]:
    """"... 10,582 people killed and 19,875 injured. Among the dead were 587 children": a tally giving only
    children's figures right after a total of the same scope with none is that total's children."""
    out: list[TallyClaim] = []
    for t in tallies:
        p = out[-1] if out else None
        if p is not None and p.scope == t.scope and p.span is not None and t.span is not None \
                and 0 <= t.span.start - p.span.end <= 400 \
                and all(getattr(t, n) is None for n in ("killed", "injured")) \
                and any(getattr(t, n) is not None for n in _CHILD_FIELDS) \
                and all(getattr(p, n) is None for n in _CHILD_FIELDS) \
                and any(getattr(p, n) is not None for n in ("killed", "injured")):
            _fill_tally(p, t)
            continue
        out.append(t)
    return out


def _merge_district_tallies(tallies: list[TallyClaim]) -> list[TallyClaim]:
    """A district's counts given twice ("11 killed" in the morning, "has now claimed 13" later): the
    latest wins, the earlier fills what it leaves open."""
    out: list[TallyClaim] = []
    for t in tallies:
        if t.scope and t.scope.endswith(" district"):
            old = next((o for o in out if o.scope == t.scope), None)
            if old is not None:
                _fill_tally(t, old)
                out.remove(old)
        out.append(t)
    return out


_SHARE = re.compile(r",\s*(?:including\s+)?(\d[\d,]*|[a-z]+(?:-[a-z]+)?)\s+of\s+them\s+in\s+(?:the\s+)?(?:city\s+of\s+)?$",
                    re.IGNORECASE)


def _city_share(f: SentenceFeatures, national: TallyClaim) -> TallyClaim | None:
    """The city's part of a nationwide count ("38 killed nationwide, 27 of them in Kyiv"): a tally of its own."""
    if national.scope != "Ukraine" or not f.settlements:
        return None
    role = next((r for r in ("killed", "injured") if getattr(national, r) is not None), None)
    if role is None:
        return None
    p = f.settlements[0]
    m = _SHARE.search(f.sent.text[:p.start - f.sent.start])
    if m is None:
        return None
    value, used = parse_number([m.group(1).replace(",", "")])
    if not used or value is None or value >= getattr(national, role):
        return None
    t = TallyClaim()
    setattr(t, role, value)
    st = f.sent.start + m.start(1)
    t.evidence[role] = Span(st, st + len(m.group(1)), m.group(1))
    t.scope, t.period, t.source, t.span = p.text, national.period, national.source, national.span
    if "source" in national.evidence:
        t.evidence["source"] = national.evidence["source"]
    return t


_REGION_COUNT = re.compile(r"\b(?:altogether|in total|total|overall|across|(?:over|in|during) the (?:past|last) "
                           r"(?:day|week|month|24 hours|twenty-four hours)|this (?:week|month)|since|that day|during the day)\b",
                           re.IGNORECASE)
# "in the Kharkiv region" (where the figure is), not "the governor of the Kharkiv region" (who says it)
_IN_REGION = re.compile(r"\b(?:in|across|throughout|(?:shelling|attacks?|strikes?|bombardment|bombing) (?:of|on))\s+(?:the\s+)?$",
                        re.IGNORECASE)
_AT_REGION = text_pattern("at_region")
_REGION_WIDE = re.compile(r"\b(?:across|in|throughout) the (?:region|oblast)\b", re.IGNORECASE)


def _tally(f: SentenceFeatures, last_source: str | None, publisher: str | None) -> TallyClaim:
    t = TallyClaim()
    sent = f.sent
    national = _nationwide_figures(f) if f.settlements else []
    for fig in national or f.figures:
        if fig.value is None:
            continue
        name = {("killed", TOTAL): "killed", ("injured", TOTAL): "injured", ("killed", CHILDREN): "children_killed",
                ("injured", CHILDREN): "children_injured"}.get((fig.role, fig.group))
        if name and (getattr(t, name) is None or fig.value > getattr(t, name)):
            setattr(t, name, fig.value)
            t.evidence[name] = Span(fig.start, fig.end, sent.quote(fig.start, fig.end))
    for role in ("killed", "injured"):
        adults = [x for x in national or f.figures if x.value is not None and x.role == role and not x.sub
                  and x.group in (MEN, WOMEN)]
        if getattr(t, role) is None and len(adults) == 1:
            # "had killed one man and wounded five people": the one man is the count
            setattr(t, role, adults[0].value)
            t.evidence[role] = Span(adults[0].start, adults[0].end, sent.quote(adults[0].start, adults[0].end))
    multi = _scene_places(f)
    if national:
        t.scope = "Ukraine"  # "38 civilians were killed nationwide, 27 of them in Kyiv": the country's count
        multi = []
    own = [p for p in f.settlements if not _filed_from(p, f)]  # not the dateline's filing place
    place = (", ".join(_display(p) for p in multi[:-1]) + " and " + _display(multi[-1]) if len(multi) >= 2
             else _display(own[0]) if own else f.oblasts[0].admin1 if f.oblasts
             else f.areas[0].text if f.areas else "Ukraine")  # ("на Никопольщине": that district, not the country)
    t.scope = t.scope or place
    m = re.search(r"\bsince [^,.;]{1,40}|\b(?:over|in|during) the (?:past|last) (?:day|week|24 hours|twenty-four hours)\b",
                  sent.text, re.IGNORECASE)
    t.period = m.group(0) if m else None
    if f.source and not f.pronoun_source:
        t.source = f.source[0]
        t.evidence["source"] = Span(f.source[1], f.source[2], sent.quote(f.source[1], f.source[2]))
    else:
        t.source = last_source or publisher
    t.span = Span(sent.start, sent.end, sent.text)
    return t


def _display(p: PlaceMention) -> str:
    """A place's name for a tally's scope: the gazetteer's (romanised) name of its first candidate, else as read."""
    return p.candidates[0].name if p.candidates and not p.text.isascii() else p.text


_LISTED_BEFORE = re.compile(r"(?:,|\band|\bor)\s+(?:the\s+)?(?:(?:town|city|village|settlement)\s+of\s+)?$", re.IGNORECASE)
_MOVED = re.compile(r"\b(?:fired|launched|taken|brought|evacuated|moved|transferred|came|coming|travel\w*|flown|"
                    r"driven|sent|returned|fled|fleeing|headed|heading|went|going|rushed|delivered|relocated)\b"
                    r"(?:\W+\w+){0,3}\W+(?:from|to|towards?)\s*$", re.IGNORECASE)


_HOSPITAL_IN = re.compile(r"\b(?:taken|brought|admitted|rushed|evacuated|transferred|delivered|flown|driven)\b[^.;]{0,25}?"
                          r"\b(?:hospitals?|clinic)\s+in\s+"
                          r"|\bhospitali[sz]ed\s+in\s+", re.IGNORECASE)
_HOSPITAL_TAIL = re.compile(r"(?:the\s+)?(?:(?:nearby|neighbouring|neighboring|regional|district)\s+)?"
                            r"(?:(?:town|city|village|settlement|centre|center)\s+of\s+)?$", re.IGNORECASE)


# "Kharkiv Governor Oleh Syniehubov", "Sumy's governor": the region's official (the oblast, not its capital)
_GOVERNOR_AFTER = re.compile(r"(?:['’]s)?\s+(?:regional\s+)?governor\b", re.IGNORECASE)


def _governors_region(feats: list[SentenceFeatures], gaz: Gazetteer, text: str) -> str | None:
    """The oblast whose governor a sentence of the draft names ("Separately, Kharkiv Governor Oleh Syniehubov wrote
    that shelling of the town of Zolochiv ..."): Zolochiv of that oblast, not the larger one of another."""
    return next((ob for f in feats for p in f.settlements
                 if _GOVERNOR_AFTER.match(text, p.end) and (ob := gaz.oblast(p.text)) is not None), None)


def _hospital_destination(text: str, start: int) -> bool:
    """"taken to hospital in the nearby town of Rylsk", "hospitalised in Kharkiv": where victims were taken."""
    before = text[max(0, start - 80):start]
    return any(_HOSPITAL_TAIL.fullmatch(before[m.end():]) for m in _HOSPITAL_IN.finditer(before))


def _scene(settlements: list[PlaceMention], text: str) -> PlaceMention | None:
    best, best_score = None, -99
    for p in settlements:
        score = 0
        if _is_scene_cue(p, text):
            score += 2
        if p.cue in ("near", "outside"):
            score -= 1
        if p.cue in ("from", "towards", "toward", "to"):
            # "fired from X", "brought her from X", "taken to X": X is not where the attack happened;
            # "at the exit from X", "10 km from X" still place it there or nearby
            # a cue shared from the list's first place ("heading towards Dnipro and the town of Kamianske")
            shared = bool(_LISTED_BEFORE.search(text[max(0, p.start - 30):p.start]))
            score -= 3 if shared or _MOVED.search(text[max(0, p.start - 40):p.start]) else 1
        if NOT_SCENE_AFTER.match(text[p.end:p.end + 30]) or SPEAKER_AFTER.match(text[p.end:p.end + 40]):
            score -= 3
        if _hospital_destination(text, p.start):
            continue  # "taken to hospital in the nearby town of Rylsk": where victims were taken (GUIDELINES)
        if _is_dateline_place(p, text):
            score -= 2  # the filing place: the scene only when the sentence names no other
        if score > best_score:
            best, best_score = p, score
    return best if best_score > -3 else None


def _filed_from(p: PlaceMention, f: SentenceFeatures) -> bool:
    """The sentence's dateline place ("KHERSON, Ukraine, Oct 7 -"), by the dateline read in the sentence."""
    return f.dateline is not None and p.text.isupper() and p.end <= f.dateline.start


def _is_dateline_place(p: PlaceMention, text: str) -> bool:
    """"KHERSON, Ukraine, Oct 7 -": the place a wire story was filed from."""
    return p.text.isupper() and bool(_DATELINE_AFTER.match(text[p.end:p.end + 30]))


_OF_SCENE = re.compile(r"\b(?:centre|center|outskirts|suburbs?|heart|streets|districts?|part|parts)\s+of\s*$", re.IGNORECASE)


def _is_scene_cue(p: PlaceMention, text: str) -> bool:
    """"in X", "hit X", and "the centre of X"."""
    return p.cue in SCENE_CUES or (p.cue == "of" and bool(_OF_SCENE.search(text[max(0, p.start - 20):p.start])))


_LIST_GAP = re.compile(r"^[\s,]*(?:and\s+|or\s+)?(?:in\s+|on\s+|at\s+)?$")


# the same in the languages read: places of one list, not each in a clause of its own
_ANY_LIST_GAP = text_pattern("any_list_gap")


def _listed(places: list[PlaceMention], f: SentenceFeatures) -> bool:
    """Places named one after another as a list ("A, B and C"), not one placed within another."""
    st = f.sent.start
    return any(_LIST_GAP.match(f.sent.text[a.end - st:b.start - st]) for a, b in zip(places, places[1:]))


def _norm(name: str) -> str:
    return re.sub(r"[^a-zа-яіїєґ]", "", name.lower())


def _draft_for_place(drafts: list[Draft], scene: PlaceMention, f: SentenceFeatures) -> Draft | None:
    for d in reversed(drafts):
        if d.scene is not None and _norm(d.scene.text) == _norm(scene.text):
            dd, fd = d.first_date, (f.dates[0] if f.dates else None)
            if dd and fd and abs((dd.value - fd.value).days) > 1:
                continue
            return d
        if d.scene is not None and d.scene.candidates and scene.candidates \
                and d.scene.candidates[0].geonameid == scene.candidates[0].geonameid:
            return d
    return None


def _in_admin1(scene: PlaceMention, admin1: str | None) -> bool:
    # (a village no table holds has the region it was read with: "Драгунское Белгородского округа")
    return admin1 is None or any(c.admin1 == admin1 for c in scene.candidates) \
        or (not scene.candidates and scene.admin1 == admin1)


def _doc_points(drafts: list[Draft], gaz: Gazetteer) -> list[tuple[float, float]]:
    pts = []
    for d in drafts:
        if d.scene and d.scene.candidates:
            top = d.scene.candidates[0]
            if len(d.scene.candidates) == 1 or top.population >= 50000:
                pts.append((top.lat, top.lon))
    return pts


def _claim(d: Draft, gaz: Gazetteer, coords, text: str, publisher: str | None,
           datelines: tuple = (), ranged: frozenset = frozenset(),
           live: DateMention | None = None, lead_past: DateMention | None = None,
           harm_at: list[int] = (), doc_region: str | None = None) -> IncidentClaim | None:
    feats = d.feats
    figures = [x for f in feats for x in f.figures]
    objects = [o for f in feats for o in f.objects]
    weapons = [w for f in feats for w in f.weapons]
    if not (figures or objects or weapons or any(f.shared_toll for f in feats)
            or any(f.sent.start <= h < f.sent.end for f in feats for h in harm_at)):
        return None
    # the weapons, less one only feared ("over the threat of ballistic missiles heading towards Dnipro": not the one
    # that struck)
    weapons = [w for f in feats if not (f.hypothetical and not f.figures and not f.objects and _THREAT.search(f.sent.text))
               for w in f.weapons]
    c = IncidentClaim()
    ev = c.evidence
    # place
    if d.scene is not None:
        areas = {a.admin1 for f in feats for a in f.areas if a.admin1}
        hint = d.scene.admin_hint or d.admin1 or next((o.admin1 for f in feats for o in f.oblasts), None) \
            or _governors_region(feats, gaz, text) \
            or (next(iter(areas)) if len(areas) == 1 else None) \
            or (doc_region if all(c.population < 20000 for c in d.scene.candidates) else None)
        # ("у Лозівському - ... в Червоному": the raion's; else, for a village (no city of the name), the one region
        # the text names: "Приозёрное" in a post about Kherson region is its Pryozerne, not Crimea's)
        # the other places of the text, not the point this name's own first candidate put there, when that
        # candidate only lists the name as an alternate ("the village of Stanislav in the same region" near
        # Beryslav is not Ivano-Frankivsk, once called Stanislav); Latin-letter names, whose spelling compares
        top = d.scene.candidates[0] if len(d.scene.candidates) > 1 else None
        alt = top is not None and d.scene.text.isascii() and normalize(top.name) != normalize(d.scene.text)
        near = [pt for pt in coords if pt != (top.lat, top.lon)] if alt else coords
        place: Place | None = gaz.resolve(d.scene.text, admin1_hint=hint, near=near, raion=d.scene.raion,
                                          extra=d.scene.candidates)
        if place is None and _REGIONAL_CENTRE.fullmatch(d.scene.text) and len(d.scene.candidates) == 1:
            place = d.scene.candidates[0]  # "в областном центре": the region's seat, chosen when it was read
        if not d.scene.candidates and d.scene.admin_hint and (gaz.is_foreign_region(d.scene.admin_hint) or place is None):
            # "the village of Gorodishche in Russia's Kursk region": a place across the border the gazetteer does
            # not know; its name and region, no point (never the Ukrainian namesake's). So too a Ukrainian village
            # it does not know ("у селі Мочанівка Куп'янського району")
            place = None
            c.place, c.admin1 = d.scene.text, d.scene.admin_hint
            ev["place"] = Span(d.scene.start, d.scene.end, text[d.scene.start:d.scene.end])
        if place is not None:
            c.place, c.admin1, c.lat, c.lon, c.geonameid = place.name, place.admin1, place.lat, place.lon, place.geonameid
            ev["place"] = Span(d.scene.start, d.scene.end, text[d.scene.start:d.scene.end])
    if c.admin1 is None and d.admin1:
        c.admin1 = d.admin1
        m = d.admin1_mention
        ev["admin1"] = Span(m.start, m.end, text[m.start:m.end])
    # date and time
    dm = d.first_date or d.date_ctx
    vague = False
    if d.first_date is None and feats and (_VAGUE_TIME.search(without_comparison(feats[0].sent.text)) or feats[0].sent.index in ranged):
        dm, vague = None, True  # "Earlier this month ... strikes in Kherson": no day given, none carried over
    elif feats and feats[0].vague_day:
        dm, vague = None, True  # "Учора дістали тіла двох жінок, які загинули кілька днів тому": the day is the finding's
    elif feats and feats[0].bodies_found and d.first_date is None \
            and (dm is None or dm.start < text.rfind("\n\n", 0, feats[0].sent.start)):
        # "Окрім того, у селищі Малинівка рятувальники дістали з-під завалів тіла трьох людей" in a day's summary: the
        # attack's day is not told (a date told in the paragraph before the finding is the attack's)
        dm, vague = None, True
    if dm is not None:
        c.date = dm.value.isoformat()
        if any(f.dateline is dm for f in d.feats) or dm in datelines:
            # only the filing date of a wire dateline ("KYIV, May 3 (Reuters) -"): the publication date
            c.date_precision = "publication"
            ev["date.publication"] = Span(dm.start, dm.end, text[dm.start:dm.end])
        else:
            c.date_precision = "day"
            ev["date"] = Span(dm.start, dm.end, text[dm.start:dm.end])
    elif live is not None and not any(f.recalled for f in feats):
        # "... загинула одна людина. Працюють профільні служби": told as it happens, the publication day
        c.date, c.date_precision = live.value.isoformat(), "publication"
        ev["date.publication"] = Span(live.start, live.end, text[live.start:live.end])
    elif not vague and (past := next((f.past_day for f in feats if f.past_day is not None and not f.dates), None)
          or (lead_past if not any(f.recalled for f in feats) else None)) is not None:
        # "За минулу добу ... У Ківшарівці загинув чоловік" in a post of 14 August: 13 August
        c.date, c.date_precision = past.value.isoformat(), "day"
        ev["date"] = Span(past.start, past.end, text[past.start:past.end])
    tm = next((t for f in feats for t in f.times), None)
    if tm is not None:
        c.time = tm.value
        ev["time"] = Span(tm.start, tm.end, text[tm.start:tm.end])
    # weapon
    # nor what a region-wide line says ("Across the region, Russian artillery had opened fire 48 times")
    own = [w for f in feats if not _SALVO_COUNT.search(f.sent.text)
           and not (f.tally_cue and not f.settlements and f is not feats[0]) for w in f.weapons]
    name, wclass, cluster = classify(weapons)
    if own and len(own) < len(weapons) and (mine := classify(own))[1] not in ("unknown", wclass):
        # "Across Ukraine, Russia launched 14 Kh-101 ... and four Shahed drones": the night's salvo
        # does not override what the attack's own sentences say ("the city was hit by cruise missiles")
        name, wclass, cluster = mine
        weapons = own
    c.weapon, c.weapon_class, c.cluster = name, wclass, cluster
    if weapons:
        w = next((w for w in weapons if w.entry is not None), weapons[0])
        ev["weapon"] = Span(w.start, w.end, text[w.start:w.end])
        cw = next((w for w in weapons if w.cluster), None)
        if cw is not None:
            ev["cluster"] = Span(cw.start, cw.end, text[cw.start:cw.end])
    # objects
    seen = []
    for o in objects:
        if o.type not in seen:
            seen.append(o.type)
            ev[f"objects.{o.type}"] = Span(o.start, o.end, text[o.start:o.end])
    c.objects = seen
    _casualties(c, feats, text)
    if d.scene is None and d.area is not None and not objects and not any(f.shared_toll for f in feats) \
            and c.killed is None and c.injured is None and not c.vague:
        return None  # "територію Куцурубської громади двічі атакували FPV-дронами": no harm told, no incident
    # who says so
    src = next((f.source for f in feats if f.source and not f.pronoun_source), None)
    if src:
        c.source = src[0]
        ev["source"] = Span(src[1], src[2], text[src[1]:src[2]])
    else:
        c.source = publisher
    c.perpetrator = next((f.perpetrator for f in feats if f.perpetrator), None)
    first, last = feats[0].sent, feats[-1].sent
    c.span = Span(first.start, last.end, text[first.start:last.end])
    return c


_FIELDS = {
    ("killed", CHILDREN): "children_killed", ("injured", CHILDREN): "children_injured",
    ("killed", WOMEN): "women_killed", ("killed", HEALTH): "healthcare_killed", ("injured", HEALTH): "healthcare_injured",
}


_CORRECTION = re.compile(r"\b(?:now|later|latest|revised|corrected|updated|lowered|stood at|stands at|put the)\b", re.IGNORECASE)
_EARLIER = re.compile(r"\b(?:had|earlier|initially|first|previously|originally)\b", re.IGNORECASE)
_MORE = re.compile(r"\b(?:more|another|other|additional|further)\b", re.IGNORECASE)
# ("a couple and their two children"; "дві жінки 1948 і 1988 років народження та чоловік": a birth-year tail between)
_BOTH = text_pattern("both")
_JOIN = text_pattern("victims_join")
# a sentence adding one more named victim to those of the sentence before ("Також загинув її батько", "Ещё
# одна женщина ранена"); English keeps one sentence's own sums only
_ONE_MORE = text_pattern("one_more")
_ONE_MORE_AFTER = text_pattern("one_more_after")


# a sentence counting a whole night's salvo over the country: its weapons are not this attack's own
_SALVO_COUNT = re.compile(r"\b(?:shot down|intercepted|downed)\b|\bat Ukraine\b|\bacross (?:Ukraine|the country)\b",
                          re.IGNORECASE)
_INITIAL = text_pattern("initial")


# a wounded victim told of as dead later: "The man later died in hospital", "Згодом чоловік помер у лікарні",
# "Позднее раненый скончался в больнице", "врятувати не вдалося"
_DIED_LATER = text_pattern("died_later")  # "later died in hospital", "помер у лікарні" (data/lang/*.yaml)


_WOUNDED_BEFORE = text_pattern("wounded_before")
_WOUNDED_RELATIVE = text_pattern("wounded_relative")
_DIED_STEMS = text_words("died_stems")
_ONE_OF_WOUNDED = text_pattern("one_of_wounded")


def _died_later(c: IncidentClaim, feats: list[SentenceFeatures], text: str) -> None:
    """One of the wounded told of before died later: one dead when no other figure of the dead is given, one more
    when the dead told before are others ("a police officer was killed ... two passengers were wounded. One of the
    two later died": 2, a sum of named victims); a single wounded victim who died is no longer counted as wounded
    (the latest state of each victim). A stated count of several wounded stays as the text gives it."""
    for i, f in enumerate(feats):
        low = f.sent.text.lower()
        if not any(w in low for w in _DIED_STEMS):
            continue  # (most sentences: no word of dying, no regex search)
        m = _DIED_LATER.search(f.sent.text)
        if m is None or not (any(x.role == "injured" and x.value for g in feats[:i + 1] for x in g.figures
                                 if x.start < f.sent.start + m.start())
                             or _WOUNDED_BEFORE.search(f.sent.text[:m.start()])):
            continue  # ("Чоловік, який дістав поранення під час обстрілу, помер у лікарні": wounded, told here)
        earlier = [x for g in feats[:i] for x in g.figures if x.role == "killed" and not x.sub and x.value]
        own = any(x.role == "killed" and x.value for x in f.figures)
        # the dead and the wounded told in the one sentence just before, and no other count of the dead in the text
        # (a toll given elsewhere may count the one who died: "nine dead ... At first eight dead; one later died")
        told = i > 0 and {x.start for x in earlier} == {x.start for x in feats[i - 1].figures if x.role == "killed"
                                                        and not x.sub and x.value} \
            and not any(x.role == "killed" for g in feats[i + 1:] for x in g.figures) \
            and any(x.role == "injured" and x.value for x in feats[i - 1].figures) \
            and not any(x.role == "killed" and (x.value or 0) > 1 for x in f.figures) and not _INITIAL.search(f.sent.text)
        mine = [x.value for x in f.figures if x.role == "killed" and x.value]
        if own and mine == [1] and earlier and c.killed is not None and c.killed == max(x.value for x in earlier) \
                and _WOUNDED_RELATIVE.search(f.sent.text[m.end():]) and not _INITIAL.search(f.sent.text) \
                and not any(x.role == "killed" for g in feats[i + 1:] for x in g.figures):
            # "Травми, несумісні з життям, дістав 55-річний чоловік. Поранено також двох ... У лікарні помер 58-річний
            # чоловік, якого поранило під час обстрілу": one of the wounded died, besides the dead told before (the
            # evidence runs from the first dead told to the death of the wounded one)
            first = min(earlier, key=lambda x: x.start)
            c.killed += 1
            c.evidence["killed"] = Span(first.start, f.sent.start + m.end(), text[first.start:f.sent.start + m.end()])
            if c.injured == 1:
                c.injured = None
                c.evidence.pop("injured", None)
            return
        if earlier and told and _ONE_OF_WOUNDED.search(f.sent.text[:m.start()]) and c.killed is not None \
                and c.killed == max(x.value for x in earlier):
            first = min(earlier, key=lambda x: x.start)
            c.killed += 1
            c.evidence["killed"] = Span(first.start, f.sent.start + m.end(), text[first.start:f.sent.start + m.end()])
        elif not own and c.killed is None:
            c.killed = 1  # ("Згодом чоловік помер у лікарні": its own figure is counted already)
            c.evidence["killed"] = Span(f.sent.start + m.start(), f.sent.start + m.end(), m.group(0))
        elif not own:
            ev = c.evidence.get("killed")
            if c.killed == 1 and c.injured in (1, None) and (c.injured or c.children_injured) == 1 and ev is not None \
                    and ev.start >= f.sent.start + m.start():
                # "Жінка дістала поранення, від яких згодом померла. ... злочину, що спричинив загибель людини": the one
                # dead told after is the wounded woman who died, not another
                c.injured = None
                c.evidence.pop("injured", None)
                _child_died(c, m, f, text)
            return
        if c.injured == 1:
            c.injured = None
            c.evidence.pop("injured", None)
        _child_died(c, m, f, text)
        return


def _child_died(c: IncidentClaim, m: re.Match, f: SentenceFeatures, text: str) -> None:
    """The one wounded who died was a child ("A six-year-old girl who was wounded ... has died in hospital"): one
    child killed, no longer a child wounded."""
    if c.children_injured != 1 or c.injured not in (None, 1) or (c.children_killed or 0) > 0:
        return
    c.children_injured = None
    c.evidence.pop("children_injured", None)
    c.children_killed = 1
    c.evidence["children_killed"] = Span(f.sent.start + m.start(), f.sent.start + m.end(), m.group(0))


def _casualties(c: IncidentClaim, feats: list[SentenceFeatures], text: str) -> None:
    """Highest stated figure per field; totals from subgroup sums only when no total is given.

    A lower total stated last, in a sentence that corrects the toll ("later put the number of
    dead at 12", "the toll now stood at 13"), replaces the highest one: the latest correction wins."""
    best: dict[str, Figure] = {}
    last: dict[str, tuple[Figure, bool]] = {}
    sums: dict[str, tuple[int, Figure, Figure]] = {}
    first: dict[str, list[Figure]] = {}  # figures of "the first figures spoke of ...": superseded by later ones
    later: dict[str, list[Figure]] = {}
    sub_run: dict[str, tuple[Figure, int]] = {}  # the last child subgroup figure per field, and its sentence
    # victims named one per sentence ("Загинула 45-річна жінка. Також загинув її 70-річний батько."): the
    # running sum per role over the draft's sentences, while each next one adds ("також", "ще") and no total
    told: dict[str, tuple[int, Figure, Figure]] = {}
    prev_runs: dict[str, tuple[int, Figure, Figure]] = {}
    roles_before: set[str] = set()  # the roles of the figures of the draft's sentences before this one
    for f in feats:
        per_sentence: dict[str, list[list[Figure]]] = {}
        # "Информация о гибели ребенка не подтвердилась": the figure of a withdrawn report counts no one
        withdrawn = [(f.sent.start + m.start(), f.sent.start + m.end()) for m in RETRACTED.finditer(f.sent.text)]
        initial = _INITIAL.search(f.sent.text) is not None  # "В первом сообщении ...": superseded by later figures
        for fig in f.figures:
            if withdrawn and any(a <= fig.start < b for a, b in withdrawn):
                continue
            if fig.value == 2 and fig.group == TOTAL and _BOTH.match(text, fig.start) and fig.role in roles_before:
                continue  # "Обе погибли при обстрелах": the two victims told before, not two more
            if fig.value is None:
                if fig.group == TOTAL and fig.role in ("killed", "injured"):
                    c.vague.setdefault(fig.role, fig.vague or "")
                    c.evidence.setdefault(f"{fig.role}.vague", Span(fig.start, fig.end, text[fig.start:fig.end]))
                continue
            if fig.group == TOTAL and not fig.sub:
                name = fig.role
            else:
                name = _FIELDS.get((fig.role, fig.group))
                if fig.group in (MEN, WOMEN, CHILDREN, HEALTH, ADULTS) and not fig.sub:
                    # subgroups joined by "and" or commas add up ("a man and a woman were killed")
                    runs = per_sentence.setdefault(fig.role, [])
                    if runs and _JOIN.match(text[runs[-1][-1].end:fig.start]):
                        runs[-1].append(fig)
                    else:
                        runs.append([fig])
            if name and fig.sub and fig.group == CHILDREN and name in sub_run and sub_run[name][1] == f.sent.index \
                    and _JOIN.match(text[sub_run[name][0].end:fig.start]):
                # "among them an 11-year-old girl and a 14-year-old boy": children listed together add up
                prev_fig = sub_run[name][0]
                fig = replace(fig, value=prev_fig.value + fig.value, start=prev_fig.start)
            if name and fig.sub and fig.group == CHILDREN:
                sub_run[name] = (fig, f.sent.index)
            if name and (name not in best or fig.value > best[name].value):
                best[name] = fig
            if name in ("killed", "injured") or (name in ("children_killed", "children_injured") and fig.value == 1):
                (first if initial else later).setdefault(name, []).append(fig)
            elif fig.group in (MEN, WOMEN, ADULTS) and not fig.sub and not initial:
                later.setdefault(fig.role, []).append(fig)  # "Позднее ...: Один мужчина получил легкое ранение"
            if name in ("killed", "injured"):
                before = text[f.sent.start:fig.start]
                last[name] = (fig, bool(_CORRECTION.search(before)) and not _EARLIER.search(before)
                              and not _MORE.search(text[fig.start:fig.end]))
        this_runs: dict[str, tuple[int, Figure, Figure]] = {}
        for role, runs in per_sentence.items():
            for figs in runs:
                disjoint = [x for x in figs if x.group in (MEN, WOMEN, CHILDREN, ADULTS)] or figs
                total = sum(x.value for x in disjoint)
                if role not in sums or total > sums[role][0]:
                    sums[role] = (total, disjoint[0], disjoint[-1])
            if len(runs) == 1 and not any(x.group == TOTAL or x.sub for x in f.figures if x.role == role):
                figs = [x for x in runs[0] if x.group in (MEN, WOMEN, CHILDREN, ADULTS)] or runs[0]
                total, a, b = sum(x.value for x in figs), figs[0], figs[-1]
                if role in prev_runs and (_ONE_MORE.search(text[f.sent.start:a.start])
                                          or _ONE_MORE_AFTER.search(text[b.end:f.sent.end])):
                    total, a = prev_runs[role][0] + total, prev_runs[role][1]
                    told[role] = (total, a, b)
                this_runs[role] = (total, a, b)
        prev_runs = this_runs
        roles_before.update(x.role for x in f.figures)
    for role, (total, a, b) in told.items():
        if role not in sums or total > sums[role][0]:
            sums[role] = (total, a, b)
    for name, figs in first.items():
        after = [x for x in later.get(name, []) if x.start > max(y.start for y in figs)]
        if after and best.get(name) in figs:
            best[name] = max(after, key=lambda x: x.value)  # "first figures: 100 injured", later "98 wounded"
        elif name.startswith("children_") and best.get(name) in figs \
                and any(x.start > max(y.start for y in figs) for x in later.get(name.split("_")[1], [])):
            # "В первом сообщении ... есть погибшие, среди них ребенок. Позднее он уточнил: погибли двое ...": the
            # later count names no child, so the first report's child is not carried over
            del best[name]
    for name, (fig, corrects) in last.items():
        if corrects and best.get(name) is not None and fig.value < best[name].value and fig.start > best[name].start:
            best[name] = fig
    for role, (total, a, b) in sums.items():
        if role not in best:
            c.evidence[role] = Span(a.start, b.end, text[a.start:b.end])
            setattr(c, role, total)
    for name, fig in best.items():
        setattr(c, name, fig.value)
        c.evidence[name] = Span(fig.start, fig.end, text[fig.start:fig.end])
    _died_later(c, feats, text)
    for role in ("killed", "injured"):
        if getattr(c, role) is not None:
            c.vague.pop(role, None)
            c.evidence.pop(f"{role}.vague", None)
