"""The redactor every CLI line goes through (generator/redact.py): registered secrets and credential shapes."""

from __future__ import annotations

import io

import pytest

from generator.cli import main
from generator.redact import REDACTOR, RedactingStream, Redactor


@pytest.fixture
def redactor() -> Redactor:
    found = Redactor()
    found.add_secret("sk-0123456789abcdef", "tok")  # "tok" is too short to be a secret: never registered
    found.add_identifier("AKLT1234567890")
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the secret is sk-0123456789abcdef.", "the secret is ***."),
        ("key AKLT1234567890 used", "key AKLT*** used"),
        ("curl -H 'X-Security-Token: abcdefgh'", "curl -H 'X-Security-Token: ***'"),
        ("Headers({'x-auth-token': 'abcdefgh', 'host': 'h'})", "Headers({'x-auth-token': '***', 'host': 'h'})"),
        ('{"X-Api-Key": "abcdefgh", "a": 1}', '{"X-Api-Key": "***", "a": 1}'),
        (
            "Authorization: SDK-HMAC-SHA256 Access=AKX, SignedHeaders=host, Signature=0a1b2c",
            "Authorization: *** Access=***, SignedHeaders=host, Signature=***",
        ),
        ("HMAC-SHA256 Credential=AKX/2024/cn/live/request, Signature=ff", "HMAC-SHA256 Credential=***, Signature=***"),
        ("Authorization: Bearer eyJhbGciOi.x.y", "Authorization: *** ***"),
        ("security_token=abcdef&x=1", "security_token=***&x=1"),
        ("a tok and tokens: 5", "a tok and tokens: 5"),
    ],
)
def test_redacts(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor(text) == expected


def test_a_secret_split_across_writes_is_still_masked(redactor: Redactor) -> None:
    sink = io.StringIO()
    stream = RedactingStream(sink, redactor)
    stream.write("begin sk-01234")
    stream.write("56789abcdef end\nnext ")
    stream.write("line")
    stream.flush()
    assert sink.getvalue() == "begin *** end\nnext line"


def test_the_cli_prints_through_the_redactor(capsys: pytest.CaptureFixture[str]) -> None:
    REDACTOR.add_secret("0000000000000000000000000000local")
    try:
        main(["list", "specs/huaweicloud_live.yaml"])  # prints paths with the project placeholder, not the secret
        main(["list", "0000000000000000000000000000local.yaml"])
    finally:
        REDACTOR._secrets.clear()
    captured = capsys.readouterr()
    assert "0000000000000000000000000000local" not in captured.out + captured.err
    assert "***.yaml" in captured.err
