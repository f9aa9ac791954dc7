"""Corpora of chapter 07, offline: one generated with analogies known by construction, and
the real test corpus that gensim's wheel ships.

:func:`analogy_corpus` writes templated sentences over word pairs of three relations,
(country, capital), (male, female) and (singular, plural). Each word is a *concept*
(france/paris share "french", "wine") in a *role* (a capital appears beside "city",
"mayor"), and every template is used with both roles, so the only difference between the
contexts of ``france`` and ``paris`` is the role words: ``paris - france + italy`` should
land on ``rome``, and every such question has one right answer, known in advance.

:func:`lee_corpus` reads ``lee_background.cor`` (300 Australian news articles, the corpus
of gensim's own tests), ``questions-words.txt`` (Mikolov et al.'s 19,544 analogy questions)
and ``wordsim353.tsv`` from the installed gensim package; nothing is downloaded.
Introduced in 07_word_embeddings.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from course_lib._checks import fraction, integer

__all__ = ["AnalogyCorpus", "analogy_corpus", "ANALOGY_FAMILIES", "LeeCorpus", "lee_corpus",
           "read_analogy_questions"]

# family -> (role names, role words per role, (role-0 word, role-1 word, concept words), templates)
# {w}: the word, {r}: a word of its role, {c}: a word of its concept.
ANALOGY_FAMILIES: dict[str, tuple] = {
    "capital": (
        ("country", "capital"),
        (("nation", "border", "government", "province"), ("city", "mayor", "streets", "downtown")),
        (("france", "paris", ("french", "wine")), ("italy", "rome", ("italian", "pasta")),
         ("spain", "madrid", ("spanish", "flamenco")), ("germany", "berlin", ("german", "beer")),
         ("japan", "tokyo", ("japanese", "sushi")), ("china", "beijing", ("chinese", "tea")),
         ("russia", "moscow", ("russian", "vodka")), ("egypt", "cairo", ("egyptian", "pyramids")),
         ("greece", "athens", ("greek", "olives")), ("canada", "ottawa", ("canadian", "maple")),
         ("kenya", "nairobi", ("kenyan", "safari")), ("peru", "lima", ("peruvian", "andes"))),
        ("{w} is a {r} where people speak {c}", "in {w} the {r} is famous for {c}",
         "we visited the {r} of {w} and saw {c}", "{c} comes from {w} , a {r}"),
    ),
    "gender": (
        ("male", "female"),
        (("he", "mister", "gentleman", "lord"), ("she", "madam", "lady", "dame")),
        (("king", "queen", ("throne", "crown")), ("man", "woman", ("adult", "office")),
         ("boy", "girl", ("playground", "toys")), ("brother", "sister", ("sibling", "twin")),
         ("father", "mother", ("parent", "baby")), ("son", "daughter", ("child", "inherit")),
         ("uncle", "aunt", ("nephew", "relatives")), ("prince", "princess", ("castle", "heir")),
         ("husband", "wife", ("wedding", "marriage")), ("actor", "actress", ("film", "stage")),
         ("waiter", "waitress", ("restaurant", "menu")), ("monk", "nun", ("monastery", "prayer"))),
        ("the {r} is the {w} with the {c}", "the {w} said the {r} loves the {c}",
         "everyone knows the {r} is a {w} of the {c}", "the {c} belongs to the {w} , a {r}"),
    ),
    "plural": (
        ("singular", "plural"),
        (("one", "a", "single", "this"), ("many", "several", "these", "two")),
        (("cat", "cats", ("meows", "whiskers")), ("dog", "dogs", ("barks", "leash")),
         ("car", "cars", ("engine", "drives")), ("tree", "trees", ("leaves", "forest")),
         ("house", "houses", ("roof", "garden")), ("book", "books", ("pages", "library")),
         ("bird", "birds", ("feathers", "sings")), ("apple", "apples", ("juice", "orchard")),
         ("horse", "horses", ("saddle", "gallops")), ("ship", "ships", ("harbour", "sails")),
         ("flower", "flowers", ("petals", "bloom")), ("computer", "computers", ("keyboard", "software"))),
        ("there is {r} {w} with {c}", "i saw {r} {w} near the {c}",
         "{r} {w} and the {c}", "the {c} of {r} {w}"),
    ),
}


class AnalogyCorpus(NamedTuple):
    """``sentences``: list of token lists; ``questions``: (a, b, c, d) tuples read "a is to b
    as c is to d" (the answer d is known by construction); ``family``: the relation of each
    question ("capital", "gender", "plural"), aligned with ``questions``."""

    sentences: list[list[str]]
    questions: list[tuple[str, str, str, str]]
    family: list[str]


def analogy_corpus(n_sentences: int = 10_000, noise: float = 0.3, seed: int = 0) -> AnalogyCorpus:
    """A seeded corpus of templated sentences whose analogies are known by construction.

    Each sentence picks a relation family, a word pair, one of its two words (the role),
    a word of that role, a concept word of the pair and a template (see ``ANALOGY_FAMILIES``).
    With probability ``noise`` the concept word is taken from a random pair of the family
    instead (so contexts are not perfectly clean, as in real text). Returns an
    :class:`AnalogyCorpus`: ``n_sentences`` sentences of 5-10 tokens (194 word types) and
    3 x 12 x 11 = 396 questions, every ordered pair of two different pairs of a family.
    The same ``seed`` gives the same corpus. Introduced in 07_word_embeddings.
    """
    n_sentences = integer(n_sentences, "n_sentences", 1)
    noise = fraction(noise, "noise", allow_zero=True)
    seed = integer(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    names = list(ANALOGY_FAMILIES)
    sentences = []
    for _ in range(n_sentences):
        _, role_words, pairs, templates = ANALOGY_FAMILIES[names[rng.integers(len(names))]]
        k, role = int(rng.integers(len(pairs))), int(rng.integers(2))
        concept = int(rng.integers(len(pairs))) if rng.random() < noise else k
        template = templates[rng.integers(len(templates))]
        sentence = template.format(w=pairs[k][role], r=role_words[role][rng.integers(len(role_words[role]))],
                                   c=pairs[concept][2][rng.integers(len(pairs[concept][2]))])
        sentences.append(sentence.split())
    questions, family = [], []
    for name, (_, _, pairs, _) in ANALOGY_FAMILIES.items():
        for p in pairs:
            for q in pairs:
                if p is not q:
                    questions.append((p[0], p[1], q[0], q[1]))
                    family.append(name)
    return AnalogyCorpus(sentences, questions, family)


class LeeCorpus(NamedTuple):
    """``sentences``: one token list per article of ``lee_background.cor`` (lower-cased,
    gensim's ``simple_preprocess``); ``questions``: (a, b, c, d) analogy tuples of
    ``questions-words.txt`` (lower-cased); ``sections``: the section of each question
    ("capital-common-countries", ..., "gram9-plural-verbs"); ``similarity``: (word1, word2,
    human score 0-10) rows of ``wordsim353.tsv``."""

    sentences: list[list[str]]
    questions: list[tuple[str, str, str, str]]
    sections: list[str]
    similarity: list[tuple[str, str, float]]


def _gensim_test_file(name: str) -> Path:
    from gensim.test.utils import datapath

    path = Path(datapath(name))
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: gensim's wheel ships it in gensim/test/test_data; "
                                f"reinstall gensim (pip install 'gensim>=4.3,<5').")
    return path


def read_analogy_questions(path: str | Path) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """Read an analogy file in the ``questions-words.txt`` format: lines ``a b c d`` (a is to b
    as c is to d), sections introduced by ``: name``. Returns (questions, sections), both
    lower-cased, one section name per question. Introduced in 07_word_embeddings."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing analogy file, got {str(path)!r}.")
    questions, sections, section = [], [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            a, b, c, d = line.lower().split()
            questions.append((a, b, c, d))
            sections.append(section)
    return questions, sections


def lee_corpus() -> LeeCorpus:
    """gensim's bundled Lee background corpus (300 news articles, 58,152 tokens after
    ``simple_preprocess``), its analogy questions and WordSim-353, read from the installed
    package (offline). See :class:`LeeCorpus`. Introduced in 07_word_embeddings."""
    from gensim.utils import simple_preprocess

    with open(_gensim_test_file("lee_background.cor"), encoding="utf-8") as fh:
        sentences = [simple_preprocess(line) for line in fh]
    questions, sections = read_analogy_questions(_gensim_test_file("questions-words.txt"))
    similarity = []
    for line in _gensim_test_file("wordsim353.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("#") or len(parts) != 3:
            continue
        similarity.append((parts[0].lower(), parts[1].lower(), float(parts[2])))
    return LeeCorpus(sentences, questions, sections, similarity)
