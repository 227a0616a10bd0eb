"""schemathesis fuzzes every route from the OpenAPI schema, in-process against the ASGI app:
no 5xx, and every response conforms to the schema (status, content type, body, headers).
Bounded: a few examples per operation and a short stateful run (well under a minute)."""

from __future__ import annotations

import pytest
import schemathesis
from http_support import auth, trained_model
from hypothesis import HealthCheck, Phase, settings

from dffml_nb.examples.calc import calc_flow
from dffml_nb.http.app import create_app
from dffml_nb.http.loading import load_model_dir
from dffml_nb.http.settings import Settings

TOKEN = "schemathesis-token"
# A schema-valid body can still name an operation, definition, scorer or feature the server
# does not have: that is a 422 naming it, which "positive data acceptance" would call a bug.
SEMANTIC = [schemathesis.checks.positive_data_acceptance]
HEADERS = auth(TOKEN)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure is reproducible
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    location = tmp_path_factory.mktemp("fuzz") / "model"
    trained_model(location)
    models = {"salary": load_model_dir(location)}
    return create_app({"calc": calc_flow()}, models, settings=Settings(token=TOKEN, timeout=10))


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi(f"/openapi.json?token={TOKEN}", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_every_route_conforms_and_never_fails(case):
    case.call_and_validate(headers=HEADERS, excluded_checks=SEMANTIC)


@pytest.mark.slow
def test_stateful_sequences_conform(api_schema):
    """Sequences along the schema's links (declared: PUT a flow -> GET / run it, train ->
    predict / score; inferred by schemathesis: list the models -> use one by name)."""
    machine = api_schema.as_state_machine()
    steps: list[tuple[str, str, object, int]] = []

    class Sequences(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"headers": HEADERS}

        def after_call(self, response, case):
            name = (case.path_parameters or {}).get("name")
            steps.append((case.method, case.path, name, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=SEMANTIC,
                transport_kwargs=kwargs or None,
            )

    Sequences.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=4,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    # links were followed: the name of the served model, taken from a response (generated
    # names are random strings), reached predict / train / score
    linked = {(m, p) for m, p, name, status in steps if name == "salary" and status != 404}
    assert linked & {
        ("POST", "/v1/models/{name}/predict"),
        ("POST", "/v1/models/{name}/train"),
        ("POST", "/v1/models/{name}/score"),
    }, steps
