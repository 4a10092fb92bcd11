"""Fifteenth trust round (issues 7 and 8): the errors of heldout25 and heldout26 (tuning sets since their first
runs were recorded), each a general phenomenon. Every text here is written for the test."""
from __future__ import annotations

from datetime import date

from extract_helpers import rows as _rows, runner

PUB = date(2025, 6, 14)  # a Saturday
_run = runner(PUB)


# --- a count over a city and the area around it -------------------------------------------------------------

def test_a_count_over_a_city_and_its_district_is_a_tally_and_the_citys_own_toll_is_withheld():
    ex = _run("KURSK, June 14 (wire) - Three people were killed and 12 wounded when drones struck the city of Kursk "
              "and the surrounding Kursk district on Friday night, the governor said.\n\n"
              "In the city, windows were blown out in a school.", "en")
    assert [(i.place, i.killed, i.injured) for i in ex.incidents] == [("Kursk", None, None)]
    assert [(t.killed, t.injured) for t in ex.tallies] == [(3, 12)]


def test_a_count_told_after_an_attack_on_a_city_and_its_district_is_a_tally_in_russian():
    ex = _run("Вечером ВСУ нанесли ракетный удар по Курску и Курскому району, сообщил губернатор.\n\n"
              "По уточненным данным, погибли трое, ранены 12 человек.", "ru")
    assert [(i.place, i.killed, i.injured) for i in ex.incidents] == [("Kursk", None, None)]
    city = ex.incidents[0]
    assert "area around" in city.uncertain["killed"] and city.withheld["killed"]["value"] == 3
    assert [(t.killed, t.injured) for t in ex.tallies] == [(3, 12)]


def test_a_later_mention_of_the_city_and_its_suburbs_leaves_the_sites_toll():
    ex = _run("A missile hit a warehouse in Kharkiv on Friday, killing two workers. It was one of six missiles "
              "fired at Kharkiv and its suburbs that morning.", "en")
    assert _rows(ex) == [("Kharkiv", "Kharkiv", 2, None)]


# --- places ------------------------------------------------------------------------------------------------------

def test_a_village_in_a_district_named_after_a_russian_regions_centre_is_across_the_border():
    # (Novoselivka is the name of dozens of Ukrainian villages)
    ex = _run("Drones struck the Russian city of Bryansk on Friday. In the settlement of Novoselovka in Bryansk "
              "district, a house was damaged.", "en")
    assert ("Novoselovka", "Bryansk") in [(i.place, i.admin1) for i in ex.incidents]


def test_the_city_before_and_the_surrounding_district_is_the_city():
    ex = _run("Shelling hit Russia's Kursk and nearby district on Friday, damaging homes, the governor said.", "en")
    assert [(i.place, i.admin1) for i in ex.incidents] == [("Kursk", "Kursk")]


def test_the_capital_speaking_is_no_scene():
    ex = _run("Two people were killed in a drone attack on Russia's Saratov region overnight, the governor said on "
              "Saturday. His statement came as Kyiv said dozens of drones had been launched at Ukraine.", "en")
    assert [(i.place, i.admin1, i.killed) for i in ex.incidents] == [(None, "Saratov", 2)]


def test_the_attack_on_kyiv_claiming_lives_is_still_kyiv():
    ex = _run("The attack on Kyiv claimed the lives of five people on Friday.", "en")
    assert _rows(ex) == [("Kyiv", "Kyiv City", 5, None)]


def test_a_district_of_a_russian_region_named_after_of():
    ex = _run("A drone came down on a farm in the Dankovsky district of the Lipetsk region overnight, killing one "
              "worker, the governor said.", "en")
    assert [(i.place, i.admin1, i.killed) for i in ex.incidents] == [(None, "Lipetsk", 1)]


def test_russian_regions_deeper_inside_are_named_in_ukrainian_and_russian():
    ex = _run("Дрон атакував нафтобазу в Тамбовській області, загинув охоронець.", "uk")
    assert [(i.place, i.admin1, i.killed) for i in ex.incidents] == [(None, "Tambov", 1)]
    ex = _run("Беспилотник упал на территории предприятия в Рязанской области, погиб рабочий.", "ru")
    assert [(i.place, i.admin1, i.killed) for i in ex.incidents] == [(None, "Ryazan", 1)]


def test_places_listed_after_a_region_and_a_dash_are_each_found():
    ex = _run("Росіяни обстріляли три міста Донеччини — Торецьк, Залізне та Костянтинівку, пошкоджено житлові "
              "будинки.", "uk")
    assert sorted(i.place for i in ex.incidents) == ["Kostiantynivka", "Toretsk", "Zalizne"]


def test_the_private_houses_quarter_of_a_town_named_in_the_genitive_is_the_town():
    ex = _run("Приватний сектор Курахового обстріляли з артилерії, поранено двох людей.", "uk")
    assert _rows(ex) == [("Kurakhove", "Donetsk", None, 2)]
    ex = _run("Частный сектор Курахово обстреляли из артиллерии, ранены двое.", "ru")
    assert _rows(ex) == [("Kurakhove", "Donetsk", None, 2)]


