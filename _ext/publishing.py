"""The settings of whoever publishes the book: the repository and the students' JupyterHub.

``SEQCOURSE_REPOSITORY_URL`` adds the repository and issues buttons (``SEQCOURSE_REPOSITORY_BRANCH``
defaults to ``main``; ``SEQCOURSE_REPOSITORY_PROVIDER`` names GitHub, GitLab or Bitbucket when the
host name does not). ``SEQCOURSE_HUB_URL`` adds "Launch on JupyterHub", which opens the page's
notebook there through nbgitpuller, so it needs the repository too. Unset, the book links to
neither, so a reader never meets a button that leads nowhere. ``make book`` passes them through.
"""

import os
from urllib.parse import urlsplit

REPOSITORY = "SEQCOURSE_REPOSITORY_URL"
BRANCH = "SEQCOURSE_REPOSITORY_BRANCH"
HUB = "SEQCOURSE_HUB_URL"
PROVIDER = "SEQCOURSE_REPOSITORY_PROVIDER"
PROVIDERS = ("github", "gitlab", "bitbucket")  # what sphinx-book-theme's buttons can link to


class PublishingError(ValueError):
    """A publishing setting is not a usable URL."""


def _url(name: str) -> str:
    value = os.environ.get(name, "").strip().rstrip("/")
    if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc):
        raise PublishingError(f"{name}={value!r} is not an http(s) URL; set it to e.g. https://…")
    return value


def _provider(repository: str) -> str:
    given = os.environ.get(PROVIDER, "").strip().lower()
    host = urlsplit(repository).netloc.lower()
    provider = given or next((name for name in PROVIDERS if name in host), "")
    if provider not in PROVIDERS:
        raise PublishingError(
            f"cannot tell which service hosts {repository}: set {PROVIDER} to one of {PROVIDERS}"
        )
    return provider


def publishing_options(environ_theme_options: dict) -> dict:
    """``html_theme_options`` with the publisher's buttons set from the environment."""
    options = dict(environ_theme_options)
    repository, hub = _url(REPOSITORY), _url(HUB)
    if hub and not repository:
        raise PublishingError(
            f"{HUB} needs {REPOSITORY}: the hub opens notebooks from the course's repository"
        )
    launch = dict(options.get("launch_buttons") or {})
    for key in ("binderhub_url", "colab_url", "jupyterhub_url", "deepnote_url"):
        launch.pop(key, None)  # only the hub the publisher names
    if hub:
        launch["jupyterhub_url"] = hub
    options["launch_buttons"] = launch
    options["repository_url"] = repository
    if repository:
        options["repository_provider"] = _provider(repository)
    options["use_repository_button"] = bool(repository)
    options["use_issues_button"] = bool(repository)
    options["use_edit_page_button"] = False
    options["repository_branch"] = os.environ.get(BRANCH, "").strip() or "main"
    options["path_to_docs"] = ""
    return options


def _apply(app, config) -> None:
    config.html_theme_options = publishing_options(config.html_theme_options or {})


def setup(app):
    app.connect("config-inited", _apply, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
