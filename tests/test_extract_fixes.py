"""Extraction fixes for phenomena seen on real reports (issue 7, item 4).

Every text here is written for these tests. The rules under test are those of the steps up to
`assemble`; the later scope step may withhold values, so these tests run the steps before it.
"""
from datetime import date

from harmwatch.extract.casualties import find_figures
from harmwatch.extract.pipeline import STEPS, Extractor
from harmwatch.extract.text import split_sentences

PUB = date(2024, 5, 8)  # a Wednesday
_EX = Extractor(steps=tuple(s for s in STEPS if s.name in ("segment", "annotate", "assemble")))


def _extract(text, published=PUB):
    return _EX.extract_text(text, "doc", published)


def _figs(s):
    return [(f.role, f.group, f.value) for f in find_figures(split_sentences(s)[0])]


def _one(text, published=PUB):
    ex = _extract(text, published)
    assert len(ex.incidents) == 1, [(c.place, c.killed, c.injured) for c in ex.incidents]
    return ex.incidents[0]


# --- 4. casualty wording families ------------------------------------------------------------

def test_lives_and_deaths_of_n_are_killed():
    assert ("killed", "total", 4) in _figs("The strike took the lives of four people.")
    assert ("killed", "total", 5) in _figs("A missile hit the port, resulting in the deaths of five civilians.")
    assert ("killed", "total", 2) in _figs("Shelling hit the school, claiming the lives of two teachers.")
    assert _figs("Rescuers saved the lives of 12 people.") == []


def test_lost_their_lives():
    c = _one("A drone hit a market in Kherson on Monday. Three people lost their lives and 12 were injured.")
    assert (c.killed, c.injured) == (3, 12)
    assert c.evidence["killed"].quote == "Three people"


def test_toll_increased_to():
    c = _one("A missile hit a hotel in Kharkiv on Monday. Five people were killed. "
             "By the evening the death toll increased to nine.")
    assert c.killed == 9


def test_a_dozen_is_twelve_and_dozens_stay_vague():
    assert ("killed", "total", 12) in _figs("The missile killed a dozen people.")
    assert _figs("Dozens of people were injured.") == [("injured", "total", None)]
    assert _figs("Around a dozen more were treated for injuries.") == [("injured", "total", None)]


def test_another_n_injured():
    c = _one("A glide bomb hit a shop in Kupiansk on Monday, killing two people, and another 5 injured.")
    assert (c.killed, c.injured) == (2, 5)


def test_including_children_takes_the_role_of_the_figure_it_follows():
    c = _one("A missile hit Kharkiv on Monday. Two people were killed, 15 injured, including 3 children.")
    assert (c.killed, c.injured, c.children_injured, c.children_killed) == (2, 15, 3, None)


def test_children_among_those_who_sought_medical_help_are_not_killed():
    c = _one("A missile hit Kharkiv on Monday, killing 4 people, and 40 sought medical help, including 11 children.")
    assert (c.killed, c.injured, c.children_killed, c.children_injured) == (4, 40, None, 11)
    c = _one("A missile hit Kharkiv on Monday, killing 4 people. 40 people, including 11 children, sought medical help.")
    assert (c.killed, c.injured, c.children_killed, c.children_injured) == (4, 40, None, 11)


def test_number_glued_to_a_word_by_a_lost_space():
    c = _one("A missile hit a house in Kryvyi Rih on Monday, resulting in the deaths of at least four "
             "civilians and injuries to43 others, including 12 children.")
    assert (c.killed, c.injured, c.children_injured, c.children_killed) == (4, 43, 12, None)


# --- 5. scope wording --------------------------------------------------------------------------

def test_nationwide_count_before_the_city_is_a_tally():
    ex = _extract("An attack across Ukraine on Monday killed 31 people, and a hotel in Kyiv was hit.")
    assert [(t.scope, t.killed) for t in ex.tallies] == [("Ukraine", 31)]
    assert [(c.place, c.killed, c.objects) for c in ex.incidents] == [("Kyiv", None, ["commercial"])]


def test_nationwide_count_after_the_figure_is_a_tally():
    ex = _extract("On Monday 31 people were killed across Ukraine. In Kyiv a missile hit a hotel.")
    assert [(t.scope, t.killed) for t in ex.tallies] == [("Ukraine", 31)]
    assert all(c.killed is None for c in ex.incidents)


def test_city_figure_after_a_nationwide_clause_stays_the_citys():
    ex = _extract("Across Ukraine, Russia launched 40 missiles on Monday; two people were killed in Kyiv.")
    assert [(c.place, c.killed) for c in ex.incidents] == [("Kyiv", 2)]
    assert not ex.tallies


def test_total_over_several_regions_is_never_one_citys():
    ex = _extract("A missile hit a church in Kherson on Monday. At least 17 more civilians were reported dead, "
                  "and 90 injured due to shelling of the Kharkiv, Kherson, Sumy and Donetsk regions.")
    assert [(t.killed, t.injured) for t in ex.tallies] == [(17, 90)]
    assert [(c.place, c.killed, c.injured) for c in ex.incidents] == [("Kherson", None, None)]


