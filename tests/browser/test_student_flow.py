"""A student's first session, in a real JupyterLab driven through Chromium.

JupyterLab (the one ``make`` installs, with the course's settings) starts on a copy of
``exercises/``; the student double-clicks an exercise, which must open as a notebook (not as text),
runs all cells and reads "not implemented yet" from the check cells; types a wrong answer and gets
the targeted hint; types a right one and the check passes; saves; and ``seqcourse grade`` on the
saved file gives that question its points and the others none.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, new_driver
from tests.conftest import ROOT

EXERCISE = "02_rnn_from_scratch.md"
QUESTION, POINTS = "leaky_rnn_step", 2.0
SIGNATURE = "def leaky_rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias, alpha):"
WRONG = f"{SIGNATURE} return np.maximum(x_t @ kernel + h_prev @ recurrent_kernel + bias, 0)"
RIGHT = (
    f"{SIGNATURE} a = x_t @ kernel + h_prev @ recurrent_kernel + bias; "
    "return np.where(a > 0, a, alpha * a)"
)
OUTPUTS = "return [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText)"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """``(url, folder)``: JupyterLab serving a copy of exercises/, with settings of its own."""
    folder = tmp_path / "course"
    shutil.copytree(ROOT / "exercises", folder)
    port = _free_port()
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),  # never the user's own settings
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    command = [
        str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser",
        f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
        "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={folder}",
    ]  # fmt: skip
    if os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"JupyterLab did not start: {(tmp_path / 'lab.log').read_text()[-2000:]}")
    yield url, folder
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def _wait(driver, condition, seconds, what):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.5).until(condition, what)


def _outputs(driver) -> list[str]:
    return driver.execute_script(OUTPUTS)


def _type_into_cell(driver, marker: str, text: str) -> None:
    """Click into the code cell whose source contains ``marker``, replace it by ``text``, run it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    editors = driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .cm-content")
    editor = next(e for e in editors if marker in e.text)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", editor)
    editor.click()
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys(text)
    # Shift+Enter runs the answer and moves to its check cell; the second runs the check.
    editor.send_keys(Keys.SHIFT, Keys.ENTER)
    time.sleep(0.5)
    driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.ENTER)


def test_a_student_opens_runs_answers_saves_and_is_graded(lab, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    url, folder = lab
    driver = new_driver(width=1400, height=1000)
    try:
        driver.get(f"{url}/lab")
        item = _wait(
            driver,
            lambda d: next(
                (e for e in d.find_elements(By.CSS_SELECTOR, ".jp-DirListing-itemText")
                 if e.text == EXERCISE), False,
            ),
            90,
            f"JupyterLab's file browser never listed {EXERCISE}",
        )  # fmt: skip
        ActionChains(driver).double_click(item).perform()  # the default action, as a student does
        _wait(
            driver,
            lambda d: len(d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell")) > 5,
            60,
            f"double-clicking {EXERCISE} did not open it as a notebook",
        )
        assert not driver.find_elements(By.CSS_SELECTOR, ".jp-FileEditor"), "opened as text"
        _wait(
            driver,
            lambda d: (
                "Idle"
                in d.execute_script(
                    "const s = document.querySelector('.jp-NotebookPanel .jp-Toolbar-kernelStatus,"
                    " .jp-NotebookPanel [data-jp-item-name=kernelStatus]');"
                    "return s ? (s.title || s.innerText || '') : ''"
                )
                or "Idle" in d.find_element(By.CSS_SELECTOR, "#jp-main-statusbar").text
            ),
            120,
            "the notebook's kernel never became idle",
        )

        driver.find_element(By.XPATH, "//li[contains(@class,'lm-MenuBar-item')][.='Run']").click()
        run_all = "//li[contains(@class,'lm-Menu-item')][.//*[.='Run All Cells']]"
        _wait(driver, lambda d: d.find_elements(By.XPATH, run_all), 10, "no Run All Cells")[
            0
        ].click()
        not_implemented = f"`{QUESTION}` is not implemented yet"
        _wait(
            driver,
            lambda d: (
                sum("is not implemented yet" in o for o in _outputs(d)) >= 3
                and any(not_implemented in o for o in _outputs(d))
            ),
            240,
            "after Run All the check cells never said what is not implemented",
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / "lab_run_all.png"))

        for answer, reply, what in (
            (WRONG, "plain ReLU", "a plain-ReLU answer did not get the targeted hint"),
            (RIGHT, "public checks passed", "a right answer did not pass its check"),
        ):
            _type_into_cell(driver, f"def {QUESTION}", answer)
            _wait(driver, lambda d, r=reply: any(r in o for o in _outputs(d)), 60, what)
        driver.save_screenshot(str(SCREENSHOTS / "lab_answered.png"))
        driver.find_element(
            By.CSS_SELECTOR, ".jp-NotebookPanel-toolbar [data-command='docmanager:save']"
        ).click()  # the toolbar's save button
        saved = folder / EXERCISE
        _wait(
            driver,
            lambda d: not d.find_elements(By.CSS_SELECTOR, ".jp-mod-current.jp-mod-dirty"),
            30,
            "the notebook still has unsaved changes",
        )
        _wait(
            driver,
            lambda d: "np.where(a > 0" in saved.read_text(),
            30,
            "the notebook was not saved",
        )
    finally:
        driver.quit()

    out = tmp_path / "graded"
    seqcourse = Path(sys.executable).with_name("seqcourse")
    command = [str(seqcourse), "grade", str(saved), "--assignment", saved.stem, "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / saved.stem / "results.json").read_text())
    scores = {test["name"]: test["score"] for test in results["tests"]}
    feedback = (out / saved.stem / "feedback.md").read_text()
    assert scores[QUESTION] == POINTS, f"{feedback}\n--- saved notebook ---\n{saved.read_text()}"
    assert sum(scores.values()) == POINTS, f"only {QUESTION} was answered: {scores}"
