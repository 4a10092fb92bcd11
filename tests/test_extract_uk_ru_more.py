"""Ukrainian and Russian extraction, second round (issue 8): one test per phenomenon the first
round missed. Every sentence here is invented for this test; none is copied from a corpus."""
from __future__ import annotations

from datetime import date

import pytest

from harmwatch.extract.lang import annotator_for
from harmwatch.extract.lang.slavic import load_resources
from harmwatch.extract.pipeline import default_extractor, extract_text
from harmwatch.extract.text import split_sentences

PUB = date(2025, 3, 12)  # a Wednesday


def feats(text: str, lang: str = "uk", published: date | None = PUB):
    ex = default_extractor()
    ann = annotator_for(lang, ex.gazetteer, ex.catalogue)
    return [ann(s, published) for s in split_sentences(text)]


def one(text: str, lang: str = "uk", published: date | None = PUB):
    fs = feats(text, lang, published)
    assert len(fs) == 1, [f.sent.text for f in fs]
    return fs[0]


def places(f):
    return [(p.candidates[0].name if p.candidates else None, p.kind, p.admin1, p.cue) for p in f.places]


def figures(f):
    return sorted((x.role, x.group, x.value) for x in f.figures)


# places ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,lang", [
    ("Звернення Володимира Зеленського до громадян.", "uk"),
    ("Про удар розповів Станіслав Петренко.", "uk"),
    ("Обращение Владимира Зеленского к гражданам.", "ru"),
])
def test_a_persons_first_name_is_no_place(text, lang):
    assert not one(text, lang).settlements


@pytest.mark.parametrize("text,name", [
    ("Уночі ворог вдарив по селу Широка Балка.", "Shyroka Balka"),
    ("Снаряд влучив у будинок в селі Широка Балка.", "Shyroka Balka"),
])
def test_two_word_village_name(text, name):
    assert [p[0] for p in places(one(text))] == [name]


@pytest.mark.parametrize("text,name,cue", [
    ("Окупанти обстріляли Одесу вночі.", "Odesa", None),
    ("Учора ракета влучила по Одесі.", "Odesa", None),
    ("Дрон атакував автівку біля Куп'янська.", "Kupiansk", "near"),
    ("Ракета впала неподалік Запоріжжя.", "Zaporizhzhia", "near"),
])
def test_inflected_places_more_cases(text, name, cue):
    got = [p for p in places(one(text)) if p[1] == "settlement"]
    assert got and got[0][0] == name
    if cue:
        assert got[0][3] == cue


@pytest.mark.parametrize("text,admin1,lang", [
    ("Внаслідок удару на Дніпропетровщині загинули дві жінки.", "Dnipropetrovsk", "uk"),
    ("Дрон атакував село в Сумській області.", "Sumy", "uk"),
    ("В Белгородской области дрон атаковал автомобиль.", "Belgorod", "ru"),
])
def test_region_only(text, admin1, lang):
    f = one(text, lang)
    assert [o.admin1 for o in f.oblasts] == [admin1]


# numbers and casualty words ----------------------------------------------------------------------

@pytest.mark.parametrize("text,expected,lang", [
    ("Відомо про 34 убитих людини.", [("killed", "total", 34)], "uk"),
    ("Внаслідок удару загинули дві українки.", [("killed", "women", 2)], "uk"),
    ("Вбито трьох цивільних.", [("killed", "total", 3)], "uk"),
    ("Травмовано чотирьох людей.", [("injured", "total", 4)], "uk"),
    ("Постраждали шестеро людей.", [("injured", "total", 6)], "uk"),
    ("Госпіталізовано двох жінок.", [("injured", "women", 2)], "uk"),
    ("Поранено п'ятьох людей.", [("injured", "total", 5)], "uk"),
    ("Обоє чоловіків загинули на місці.", [("killed", "men", 2)], "uk"),
    ("Загинула двадцять одна людина.", [("killed", "total", 21)], "uk"),
    ("Поранених і травмованих – 40.", [("injured", "total", 40)], "uk"),
    ("Загиблих – 6, поранених – 11.", [("injured", "total", 11), ("killed", "total", 6)], "uk"),
    ("Погибли пятеро мирных жителей.", [("killed", "total", 5)], "ru"),
    ("Госпитализированы четыре человека.", [("injured", "total", 4)], "ru"),
    ("Известно о 12 убитых.", [("killed", "total", 12)], "ru"),
    ("Раненых – 9.", [("injured", "total", 9)], "ru"),
])
def test_numbers_and_casualty_words(text, expected, lang):
    assert figures(one(text, lang)) == expected


