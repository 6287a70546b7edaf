# Vendored by streamspec (runtime module calls); do not edit.
"""A request built once and sent by either client: the piece that keeps generated sync and async clients twins-free."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx

from .client import MISSING, APIResponse, AsyncAPIClient, Operation, RequestOptions, SyncAPIClient

T = TypeVar("T")


@dataclass(frozen=True)
class PreparedCall(Generic[T]):
    """A validated request for one operation and the parser of its success response."""

    op: Operation
    parse: Callable[[httpx.Response], T]
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Sequence[tuple[str, str]] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    json_body: object = MISSING
    encoded_body: tuple[str, bytes] | None = None
    """A body already encoded (form or multipart): its content type and bytes."""

    def send(self, client: SyncAPIClient, options: RequestOptions | None = None) -> APIResponse[T]:
        return client.request(
            self.op,
            self.parse,
            path_params=self.path_params,
            query=self.query,
            headers=self.headers,
            json_body=self.json_body,
            options=options,
            encoded_body=self.encoded_body,
        )

    async def send_async(self, client: AsyncAPIClient, options: RequestOptions | None = None) -> APIResponse[T]:
        return await client.request(
            self.op,
            self.parse,
            path_params=self.path_params,
            query=self.query,
            headers=self.headers,
            json_body=self.json_body,
            options=options,
            encoded_body=self.encoded_body,
        )
