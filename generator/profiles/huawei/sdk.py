"""Huawei Cloud's official SDKs (`huaweicloudsdk<service>.<version>`) read for `sdk-drift`.

The SDKs are generated from Huawei's API metadata: each client method `<operation>` has a class method
`_<operation>_http_info(request)` giving its HTTP method, path and the location of every request attribute (path,
query, header, body), and each request and response model class lists its attributes' types (`openapi_types`) and
wire names (`attribute_map`). Calling `_http_info` with an empty request reads all of that without sending anything.
The headers the SDK's core adds to every request (the signer's date, the credentials' project id and security
token) are read from `huaweicloudsdkcore`; an enum is a class of string constants without attributes.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import replace
from types import ModuleType
from typing import Any

from generator.sdk_drift import ANY, SdkApi, SdkField, SdkOperation, SdkParameter

_SCALARS = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "object": "any"}
_STRINGS = frozenset({"date", "datetime"})
"""Types the SDK deserialises from strings: on the wire they are strings."""
_LIST = re.compile(r"list\[(.+)\]")
_DICT = re.compile(r"dict\(str, (.+)\)")


def _core_headers() -> tuple[SdkParameter, ...]:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials
    from huaweicloudsdkcore.signer.signer import Signer

    names = (Signer._HEADER_X_DATE, BasicCredentials._X_PROJECT_ID, Credentials._X_SECURITY_TOKEN)
    return tuple(SdkParameter(name, "header", SdkField("string")) for name in names)


def read_sdk(module: str) -> SdkApi:
    """The operations of the (synchronous) client of SDK module `module`, e.g. `huaweicloudsdklive.v1`."""
    sdk = importlib.import_module(module)
    core = _core_headers()
    models = importlib.import_module(f"{module}.model")
    client = next(
        cls
        for name, cls in vars(sdk).items()
        if name.endswith("Client") and not name.endswith("AsyncClient") and inspect.isclass(cls)
    )
    operations = {}
    for attribute in sorted(vars(client)):
        found = re.fullmatch(r"_(\w+)_http_info", attribute)
        if found is None:
            continue
        name = "".join(part.title() for part in found[1].split("_"))
        request_class = getattr(models, f"{name}Request", None)
        if request_class is None:
            continue
        info = getattr(client, attribute)(request_class())
        operation = _operation(name, info, request_class, getattr(models, f"{name}Response", None), models)
        operations[name] = replace(operation, parameters=(*operation.parameters, *core))
    return SdkApi(module.split(".")[0], operations, frozenset({"method", "path", "parameters", "request", "response"}))


def _operation(name: str, info: dict[str, Any], request: Any, response: Any, models: ModuleType) -> SdkOperation:
    """`request` and `response`: the SDK's model classes (the response's None when it has none)."""
    wire_of = {wire: attribute for attribute, wire in request.attribute_map.items()}
    parameters = [SdkParameter(p, "path") for p in re.findall(r"\{([^{}]+)\}", info["resource_path"])]
    located = [
        *((wire, "query") for wire, _ in info["query_params"]),
        *((wire, "header") for wire in info["header_params"] if wire.lower() != "content-type"),
    ]
    typed = {p.name: p for p in parameters}
    for wire in info["path_params"]:
        typed[wire] = SdkParameter(wire, "path", _type(request.openapi_types[wire_of[wire]], models))
    parameters = list(typed.values())
    parameters += [SdkParameter(w, where, _type(request.openapi_types[wire_of[w]], models)) for w, where in located]
    body = _type(request.openapi_types["body"], models) if "body" in request.openapi_types else None
    result = None
    if response is not None:
        headers = set(info.get("response_headers") or ())
        fields = {wire: _type(response.openapi_types[attr], models) for attr, wire in response.attribute_map.items()}
        parameters += [
            SdkParameter(wire, "response-header", fields.pop(wire)) for wire in sorted(headers) if wire in fields
        ]
        if "body" in response.openapi_types:  # a response whose body is a list or a scalar
            result = _type(response.openapi_types["body"], models)
        elif fields:
            result = SdkField("object", fields)
    return SdkOperation(name, info["method"], info["resource_path"], None, tuple(parameters), body, result)


def _type(declared: str, models: ModuleType, depth: int = 0) -> SdkField:
    if declared in _SCALARS:
        return SdkField(_SCALARS[declared]) if _SCALARS[declared] != "any" else ANY
    if declared in _STRINGS:
        return SdkField("string")
    if (found := _LIST.fullmatch(declared)) is not None:
        return SdkField("array", items=_type(found[1], models, depth + 1))
    if (found := _DICT.fullmatch(declared)) is not None:
        return SdkField("map", items=_type(found[1], models, depth + 1))
    model: Any = getattr(models, declared, None)
    if model is None or depth > 20:
        return ANY
    if not model.openapi_types and any(k.isupper() and isinstance(v, str) for k, v in vars(model).items()):
        return SdkField("string")  # an enum: its values are the class's constants
    return SdkField(
        "object",
        {wire: _type(model.openapi_types[attr], models, depth + 1) for attr, wire in model.attribute_map.items()},
    )
