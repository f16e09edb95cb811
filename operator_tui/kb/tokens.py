"""Turning Chinese text into search tokens.

Query side and index side share `bigrams`: overlapping character pairs of every run of Chinese
characters (a lone character stays a unigram), and lower-cased ASCII words. It needs no
dictionary, so a keystroke never waits for one, and it finds two-character words (供暖, 社保)
that a trigram index cannot.

Only the index side segments words (jieba, for pinyin initials of title words); it runs in
`hotline kb import` or in a worker, never while the operator types.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_jieba_lock = threading.Lock()


def bigrams(text: str) -> list[str]:
    """Search tokens of `text`, in order, duplicates kept (bm25 counts them)."""
    out: list[str] = []
    for run in _RUN.findall(text):
        if run.isascii():
            out.append(run.lower())
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _jieba():
    # Imported here, not at module import: loading its dictionary takes 1–3 s.
    with _jieba_lock:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        return jieba


def pinyin_tokens(text: str) -> list[str]:
    """For each Chinese word of two or more characters in `text`: its pinyin initials (供暖 →
    gn, 社保卡 → sbk) and its full pinyin (gongnuan), so an operator may type either."""
    jieba = _jieba()
    out: list[str] = []
    for run in _CJK.findall(text):
        for word in jieba.lcut(run, HMM=False):
            if len(word) >= 2:
                out.extend(_word_pinyin(word))
    return out


@lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, str]:
    # Cached: pypinyin costs ~0.1 ms a word and a knowledge base repeats its words a lot.
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(word, errors="ignore")
    return "".join(s[0] for s in syllables if s), "".join(syllables)
