"""Property-based tests of the REST API from its own OpenAPI description (schemathesis).

For every operation in /api/openapi.json, schemathesis generates requests (valid and invalid
parameters and bodies, MAX_EXAMPLES of each kind) and sends them to the ASGI app, signed in with an
analyst's bearer token, over a small seeded database (the sample corpus). Every answer must be
one of the operation's documented statuses, match its documented schema and content type, and
never be a 5xx; invalid input must be refused with a 4xx. Deterministic (derandomize) so a failure
reproduces, and bounded in time.

Left out: schemathesis' "positive data acceptance" check (every schema-valid request answered
2xx/404). Some refusals depend on more than one value or on meaning, which JSON Schema cannot
state: a bbox with min after max, 31 February, a reason of zero-width characters, an edit value
that does not fit the field. Those answer 400 or 422, both documented, and that is checked.
"""
from __future__ import annotations

import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from harmwatch.web.app import create_app  # noqa: E402

from web_helpers import build_sample, open_db  # noqa: E402

MAX_EXAMPLES = {"positive": 25, "negative": 10}  # per operation: the whole test stays within about 30 s


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path, tokens = build_sample(tmp_path_factory.mktemp("schema"))
    db = open_db(path)
    yield db, tokens
    db.close()


@pytest.fixture(scope="module")
def api_schema(seeded):
    db, _ = seeded
    app = create_app(db, anonymous_read=False, secret="test-secret")
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


@pytest.fixture(scope="module")
def analyst_headers(seeded):
    return {"Authorization": f"Bearer {seeded[1]['analyst']}"}


def test_api_answers_as_documented(api_schema, analyst_headers):
    """Every operation, valid and invalid input: documented status, schema and content type; no 5xx."""
    failures, operations = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES[mode.value], deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def run(case):
                case.call_and_validate(headers=analyst_headers, excluded_checks=[positive_data_acceptance])

            try:
                run()
            except Unsatisfiable:  # nothing of this operation can be made invalid (e.g. no parameters)
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001  (collect every operation's failures)
                failures.append(f"{operation.label} [{mode.value}]: {type(e).__name__}: {str(e)[:1500]}")
    assert operations >= 12
    assert not failures, "\n\n".join(failures)


def test_every_operation_documents_its_error_statuses(api_schema):
    """The statuses the routes can answer are in the description (what the property test checks against)."""
    raw = api_schema.raw_schema
    ops = [(p, m, op) for p, methods in raw["paths"].items() for m, op in methods.items()]
    assert len(ops) >= 12
    for path, method, op in ops:
        codes = set(op["responses"])
        assert {"200", "401"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method == "post":
            assert {"400", "403", "404", "422"} <= codes, (method, path)
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in codes, (method, path)
