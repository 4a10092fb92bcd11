"""Finding regex matches only where a word that may begin one starts (issue 10, extraction CPU).

`gate.whole_word_starts`, the weapon catalogue's word-start matcher and the object phrases'
are compared with the plain definitions they replace: a scan of every character by the regex
(`finditer`), on the bundled corpora, on generated reports and on random text."""
from __future__ import annotations

import random
import re
from pathlib import Path

from harmwatch.extract import noise, objects
from harmwatch.extract.gate import whole_word_starts, words
from harmwatch.extract.text import split_sentences
from harmwatch.extract.weapons import Catalogue, _gate_keys

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# letters of several scripts, the odd-case letters, sigma, digits, marks, separators, spaces
ALPHABET = ("aZe \u00e9\u0456\u0457\u044b\u0451\u0410\u0490\u212a\u0131\u0130\u017f\u03a3\u03c3\u03c2_1\u00b2\u217b"
            "-\u2011\u2013.,:;'\u2019[]()/\u00a9\u5b57\u0301\n\t\u00a0\u2009\u200b\x1c\x85\U0001F600")
# words that begin weapon aliases and object phrases, in several cases and with separators
PIECES = ["Grad", "grads", "GRAD", "S-300", "S300", "s 300", "C-300", "Kh-101", "X-101", "Kh101", "Iskander-M",
          "iskander m", "Shahed", "shaheds", "air strike", "airstrike", "Air-strike", "missile", "missiles",
          "cluster", "FAB-500", "KAB", "kabs", "Tochka-U", "9M79", "drone", "the", "by", "hit", "as", "s",
          "school", "hospital", "Hospital", "kindergarten", "bus stop", "homes", "home", "Кинджал", "ракета",
          "Х-101", "Х101", "ФАБ", "С-300", "Ukraine's", "3.9M79", "a-Grad", "_Grad", "Grad_", "Gradx",
          "\u0130skander", "I\u0307skander"]


def _corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DATA.glob("*/docs/*")) if p.is_file()]


def _random_texts(n: int, seed: int, longest: int = 40) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        while sum(map(len, parts)) < rng.randint(0, longest):
            parts.append(rng.choice(PIECES) if rng.random() < 0.4 else rng.choice(ALPHABET))
            if rng.random() < 0.5:
                parts.append(rng.choice(" \n,.-'\u00a0"))
        out.append("".join(parts))
    return out


def _texts() -> list[str]:
    corpus = _corpus_texts()
    assert len(corpus) > 100
    return [s.text for t in corpus for s in split_sentences(t)] + corpus + _random_texts(6000, seed=5)


def test_whole_word_starts_is_where_the_words_stand_whole():
    word = re.compile(r"\w+")
    checked = 0
    for text in _texts():
        if words(text) is None:
            continue
        low = text.lower()
        runs = [(m.start(), m.group()) for m in word.finditer(low)]
        for chosen in ({w for _, w in runs[::3]}, {"grad", "the", "s"}, set()):
            expected = sorted(p for p, w in runs if w in chosen)
            assert whole_word_starts(low, chosen) == expected, (text, chosen)
            checked += bool(expected)
    assert checked > 1000
    assert whole_word_starts("the theatre, the_x the", {"the"}) == [0, 19]


def test_weapon_matches_at_word_starts_are_the_plain_scan():
    cat = Catalogue.default()
    assert cat._gate_keys is not None  # the bundled catalogue takes the shortcut
    found = 0
    for text in _texts():
        ws = words(text)
        expected = [m.span() for m in cat._regex.finditer(text)]
        assert [m.span() for m in cat._matches(text, ws)] == expected, text
        assert cat.find(text, ws) == cat.find(text), text
        found += bool(expected)
    assert found > 500


def test_weapon_gate_keys():
    equal, starts = _gate_keys(["Grad", "Kh-101", "air strike", "Iskander-M", "X.1", "S-300"])
    # a separator written ends the word, left out the word goes on; an alias ending early is a whole word
    assert equal == {"grad", "grads", "kh", "kh101", "kh101s", "air", "x", "s", "s300", "s300s"}
    assert starts == {"airstr", "iskand"}  # six letters: the word only begins with them
    assert _gate_keys(["-1 missile"]) is None  # no word start to key on: every text is searched
    assert _gate_keys(["\u03c3igma"]) is None  # sigma lower-cases by context
    # a catalogue whose aliases allow no key finds the same as the plain scan
    cat = Catalogue({"entries": [{"id": "x", "name": "X", "aliases": ["X", "-Y"], "weapon_class": "unknown",
                                  "cluster_capable": False, "sources": ["s"]}]})
    assert cat._gate_keys is None
    assert [m.span() for m in cat._matches("an X and -Y here", words("an X and -Y here"))] == [(3, 4), (9, 11)]


