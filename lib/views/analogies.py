"""What the Analogies page asks of runs: the question sets, each epoch's answers and accuracy, 3CosMul scores kept
in the run's cache, and results side by side."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pandas as pd

from lib.data import questions
from lib.runs.store import Run
from lib.views.analysis import solve_analogy
from lib.views.evaluate import google_analogies_path

if TYPE_CHECKING:  # for annotations only: the vectors come as KeyedVectors from lib.runs.store
    from gensim.models import KeyedVectors


def analogy_questions_path(run: Run) -> str | None:
    """The questions this run is evaluated on: its own analogies.txt, Google's for natural text, else None."""
    own = run.analogies_path()
    if own:
        return str(own)
    return google_analogies_path() if run.config.get("natural") else None


def first_question(path: str, known=None) -> tuple[str, str, str, str] | None:
    """The first question whose words are all in known (when given); None when there is no such question."""
    return next(iter(questions.covered(path, known)), None)


def solved_question(questions, kvs: dict[str, KeyedVectors], tries: int = 300):
    """The first of the questions (at most `tries` looked at) that every model answers right (3CosAdd), as the
    solver's opening example; None when none of them is."""
    for a, b, c, d in questions[:tries]:
        if all(solve_analogy(kv, a, b, c, topn=1)[0][0] == d for kv in kvs.values()):
            return a, b, c, d
    return None


def answers(kv: KeyedVectors, a: str, b: str, c: str, method: str = "3cosadd", topn: int = 5) -> pd.DataFrame:
    """Top answers to 'a is to b as c is to ?': columns rank, word, score."""
    found = solve_analogy(kv, a, b, c, topn=topn, method=method)
    return pd.DataFrame(
        {"rank": range(1, len(found) + 1), "word": [w for w, _ in found], "score": [float(s) for _, s in found]}
    )


def section_frame(results: dict[str, dict]) -> pd.DataFrame:
    """Per-category accuracy from per-model results {model: {"analogy_sections": {section: {correct, total}}}}:
    columns model, section, correct, total, accuracy (sections without a covered question are left out)."""
    rows = []
    for model, result in results.items():
        for section, s in (result.get("analogy_sections") or {}).items():
            if s["total"]:
                rows.append(
                    {
                        "model": model,
                        "section": section,
                        "correct": s["correct"],
                        "total": s["total"],
                        "accuracy": s["correct"] / s["total"],
                    }
                )
    return pd.DataFrame(rows, columns=["model", "section", "correct", "total", "accuracy"])


def saved_analogy_result(run: Run, model: str, epoch: int) -> dict:
    """The 3CosAdd analogy metrics saved with an epoch (empty when the run measured none)."""
    entry = next((m for m in run.metrics(model) if m["epoch"] == epoch), {})
    return {k: entry.get(k) for k in ("analogy_accuracy", "analogy_coverage", "analogy_sections") if k in entry}


def cosmul_result(run: Run, model: str, epoch: int, compute: bool = True) -> dict | None:
    """3CosMul analogy metrics of an epoch (same keys as the saved 3CosAdd ones), computed once and kept in the
    run's cache folder; empty when the run has no analogy questions; None when not cached and compute is False
    (on WikiText-2 one epoch takes seconds)."""
    from lib.views.evaluate import analogy_accuracy_cosmul

    path = analogy_questions_path(run)
    if path is None:
        return {}
    return _cached_score(
        run,
        ("analogies-3cosmul", model, f"epoch_{epoch:03d}.json"),
        analogy_accuracy_cosmul,
        path,
        model,
        epoch,
        compute,
    )


def _cached_score(
    run: Run, cached: tuple[str, ...], score, path: str, model: str, epoch: int, compute: bool
) -> dict | None:
    """score(keyed vectors of the epoch, path), read from the run's cache file `cached` or computed and kept there
    (skipped on a read-only or full disk); None when not cached and compute is False."""
    import json

    from lib.runs.files import json_bytes

    try:
        result = json.loads(run.read_cache(*cached) or b"null")
        if isinstance(result, dict):
            return result
    except ValueError:
        pass  # damaged: computed again below
    if not compute:
        return None
    result = score(run.keyed_vectors(model, epoch), path)
    run.write_cache(*cached, data=json_bytes(result))
    return result


def analogy_line(results: dict[str, dict], epoch: int | str) -> str:
    """What the analogy numbers of one epoch say, per model: accuracy, and its best and worst covered category."""
    parts = []
    for model, r in results.items():
        sections = {
            name: s["correct"] / s["total"] for name, s in (r.get("analogy_sections") or {}).items() if s["total"]
        }
        if r.get("analogy_accuracy") is None or not sections:
            continue
        best, worst = max(sections, key=sections.get), min(sections, key=sections.get)
        parts.append(
            f"{model} {r['analogy_accuracy']:.0%} (best: {best} {sections[best]:.0%}, worst: {worst} "
            f"{sections[worst]:.0%})"
        )
    if not parts:
        return ""
    return (
        f"At epoch {epoch}: " + "; ".join(parts) + ". Categories where both models succeed are relations the "
        "corpus states often; near 0% usually means too few examples of the relation."
    )


