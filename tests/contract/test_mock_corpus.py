"""`fuzz` against the mock of every corpus document that generates (`../shared/corpus`, skipped without it).

The mock is the generated server, so what schemathesis finds here is the generated server's request validation
disagreeing with the spec. `KNOWN` lists the documents where it still does, by the reason; they may fail only the
request-validation checks. Every other document passes with 0 failures.
"""

from __future__ import annotations

import pytest

from generator.contract import FuzzOptions, fuzz_spec, mock_run
from generator.errors import GenerationError
from tests.corpus.harness import CORPUS, corpus_documents

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the corpus is not at {CORPUS}: clone ../shared beside the checkout to run it"
)

_FORMS = "form and multipart bodies decode values by the schema's type only partly (numbers as strings, one-item lists)"
_STYLES = "label and matrix path styles, and the simple style for header objects, are decoded leniently"
_UNIONS = "oneOf/anyOf bodies with discriminators accept values a strict reading refuses"
KNOWN = {
    "dmcg__discriminator_allof.yaml": _UNIONS,
    "opc__31_specific.yaml": "3.1 constructs (const in an optional query parameter) are checked as required",
    "opc__openapi_31_enums.yaml": "enums with null are not accepted by the query parameter models",
    "petstore__readme_petstore_31.yaml": _FORMS,
    "petstore__swagger_petstore_304.yaml": _FORMS,
    "readme__complex_nesting.yaml": _UNIONS,
    "readme__discriminators.yaml": _UNIONS,
    "readme__file_uploads.yaml": _FORMS,
    "readme__parameters_style.yaml": _STYLES,
    "readme__polymorphism.yaml": _UNIONS,
    "readme__schema_types_31.yaml": "raw bodies and incompatible allOf schemas",
    "schemathesis__petstore_v3.yaml": _FORMS,
    "vendor__adyen_checkout_v71.json": _UNIONS,
    "vendor__twilio_api_v2010.json": _FORMS,
    "vendor__twilio_events_v1.json": _FORMS,
    "vendor__uspto.yaml": _FORMS,
}
"""Documents whose generated server still disagrees with schemathesis on some requests, and why."""
REQUEST_CHECKS = {"positive_data_acceptance", "negative_data_rejection", "response_schema_conformance"}


@pytest.mark.parametrize("document", corpus_documents(), ids=lambda path: path.name)
def test_fuzzing_the_mock_of_a_corpus_document(document: object) -> None:
    from pathlib import Path

    assert isinstance(document, Path)
    try:
        with mock_run(document, seed=1) as target:
            report = fuzz_spec(document, target, None, FuzzOptions(max_examples=2, seed=1))
    except GenerationError:
        pytest.skip("refused by the generator (tests/corpus checks that only invalid documents are)")
    failed = {failure.check for failure in report.failures}
    if document.name in KNOWN:
        assert failed <= REQUEST_CHECKS, [f.render() for f in report.failures if f.check not in REQUEST_CHECKS]
    else:
        assert report.failures == [], "\n".join(failure.render() for failure in report.failures)
