"""Run Python code in a subprocess that has no network, to prove the loaders need none.

``unshare -n`` gives the child an empty network namespace (root, as in CI); where that is not
permitted, bubblewrap's ``--unshare-net`` does the same. Neither being available is a test failure,
not a skip: the offline guarantee must be checked.
"""

import json
import os
import shutil
import subprocess
import sys
from functools import cache

_PROBE = [sys.executable, "-c", "pass"]


@cache
def isolation_prefix() -> tuple[str, ...]:
    """The command prefix that cuts the network off, checked to work on this machine."""
    candidates = []
    if shutil.which("unshare"):
        candidates.append(("unshare", "-n"))
    if shutil.which("bwrap"):
        candidates.append(("bwrap", "--unshare-net", "--dev-bind", "/", "/"))
    for prefix in candidates:
        probe = subprocess.run([*prefix, *_PROBE], capture_output=True, check=False)
        if probe.returncode == 0:
            return prefix
    raise RuntimeError(
        "cannot run a subprocess without network: need `unshare -n` (as root) or bubblewrap "
        "(`apt-get install bubblewrap`)"
    )


# A fresh network namespace has the loopback interface only; checking that sends no traffic.
NETWORK_PROBE = """
import socket
_online = any(name != "lo" for _, name in socket.if_nameindex())
"""


def run_offline(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``code`` with ``python -c`` and no network; ``env`` entries are added to os.environ."""
    child_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [*isolation_prefix(), sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=child_env,
        check=False,
        timeout=120,
    )


def offline_json(code: str, env: dict[str, str] | None = None):
    """Run ``code`` offline; it must assign a JSON-serialisable ``result``. Returns ``result``.

    Also asserts that the child really had no network.
    """
    wrapped = f"{NETWORK_PROBE}\n{code}\nimport json\nprint(json.dumps([_online, result]))"
    done = run_offline(wrapped, env)
    assert done.returncode == 0, done.stderr
    online, result = json.loads(done.stdout.strip().splitlines()[-1])
    assert not online, "the child process could reach the network"
    return result
