"""The web app against its own OpenAPI document, with schemathesis.

Schemathesis reads ``/openapi.json`` and sends every operation generated requests,
valid ones and ones that break the schema; each answer must not be a 5xx and must
match the document (status code, content type, body schema).  Runs that generated
requests start are cancelled straight away, so the test stays small, and the examples are
derandomised so a run of the suite repeats (``--hypothesis-seed`` varies them by hand).  The app works
over a store in a temporary folder, with one recorded run for the run endpoints.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.testclient import TestClient

from pivotal.web import create_app

STORE = Path(tempfile.mkdtemp(prefix="pivotal-schema-")) / "runs.duckdb"
APP = create_app(STORE)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def recorded_run() -> str:
    with TestClient(APP) as client:  # starts the app (its run pool) as a server would
        started = client.post("/api/runs", json={"scenario": "south-caucasus", "draws": 50, "seed": 1})
        job = started.json()["job_id"]
        while (status := client.get(f"/api/jobs/{job}").json())["status"] not in ("done", "failed"):
            time.sleep(0.05)
    assert status["status"] == "done"
    return status["run_id"]


#: Operations that judge content the schema cannot describe: an uploaded file must be a valid
#: scenario, a setting's periods must lie inside its scenario, a score needs a record; and a seed's
#: bound, 2^63 - 1, is read as a float by the generator, which then offers seeds just above it.
#: A request can fit the schema and still be refused (422, located), so "schema-valid requests
#: are accepted" does not apply.
SEMANTIC = {
    ("POST", "/api/scenarios/upload"),
    ("POST", "/api/runs"),
    ("POST", "/api/runs/{run_id}/rerun"),
    ("POST", "/api/whatif"),
    ("POST", "/api/score"),
    ("POST", "/api/sensitivity"),
}


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_within_its_schema_and_never_5xx(case):
    excluded = [positive_data_acceptance] if (case.method, case.path) in SEMANTIC else []
    response = case.call_and_validate(excluded_checks=excluded)
    if case.method == "POST" and response.status_code == 202:  # a run or an analysis started: stop it
        APP.state.jobs.cancel(response.json()["job_id"])


def test_the_run_endpoints_answer_a_recorded_run_within_the_schema(recorded_run):
    """Generated ids seldom name a real run; these requests do, so the 200 answers are checked too."""
    requests = [
        ("/api/runs/{run_id}", {"run_id": recorded_run}, None),
        ("/api/runs/{run_id}", {"run_id": recorded_run[:5]}, None),
        ("/api/runs/{run_id}/charts/{name}.svg", {"run_id": recorded_run, "name": "network"}, None),
        ("/api/runs/{run_id}/results.csv", {"run_id": recorded_run}, None),
        ("/api/runs/{run_id}/results.parquet", {"run_id": recorded_run}, None),
        ("/runs/{run_id}/report", {"run_id": recorded_run}, None),
        ("/api/compare", {}, {"a": recorded_run, "b": recorded_run, "metric": "p_hedge"}),
    ]
    for path, path_parameters, query in requests:
        case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call_and_validate()
        assert response.status_code == 200, (path, response.text[:200])