def analogy_results(
    run: Run,
    method: str,
    epochs,
    epoch: int,
    every_epoch: bool = False,
    progress=None,
    models=None,
    questions: str | None = None,
) -> dict[tuple[str, int], dict]:
    """{(model, epoch): analogy metrics} for a method: saved with the run (3CosAdd); for 3CosMul computed for
    `epoch` (every epoch when every_epoch), and read from the run's cache for the others scored before.
    progress(share done) is called after each epoch scored. Epochs a model has not finished are left out.
    models: only these of the run's models. questions: a question file (question_file) to score instead of the
    run's own; then both methods are computed as 3CosMul is, and kept in the run's cache under the file's text."""
    models = list(models) if models is not None else run.models
    finished = {m: set(run.epochs(m)) for m in models}
    done = [(m, e) for m in models for e in epochs if e in finished[m]]
    if method == "3cosadd" and questions is None:
        return {(m, e): saved_analogy_result(run, m, e) for m, e in done}

    def score(m, e, compute=True):
        if questions is None:
            return cosmul_result(run, m, e, compute)
        return question_file_result(run, m, e, method, questions, compute)

    wanted = [(m, e) for m, e in done if every_epoch or e == epoch]
    results = {}
    for i, (m, e) in enumerate(wanted):
        results[(m, e)] = score(m, e)
        if progress:
            progress((i + 1) / len(wanted))
    for m, e in done:
        if (m, e) not in results and (cached := score(m, e, compute=False)) is not None:
            results[(m, e)] = cached
    return results


def shared_questions(path: str, words_a, words_b, path_b: str | None = None) -> tuple[list[questions.Question], bool]:
    """The questions of the file at `path` (side A's set) whose four words both vocabularies have, in file order,
    lowercased as questions.covered matches them; and whether each side's own saved numbers are already over
    exactly these questions (side B's set, path_b, is the same text, and each vocabulary covers just these), so
    they can be read instead of computed."""
    known_a, known_b = set(words_a), set(words_b)
    every = questions.questions_in(path)
    covers = [all(w.lower() in known_a for w in q.words) for q in every]
    both = [q for q, a in zip(every, covers) if a and all(w.lower() in known_b for w in q.words)]
    own = (
        same_question_set(path, path_b)
        and sum(covers) == len(both)
        and len(questions.covered(path, known_b)) == len(both)
    )
    return both, own


def same_question_set(path_a: str | None, path_b: str | None) -> bool:
    """Whether two question files hold the same questions (the same files' text, as read)."""
    if path_a is None or path_b is None:
        return path_a == path_b
    return path_a == path_b or questions.questions_in(path_a) == questions.questions_in(path_b)


def question_file(chosen: list[questions.Question]) -> str:
    """A questions-words file of these questions (for gensim's evaluate_word_analogies, which reads a file): in the
    temporary folder, named by its text's hash, so the same questions are one file."""
    import hashlib
    import tempfile
    from pathlib import Path

    text = questions.canonical_text(chosen)
    folder = Path(tempfile.gettempdir()) / "w2v-shared-questions"
    path = folder / f"{hashlib.sha256(text.encode()).hexdigest()[:20]}.txt"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return str(path)


def question_file_result(run: Run, model: str, epoch: int, method: str, path: str, compute: bool = True) -> dict | None:
    """Analogy metrics of an epoch over the questions in `path` (question_file), with 3CosAdd (gensim's
    evaluate_word_analogies, as the saved metrics) or 3CosMul; kept in the run's cache under the file's name (its
    text's hash). None when not cached and compute is False."""
    from pathlib import Path

    from lib.views.evaluate import analogy_accuracy, analogy_accuracy_cosmul

    score = analogy_accuracy_cosmul if method == "3cosmul" else analogy_accuracy
    return _cached_score(
        run,
        (f"analogies-{method}-{Path(path).stem}", model, f"epoch_{epoch:03d}.json"),
        score,
        path,
        model,
        epoch,
        compute,
    )


def accuracy_frame(results: dict[tuple[str, int], dict]) -> pd.DataFrame:
    """Accuracy per (model, epoch) result: columns model, epoch, value."""
    rows = [
        {"model": model, "epoch": epoch, "value": r.get("analogy_accuracy")}
        for (model, epoch), r in sorted(results.items(), key=lambda item: (item[0][0], item[0][1]))
    ]
    return pd.DataFrame(rows, columns=["model", "epoch", "value"])