def test_a_two_word_plural_name_in_an_oblique_case_is_the_village():
    ex = _run("В Казачьих Лагерях ранена женщина.", "ru")
    assert _rows(ex) == [("Kozachi Laheri", "Kherson", None, 1)]
    ex = _run("У Великих Копанях поранено чоловіка.", "uk")
    assert _rows(ex) == [("Velyki Kopani", "Kherson", None, 1)]


def test_a_list_word_that_is_also_a_given_name_does_not_hide_the_list():
    ex = _run("Повреждены дома в Днепрянах, Корсунке и Новой Каховке.", "ru")
    assert sorted(i.place for i in ex.incidents) == ["Dnipriany", "Korsunka", "Nova Kakhovka"]


def test_a_town_that_is_also_a_given_name_before_its_region_is_the_town():
    ex = _run("Днем ВСУ обстреляли рынок в Алешках Херсонской области, ранены четверо.", "ru")
    assert _rows(ex) == [("Oleshky", "Kherson", None, 4)]


def test_a_russian_village_name_takes_its_namesake_of_the_region_the_text_names():
    # "Токаревка" is spelt so by GeoNames for the Mykolaiv village only; the codifier's Kherson village is Токарівка
    ex = _run("Оккупанты обстреляли село Токаревка Херсонской области, погиб мужчина.", "ru")
    assert [(i.place, i.admin1, i.killed) for i in ex.incidents] == [("Tokarivka", "Kherson", 1)]
    ex = _run("На Херсонщине за день ранены трое мирных жителей.\n\nВ поселке Приозёрное погибла женщина.", "ru")
    assert ("Pryozerne", "Kherson") in [(i.place, i.admin1) for i in ex.incidents]


# --- counts that are no one place's ------------------------------------------------------------------------------

def test_the_count_after_a_list_of_towns_is_their_tally_and_each_town_keeps_its_own():
    ex = _run("Росіяни обстріляли три міста Донеччини — Торецьк, Костянтинівку та Курахове. Поранень зазнали "
              "четверо цивільних.\n\nУ Торецьку поранено жінку. У Костянтинівці поранено чоловіка. У Кураховому "
              "поранено двох людей.", "uk")
    assert sorted(_rows(ex)) == [("Kostiantynivka", "Donetsk", None, 1), ("Kurakhove", "Donetsk", None, 2),
                                 ("Toretsk", "Donetsk", None, 1)]
    assert [(t.scope, t.injured) for t in ex.tallies] == [("Toretsk, Kostiantynivka and Kurakhove", 4)]


def test_a_regions_count_for_a_day_is_its_tally():
    ex = _run("Днем обстреляли село Садовое Херсонской области, погиб мужчина. Всего за субботу на Херсонщине "
              "погибли уже двое, еще четверо ранены.", "ru")
    assert [(i.place, i.killed, i.injured) for i in ex.incidents] == [("Sadove", 1, None)]
    assert [(t.killed, t.injured) for t in ex.tallies] == [(2, 4)]


def test_places_only_listed_as_under_fire_are_no_incidents_but_damage_at_them_is():
    ex = _run("В Алешках ранены двое. Обстрелам подверглись также жилые кварталы в Днепрянах, Корсунке и Новой "
              "Маячке.", "ru")
    assert [i.place for i in ex.incidents] == ["Oleshky"]
    ex = _run("В Алешках ранены двое. Повреждены жилые дома в Днепрянах, Корсунке и Новой Маячке.", "ru")
    assert sorted(i.place for i in ex.incidents) == ["Dnipriany", "Korsunka", "Nova Maiachka", "Oleshky"]


# --- dates -------------------------------------------------------------------------------------------------------

def test_the_day_a_count_stood_is_not_the_attacks():
    ex = _run("KURSK, June 14 (wire) - Drones struck the Russian city of Kursk on Thursday evening, the governor "
              "said.\n\nBy Friday morning he said two people had died.\n\nIn the settlement of Dubovka in Kursk "
              "district, a house was damaged.", "en")
    assert {(i.place, i.date) for i in ex.incidents} == {("Kursk", "2025-06-12"), ("Dubovka", "2025-06-12")}


def test_a_possessive_day_after_by_is_the_attacks():
    ex = _run("Two people were killed by Thursday's shelling of Kherson, the regional governor said.", "en")
    assert [(i.place, i.date) for i in ex.incidents] == [("Kherson", "2025-06-12")]


# --- more of the round ---------------------------------------------------------------------------------------------

def test_a_village_named_as_struck_starts_the_incident_its_next_sentences_tell():
    ex = _run("In the morning, Russian forces struck Pryozerne, a village in Kherson Oblast. A shell killed a "
              "72-year-old woman. A 50-year-old woman who was outdoors at the time was also killed.", "en")
    assert [(i.place, i.admin1, i.killed) for i in ex.incidents] == [("Pryozerne", "Kherson", 2)]


