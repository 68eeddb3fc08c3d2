"""SQLite (WAL) storage of the sandbox: JSON documents per entity kind plus index, history and event tables.

Several uvicorn worker processes may open the same file, so every write is one short `BEGIN IMMEDIATE`
transaction and connections wait (busy_timeout) instead of failing. A write is committed before the
handler returns, so an acknowledged write survives `kill -9` (WAL + synchronous=NORMAL loses nothing on a
process crash; only an OS crash could drop the last transactions).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    tenant TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (tenant, kind, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS profile_index (
    tenant TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, profile_id INTEGER NOT NULL
);
-- covering, in profile order: lookups never sort and never touch the table
DROP INDEX IF EXISTS profile_index_lookup;
CREATE INDEX IF NOT EXISTS profile_index_find ON profile_index (tenant, key, value, profile_id);
CREATE INDEX IF NOT EXISTS profile_index_owner ON profile_index (tenant, profile_id);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, profile_id INTEGER NOT NULL,
    family TEXT NOT NULL, field TEXT NOT NULL, old TEXT, new TEXT, at TEXT NOT NULL, user_id TEXT
);
CREATE INDEX IF NOT EXISTS history_lookup ON history (tenant, profile_id, family);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, event_id TEXT NOT NULL,
    profile_id INTEGER, event_type TEXT NOT NULL, at REAL NOT NULL, json TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events (tenant, event_id);
CREATE INDEX IF NOT EXISTS events_profile ON events (tenant, profile_id);
CREATE TABLE IF NOT EXISTS counters (
    tenant TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (tenant, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    tenant TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
-- one-time values (client-assertion jti digests) until they expire: shared by workers, kept on restart
CREATE TABLE IF NOT EXISTS seen_once (key TEXT PRIMARY KEY, expires REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_once_expiry ON seen_once (expires);
"""


