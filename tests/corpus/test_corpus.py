"""The corpus of OpenAPI documents nobody here wrote (`../shared/corpus`), run as a new user would.

Every document either generates a clean package (it imports, passes ruff under this project's configuration and
`mypy --strict`, and every documented success response of every operation parses through its client) or is refused
with located problems, and only documents openapi-spec-validator rejects may be refused. Stripe's spec, the largest,
runs in `bench/corpus_report.py` instead (CI time); everything else runs here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.loader import load_spec, pointer_exists
from tests.corpus.harness import (
    CORPUS,
    UNSATISFIABLE,
    Outcome,
    corpus_documents,
    exercise,
    generate,
    import_errors,
    mypy_errors,
    ruff_findings,
)

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the corpus is not at {CORPUS}: clone ../shared beside the checkout to run it"
)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Outcome]]]:
    out = tmp_path_factory.mktemp("corpus")
    yield out, generate(corpus_documents(), out)


def generated(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.package is not None]


def test_no_document_crashes_the_generator(corpus: tuple[Path, list[Outcome]]) -> None:
    _, outcomes = corpus
    crashes = {o.document.name: o.crash for o in outcomes if o.crash}
    assert crashes == {}


def test_only_invalid_documents_are_refused(corpus: tuple[Path, list[Outcome]]) -> None:
    """Every document openapi-spec-validator accepts generates; every one it rejects is refused."""
    _, outcomes = corpus
    assert len(outcomes) >= 50
    assert [o.document.name for o in outcomes if o.valid and o.package is None] == []
    assert [o.document.name for o in outcomes if not o.valid and o.package is not None] == []


def test_refusals_are_located(corpus: tuple[Path, list[Outcome]]) -> None:
    """Each problem of a refused document names a place that exists in it, and its line (root-level problems,
    such as a missing `info`, are at `/` line 1)."""
    _, outcomes = corpus
    for outcome in outcomes:
        if outcome.package is not None:
            continue
        assert outcome.problems, outcome.document.name
        spec = load_spec(outcome.document, validate=False)
        for problem in outcome.problems:
            where = f"{outcome.document.name}: {problem}"
            assert problem.code.startswith("spec."), where
            assert pointer_exists(spec.document, problem.pointer), where
            assert problem.line is not None, where
            if problem.pointer:  # deep problems are not reported at the top of the file
                assert problem.line == spec.problem(problem.pointer, "", "").line and problem.line > 1, where


def test_generated_packages_are_clean(corpus: tuple[Path, list[Outcome]]) -> None:
    out, outcomes = corpus
    names = [o.package.name for o in generated(outcomes) if o.package is not None]
    assert import_errors(out, names) == {}
    assert ruff_findings(out, names) == {}
    assert mypy_errors(out, names) == {}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "document" in metafunc.fixturenames:
        metafunc.parametrize("document", [p.name for p in corpus_documents()] or ["(no corpus)"])


def test_every_success_response_parses_through_the_client(corpus: tuple[Path, list[Outcome]], document: str) -> None:
    out, outcomes = corpus
    outcome = next(o for o in outcomes if o.document.name == document)
    if outcome.package is None:
        pytest.skip("refused (an invalid document)")
    failures = exercise(out, outcome.package, outcome.document)
    unexpected = [f for f in failures if (document, f.split(":", 1)[0]) not in UNSATISFIABLE]
    assert unexpected == []
    expected = [key for key in UNSATISFIABLE if key[0] == document]
    assert len(failures) - len(unexpected) == len(expected), "an operation listed as unsatisfiable now works"
