"""The clinician's page (issue 14, item 4), end to end as a clinician uses it: `setpoint serve` on loopback,
headless Chromium (Debian's chromium and chromedriver, driven by Selenium), a Synthea record with a lithium
order and a toxic level added uploaded through the plain file input; the critical finding comes first,
expands to its explanation, gets an override with a reason, and the override is in the feedback store
(SQLite on disk).  Also over plain HTTP: the password session, CSRF tokens, the CSP and the body limit."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .fhir_data import ELISEO, med, obs
from .test_review_audit import browser  # noqa: F401 - the headless Chromium fixture
from .test_service import Server

PASSWORD = "correct horse battery staple"


def _record(tmp: Path) -> Path:
    """Eliseo Cummings (Synthea) with lithium and a lithium level of 1.9 mmol/L three days ago."""
    b = json.loads(ELISEO.read_text())
    pid = next(e["resource"]["id"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient")
    b["entry"] += [
        {"resource": med("li", None, "Lithium Carbonate 300 MG Oral Capsule", pid=pid, authoredOn="2025-06-01")},
        {"resource": obs("li-level", "14334-7", "Lithium", when="2026-11-18T08:00:00Z", pid=pid,
                         valueQuantity={"value": 1.9, "unit": "mmol/L", "system": "http://unitsofmeasure.org",
                                        "code": "mmol/L"})},
    ]
    path = tmp / "eliseo-on-lithium.json"
    path.write_text(json.dumps(b))
    return path


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Unauthenticated on loopback: the page is open (no password configured)."""
    tmp = tmp_path_factory.mktemp("page-open")
    s = Server(tmp / "data", tmp / "serve.log")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("page-locked")
    pw = tmp / "page-password"
    pw.write_text(PASSWORD + "\n")
    s = Server(tmp / "data", tmp / "serve.log", "--page-password-file", str(pw))
    s.data_dir = tmp / "data"  # type: ignore[attr-defined]
    yield s
    s.stop()


def test_upload_read_expand_override_in_a_real_browser(browser: Any, locked_server: Server,  # noqa: F811
                                                       tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    drv, url = browser, locked_server.url
    drv.set_window_size(1280, 900)
    drv.get(url + "/")
    # sign in
    drv.find_element(By.ID, "password").send_keys(PASSWORD)
    drv.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    WebDriverWait(drv, 20).until(lambda d: d.find_elements(By.ID, "evaluate"))
    # upload the record with the plain file input and set the date
    drv.find_element(By.ID, "file").send_keys(str(_record(tmp_path)))
    day = drv.find_element(By.ID, "as_of")
    drv.execute_script("arguments[0].value = '2026-11-21'", day)  # date inputs type in the locale's order
    drv.find_element(By.ID, "submit").click()
    WebDriverWait(drv, 60).until(lambda d: "/report/" in d.current_url)
    # the critical finding comes first, in the summary and in the findings
    first_row = drv.find_element(By.CSS_SELECTOR, "table.summary tbody tr")
    assert first_row.get_attribute("data-rule") == "NC-LI-019" and "critical" in first_row.get_attribute("class")
    first = drv.find_element(By.CSS_SELECTOR, "article.finding")
    assert first.get_attribute("data-severity") == "critical" and first.get_attribute("data-rule") == "NC-LI-019"
    assert "Lithium 1.9 mmol/L" in first.text
    # no horizontal overflow at 1280 px, nor on a tablet
    for width in (1280, 768):
        drv.set_window_size(width, 900)
        assert drv.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), width
    drv.set_window_size(1280, 900)
    # expand the explanation
    details = first.find_element(By.CSS_SELECTOR, "details.explain")
    tree = details.find_element(By.CSS_SELECTOR, "ul.tree")
    assert not tree.is_displayed()
    details.find_element(By.TAG_NAME, "summary").click()
    assert tree.is_displayed() and "the patient is taking lithium" in tree.text and "VS_" not in tree.text
    # record an override with a reason
    form = first.find_element(By.CSS_SELECTOR, "form.feedback")
    form.find_element(By.CSS_SELECTOR, "input[value='overridden']").click()
    Select(form.find_element(By.NAME, "reason")).select_by_value("already-addressed")
    form.find_element(By.NAME, "comment").send_keys("Level repeated this morning: 0.9")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(drv, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.recorded[data-outcome=overridden]"))
    assert "Already addressed" in drv.find_element(By.CSS_SELECTOR, "p.recorded").text
    # ... and it is in the feedback store on disk, tied to the rule
    db = locked_server.data_dir / "setpoint.sqlite3"  # type: ignore[attr-defined]
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT service, outcome, override_code, user_comment, rule_id "
                           "FROM feedback_by_rule").fetchall()
    assert ("setpoint-page", "overridden", "already-addressed", "Level repeated this morning: 0.9", "NC-LI-019") in rows


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def test_the_page_needs_the_password_and_a_csrf_token(locked_server: Server, tmp_path: Path) -> None:
    with httpx.Client(base_url=locked_server.url, timeout=60) as c:
        r = c.get("/")
        assert r.status_code == 401 and 'id="password"' in r.text
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        csrf = _csrf(r.text)
        assert c.post("/login", data={"csrf": csrf, "password": "wrong"}).status_code == 401
        assert c.post("/login", data={"csrf": "forged", "password": PASSWORD}).status_code == 403
        assert c.post("/login", data={"csrf": csrf, "password": PASSWORD}).status_code == 303
        r = c.get("/")
        assert r.status_code == 200 and 'id="evaluate"' in r.text
        new_csrf = _csrf(r.text)
        assert new_csrf != csrf  # a new session once signed in
        files = {"file": ("case.json", _record(tmp_path).read_bytes(), "application/json")}
        assert c.post("/evaluate", data={"csrf": "forged", "as_of": "2026-11-21"}, files=files).status_code == 403
        r = c.post("/evaluate", data={"csrf": new_csrf, "as_of": "2026-11-21"}, files=files)
        assert r.status_code == 303 and r.headers["location"].startswith("/report/")
        report = c.get(r.headers["location"])
        assert report.status_code == 200 and "Lithium level in the toxic range" in report.text
        assert report.headers["cache-control"] == "no-store"
    # another browser (no session) cannot read the report
    assert httpx.get(locked_server.url + r.headers["location"], timeout=30).status_code == 401
    # the CDS Hooks endpoints still answer without the page session (here: unauthenticated loopback mode)
    assert httpx.get(locked_server.url + "/cds-services", timeout=30).status_code == 200


