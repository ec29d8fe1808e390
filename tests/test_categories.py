"""Category files: the shipped lists, a user's own file, and the checks that say what to fix."""

import pytest

from lib.data import categories


def test_shipped_lists_load_with_their_sources():
    shipped = categories.shipped_categories()
    assert {
        "month",
        "weekday",
        "number",
        "colour",
        "family",
        "country",
        "capital",
        "nationality",
        "currency",
        "us state",
    } <= set(shipped.values())
    assert shipped["january"] == "month" and shipped["paris"] == "capital" and shipped["france"] == "country"
    lines = categories.SHIPPED.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "word\tcategory\tsource"
    assert all(len(line.split("\t")) == 3 and line.split("\t")[2] for line in lines[1:])  # every line says where


def test_user_file_two_columns_with_header_and_comments():
    text = "word\tcategory\n# fruit and tools\nApple\tfruit\npear\tfruit\nhammer\ttool\n\nsaw\ttool\n"
    assert categories.read_categories(text.encode()) == {
        "apple": "fruit",
        "pear": "fruit",
        "hammer": "tool",
        "saw": "tool",
    }


@pytest.mark.parametrize(
    "data, message",
    [
        (b"apple fruit\npear fruit\n", "line 1: write word<TAB>category"),
        (b"apple\tfruit\tx\ty\n", "found 4"),
        (b"apple\tfruit\npear\tfruit\n", "at least two categories"),
        (b"apple\tfruit\napple\ttool\n", "'apple' is in two categories"),
        (b"caf\xe9\tdrink\ntea\tdrink\n", "not UTF-8"),
    ],
)
def test_bad_files_say_what_to_fix(data, message):
    with pytest.raises(ValueError, match=message):
        categories.read_categories(data, "upload.tsv")


def test_known_categories_keep_categories_with_two_known_words():
    cats = {
        "apple": "fruit",
        "pear": "fruit",
        "hammer": "tool",
        "saw": "tool",
        "fig": "fruit",
        "drill": "tool",
        "car": "vehicle",
    }
    assert categories.known_categories(cats, ["apple", "pear", "hammer", "saw", "car"]) == {
        "apple": "fruit",
        "pear": "fruit",
        "hammer": "tool",
        "saw": "tool",
    }  # vehicle has one known word
    with pytest.raises(ValueError, match="none of the words"):
        categories.known_categories(cats, ["zebra"])
    with pytest.raises(ValueError, match="only one category"):
        categories.known_categories(cats, ["apple", "pear", "hammer"])


def test_run_categories_prefer_the_users_then_the_design_then_the_shipped_lists():
    vocab = ["january", "march", "monday", "friday", "king", "queen"]
    user = {"king": "royal", "queen": "royal", "monday": "day", "friday": "day"}
    assert (
        categories.run_categories(vocab, {"king": "a", "queen": "a", "january": "b", "march": "b"}, True, user)[0]
        == user
    )
    designed, source = categories.run_categories(
        vocab, {"king": "a", "queen": "a", "january": "b", "march": "b"}, False
    )
    assert designed == {"king": "a", "queen": "a", "january": "b", "march": "b"} and "design" in source
    shipped, source = categories.run_categories(vocab, None, True)
    assert shipped == {"january": "month", "march": "month", "monday": "weekday", "friday": "weekday"}
    assert categories.run_categories(vocab, None, False) == ({}, "this corpus has no categories")
