"""The toy languages, generated with known right answers: random words, the alphabet walk, analogies (role × gender ×
number) and parts of speech."""

from __future__ import annotations

import string

import numpy as np

from lib.config import CorpusConfig
from lib.data.tokens import Corpus, TokenStream

LETTER_WORDS = [c * 3 for c in string.ascii_lowercase]  # aaa, bbb, ..., zzz


def _letter_groups() -> dict[str, str]:
    return {w: f"{i:02d} {w[0]}" for i, w in enumerate(LETTER_WORDS)}


def _letter_stretches(size: int = 5) -> dict[str, str]:
    """Categories of `size` consecutive letters (aaa–eee, fff–jjj, …): what neighbouring letters should share."""
    starts = range(0, 26, size)
    return {
        w: f"{LETTER_WORDS[s][0]}–{LETTER_WORDS[min(s + size, 26) - 1][0]}"
        for s in starts
        for w in LETTER_WORDS[s : s + size]
    }


def toy_random(cfg: CorpusConfig) -> Corpus:
    rng = np.random.default_rng(cfg.seed)
    n = cfg.sentences or 30_000
    ids = rng.integers(0, 26, size=(n, 7))
    return Corpus(
        name="toy-random",
        tokens=TokenStream.from_sentences([[LETTER_WORDS[i] for i in row] for row in ids], cfg.max_tokens),
        description="26 words aaa…zzz, 7-word sentences drawn uniformly: no structure to learn.",
        groups=_letter_groups(),
        true_neighbours=_alphabet_neighbours(),
        check_word="bbb",
        categories=_letter_stretches(),
        ordered=True,
    )


def _alphabet_neighbours(radius: int = 2) -> dict[str, list[str]]:
    return {
        w: [LETTER_WORDS[j] for j in range(max(0, i - radius), min(26, i + radius + 1)) if j != i]
        for i, w in enumerate(LETTER_WORDS)
    }


