"""Huawei Cloud: SDK-HMAC-SHA256 (AK/SK) and IAM-token authentication, the `{error_code, error_msg}` envelope with
APIG's codes, the project id that fills `{project_id}` in paths, and the MetaStudio and Live callback signatures.

Selected by a spec whose security schemes say `x-signing: huawei-sdk-hmac-sha256` or `huawei-token`, or by
`info.x-profile: huawei`.
"""

from __future__ import annotations

from pathlib import Path

from generator.ir import Api
from generator.profiles.base import ClientParts, Param, Profile, ReceiverScheme, ServerParts

_CLOCK = Param("clock", "Clock | None")

MSS = ReceiverScheme(
    name="metastudio-mss",
    imports=(
        "from datetime import timedelta",
        "from ._runtime.huawei.mss import MSS_WINDOW, MssAuthType, mss_verifier",
        "from ._runtime.signing import Clock",
    ),
    params=(
        Param("key", "str | None", None),
        Param("callback_url", "str", None),
        Param("auth_type", "MssAuthType", '"MSS_A"'),
        Param("window", "timedelta", "MSS_WINDOW"),
        _CLOCK,
    ),
    verify="mss_verifier(key, callback_url, auth_type, clock=clock, window=window)",
    summary=(
        "Deliveries are verified as MetaStudio signs them (`x-signature.scheme: metastudio-mss`): hex HMAC-SHA256 of "
        "the configured callback URL and `hwTime` under the callback key, in the query (MSS_A) or in headers "
        "(MSS_A_HEAD), with `hwTime` within the accepted window of now."
    ),
    doc=(
        "`key`: the callback key configured in MetaStudio, or None for auth_type NONE (deliveries are then not "
        "verified: the URL carries its own authentication). `callback_url`: the callback URL exactly as configured "
        "(the signature covers it, not the URL as received, which proxies may rewrite). `auth_type`: MSS_A "
        "(signature in the query) or MSS_A_HEAD (in headers). `window`: the accepted |now - hwTime| ([U] 300 s; see "
        "the spec's `x-signature`). `clock`: the current time, for tests."
    ),
)
LIVE_RECORD = ReceiverScheme(
    name="huawei-live-record",
    imports=(
        "from ._runtime.huawei.live_record import LiveSignType, live_record_verifier",
        "from ._runtime.signing import Clock",
    ),
    params=(Param("key", "str | None", None), Param("sign_type", "LiveSignType", '"HMACSHA256"'), _CLOCK),
    verify="live_record_verifier(key, sign_type, clock=clock)",
    summary=(
        "Deliveries are verified as Huawei Live signs them (`x-signature.scheme: huawei-live-record`): `auth_sign` in "
        "the body, MD5 or HMAC-SHA256 by the configured `sign_type`, rejected once now is past `auth_timestamp`."
    ),
    doc=(
        "`key`: the callback configuration's `key`, or None when it has none (notifications are then unsigned and not "
        "verified). `sign_type`: the configuration's `sign_type` (the vendor's default is HMACSHA256). `clock`: the "
        "current time, for tests."
    ),
)


class HuaweiProfile(Profile):
    def runtime_modules(self, api: Api) -> tuple[str, ...]:
        return ("envelope", "auth", "verify")

    def client(self, api: Api) -> ClientParts:
        return ClientParts(
            imports=(
                "from ._runtime.huawei.auth import (\n    CredentialsError, HuaweiAkSkAuth, HuaweiCredentials, "
                "HuaweiTokenAuth, client_auth\n)",
                "from ._runtime.huawei.envelope import HuaweiEnvelope",
            ),
            params=(
                Param("credentials", "HuaweiCredentials | None"),
                Param("token", "str | None"),
                Param("project_id", "str | None"),
            ),
            resolve="client_auth(credentials=credentials, token=token, project_id=project_id)",
            envelope="HuaweiEnvelope()",
            doc=(
                "Requests are signed with `credentials` (AK/SK, SDK-HMAC-SHA256), or carry `token` (X-Auth-Token); "
                "without either, credentials come from the environment (`HuaweiCredentials.from_env`). `auth` "
                "replaces all of this."
            ),
            exports=("CredentialsError", "HuaweiAkSkAuth", "HuaweiCredentials", "HuaweiTokenAuth"),
        )

    def server(self, api: Api) -> ServerParts:
        return ServerParts(
            imports=("from ._runtime.huawei.envelope import HuaweiServerEnvelope",),
            envelope="HuaweiServerEnvelope()",
            invalid_code="APIG.0201",
            internal_code="APIG.0202",
        )


PROFILE = HuaweiProfile(
    name="huawei",
    description="Huawei Cloud: SDK-HMAC-SHA256 and IAM tokens, {error_code, error_msg}, project ids",
    signings=frozenset({"huawei-sdk-hmac-sha256", "huawei-token"}),
    runtime=Path(__file__).parent / "runtime",
    hooks=f"{__name__}.hooks",
    sdk=f"{__name__}.sdk",
    webhook_schemes={scheme.name: scheme for scheme in (MSS, LIVE_RECORD)},
)
