"""The service layer: each job computes, records when asked, and returns what it recorded."""

from __future__ import annotations

import json
import types

import pytest

from pivotal import service
from pivotal.scenario.overlay import overlay_from_settings
from pivotal.service.saving import patiently
from pivotal.store import RunStore, StoreBusyError


def test_every_name_the_service_offers_is_the_job_not_a_module():
    for name in service.__all__:
        assert not isinstance(getattr(service, name), types.ModuleType), name


def test_the_runner_keeps_its_names():
    from pivotal import runner

    for name in runner.__all__:
        assert getattr(runner, name) is getattr(service, name)


def test_a_score_computed_then_saved_is_stored_as_returned(tiny_scenario):
    store = RunStore()
    scored = service.score(tiny_scenario, draws=60, seed=2, start=2002, save=False)
    assert scored.analysis_id is None and store.list_analyses() == []
    assert scored.content == scored.report.to_dict()

    saved = service.save_analysis(scored, store)
    stored = store.get_analysis(saved.analysis_id)
    assert (stored.kind, stored.scenario_id, stored.draws, stored.seed) == ("score", tiny_scenario.id, 60, 2)
    assert stored.settings == {"start": 2002}
    assert stored.result == json.loads(json.dumps(scored.content, default=str))


def test_a_whatif_records_what_it_returns_with_the_interfaces_settings(tiny_scenario):
    store = RunStore()
    change = overlay_from_settings(["patron_shield=0.1@2002"], tiny_scenario)
    compared = service.whatif(
        tiny_scenario,
        [change],
        metrics=["p_challenge"],
        draws=40,
        seed=1,
        over="2002-2003",
        changes=["patron_shield=0.1@2002"],
        settings={"via": "test"},
        store=store,
    )
    assert compared.over is not None and "averages" in compared.content
    stored = store.get_analysis(compared.analysis_id)
    assert stored.kind == "whatif" and stored.settings["via"] == "test"
    assert stored.settings["set"] == ["patron_shield=0.1@2002"] and stored.settings["over"] == "2002-2003"
    assert stored.result["differences"] == json.loads(json.dumps(compared.content["differences"]))


def test_a_run_keeps_its_settings(tiny_scenario):
    store = RunStore()
    run = service.run_scenario(tiny_scenario, draws=20, seed=1, store=store, settings={"via": "test"})
    assert store.get(run.run_id).record.settings == {"via": "test"}


class _Busy:
    """A store held by another process: every write times out, except through :meth:`patient`."""

    def __init__(self) -> None:
        self.waited = False

    def patient(self) -> _Busy:
        self.waited = True
        return self


def test_a_busy_store_makes_a_finished_result_wait_only_when_asked():
    store = _Busy()

    def record(where):
        if not where.waited:
            raise StoreBusyError("the store is busy.")
        return "recorded"

    with pytest.raises(StoreBusyError):
        patiently(record, store, "score analysis", None)
    told = []
    assert patiently(record, store, "score analysis", told.append) == "recorded"
    assert told == [
        "the store is busy. The finished score analysis waits to be recorded (Ctrl-C gives it up)."
    ]


def test_a_result_waiting_for_a_held_store_gives_up_once_it_is_no_longer_wanted(tmp_path):
    """A cancelled web job must not wait forever for a store another process holds."""
    import threading
    import time

    from pivotal.service.saving import giving_up_when
    from pivotal.store.database import file_lock

    store = RunStore(tmp_path / "runs.duckdb", lock_timeout=0.2)

    def write(where: RunStore) -> str:
        return where.record_analysis(
            kind="score", scenario_id="tiny", scenario_hash="x", draws=1, seed=0, settings={}, result={}
        )

    held, release, unwanted = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        with file_lock(str(store.path)):
            held.set()
            release.wait(20)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    told: list[str] = []
    threading.Timer(0.5, unwanted.set).start()
    started = time.monotonic()
    try:
        with giving_up_when(unwanted.is_set), pytest.raises(StoreBusyError):
            patiently(write, store, "score analysis", told.append)
    finally:
        release.set()
        holder.join()
    assert len(told) == 1 and time.monotonic() - started < 5
    assert patiently(write, store, "score analysis", told.append)  # let go: in at once
    assert len(told) == 1
