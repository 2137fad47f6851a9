"""Subset search, coincidence estimates, normal forms and reference reading."""

from __future__ import annotations

import pytest

from o2c.cashapp.normalize import fold, name_key, number_forms
from o2c.cashapp.references import clean_text, extract_mentions
from o2c.cashapp.subset import expected_coincidences, find_subsets


def test_subset_search_finds_the_unique_combination():
    amounts = [1180_00, 402_17, 77_70, 3150_49, 612_30, 99_99]

    found = find_subsets(amounts, 402_17 + 3150_49 + 99_99, max_items=4, window_items=8)

    assert found == [(1, 3, 5)]


def test_subset_search_reports_two_combinations_when_two_fit():
    found = find_subsets([100, 200, 300, 50], 300, max_items=4, window_items=8)

    assert sorted(found) == [(0, 1), (2,)] or found == [(2,)]


def test_subset_search_stops_at_the_smallest_size():
    found = find_subsets([100, 200, 300, 50, 250], 300, max_items=4, window_items=8, limit=5)

    assert found == [(2,)]


def test_tolerant_search_accepts_a_small_shortfall_only():
    found = find_subsets([10_000, 20_000, 7_000], 29_990, max_items=2, window_items=0, slack=15)

    assert found == [(0, 1)]


def test_runs_of_the_oldest_items_are_found_beyond_the_pick_size():
    amounts = [11, 22, 33, 44, 55, 660, 770]

    found = find_subsets(amounts, 11 + 22 + 33 + 44 + 55, max_items=2, window_items=6)

    assert found == [(0, 1, 2, 3, 4)]


def test_round_amounts_make_coincidences_likelier():
    odd = [10_017, 23_489, 31_122, 48_761, 52_390, 66_604, 70_018, 81_234]
    round_ = [a // 100 * 100 for a in odd]

    assert expected_coincidences(round_, 100_000, 2) > 50 * expected_coincidences(odd, 100_017, 2)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Müller Maschinenbau GmbH", "muller maschinenbau"),
        ("MUELLER MASCHINENBAU G.m.b.H.", "muller maschinenbau"),
        ("Acme Trading GmbH & Co. KG", "acme trading"),
        ("Acme Trading GmbH u. Co. KG", "acme trading"),
        ("Evans & Mekal B.V.", "evans mekal"),
        ("The Limited", "the limited"),
    ],
)
def test_name_keys_ignore_spelling_legal_forms_and_connectors(name, key):
    assert name_key(name) == key


def test_fold_keeps_legal_forms_for_prefix_matching():
    assert fold("Schröder Foods Ltd.") == "schroder foods ltd"


def test_number_forms_of_an_invoice_number():
    forms = number_forms("INV-2026-001926")

    assert forms is not None
    assert (forms.compact, forms.digits, forms.stripped, forms.tail, forms.key) == (
        "INV2026001926",
        "2026001926",
        "20261926",
        "1926",
        "2261926",
    )


def test_text_cleaning_blanks_dates_amounts_and_ibans_but_keeps_references():
    cleaned = clean_text("RE 2026/1926 VOM 14.03.2026 EUR 1.234,50 DE89370400440532013000")

    assert cleaned.split() == ["RE", "2026/1926", "VOM", "EUR"] or cleaned.split() == [
        "RE",
        "2026/1926",
        "VOM",
    ]


def test_mentions_cover_each_run_of_digit_groups_and_its_parts():
    mentions = extract_mentions(["PAYMENT INV 2026/1926 THANK YOU"])

    assert [(m.text, m.digits, m.stripped, m.label) for m in mentions] == [
        ("2026", "2026", "2026", "INV"),
        ("2026/1926", "20261926", "20261926", "INV"),
        ("1926", "1926", "1926", ""),
    ]


def test_valid_rf_reference_in_free_text_is_a_certified_mention():
    mentions = extract_mentions(["RF18 5390 0754 7034 THANKS"])

    assert mentions[0].certified
    assert mentions[0].digits == "539007547034"
