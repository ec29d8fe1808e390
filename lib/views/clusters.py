"""Clusters forming: category purity per epoch for both models, what to look for in it, a word's neighbourhood."""

from __future__ import annotations

import pandas as pd

from lib.runs.store import Run
from lib.views.analysis import neighbours
from lib.views.evaluate import PURITY_K, category_purity
from lib.views.projection import colour_groups, run_word_categories

SEPARATED = 0.5  # a category counts as separated once its purity reaches this

PURITY_COLUMNS = ["model", "epoch", "value", "chance"]


def epoch_purity(run: Run, model: str, epoch: int, categories: dict[str, str]) -> dict:
    """Category purity of one epoch: as saved with its metrics, or computed now (runs from before it was saved)."""
    saved = next((m for m in run.metrics(model) if m["epoch"] == epoch), {})
    if "category_purity" in saved:
        return {k: v for k, v in saved.items() if k.startswith("category_purity")}
    return category_purity(run.keyed_vectors(model, epoch), categories)


def purity_by_epoch(run: Run) -> dict[tuple[str, int], dict]:
    """{(model, epoch): category purity metrics} over every finished epoch ({} when the run has no categories)."""
    categories = run_word_categories(run)
    if not categories:
        return {}
    return {
        (model, epoch): epoch_purity(run, model, epoch, categories)
        for model in run.models
        for epoch in run.epochs(model)
    }


def purity_frame(results: dict[tuple[str, int], dict]) -> pd.DataFrame:
    """Rows model, epoch, value (category purity), chance, from purity_by_epoch."""
    rows = [
        {"model": model, "epoch": epoch, "value": r.get("category_purity"), "chance": r.get("category_purity_chance")}
        for (model, epoch), r in sorted(results.items())
    ]
    return pd.DataFrame(rows, columns=PURITY_COLUMNS).astype({"value": float, "chance": float})


def first_separated(results: dict[tuple[str, int], dict], model: str) -> list[tuple[str, int]]:
    """(category, first trained epoch its purity reached SEPARATED) for one model, earliest first."""
    first: dict[str, int] = {}
    for (m, epoch), r in sorted(results.items()):
        for category, value in (r.get("category_purity_by_category") or {}).items():
            if m == model and epoch > 0 and value >= SEPARATED and category not in first:
                first[category] = epoch
    return sorted(first.items(), key=lambda item: (item[1], item[0]))


def what_to_look_for(run: Run, results: dict[tuple[str, int], dict], colours: bool = True) -> str:
    """One line, true for this run, on what to watch in its embedding views (colours: also what the plots'
    colours show, for a page that draws them)."""
    ordered = colour_groups(run)[1] and colours
    lead = (
        (
            "Colours run along the alphabet: a smooth rainbow, each letter beside its neighbours, means the model "
            "learned the order. "
        )
        if ordered
        else ""
    )
    frame = purity_frame(results).dropna(subset=["value"])
    if frame.empty:
        return lead + "This run has no categories to score; watch the labelled words move between epochs."
    last = frame.sort_values("epoch").groupby("model")[["epoch", "value"]].last()
    apart = last["epoch"].nunique() > 1  # an incomplete run: say which epoch each value is from
    ends = " and ".join(
        f"{m} {last.loc[m, 'value']:.2f}" + (f" (epoch {last.loc[m, 'epoch']})" if apart else "")
        for m in run.models
        if m in last.index
    )
    parts = [
        f"{lead}Category purity (share of a category word's {PURITY_K} nearest category words in its own "
        f"category) ends at {ends}, against {frame['chance'].iloc[0]:.2f} by chance."
    ]
    total = len({c for r in results.values() for c in (r.get("category_purity_by_category") or {})})
    for model in run.models:
        early = first_separated(results, model)
        if early:
            names = ", ".join(f"{c} (epoch {e})" for c, e in early[:3])
            first = "first" if len(early) <= 3 else "the first three"
            parts.append(f"In {model}, {len(early)} of {total} categories reach purity {SEPARATED}; {first}: {names}.")
        else:
            parts.append(f"In {model}, no category reaches purity {SEPARATED} yet.")
    return " ".join(parts)


def neighbour_lists(kvs: dict, word: str, k: int) -> dict[str, list[str]]:
    """Each model's k nearest words to `word` (cosine, full vector space); models without the word are left out."""
    return {model: neighbours(kv, word, k)["word"].tolist() for model, kv in kvs.items() if word in kv.key_to_index}


def colour_note(run: Run) -> str | None:
    """What the colours are when they are not the categories purity counts (toy-analogy colours gender × number,
    its purity counts roles), else None."""
    groups, categories = run.config.get("groups") or {}, run.config.get("categories") or {}
    named = sorted(set(g for w, g in groups.items() if w in categories))
    if not groups or not categories or set(named) == set(categories.values()):
        return None
    kinds = ", ".join(sorted(set(categories.values()))[:4])
    if run.config.get("ordered"):  # the alphabet languages: a colour scale, not groups
        return f"Colours run along the alphabet; category purity counts its stretches ({kinds}, …)."
    return (
        f"Colours show the corpus's designed groups ({', '.join(named[:4])}{', …' if len(named) > 4 else ''}); "
        f"category purity counts its categories ({kinds}{', …' if len(set(categories.values())) > 4 else ''})."
    )