def test_open_page_on_loopback_and_errors_are_messages(open_server: Server) -> None:
    with httpx.Client(base_url=open_server.url, timeout=60) as c:
        r = c.get("/")
        assert r.status_code == 200 and 'id="evaluate"' in r.text
        csrf = _csrf(r.text)
        r = c.post("/evaluate", data={"csrf": csrf, "as_of": "2026-11-21", "record": '{"resourceType": "Patient"}'})
        assert r.status_code == 422 and 'role="alert"' in r.text and "Traceback" not in r.text
        r = c.post("/evaluate", data={"csrf": csrf, "as_of": "21/11/2026", "record": "patient: {sex: female}"})
        assert r.status_code == 400 and "YYYY-MM-DD" in r.text
        big = "x" * (4 * 1024 * 1024)  # over the 3 MiB --max-body-bytes of these tests
        r = c.post("/evaluate", data={"csrf": csrf, "as_of": "2026-11-21", "record": big})
        assert r.status_code == 413
        r = c.post("/evaluate", data={"csrf": csrf, "as_of": "2026-11-21",
                                      "record": "patient: {sex: female, age: 58}\n"})
        assert r.status_code == 303
        page = c.get(r.headers["location"])
        assert "Summary" in page.text and page.text.count("do not replace, the judgment") == 1


class _Req:
    def __init__(self, cookie: str):
        self.cookies = {"setpoint_page": cookie}


def test_sessions_are_signed_expire_and_belong_to_one_password(tmp_path: Path) -> None:
    import time

    from setpoint.service.page import PageReport, Reports, Sessions, session_key

    key = session_key(tmp_path / "data")
    assert session_key(tmp_path / "data") == key  # made once, then read by every worker
    assert (tmp_path / "data" / "page-session.key").stat().st_mode & 0o077 == 0
    sessions = Sessions(key, 1, "pw-1")
    s = sessions.new(auth=True)
    cookie = sessions.cookie(s)
    back = sessions.read(_Req(cookie))  # type: ignore[arg-type]
    assert back is not None and back.auth and back.csrf == s.csrf
    body, sig = cookie.split(".")
    assert sessions.read(_Req(body[:-2] + "xx." + sig)) is None  # type: ignore[arg-type]  # tampered
    assert Sessions(b"k" * 32, 1, "pw-1").read(_Req(cookie)) is None  # type: ignore[arg-type]  # other key
    other = Sessions(key, 1, "pw-2").read(_Req(cookie))  # type: ignore[arg-type]  # password changed
    assert other is not None and not other.auth
    opened = Sessions(key, 1, None)
    was_open = Sessions(key, 1, "pw-1").read(_Req(opened.cookie(opened.new(auth=True))))  # type: ignore[arg-type]
    assert was_open is not None and not was_open.auth  # signed in while open: not once a password is set
    old = sessions.new(auth=True)
    old.exp = time.time() - 1
    assert sessions.read(_Req(sessions.cookie(old))) is None  # type: ignore[arg-type]
    reports = Reports(kept=2)
    for n in range(3):
        reports.add(PageReport(f"r{n}", "sid-a", time.time(), None, "upload", {}, {}))  # type: ignore[arg-type]
    assert reports.get("r0", "sid-a") is None  # only the latest are kept
    assert reports.get("r2", "sid-a") is not None and reports.get("r2", "sid-b") is None  # the session's own


def test_with_jwt_trust_and_no_password_the_page_is_off(tmp_path: Path) -> None:
    from setpoint.errors import SetpointError
    from setpoint.service.app import create_app
    from setpoint.service.settings import Issuer, Settings

    server = Server(tmp_path / "data", tmp_path / "serve.log", "--trust", "https://ehr.example.org/=http://127.0.0.1:9/j")
    try:
        r = httpx.get(server.url + "/", timeout=30)
        assert r.status_code == 403 and "page password" in r.text
        assert "default-src 'none'" in r.headers["content-security-policy"]
        assert httpx.post(server.url + "/evaluate", data={"csrf": "x", "as_of": "2026-11-21"},
                          timeout=30).status_code == 403
        hook = server.post("/cds-services/setpoint-patient-view", {})
        assert hook.status_code == 401 and "www-authenticate" in hook.headers  # the hooks keep their JWT
    finally:
        server.stop()
    trusted = Settings(data_dir=tmp_path / "data2", public_url="https://cds.example.org",
                       page_password_file=tmp_path / "nope",
                       trust=(Issuer(iss="https://ehr.example.org/", jwks_url="https://ehr.example.org/jwks"),))
    with pytest.raises(SetpointError, match="page-password-file"):
        create_app(trusted)
