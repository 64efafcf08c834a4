"""Feedback and the card log: feedback only for cards this service issued, bounded comments, sane
timestamps; every issued card is in the log before the answer leaves (kill -9 loses none); the data
directory is 0700 and the database 0600."""

from __future__ import annotations

import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from setpoint.service.store import Store

from .fhir_data import med, obs, patient, searchset
from .test_service import PV, Server


def _request(n: int) -> dict[str, Any]:
    return {"hook": "patient-view", "hookInstance": f"h-{n}", "context": {"patientId": "p1"},
            "prefetch": {"patient": patient(), "all": searchset(
                med("li", None, "Lithium Carbonate 300 MG Oral Capsule", authoredOn="2025-06-01"),
                obs("li-level", "14334-7", "Lithium", valueQuantity={"value": 1.7 + n / 1000, "unit": "mmol/L"}))}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("feedback")
    s = Server(tmp / "data", tmp / "serve.log")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def card(server: Server) -> dict[str, Any]:
    return server.post(PV, _request(0)).json()["cards"][0]


def _item(issued: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"feedback": [{"card": issued["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-21T10:00:00Z",
                          **kw}]}


@pytest.mark.parametrize(("change", "words"), [
    ({"outcomeTimestamp": 1764000000}, "outcomeTimestamp"),
    ({"outcomeTimestamp": "0001-01-01T00:00:00Z"}, "year 1 is outside"),
    ({"outcomeTimestamp": "9999-12-31T23:59:59Z"}, "year 9999 is outside"),
    ({"outcomeTimestamp": "2026-11-21"}, "ISO 8601 date-time with a time zone"),
    ({"outcomeTimestamp": "2026-11-21T10:00:00"}, "ISO 8601 date-time with a time zone"),
    ({"outcomeTimestamp": "2026-02-30T10:00:00Z"}, "not a valid date-time"),
    ({"overrideReason": {"userComment": "x" * 2001}}, "overrideReason.userComment"),
    ({"card": "c" * 300}, "feedback[0].card"),
    ({"card": "bad\nid"}, "feedback[0].card"),
])
def test_bad_feedback_is_refused_naming_the_field(server: Server, card: dict[str, Any], change: dict[str, Any],
                                                  words: str) -> None:
    r = server.post(PV + "/feedback", _item(card, **change))
    assert r.status_code == 422, r.text
    assert words in r.json()["error"]


def test_good_feedback_is_stored_with_a_normalised_timestamp(server: Server, card: dict[str, Any]) -> None:
    r = server.post(PV + "/feedback", _item(card, outcomeTimestamp="2026-11-21T11:00:00+01:00",
                                            overrideReason={"userComment": "x" * 2000}))
    assert r.status_code == 200
    stored = Store(Path(server.log_path).parent / "data").feedback(card["uuid"])
    assert stored[-1]["outcome_timestamp"] == "2026-11-21T10:00:00+00:00"


def test_the_data_directory_and_database_are_private(server: Server, tmp_path: Path) -> None:
    data = Path(server.log_path).parent / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("setpoint.sqlite3", "setpoint.sqlite3-wal", "decisions.jsonl"):
        if (data / name).exists():
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    Store(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700  # an existing folder is tightened


def test_no_issued_card_is_lost_when_the_service_is_killed(tmp_path: Path) -> None:
    for round_ in range(3):
        s = Server(tmp_path / "data", tmp_path / f"kill{round_}.log")
        uuids: list[str] = []
        try:
            for n in range(40):
                uuids += [c["uuid"] for c in s.post(PV, _request(n)).json()["cards"]]
        finally:
            os.kill(s.proc.pid, signal.SIGKILL)  # at once: no shutdown, no flushing
            s.proc.wait()
            s.log.close()
        store = Store(tmp_path / "data")
        missing = [u for u in uuids if store.card(u) is None]
        assert not missing, f"{len(missing)} of {len(uuids)} issued cards lost"
