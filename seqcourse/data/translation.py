"""Translation-style tasks generated from a seed by maintained libraries (no download, no cache).

Numbers written out in words by ``num2words`` and dates written in many locales by ``babel``: real
language with a known right answer, deterministic for a given seed and library version (both are
pinned in ``pyproject.toml``). Each function returns a pandas DataFrame with ``source`` and
``target`` strings and a ``split`` column; nothing in the validation or test split (no number, no
date) also occurs in training.
"""

import datetime as dt

import numpy as np

from seqcourse.data.splits import grouped_split

NUMBER_LANGUAGES = ("en", "fr", "es", "de")
DATE_LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES")
DATE_FORMATS = ("short", "medium", "long", "full")


def _number_text(number: int, language: str) -> str:
    from num2words import num2words

    return str(number) if language == "digits" else num2words(number, lang=language)


def _check_language(language: str) -> None:
    if language != "digits" and language not in NUMBER_LANGUAGES:
        raise ValueError(
            f"language must be 'digits' or one of {NUMBER_LANGUAGES}; got {language!r}"
        )


def number_translation(
    n: int,
    source: str = "en",
    target: str = "fr",
    max_digits: int = 6,
    seed: int = 0,
    val: float = 0.1,
    test: float = 0.1,
):
    """``n`` distinct numbers written in two ways, e.g. English words to French words.

    ``source`` and ``target`` are ``"digits"`` or a language of :data:`NUMBER_LANGUAGES`
    (``"en"``, ``"fr"``, ``"es"``, ``"de"``). The digit count is drawn uniformly from
    1..``max_digits`` and then the number uniformly among numbers of that many digits, so short and
    long numbers are about equally common (there are only ten 1-digit numbers; a uniform draw
    would make nearly all of them ``max_digits`` long). Returns a DataFrame with columns
    ``number`` (int), ``source``, ``target`` and ``split`` (random ``1 - val - test`` / ``val`` /
    ``test`` by number). Example row (en -> fr):
    ``71, "seventy-one", "soixante et onze"``.

    Chapters 11, 12 and 13 use it; exercise 11 uses it.
    """
    _check_language(source)
    _check_language(target)
    capacity = 10**max_digits
    if not 1 <= max_digits <= 12 or not 1 <= n <= capacity // 2:
        raise ValueError(
            f"need 1 <= max_digits <= 12 and 1 <= n <= {capacity // 2:,} distinct numbers; "
            f"got n={n}, max_digits={max_digits}"
        )
    import pandas as pd

    rng = np.random.default_rng(seed)
    chosen: dict[int, None] = {}  # insertion-ordered set: the order depends on the seed only
    while len(chosen) < n:
        digits = rng.integers(1, max_digits + 1, size=n)
        low = np.where(digits == 1, 0, 10 ** (digits - 1))
        for number in rng.integers(low, 10**digits):
            if len(chosen) < n:
                chosen.setdefault(int(number))
    numbers = list(chosen)
    frame = pd.DataFrame(
        {
            "number": numbers,
            "source": [_number_text(x, source) for x in numbers],
            "target": [_number_text(x, target) for x in numbers],
        }
    )
    frame["split"] = grouped_split(frame["number"], val=val, test=test, seed=seed)
    return frame


def date_translation(
    n: int,
    locales=DATE_LOCALES,
    formats=DATE_FORMATS,
    start: str = "1950-01-01",
    end: str = "2049-12-31",
    seed: int = 0,
    val: float = 0.1,
    test: float = 0.1,
):
    """``n`` dates written by people in many locales, to be normalised to ISO 8601.

    Each row draws a date uniformly from ``start``..``end``, a locale from ``locales`` and a
    ``babel`` format from ``formats`` (``short`` "7/14/19", ``medium`` "14 juil. 2019", ``long``
    "14. Juli 2019", ``full`` "domingo, 14 de julio de 2019"). Returns a DataFrame with columns
    ``date`` (ISO string), ``locale``, ``format``, ``source`` (the human text) and ``target`` (the
    ISO text, e.g. ``"2019-07-14"``) and ``split`` (by date: a test date never occurs in training,
    in any locale). Short formats have two-digit years, which ``start``/``end`` make unambiguous
    only within one century: the default 1950-2049 window is the usual pivot.

    Chapter 12 uses it: day, month and year change places between the locales and ISO, so that
    attention's alignment is not the diagonal.
    """
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_date

    for locale in locales:
        try:
            Locale.parse(locale)
        except (UnknownLocaleError, ValueError) as error:
            raise ValueError(f"unknown babel locale {locale!r}: {error}") from None
    bad = [f for f in formats if f not in DATE_FORMATS]
    if bad or not formats or not locales or n < 1:
        raise ValueError(f"need n >= 1, locales, and formats among {DATE_FORMATS}; got {formats}")
    import pandas as pd

    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    rng = np.random.default_rng(seed)
    offsets = rng.integers(0, (last - first).days + 1, size=n)
    locale_ids = rng.integers(0, len(locales), size=n)
    format_ids = rng.integers(0, len(formats), size=n)
    rows = []
    for offset, locale_id, format_id in zip(offsets, locale_ids, format_ids, strict=True):
        date = first + dt.timedelta(days=int(offset))
        locale, style = locales[locale_id], formats[format_id]
        text = format_date(date, format=style, locale=locale)
        rows.append((date.isoformat(), locale, style, text, date.isoformat()))
    frame = pd.DataFrame(rows, columns=["date", "locale", "format", "source", "target"])
    frame["split"] = grouped_split(frame["date"], val=val, test=test, seed=seed)
    return frame
