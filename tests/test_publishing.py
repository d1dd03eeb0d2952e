"""The publisher's two settings (_ext/publishing.py): buttons appear only for what is configured."""

import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import publishing  # noqa: E402 (the book's local Sphinx extension)

JUPYTER_BOOK_DEFAULTS = {
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "colab_url": "https://colab"},
    "repository_url": "https://github.com/executablebooks/jupyter-book",
}


def test_unset_the_book_links_to_no_repository_and_launches_nothing(monkeypatch):
    for name in (publishing.REPOSITORY, publishing.HUB, publishing.BRANCH, publishing.PROVIDER):
        monkeypatch.delenv(name, raising=False)
    options = publishing.publishing_options(JUPYTER_BOOK_DEFAULTS)
    assert options["repository_url"] == "" and not options["use_repository_button"]
    assert not options["use_issues_button"] and options["launch_buttons"] == {}


def test_the_repository_and_hub_add_their_buttons(monkeypatch):
    monkeypatch.setenv(publishing.REPOSITORY, "https://git.uni.example/course/seq/")
    monkeypatch.setenv(publishing.HUB, "https://hub.uni.example")
    monkeypatch.delenv(publishing.PROVIDER, raising=False)
    with pytest.raises(publishing.PublishingError, match="set SEQCOURSE_REPOSITORY_PROVIDER"):
        publishing.publishing_options(JUPYTER_BOOK_DEFAULTS)
    monkeypatch.setenv(publishing.PROVIDER, "GitLab")
    options = publishing.publishing_options(JUPYTER_BOOK_DEFAULTS)
    assert options["repository_provider"] == "gitlab"
    assert options["repository_url"] == "https://git.uni.example/course/seq"
    assert options["use_repository_button"] and options["use_issues_button"]
    assert options["launch_buttons"] == {"jupyterhub_url": "https://hub.uni.example"}
    assert options["repository_branch"] == "main"


def test_bad_settings_say_what_to_set(monkeypatch):
    monkeypatch.delenv(publishing.REPOSITORY, raising=False)
    monkeypatch.delenv(publishing.PROVIDER, raising=False)
    monkeypatch.setenv(publishing.HUB, "https://hub.uni.example")
    with pytest.raises(publishing.PublishingError, match="needs SEQCOURSE_REPOSITORY_URL"):
        publishing.publishing_options({})
    monkeypatch.setenv(publishing.REPOSITORY, "git@host:course.git")
    with pytest.raises(publishing.PublishingError, match="not an http"):
        publishing.publishing_options({})
