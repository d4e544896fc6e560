"""Names in the reader's order (lib.collation): Python keys and the folded SQL keys."""

import pytest
from django.utils import translation

from chapterhouse.lib.collation import fold, sort_key, sorted_by_name
from chapterhouse.lib.languages import language_choices


def names(items, language):
    return sorted_by_name(items, lambda name: name, language)


def test_accented_names_sort_with_their_letter_not_after_z():
    countries = ["Mozambique", "México", "Malawi", "Zimbabwe"]
    assert names(countries, "en") == ["Malawi", "México", "Mozambique", "Zimbabwe"]


def test_a_long_vowel_sorts_among_its_vowel():
    prefectures = ["Saga", "Ōsaka", "Okinawa", "Ōita", "Yamagata"]
    assert names(prefectures, "en") == ["Ōita", "Okinawa", "Ōsaka", "Saga", "Yamagata"]


def test_an_accent_only_breaks_a_tie_after_the_letters():
    assert names(["Mexico", "México", "Mexicali"], "fr") == ["Mexicali", "Mexico", "México"]


def test_spanish_puts_enye_after_n_and_other_languages_among_the_ns():
    towns = ["Ñandú", "Nuevo León", "Oaxaca", "Navarra"]
    assert names(towns, "es") == ["Navarra", "Nuevo León", "Ñandú", "Oaxaca"]
    assert names(towns, "en") == ["Ñandú", "Navarra", "Nuevo León", "Oaxaca"]


def test_arabic_names_sort_by_their_letters_ignoring_hamza_seats():
    # ألمانيا (Germany) sorts with alif, before باكستان (Pakistan) and مصر (Egypt).
    assert names(["مصر", "باكستان", "ألمانيا"], "ar") == ["ألمانيا", "باكستان", "مصر"]


def test_the_default_language_is_the_active_one():
    with translation.override("es"):
        assert sort_key("ña") > sort_key("nz")
    with translation.override("en"):
        assert sort_key("ña") < sort_key("nz")


@pytest.mark.parametrize(
    ("text", "folded"),
    [("México", "mexico"), ("Ōsaka", "osaka"), ("Москва", "москва"), ("القاهرة", "القاهرة"),
     ("Saint-Étienne", "saint etienne"), ("Łódź", "lodz")],
)
def test_fold_drops_case_accents_and_punctuation_in_every_script(text, folded):
    assert fold(text) == folded


def test_spoken_languages_are_listed_in_the_readers_order():
    with translation.override("es"):
        labels = [label for _code, label in language_choices()]
    # "Árabe" is an A, not something after "Zulú".
    assert labels.index(next(label for label in labels if label.startswith("Árabe"))) < 10


def test_the_compact_table_gives_pyucas_keys_for_every_entry():
    """lib.collation keeps pyuca's table in flat arrays (14 MB less per process): every
    entry of it, alone and between other letters, sorts as with pyuca's own trie."""
    from pathlib import Path

    import pyuca

    from chapterhouse.lib.collation import _get_collator

    theirs, ours = pyuca.Collator(), _get_collator()
    assert type(ours.table).__name__ == "_CompactTable"
    table = Path(pyuca.__file__).parent / f"allkeys-{theirs.UCA_VERSION}.txt"
    texts = ["México", "Ōsaka", "Łódź", "東京", "\U00017000", "\U0010fffd", ""]
    for line in table.read_text().splitlines():
        codes = line.split("#", 1)[0].split(";")[0].split()
        if codes and not line.startswith("@"):
            entry = "".join(chr(int(code, 16)) for code in codes)
            texts += [entry, f"a{entry}", f"{entry}b", f"x{entry}\u0301"]
    assert [ours.sort_key(t) for t in texts] == [theirs.sort_key(t) for t in texts]