def test_another_after_one_is_one_more():
    ex = _run("A drone hit a farm in the Lipetsk region overnight; one person died while another was wounded.", "en")
    assert [(i.admin1, i.killed, i.injured) for i in ex.incidents] == [("Lipetsk", 1, 1)]


def test_a_security_guard_is_counted():
    ex = _run("A security guard was killed in Kherson on Friday when a shell hit a warehouse.", "en")
    assert _rows(ex) == [("Kherson", "Kherson", 1, None)]


def test_a_regions_count_in_the_oblast_takes_the_texts_region_not_a_villages_namesake():
    ex = _run("Russian attacks on Kherson Oblast killed two people on Friday.\n\nIn the afternoon, a Russian attack on "
              "the village of Tokarivka killed a man.\n\nThe day before, Russian forces had hit 12 settlements in the "
              "oblast, killing one person and injuring four.", "en")
    assert ("Kherson region", 1, 4) in [(t.scope, t.killed, t.injured) for t in ex.tallies]


def test_the_weekend_is_no_day():
    ex = _run("Балицкий: на выходных ранен житель Васильевки\n\nВ Васильевке на выходных ранен мужчина, он в "
              "больнице, где ему оказывают всю необходимую помощь.", "ru")
    assert [(i.place, i.date, i.injured) for i in ex.incidents] == [("Vasylivka", None, 1)]
    assert ex.incidents[0].objects == []  # (the hospital is where he is treated, not what was hit)


def test_a_regions_weekend_count_is_its_tally():
    ex = _run("За прошедшие выходные удары по Херсонской области унесли жизнь одного мирного жителя, еще шесть "
              "человек пострадали.\n\nВ Алешках погиб мужчина.", "ru")
    assert [(i.place, i.killed, i.injured) for i in ex.incidents] == [("Oleshky", 1, None)]
    assert [(t.killed, t.injured) for t in ex.tallies] == [(1, 6)]


def test_a_days_sum_right_after_the_day_named_keeps_that_day():
    ex = _run("24 июня россияне атаковали Никопольщину дронами. Всего за сутки пострадали четверо гражданских.\n\n"
              "Под ударом был Никополь, там ранены трое.", "ru", date(2024, 6, 24))
    assert [(i.place, i.date, i.injured) for i in ex.incidents] == [("Nikopol", "2024-06-24", 3)]
    assert [t.injured for t in ex.tallies] == [4]


def test_more_of_the_regions_count_in_the_next_sentence_fills_its_tally():
    ex = _run("Голова ОВА повідомив про одного загиблого в області за минулу добу. Ще троє людей поранені внаслідок "
              "атак на Запоріжжя та Запорізький район.", "uk")
    assert [(t.killed, t.injured) for t in ex.tallies] == [(1, 3)]
    assert ex.incidents == []


def test_a_city_named_again_with_its_own_count_keeps_it():
    ex = _run("Russia struck Kharkiv and the region overnight with drones. In Kharkiv, three people were injured.", "en")
    assert _rows(ex) == [("Kharkiv", "Kharkiv", None, 3)]


def test_where_the_dead_were_listed_is_no_list_total():
    ex = _run("Жертвами обстрелов за сутки стали пять мирных жителей Донбасса. Люди погибли в Макеевке, Ясиноватой и "
              "Светлодарске. Ранены 24 человека.", "ru")
    assert "Makiivka, Yasynuvata and Svitlodarsk" not in [t.scope for t in ex.tallies]


def test_the_night_drones_were_shot_down_dates_no_attack_of_the_post():
    ex = _run("В деревне Свобода Рыльского района дрон атаковал автомобиль, ранены двое. Пострадавших доставили в "
              "больницу.\n\nГубернатор призвал жителей не ездить в приграничные районы.\n\nПо данным Минобороны, в "
              "ночь на 14 июня силы ПВО сбили над регионами 40 беспилотников.", "ru")
    assert [(i.place, i.date) for i in ex.incidents] == [("Svoboda", "2025-06-14")]


def test_a_recall_just_before_an_incidents_passage_keeps_the_publication_day_off_it():
    ex = _run("В Уразово дрон атаковал магазин, ранена женщина. Об этом сообщил губернатор Белгородской области.\n\n"
              "Ранее также сообщалось, что беспилотник атаковал предприятие в Пензе. По словам губернатора Пензенской "
              "области, там погибла женщина.", "ru")
    assert [(i.place, i.admin1, i.date) for i in ex.incidents] == [
        ("Urazovo", "Belgorod", "2025-06-14"), (None, "Penza", None)]


def test_a_worker_is_counted_in_russian_and_ukrainian():
    ex = _run("В Херсоне дрон атаковал предприятие, погиб рабочий.", "ru")
    assert _rows(ex) == [("Kherson", "Kherson", 1, None)]
    ex = _run("У Херсоні дрон атакував підприємство, загинув робітник.", "uk")
    assert _rows(ex) == [("Kherson", "Kherson", 1, None)]
