"""The grading report (``OUT/report.html``) in headless Chromium: it loads with no console error,
requests nothing but itself (no off-site request, nothing fetched at all), and draws its three
figures at a readable size."""

import json

from seqcourse.cli import main
from tests.browser.conftest import SCREENSHOTS, new_driver, serve
from tests.grading import toy

FIGURES = "return [...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().width)"


def test_the_grading_report_is_self_contained_in_chromium(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.md").write_text(toy.myst(toy.HONEST_NUMPY))
    (subs / "bo.md").write_text(toy.myst(toy.HONEST_NUMPY.replace("x @ w + b", "x @ w")))
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--assignment", "toy_numpy", "--out", str(out)]) == 0
    driver = new_driver()
    try:
        with serve(out) as base:
            for log in ("browser", "performance"):
                driver.get_log(log)
            driver.get(f"{base}/report.html")
            widths = driver.execute_script(FIGURES)
            requests = [
                json.loads(entry["message"])["message"]["params"]["request"]["url"]
                for entry in driver.get_log("performance")
                if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"
            ]
            errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(SCREENSHOTS / "grading_report.png"))
    finally:
        driver.quit()
    assert requests == [f"{base}/report.html"]
    assert not errors
    assert len(widths) == 3 and all(w > 200 for w in widths), widths