def test_a_vague_number_is_no_figure():
    assert figures(one("Кілька людей поранені.")) == []


# dates and times ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected,lang", [
    ("Внаслідок сьогоднішнього удару загинула жінка.", date(2025, 3, 12), "uk"),
    ("Після вчорашньої атаки на Київ тривають роботи.", date(2025, 3, 11), "uk"),
    ("Після учорашнього обстрілу Херсона поранено двох людей.", date(2025, 3, 11), "uk"),
    ("После вчерашнего удара по Белгороду ранены двое.", date(2025, 3, 11), "ru"),
    ("Сьогодні вночі дрони атакували Одесу.", date(2025, 3, 12), "uk"),
    ("У ніч на 24 лютого ракета влучила в будинок.", date(2025, 2, 24), "uk"),
])
def test_dates(text, expected, lang):
    assert [d.value for d in one(text, lang).dates][:1] == [expected]


@pytest.mark.parametrize("text,expected,lang", [
    ("Удар стався близько 10:30.", ["10:30"], "uk"),
    ("Дрон атакував місто о 7 ранку.", ["07:00"], "uk"),
    ("Обстріл почався о 9 вечора.", ["21:00"], "uk"),
    ("Удар был нанесён около 10:30.", ["10:30"], "ru"),
    ("Дрон атаковал город в 7 утра.", ["07:00"], "ru"),
])
def test_times(text, expected, lang):
    assert [t.value for t in one(text, lang).times] == expected


# weapons -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,wclass,lang", [
    ("Це були дві балістичні ракети.", "ballistic_missile", "uk"),
    ("Ворог вдарив балістичною ракетою.", "ballistic_missile", "uk"),
    ("Росіяни випустили три крилаті ракети.", "cruise_missile", "uk"),
    ("Ворог скинув керовані авіабомби на місто.", "air_bomb", "uk"),
    ("Місто обстріляли з реактивних систем залпового вогню.", "rocket_artillery", "uk"),
    ("Село обстріляли з мінометів.", "mortar", "uk"),
    ("Росіяни вдарили двома ФАБами по селищу.", "air_bomb", "uk"),
    ("По місту вдарили Іскандером.", "ballistic_missile", "uk"),
    ("Ворог атакував місто Шахедами.", "drone", "uk"),
    ("Город атаковали Геранями.", "drone", "ru"),
    ("По городу ударили баллистической ракетой.", "ballistic_missile", "ru"),
    ("Город обстреляли из РСЗО.", "rocket_artillery", "ru"),
    ("Дрон-камікадзе влучив у будинок.", "drone", "uk"),
    ("Окупанти обстріляли село з артилерії.", "tube_artillery", "uk"),
])
def test_weapons(text, wclass, lang):
    assert wclass in [w.weapon_class for w in one(text, lang).weapons]


# objects, cues and attribution -------------------------------------------------------------------

@pytest.mark.parametrize("text,obj,lang", [
    ("Ракета влучила в пологовий будинок.", "hospital", "uk"),
    ("Пошкоджено дитячий садок.", "kindergarten", "uk"),
    ("Зруйновано дев'ятиповерхівку.", "residential", "uk"),
    ("Уламки пошкодили три автомобілі.", "vehicle", "uk"),
    ("Повреждена больница.", "hospital", "ru"),
    ("Разрушен жилой дом.", "residential", "ru"),
])
def test_objects(text, obj, lang):
    assert obj in [o.type for o in one(text, lang).objects]


