"""The emulators' state: one SQLite database of JSON documents, keyed by service, tenant and id.

Why this shape: the three APIs store small configuration documents that are always read whole, so one generic
table (plus the webhook delivery log) serves them all and the schema never needs a migration for a new field.
Filters use `json_extract` on the documents; the tables are small (configuration, not traffic).

Concurrency: one connection per `Store`, guarded by a re-entrant lock, because sqlite3 connections must not be
used by two threads at once. `transaction()` runs `BEGIN IMMEDIATE`, which takes SQLite's write lock up front, so
a read-modify-write inside it is atomic against other threads of this process (the lock) and against other
processes or stores on the same file (SQLite, waiting up to `BUSY_TIMEOUT_MS`). File databases use WAL with
`synchronous=NORMAL`: commits survive a crash of the emulator (not necessarily of the machine) and readers never
block the writer. `:memory:` gives a private database for tests.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MEMORY", "SCHEMA_VERSION", "Document", "Page", "Store", "StoreError"]

Document = dict[str, Any]
MEMORY = ":memory:"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS resources (
        service TEXT NOT NULL,
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (service, tenant, id)
    )""",
    """CREATE TABLE IF NOT EXISTS deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        service TEXT NOT NULL,
        tenant TEXT NOT NULL,
        state TEXT NOT NULL,
        doc TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS deliveries_by_tenant ON deliveries (service, tenant)",
    "CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS hits_by_key ON hits (key, at)",
)


class StoreError(Exception):
    """The database cannot hold the emulators' state (not a database, read-only, a folder, a newer schema): one
    line that names the file and what is wrong with it."""


@dataclass(frozen=True)
class Page:
    """One page of a filtered listing, and how many documents matched in all."""

    total: int
    items: list[Document]


def _encode(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _field(name: str) -> str:
    """`json_extract(doc, '$.name')` for a plain field name, written literally so that SQLite can use an index on
    the same expression (a path given as a parameter never matches one); anything else is refused, not quoted."""
    if not _FIELD.fullmatch(name):
        raise ValueError(f"not a plain field name: {name!r}")
    return f"json_extract(doc, '$.{name}')"


def _where(where: Mapping[str, object]) -> tuple[str, list[object]]:
    """SQL conditions `json_extract(doc, '$.field') = value`, values as parameters."""
    return "".join(f" AND {_field(name)} = ?" for name in where), list(where.values())


class Store:
    """A SQLite database file (or `:memory:`) holding every emulator's documents and delivery log."""

    def __init__(self, path: str | os.PathLike[str] = MEMORY) -> None:
        """Open (or create) the database and make sure it can be written; `StoreError` when it cannot."""
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        folder = Path(self.path).parent
        if self.path != MEMORY and folder.exists() and not folder.is_dir():
            raise StoreError(f"{self.path}: {folder} is a file, not a folder")
        try:
            if self.path != MEMORY:
                folder.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            try:
                self._prepare()
            except BaseException:
                self._conn.close()
                raise
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreError(f"{self.path}: {reason}") from None

    def _prepare(self) -> None:
        """Settings and schema, in a write transaction: a file that cannot be written fails here, not later."""
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.path != MEMORY:
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        with self.transaction():
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: schema version {version} is newer than this emulator's ({SCHEMA_VERSION})"
                )
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make everything done inside atomic; nested uses join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    # ------------------------------------------------------------------------------------------ documents

    def get(self, service: str, tenant: str, id: str) -> Document | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT doc FROM resources WHERE service = ? AND tenant = ? AND id = ?", (service, tenant, id)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, service: str, tenant: str, id: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace; a replaced document keeps its place in listings (creation order)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO resources (service, tenant, id, doc) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (service, tenant, id) DO UPDATE SET doc = excluded.doc",
                (service, tenant, id, _encode(doc)),
            )

    def delete(self, service: str, tenant: str, id: str) -> bool:
        with self._lock:
            cursor = self._conn.execute(
                "DELETE FROM resources WHERE service = ? AND tenant = ? AND id = ?", (service, tenant, id)
            )
        return cursor.rowcount > 0

    def find(
        self,
        service: str,
        tenant: str,
        where: Mapping[str, object] | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> Page:
        """Documents whose top-level fields equal `where`, in creation order, paged by `offset`/`limit`."""
        clauses, values = _where(where or {})
        condition = "service = ? AND tenant = ?" + clauses
        params: list[object] = [service, tenant, *values]
        with self._lock:
            rows = self._conn.execute(
                f"SELECT doc, count(*) OVER () FROM resources WHERE {condition} ORDER BY rowid LIMIT ? OFFSET ?",
                [*params, -1 if limit is None else limit, offset],
            ).fetchall()
            if rows:
                total = rows[0][1]
            elif offset or limit == 0:  # an empty page says nothing about the matches before it
                total = self._conn.execute(f"SELECT count(*) FROM resources WHERE {condition}", params).fetchone()[0]
            else:
                total = 0
        return Page(int(total), [json.loads(row[0]) for row in rows])

    def index(self, *fields: str) -> None:
        """Index documents by these top-level fields (with service and tenant) to make `find` on them fast."""
        name = "resources_by_" + "_".join(fields)
        columns = ", ".join(_field(f) for f in fields)
        with self._lock:
            self._conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON resources (service, tenant, {columns})")

    def delete_where(self, service: str, tenant: str, where: Mapping[str, object]) -> int:
        clauses, values = _where(where)
        with self._lock:
            cursor = self._conn.execute(
                f"DELETE FROM resources WHERE service = ? AND tenant = ?{clauses}", [service, tenant, *values]
            )
        return cursor.rowcount

    def locate(self, service: str, id: str) -> tuple[str, Document] | None:
        """The tenant and document of `id` in any tenant (for the admin API, which has no caller identity)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT tenant, doc FROM resources WHERE service = ? AND id = ? ORDER BY rowid LIMIT 1", (service, id)
            ).fetchone()
        return None if row is None else (str(row[0]), dict(json.loads(row[1])))

    def clear(self, service: str | None = None) -> None:
        """Forget every document and delivery (of one service, or of all): a fresh emulator without a restart."""
        condition, params = ("WHERE service = ?", [service]) if service else ("", [])
        with self.transaction():
            self._conn.execute(f"DELETE FROM resources {condition}", params)
            self._conn.execute(f"DELETE FROM deliveries {condition}", params)
            if service is None:
                self._conn.execute("DELETE FROM hits")

    # ------------------------------------------------------------------------------------------ rate limits

    def admit(self, key: str, limit: int, period: float, now: float) -> bool:
        """Record a call for `key` at `now` (Unix seconds) unless `limit` calls were recorded in the `period`
        before it; refused calls are not recorded. In the database, so every process serving it shares it."""
        with self.transaction():
            self._conn.execute("DELETE FROM hits WHERE key = ? AND at <= ?", (key, now - period))
            if self._conn.execute("SELECT count(*) FROM hits WHERE key = ?", (key,)).fetchone()[0] >= limit:
                return False
            self._conn.execute("INSERT INTO hits (key, at) VALUES (?, ?)", (key, now))
        return True

    # ------------------------------------------------------------------------------------------ delivery log

    def add_delivery(self, service: str, tenant: str, doc: Mapping[str, Any]) -> int:
        """Log a new delivery; its id is returned and also stored in the document as `id`."""
        with self.transaction():
            cursor = self._conn.execute(
                "INSERT INTO deliveries (service, tenant, state, doc) VALUES (?, ?, ?, '{}')",
                (service, tenant, str(doc.get("state", ""))),
            )
            delivery_id = int(cursor.lastrowid or 0)
            self.update_delivery(delivery_id, {**doc, "id": delivery_id})
        return delivery_id

    def update_delivery(self, delivery_id: int, doc: Mapping[str, Any]) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE deliveries SET state = ?, doc = ? WHERE id = ?",
                (str(doc.get("state", "")), _encode(doc), delivery_id),
            )

    def delivery(self, delivery_id: int) -> Document | None:
        with self._lock:
            row = self._conn.execute("SELECT doc FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def deliveries(
        self, service: str, *, tenant: str | None = None, state: str | None = None, limit: int = 100
    ) -> list[Document]:
        """The newest deliveries first."""
        sql, params = "SELECT doc FROM deliveries WHERE service = ?", [service]
        if tenant is not None:
            sql, params = sql + " AND tenant = ?", [*params, tenant]
        if state is not None:
            sql, params = sql + " AND state = ?", [*params, state]
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [json.loads(row[0]) for row in rows]