def test_object_phrase_starts_on_random_text():
    for text in _random_texts(6000, seed=9):
        ws = words(text)
        if ws is None:
            continue
        assert [m.span() for m in objects._matches_at_first_words(text, ws)] == \
            [m.span() for m in objects._RE.finditer(text)], text


def test_caption_precheck_needs_the_parenthesis_of_a_photo_credit():
    rng = random.Random(11)
    bits = ["Photo", "Photographs", "(", ")", "AP", "AFP", "Reuters", " by ", "/", " ", "Name", ".", "Purchase Licensing Rights",
            "x", "\u00a9", ":", "Getty Images"]
    lines = ["".join(rng.choice(bits) for _ in range(rng.randint(1, 12))) for _ in range(20000)]
    lines += ["Photographs published by the authorities showed blown-out windows.", "A damaged house (Photo by Name)",
              "(Photo/Name)", "(EPA Photo by Some One)"]
    found = 0
    for ln in lines:
        if noise._CAPTION_END.search(ln):
            assert noise._may_be_caption(ln), ln
            found += 1
    assert found > 200
    assert not noise._may_be_caption("Photographs published by the authorities showed blown-out windows.")


def test_lowered_twin_matches_where_the_case_insensitive_regex_matches():
    from harmwatch.extract import attribution, features
    from harmwatch.extract.gate import lowered_twin
    patterns = [g.regex for g in (features._ATTACK, features._TALLY, features._PLURAL_EVENTS, features._NEW_EVENT,
                                  features._DENIAL, attribution._PRONOUN)]
    patterns += [re.compile(p, re.IGNORECASE) for p in (
        r"\bkill(?:ed|ing)\b", r"[a-z]+ed\b", r"(?<!\w)so[- ]far\b", r"\b(\w+) \1\b", r"[^s]hit", r"\bsince (?:\d{1,2} \w+)",
        r"(?=ab)a", r"x{2,}")]
    twins = [lowered_twin(p) for p in patterns]
    assert all(t is not None for t in twins)
    rng = random.Random(13)
    bits = ["Killed", "KILLING", "killed", "shelled", "Since 3 March", "so far", "So-Far", "hit", "SHIT", "ab", "AB", "xX",
            "the The", "again AGAIN", "attacks", "Strikes", " ", ", ", ".", "-", "1", "s", "S"]
    texts = ["".join(rng.choice(bits) for _ in range(rng.randint(0, 14))) for _ in range(5000)]
    texts += [s.text for t in _corpus_texts()[:60] for s in split_sentences(t) if s.text.isascii()]
    for text in texts:
        low = text.lower()
        for p, t in zip(patterns, twins):
            m, n = p.search(text), t.search(low)
            assert (m is None) == (n is None) and (m is None or m.span() == n.span()), (p.pattern, text)


def test_lowered_twin_only_where_it_holds():
    from harmwatch.extract.features import _HYPOTHETICAL
    from harmwatch.extract.gate import lowered_twin
    for pattern, flags in ((r"\bkilled\b", 0),  # case-sensitive already
                           (r"\bKilled\b", re.IGNORECASE),  # an upper-case letter
                           (r"[0-Z]x", re.IGNORECASE),  # a range reaching the upper-case letters
                           (r"(?-i:may)|will", re.IGNORECASE),  # inline flags
                           (r"\u0443\u0434\u0430\u0440", re.IGNORECASE),  # not ASCII
                           ("\u0443\u0434\u0430\u0440", re.IGNORECASE),
                           (r"\u212a", re.IGNORECASE),  # the Kelvin sign matches "k"
                           (r"[a-\u212a]", re.IGNORECASE),
                           (r"killed", re.IGNORECASE | re.ASCII)):
        assert lowered_twin(re.compile(pattern, flags)) is None, pattern
    assert _HYPOTHETICAL.twin is None  # "(?-i:may)": "May" is the month
    assert lowered_twin(re.compile(rb"killed", re.IGNORECASE)) is None


def test_words_match_their_definition():
    from harmwatch.extract.gate import _words_reference
    texts = _texts() + ["".join(chr(c) for c in range(128)), "A_b C1 d-E\x1cF\x1fG", "", "   ", "\u212aelvin", "Caf\u00e9 ABC"]
    checked = 0
    for text in texts:
        assert words(text) == _words_reference(text), text
        checked += text.isascii() and bool(text.strip())
    assert checked > 1000