# --- 7. military casualties --------------------------------------------------------------------

def test_military_losses_are_never_civilian_figures():
    assert _figs("Ukraine's forces killed up to 60 Russian soldiers near Bakhmut.") == []
    assert _figs("Up to 60 of the Russian soldiers were killed.") == []
    assert _figs("60 soldiers were killed in the strike.") == []
    assert _figs("The strike killed 12 enemy troops.") == []
    assert ("killed", "total", 5) in _figs("The strike killed 5 civilians and 3 soldiers.")


# --- 1. publication date from the document, date precision, no invented dates -------------------

def test_published_line_and_dateline_give_the_publication_date(tmp_path):
    from harmwatch.ingest.readers import read_file
    from harmwatch.ingest.textual import published_in_text

    assert published_in_text("Strike on the port\nPublished 3 May 2024\n\nA missile hit ...") == date(2024, 5, 3)
    assert published_in_text("Title\nUpdated 5 May 2024\nPublished: May 3, 2024\n\nText.") == date(2024, 5, 3)
    assert published_in_text("Title\nLast updated 2024-05-05 10:12\n\nText.") == date(2024, 5, 5)
    assert published_in_text("KYIV, May 3, 2024 (Reuters) - A missile hit ...") == date(2024, 5, 3)
    # a dateline without its year takes the year of a full date near the top
    assert published_in_text("Posted on 03.05.2024\n\nKYIV, May 3 (Reuters) - A missile hit ...") == date(2024, 5, 3)
    assert published_in_text("KYIV, May 3 (Reuters) - A missile hit ...") is None  # no year anywhere
    assert published_in_text("A missile hit the port on 3 May 2024.") is None  # an event date, not a publication line
    p = tmp_path / "r.txt"
    p.write_text("Strike on the port\nPublished 3 May 2024\n\nA missile hit the port of Odesa yesterday.\n",
                 encoding="utf-8")
    [doc] = read_file(p)
    assert doc.published == date(2024, 5, 3)


def test_date_precision_day_and_publication():
    c = _one("A Russian missile hit an apartment block in Dnipro on Monday, killing five people.")
    assert (c.date, c.date_precision, c.evidence["date"].quote) == ("2024-05-06", "day", "Monday")
    assert c.to_contract()["date_precision"] == "day"
    # a wire lead with no date of its own: only the filing date, marked as such
    c = _one("KYIV, May 3 (Reuters) - A Russian missile hit an apartment block in Dnipro, killing five people, "
             "officials said.")
    assert (c.date, c.date_precision) == ("2024-05-03", "publication")
    assert "date" not in c.evidence and c.evidence["date.publication"].quote == "May 3"
    c = _one("A Russian missile hit an apartment block in Dnipro, killing five people.")
    assert (c.date, c.date_precision, c.to_contract()["date_precision"]) == (None, None, None)


def test_no_date_when_the_text_gives_no_day():
    ex = _extract("A missile hit Kyiv on Monday, killing 3.\n\n"
                  "Earlier this month, missiles hit a school in Kherson, killing two.")
    assert [(c.place, c.date) for c in ex.incidents] == [("Kyiv", "2024-05-06"), ("Kherson", None)]
    # a range of days is no single day
    c = _one("On 15-16 January, Zaporizhzhia came under fire, and a missile hit a house.")
    assert c.date is None
    # the day of a speech is not the day of an attack told after it
    ex = _extract("Thank you for your briefing today.\n\nThe missiles that rained down on Kyiv have killed two people.")
    assert [(c.place, c.date) for c in ex.incidents] == [("Kyiv", None)]


def test_the_next_day_follows_the_attack_before():
    ex = _extract("A missile hit a cafe in Izium on Monday, killing 50.\n\n"
                  "And in Kharkiv, an air attack the next day killed a 10-year-old boy.")
    assert [(c.place, c.date) for c in ex.incidents] == [("Izium", "2024-05-06"), ("Kharkiv", "2024-05-07")]


# --- 2. PDF lines --------------------------------------------------------------------------------

