"""Turn Chinese, English and mixed text into search tokens, and queries into token clauses (pure, no Django).

The database engines' own tokenizers do not split Chinese into words, so ITDesk tokenises in Python and
hands the engines ready-made tokens (SQLite FTS5 with its `ascii` tokenizer, PostgreSQL a tsvector built
from a literal, no parser involved): both engines index exactly the same tokens.

- Runs of CJK characters become overlapping character bigrams ("打印机" -> "打印", "印机"); a run of one
  character is kept as that character.
- Words of letters are lowercased (NFKC first, so full-width "ＶＰＮ" is "vpn") and lightly stemmed
  ("printers" -> "printer", "sending" -> "send"); a few English stop words are dropped.
- Words with a digit are codes and kept whole: IT20240501001 and 0x80070005 match exactly.
- Everything else (punctuation, spaces, underscores) separates tokens.

A query becomes an AND of clauses, each clause an OR of terms (`Query`). Word order does not matter.
For a Chinese run of the query, every character must be covered by a bigram the document contains: the
run's first and last bigrams are required, each inner character by either bigram around it. So "密码重置"
finds "重置密码" (密码 AND 重置) and "打印机卡纸" finds "打印机经常卡纸" (打印 AND 卡纸 AND (印机 OR 机卡)).
The last word of a query (letters only, three or more) and a lone Chinese character are prefixes, so
results follow as someone types.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

# Han (with extensions A and the compatibility block), kana and Hangul: scripts written without spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_RUN = re.compile(f"(?P<cjk>[{_CJK}]+)|(?P<word>[^\\W_{_CJK}]+)")
_HAS_DIGIT = re.compile(r"\d")
MAX_WORD = 64  # longer "words" are base64, hashes or garbage: cut, so they still match themselves
PREFIX_MIN = 3  # shorter prefixes expand to too many terms to be useful
MAX_CLAUSES = 32

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
    ]
)


@dataclass(frozen=True)
class Term:
    """One query term: a token, matched whole or as a prefix."""

    token: str
    prefix: bool = False

    def matches(self, token: str) -> bool:
        """Whether an index token satisfies this term."""
        return token.startswith(self.token) if self.prefix else token == self.token


Clause = tuple[Term, ...]  # any one of its terms


@dataclass(frozen=True)
class Query:
    """A parsed query: every clause must match (AND); a clause matches if one of its terms does (OR)."""

    clauses: tuple[Clause, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every distinct term, in order (for highlighting and ranking)."""
        seen: dict[Term, None] = {}
        for clause in self.clauses:
            for term in clause:
                seen.setdefault(term, None)
        return tuple(seen)

    def __bool__(self) -> bool:
        return bool(self.clauses)


def stem(word: str) -> str:
    """A light English stemmer: plurals, -ing and -ed (a lowercase word in, its stem out)."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) >= 3 and any(c in "aeiouy" for c in base):
                if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                    base = base[:-1]  # resetting -> reset, running -> run
                return base
            return word
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=200_000)
def _word_token(word: str) -> str | None:
    """The index token of a normalised word run, or None for a stop word (cached: words repeat a lot)."""
    word = word[:MAX_WORD]
    if _HAS_DIGIT.search(word):
        return word
    if word in STOP_WORDS:
        return None
    return stem(word)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return list(map(str.__add__, run[:-1], run[1:]))


def tokens(text: str) -> list[str]:
    """The index tokens of `text`, in order (repeats kept: they count for ranking)."""
    out: list[str] = []
    append, extend = out.append, out.extend
    for cjk, word in _RUN.findall(_normalise(text or "")):  # (run, "") or ("", word)
        if cjk:
            extend(_bigrams(cjk))
        else:
            token = _word_token(word)
            if token:
                append(token)
    return out


def token_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Each index token of `text` with its start and end offsets in `text` itself (for highlighting)."""
    for match in _RUN.finditer(text or ""):
        start = match.start()
        run = match.group()
        if match.lastgroup == "cjk":
            if len(run) == 1:
                yield run, start, start + 1
            for i in range(len(run) - 1):
                yield run[i : i + 2], start + i, start + i + 2
            continue
        normalised = _normalise(run)
        if _RUN.fullmatch(normalised) is None:  # NFKC made several runs of one (rare: ①, ㈱)
            for part in tokens(normalised):
                yield part, start, match.end()
            continue
        token = _word_token(normalised)
        if token:
            yield token, start, match.end()


def _cjk_clauses(run: str) -> list[Clause]:
    """Clauses for a Chinese run of a query: every character covered by a bigram (see the module doc)."""
    if len(run) == 1:
        return [(Term(run, prefix=True),)]
    grams = _bigrams(run)
    clauses: list[Clause] = [(Term(grams[0]),), (Term(grams[-1]),)]
    for i in range(1, len(run) - 1):  # inner characters: the bigram before or the one after
        clauses.append((Term(grams[i - 1]), Term(grams[i])))
    return clauses


def parse_query(text: str) -> Query:
    """Parse what someone typed into a `Query` (empty if nothing searchable is left)."""
    matches = list(_RUN.finditer(_normalise(text or "")))
    clauses: list[Clause] = []
    for index, match in enumerate(matches):
        run = match.group()
        last = index == len(matches) - 1
        if match.lastgroup == "cjk":
            clauses.extend(_cjk_clauses(run))
            continue
        token = _word_token(run)
        if token is None:
            continue
        prefix = last and token.isalpha() and len(token) >= PREFIX_MIN
        clauses.append((Term(token, prefix=prefix),))
    return Query(_simplify(clauses)[:MAX_CLAUSES])


def _simplify(clauses: list[Clause]) -> tuple[Clause, ...]:
    """Drop repeated clauses and OR clauses already implied by a required term."""
    required = {clause[0] for clause in clauses if len(clause) == 1}
    out: dict[Clause, None] = {}
    for clause in clauses:
        if len(clause) > 1 and required.intersection(clause):
            continue
        out.setdefault(clause, None)
    return tuple(out)


def highlight_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Character ranges of `text` that match a term of `query`, merged and in order."""
    terms = query.terms
    spans: list[tuple[int, int]] = []
    for token, start, end in token_spans(text):
        if any(term.matches(token) for term in terms):
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    return spans