@pytest.mark.parametrize("text,lang", [
    ("Приблизно в той самий час було обстріляне село Гроза.", "uk"),
    ("Обстріляний район міста залишився без світла.", "uk"),
])
def test_attack_participles(text, lang):
    assert one(text, lang).attack


@pytest.mark.parametrize("text,who,lang", [
    ("Про це повідомив начальник ОВА Олег Петренко.", "начальник ОВА Олег Петренко", "uk"),
    ("Загинула жінка, за даними прокуратури.", "прокуратури", "uk"),
    ("Об этом сообщил губернатор области.", "губернатор области", "ru"),
    ("По данным Минздрава, ранены трое.", "Минздрава", "ru"),
])
def test_attribution(text, who, lang):
    assert one(text, lang).source[0] == who


# whole documents ---------------------------------------------------------------------------------

def test_one_word_place_heading_gives_the_place():
    text = ("Звернення Володимира Зеленського\n\nДніпро.\n\nНа місці російського ракетного удару по "
            "багатоповерхівці ще тривають роботи. Загинула одна людина. Семеро людей отримали поранення.")
    x = extract_text(text, "d", PUB, None, "uk")
    assert [(i.place, i.killed, i.injured) for i in x.incidents] == [("Dnipro", 1, 7)]


def test_two_villages_with_times_are_two_incidents():
    text = ("Сьогодні окупанти вдарили по Херсонщині. Сьома ранку – обстріляли село Гроза. Двоє загиблих. "
            "Приблизно в той самий час було обстріляне село Широка Балка. Троє людей поранені.")
    x = extract_text(text, "d", PUB, None, "uk")
    got = sorted((i.place, i.killed, i.injured) for i in x.incidents)
    assert got == [("Hroza", 2, None), ("Shyroka Balka", None, 3)]


def test_resources_declare_weapon_phrases():
    assert load_resources("uk").raw["weapon_phrases"]["ballistic_missile"]


@pytest.mark.parametrize("text,expected", [
    ("Поранений хлопець: у нього опіки.", [("injured", "men", 1)]),
    ("Двадцять одне життя забране.", [("killed", "total", 21)]),
])
def test_more_victim_words(text, expected):
    assert figures(one(text)) == expected


@pytest.mark.parametrize("text,lang", [("Загорівся будинок.", "uk"), ("Загорелся жилой дом.", "ru")])
def test_a_fire_in_a_building_is_harm(text, lang):
    f = one(text, lang)
    assert f.attack and f.objects


@pytest.mark.parametrize("text,lang", [
    ("Сьогодні зросла кількість загиблих після удару по Херсону: їх уже дев'ять.", "uk"),
    ("Сегодня число погибших после удара по Белгороду выросло до девяти.", "ru"),
])
def test_the_day_a_toll_rose_is_not_the_attack_day(text, lang):
    assert one(text, lang).dates == []


def test_a_region_heading_gives_the_region():
    text = ("Курская область.\n\nСегодня вечером дрон атаковал гражданский автомобиль на трассе. "
            "Пострадал 40-летний мужчина.")
    x = extract_text(text, "d", PUB, None, "ru")
    assert [(i.place, i.admin1, i.injured) for i in x.incidents] == [(None, "Kursk", 1)]


@pytest.mark.parametrize("text,expected,lang", [
    ("Дрон атакував автомобіль. Поранено водія.", [("injured", "total", 1)], "uk"),
    ("Дрон атаковал автомобиль. Ранен водитель.", [("injured", "total", 1)], "ru"),
])
def test_one_named_victim_of_the_total_group(text, expected, lang):
    assert figures(feats(text, lang)[-1]) == expected


def test_a_missile_strike_phrase_lets_a_place_start_the_incident():
    text = "У Запоріжжі внаслідок ракетного удару зруйновано будівлю. Кількість загиблих зросла до 5."
    x = extract_text(text, "d", PUB, None, "uk")
    assert [(i.place, i.killed) for i in x.incidents] == [("Zaporizhzhia", 5)]