def _json_text(doc: dict[str, Any]) -> str:
    """Strict JSON text: a non-finite number raises ValueError instead of storing the non-JSON token
    ``Infinity`` that would break every later read (the request door refuses them first)."""
    return json.dumps(doc, ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class HistoryRow:
    family: str
    field: str
    old: str | None
    new: str | None
    at: str
    user_id: str | None


class Tx:
    """One open transaction; every method runs on the same connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- documents -------------------------------------------------------------------------------
    def get(self, tenant: str, kind: str, doc_id: str | int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT json FROM docs WHERE tenant=? AND kind=? AND id=?", (tenant, kind, str(doc_id))
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def get_many(self, tenant: str, kind: str, ids: Iterable[str | int]) -> list[dict[str, Any]]:
        wanted = [str(i) for i in ids]
        if not wanted:
            return []
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):  # stay below SQLite's host-parameter limit
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for doc_id, text in self.conn.execute(
                f"SELECT id, json FROM docs WHERE tenant=? AND kind=? AND id IN ({marks})",  # noqa: S608
                (tenant, kind, *chunk),
            ):
                found[doc_id] = json.loads(text)
        return [found[i] for i in wanted if i in found]

    def all(self, tenant: str, kind: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT json FROM docs WHERE tenant=? AND kind=? ORDER BY length(id), id", (tenant, kind)
        )
        return [json.loads(r[0]) for r in rows]

    def ids(self, tenant: str, kind: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT id FROM docs WHERE tenant=? AND kind=? ORDER BY length(id), id", (tenant, kind)
        )
        return [r[0] for r in rows]

    def put(self, tenant: str, kind: str, doc_id: str | int, doc: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO docs (tenant, kind, id, json, updated) VALUES (?,?,?,?,?) "
            "ON CONFLICT (tenant, kind, id) DO UPDATE SET json=excluded.json, updated=excluded.updated",
            (tenant, kind, str(doc_id), _json_text(doc), time.time()),
        )

    def delete(self, tenant: str, kind: str, doc_id: str | int) -> bool:
        cur = self.conn.execute(
            "DELETE FROM docs WHERE tenant=? AND kind=? AND id=?", (tenant, kind, str(doc_id))
        )
        return cur.rowcount > 0

    # -- counters --------------------------------------------------------------------------------
    def next_id(self, tenant: str, name: str, start: int = 1) -> int:
        row = self.conn.execute(
            "INSERT INTO counters (tenant, name, value) VALUES (?,?,?) "
            "ON CONFLICT (tenant, name) DO UPDATE SET value=value+1 RETURNING value",
            (tenant, name, start),
        ).fetchone()
        return int(row[0])

    def bump_counter_to(self, tenant: str, name: str, value: int) -> None:
        self.conn.execute(
            "INSERT INTO counters (tenant, name, value) VALUES (?,?,?) "
            "ON CONFLICT (tenant, name) DO UPDATE SET value=max(value, excluded.value)",
            (tenant, name, value),
        )

    # -- profile index ---------------------------------------------------------------------------
    def reindex_profile(self, tenant: str, profile_id: int, entries: Iterable[tuple[str, str]]) -> None:
        self.conn.execute("DELETE FROM profile_index WHERE tenant=? AND profile_id=?", (tenant, profile_id))
        self.conn.executemany(
            "INSERT INTO profile_index (tenant, key, value, profile_id) VALUES (?,?,?,?)",
            [(tenant, key, value, profile_id) for key, value in set(entries)],
        )

    def find_profiles(self, tenant: str, key: str, value: str) -> list[int]:
        rows = self.conn.execute(
            "SELECT DISTINCT profile_id FROM profile_index WHERE tenant=? AND key=? AND value=? "
            "ORDER BY profile_id",
            (tenant, key, value),
        )
        return [int(r[0]) for r in rows]

    def find_profiles_prefix(self, tenant: str, key: str, prefix: str) -> list[int]:
        # GLOB on an escaped prefix keeps the (tenant, key, value) index usable and is case-sensitive.
        escaped = "".join(f"[{c}]" if c in "*?[]" else c for c in prefix)
        rows = self.conn.execute(
            "SELECT DISTINCT profile_id FROM profile_index WHERE tenant=? AND key=? AND value GLOB ? "
            "ORDER BY profile_id",
            (tenant, key, escaped + "*"),
        )
        return [int(r[0]) for r in rows]

    def index_values(self, tenant: str, key_prefix: str) -> list[tuple[str, str, int]]:
        rows = self.conn.execute(
            "SELECT key, value, count(DISTINCT profile_id) FROM profile_index "
            "WHERE tenant=? AND key GLOB ? GROUP BY key, value ORDER BY key, value",
            (tenant, key_prefix + "*"),
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

    def drop_profile_index(self, tenant: str, profile_id: int) -> None:
        self.conn.execute("DELETE FROM profile_index WHERE tenant=? AND profile_id=?", (tenant, profile_id))

    # -- history ---------------------------------------------------------------------------------
    def add_history(
        self,
        tenant: str,
        profile_id: int,
        rows: Iterable[tuple[str, str, str | None, str | None]],
        at: str,
        user_id: str | None,
    ) -> None:
        self.conn.executemany(
            "INSERT INTO history (tenant, profile_id, family, field, old, new, at, user_id) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(tenant, profile_id, fam, field, old, new, at, user_id) for fam, field, old, new in rows],
        )

    def history(self, tenant: str, profile_id: int, family: str) -> list[HistoryRow]:
        rows = self.conn.execute(
            "SELECT family, field, old, new, at, user_id FROM history "
            "WHERE tenant=? AND profile_id=? AND family=? ORDER BY seq",
            (tenant, profile_id, family),
        )
        return [HistoryRow(*r) for r in rows]

    # -- events ----------------------------------------------------------------------------------
    def add_event(
        self, tenant: str, event_id: str, profile_id: int | None, event_type: str, doc: dict[str, Any]
    ) -> None:
        self.conn.execute(
            "INSERT INTO events (tenant, event_id, profile_id, event_type, at, json) VALUES (?,?,?,?,?,?)",
            (tenant, event_id, profile_id, event_type, time.time(), _json_text(doc)),
        )

    def events(
        self, tenant: str, *, profile_id: int | None = None, event_id: str | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        sql = "SELECT json FROM events WHERE tenant=?"
        args: list[Any] = [tenant]
        if profile_id is not None:
            sql += " AND profile_id=?"
            args.append(profile_id)
        if event_id is not None:
            sql += " AND event_id=?"
            args.append(event_id)
        sql += " ORDER BY seq DESC LIMIT ?"
        args.append(limit)
        return [json.loads(r[0]) for r in self.conn.execute(sql, args)][::-1]

    # -- meta ------------------------------------------------------------------------------------
    def meta(self, tenant: str, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE tenant=? AND key=?", (tenant, key)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, tenant: str, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (tenant, key, value) VALUES (?,?,?) "
            "ON CONFLICT (tenant, key) DO UPDATE SET value=excluded.value",
            (tenant, key, value),
        )


class Store:
    """A connection to the sandbox database; safe to share between the threads of one process."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path

    @classmethod
    def open(cls, path: str | Path) -> Store:
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if target != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives a crash of the process (kill -9); only power loss could
        # roll back the newest transactions.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.executescript(_SCHEMA)  # IF NOT EXISTS everywhere: safe when several workers start at once
        return cls(conn, target)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def read_one(self, tenant: str, kind: str, doc_id: str | int) -> dict[str, Any] | None:
        """One document by id: a single indexed query, no explicit transaction (the hot read path)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT json FROM docs WHERE tenant=? AND kind=? AND id=?", (tenant, kind, str(doc_id))
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def read_text(self, tenant: str, kind: str, doc_id: str | int) -> str | None:
        """The stored JSON text of one document (for cache validation without parsing)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT json FROM docs WHERE tenant=? AND kind=? AND id=?", (tenant, kind, str(doc_id))
            ).fetchone()
        return None if row is None else str(row[0])

    def counter(self, tenant: str, name: str) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM counters WHERE tenant=? AND name=?", (tenant, name)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def first_use(self, key: str, expires: float, now: float) -> bool:
        """Record a one-time value until ``expires``; False when it is recorded and not yet expired.

        One IMMEDIATE transaction, so two workers racing with the same value cannot both see a first use.
        """
        with self.write() as tx:
            tx.conn.execute("DELETE FROM seen_once WHERE expires <= ?", (now,))
            cur = tx.conn.execute(
                "INSERT INTO seen_once (key, expires) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, expires),
            )
            return cur.rowcount == 1

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A consistent snapshot for several reads (a single read needs no transaction)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield Tx(self._conn)
            finally:
                self._conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One short write transaction: committed on exit, rolled back on an exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def discard(self) -> Iterator[Tx]:
        """A write transaction that is always rolled back (used by the lost-update defect)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            finally:
                self._conn.execute("ROLLBACK")