def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF printing each of `lines` on its own line (Helvetica), byte offsets computed."""
    body = " T* ".join("(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj" for s in lines)
    stream = f"BT /F1 11 Tf 14 TL 72 720 Td {body} ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents 5 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_join_pdf_lines():
    from harmwatch.ingest.textual import join_pdf_lines

    page = ("Statement on the strike\n"
            "On Monday a Russian missile struck a residential building in the city of\n"
            "Poltava, killing seven civil-\n"
            "ians and injuring 18 others.\n\nA second paragraph.")
    assert join_pdf_lines(page) == ("Statement on the strike\n"
                                    "On Monday a Russian missile struck a residential building in the city of "
                                    "Poltava, killing seven civilians and injuring 18 others.\n\nA second paragraph.")
    assert join_pdf_lines("Short heading\nAnother heading") == "Short heading\nAnother heading"


def test_pdf_text_is_joined_before_extraction(tmp_path):
    from harmwatch.ingest.readers import read_file

    p = tmp_path / "r.pdf"
    p.write_bytes(_pdf(["On Monday a Russian missile struck a residential building in the city of",
                        "Poltava, killing seven civil-", "ians and injuring 18 others."]))
    [doc] = read_file(p)
    assert "killing seven civilians and injuring 18 others" in doc.text
    c = _one(doc.text)
    assert (c.place, c.killed, c.injured) == ("Poltava", 7, 18)
    ev = c.evidence["killed"]
    assert doc.text[ev.start:ev.end] == ev.quote == "seven civilians"


# --- 3. headlines -----------------------------------------------------------------------------------

def test_one_sentence_lead_paragraph_is_not_a_headline():
    text = ("A Russian missile hit an apartment block in Sumy on Monday, killing two people.\n\n"
            "Rescuers worked through the night. The mayor spoke to reporters. Officials counted the damage.")
    c = _one(text)
    assert (c.place, c.killed, c.objects) == ("Sumy", 2, ["residential"])
    # a title line above the body is still left out
    ex = _extract("Missile strikes on Sumy and Kharkiv\n\nA missile hit an apartment block in Sumy on Monday, "
                  "killing two people. Rescuers worked through the night. The mayor spoke. Officials counted.")
    assert [(c.place, c.killed) for c in ex.incidents] == [("Sumy", 2)]


# --- 6. not objects hit ---------------------------------------------------------------------------

def test_institutions_that_speak_are_not_objects_hit():
    from harmwatch.extract.objects import find_objects

    assert [o.type for o in find_objects("A missile hit a school in Sumy, the city council's education department said.")] \
        == ["school"]
    assert [o.type for o in find_objects("Two were hurt, according to the city council.")] == []
    assert [o.type for o in find_objects("A missile hit the city council building, officials said.")] == ["government"]


def test_drones_shot_down_with_no_harm_are_no_incident():
    ex = _extract("On Monday a drone hit a shop in Sumy, killing two.\n\n"
                  "Overnight, air defence shot down 20 drones over the Kyiv region.")
    assert [(c.place, c.killed) for c in ex.incidents] == [("Sumy", 2)]
    ex = _extract("Air defence shot down 20 drones over the Kyiv region overnight; debris damaged a house in Bucha.")
    assert [(c.place, c.objects) for c in ex.incidents] == [("Bucha", ["residential"])]


# --- 8. attribution spans ---------------------------------------------------------------------------

def test_attribution_spans_end_at_word_boundaries():
    from harmwatch.extract.attribution import find_source

    for text in ("Five people were killed, according to the organisation.",
                 "The organisation said five people were killed."):
        who, s, e = find_source(text)
        assert (who, text[s:e]) == ("organisation", "organisation")
    text = ("Five were killed, according to the regional military administration of the Kharkiv region and its "
            "emergency services department.")
    who, s, e = find_source(text)
    assert text[s:e] == who and not text[e].isalnum() and not text[s - 1].isalnum()


def test_count_of_a_wave_on_the_whole_country_is_a_tally():
    ex = _extract("A missile hit an apartment block in Kharkiv on Monday, killing two.\n\n"
                  "On 29 December, Russia unleashed its largest aerial assault against Ukraine. "
                  "It killed at least 41 civilians, including a boy.")
    assert [(c.place, c.killed) for c in ex.incidents] == [("Kharkiv", 2)]
    assert [(t.scope, t.killed) for t in ex.tallies] == [("Ukraine", 41)]


def test_relatives_listed_before_the_verb_add_up():
    c = _one("On Friday a young woman and her 3-year-old child were killed in Dnipro.")
    assert (c.killed, c.children_killed) == (2, 1)


def test_a_day_range_does_not_take_the_date_before():
    ex = _extract("A missile hit Dnipro on 14 January, killing 45.\n\n"
                  "On 15-16 January, Zaporizhzhia came under fire, and a missile hit a house.")
    assert [(c.place, c.date) for c in ex.incidents] == [("Dnipro", "2024-01-14"), ("Zaporizhzhia", None)]
    # a night across two days takes the morning it ends; a dash before a figure is no range
    assert _one("On the night of 15-16 January, drones hit a house in Odesa.").date == "2024-01-16"
    assert _one("Overnight on May 3-4, drones hit a house in Odesa.").date == "2024-05-04"
    assert _one("A missile hit Odesa on May 3 - 12 people were killed.").date == "2024-05-03"


def test_a_wave_on_the_country_ends_the_citys_incident():
    ex = _extract("On Friday a missile hit a house in Uman, killing 23 people. A young woman and her 3-year-old child "
                  "were also killed in Dnipro. On Sunday night, Russia again attacked Ukraine with bombers. "
                  "A residential area was hit in Pavlohrad; 25 civilians were injured.")
    assert [(c.place, c.date, c.killed, c.injured) for c in ex.incidents] == [
        ("Uman", "2024-05-03", 23, None), ("Dnipro", "2024-05-03", 2, None), ("Pavlohrad", "2024-05-05", None, 25)]