def toy_proximity(cfg: CorpusConfig) -> Corpus:
    """Sentences walk through the alphabet, so letters close together share contexts."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.sentences or 30_000
    starts = rng.integers(0, 18, size=n)
    choices = rng.integers(0, 3, size=(n, 6))
    sentences = []
    for start, picks in zip(starts.tolist(), choices.tolist()):
        walk, previous = [start], None
        for pick in picks:
            current = walk[-1]
            # one letter back or one or two forward, never straight back to the word before
            steps = [c for c in (current - 1, current + 1, current + 2) if 0 <= c < 26 and c != previous]
            if not steps:  # stuck at the end of the alphabet: the sentence ends early
                break
            previous = current
            walk.append(steps[pick % len(steps)])
        sentences.append([LETTER_WORDS[p] for p in walk])
    return Corpus(
        name="toy-proximity",
        tokens=TokenStream.from_sentences(sentences, cfg.max_tokens),
        description="26 words aaa…zzz; each sentence (up to 7 words) walks through the alphabet (a step is one letter "
        "back or one or two forward, never straight back), so a word's true neighbours are the letters within ±2.",
        groups=_letter_groups(),
        true_neighbours=_alphabet_neighbours(),
        check_word="bbb",
        categories=_letter_stretches(),
        ordered=True,
    )


# toy-analogy: each noun is role × gender × number; context words carry each attribute separately, so
# vec(king) - vec(man) + vec(woman) lands on queen, and vec(kings) - vec(king) + vec(queen) on queens.
ANALOGY_ROLES = {
    # role: (male singular, female singular, male plural, female plural), context words of the role
    "ruler": (("king", "queen", "kings", "queens"), ("throne", "crown", "reign")),
    "heir": (("prince", "princess", "princes", "princesses"), ("castle", "heir", "ball")),
    "adult": (("man", "woman", "men", "women"), ("work", "street", "city")),
    "child": (("boy", "girl", "boys", "girls"), ("school", "toy", "play")),
    "parent": (("father", "mother", "fathers", "mothers"), ("home", "family", "care")),
    "offspring": (("son", "daughter", "sons", "daughters"), ("born", "young", "grow")),
    "sibling": (("brother", "sister", "brothers", "sisters"), ("twin", "older", "share")),
    "spouse": (("husband", "wife", "husbands", "wives"), ("married", "wedding", "ring")),
    "performer": (("actor", "actress", "actors", "actresses"), ("stage", "film", "role")),
    "noble": (("duke", "duchess", "dukes", "duchesses"), ("estate", "title", "land")),
}


ANALOGY_GENDER = {"male": ("he", "his", "him"), "female": ("she", "her", "hers")}


ANALOGY_NUMBER = {"singular": ("one", "a", "single"), "plural": ("many", "several", "all")}


ANALOGY_FILLER = ("the", "and", "was", "with", "then")


ANALOGY_FORMS = [("male", "singular"), ("female", "singular"), ("male", "plural"), ("female", "plural")]


def _analogy_questions() -> str:
    """All designed analogies in questions-words format, one section per relation."""
    roles = list(ANALOGY_ROLES.values())
    sections = {"gender-singular": (0, 1), "gender-plural": (2, 3), "number-male": (0, 2), "number-female": (1, 3)}
    lines = []
    for section, (x, y) in sections.items():
        lines.append(f": {section}")
        for (a, _), (b, _) in ((r1, r2) for r1 in roles for r2 in roles if r1 is not r2):
            lines.append(f"{a[x]} {a[y]} {b[x]} {b[y]}")
    return "\n".join(lines) + "\n"


def toy_analogy(cfg: CorpusConfig) -> Corpus:
    rng = np.random.default_rng(cfg.seed)
    n = cfg.sentences or 40_000
    groups: dict[str, str] = {}
    nouns = []  # (word, role context, gender context, number context)
    for forms, role_ctx in ANALOGY_ROLES.values():
        for word, (gender, number) in zip(forms, ANALOGY_FORMS):
            nouns.append((word, role_ctx, ANALOGY_GENDER[gender], ANALOGY_NUMBER[number]))
            groups[word] = f"{gender} {number}"  # the attributes analogies turn on; the role is the word
    for ctx_words, label in ((ANALOGY_GENDER, "gender context"), (ANALOGY_NUMBER, "number context")):
        for words in ctx_words.values():
            groups.update({w: label for w in words})
    for _, role_ctx in ANALOGY_ROLES.values():
        groups.update({w: "role context" for w in role_ctx})
    groups.update({w: "filler" for w in ANALOGY_FILLER})

    choice = rng.integers(0, len(nouns), size=n)
    picks = rng.integers(0, 3, size=(n, 4))
    fillers = rng.integers(0, len(ANALOGY_FILLER), size=(n, 2))
    sentences = []
    for i in range(n):
        word, role_ctx, gender_ctx, number_ctx = nouns[choice[i]]
        ctx = [
            number_ctx[picks[i, 0]],
            role_ctx[picks[i, 1]],
            gender_ctx[picks[i, 2]],
            role_ctx[picks[i, 3]],
            ANALOGY_FILLER[fillers[i, 0]],
            ANALOGY_FILLER[fillers[i, 1]],
        ]
        order = rng.permutation(len(ctx))
        sentence = [ctx[j] for j in order]
        sentence.insert(int(rng.integers(0, len(sentence) + 1)), word)
        sentences.append(sentence)
    return Corpus(
        name="toy-analogy",
        tokens=TokenStream.from_sentences(sentences, cfg.max_tokens),
        description="40 nouns (10 roles × gender × number, king/queen/kings/queens …); each sentence holds one noun "
        "with context words for its role, gender and number, so analogies like king − man + woman = queen hold.",
        analogies=_analogy_questions(),
        groups=groups,
        check_word="king",
        categories={word: role for role, (forms, _) in ANALOGY_ROLES.items() for word in forms},
    )


POS_TAGS = {
    "the": "determiner",
    "a": "determiner",
    "woman": "noun",
    "dog": "noun",
    "apple": "noun",
    "book": "noun",
    "reads": "verb",
    "eats": "verb",
    "green": "adjective",
    "good": "adjective",
}


_POS_SUBJECT_VERB_OBJECT = [
    ("woman", "reads", "book"),
    ("woman", "eats", "apple"),
    ("dog", "eats", "apple"),
    ("dog", "reads", "book"),
]


_POS_ADJECTIVES = {"woman": ("good",), "dog": ("good",), "apple": ("green", "good"), "book": ("green", "good")}


def toy_pos(cfg: CorpusConfig) -> Corpus:
    """Short grammatical sentences: DET (ADJ) NOUN VERB DET (ADJ) NOUN."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.sentences or 5_000

    def noun_phrase(noun: str) -> list[str]:
        phrase = [("the", "a")[rng.integers(0, 2)]]
        if rng.random() < 0.5:
            adjectives = _POS_ADJECTIVES[noun]
            phrase.append(adjectives[rng.integers(0, len(adjectives))])
        return phrase + [noun]

    sentences = []
    for i in rng.integers(0, len(_POS_SUBJECT_VERB_OBJECT), size=n):
        subject, verb, obj = _POS_SUBJECT_VERB_OBJECT[i]
        sentences.append(noun_phrase(subject) + [verb] + noun_phrase(obj))
    return Corpus(
        name="toy-pos",
        tokens=TokenStream.from_sentences(sentences, cfg.max_tokens),
        description="Sentences like 'the good dog eats a green apple' over ten words tagged determiner, noun, "
        "verb or adjective.",
        groups=dict(POS_TAGS),
        check_word="dog",
        categories=dict(POS_TAGS),
    )
