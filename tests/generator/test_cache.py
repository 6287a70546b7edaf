"""The generation cache (`generator.cache`) changes how long generation takes, never what it gives: cached and
uncached output agree over many random edits of a spec, a corrupted entry is ignored and rewritten, a change of the
generator misses (of a tool: `test_fingerprint`), concurrent runs share it safely, it stays within its size, lives
where the environment says and can be turned off."""

from __future__ import annotations

import copy
import hashlib
import json
import marshal
import os
import random
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cache as cache_module
from generator import loader, models
from generator.cache import Cache, Recent, cache_root, content_key, fingerprint, open_cache, value_key
from generator.cli import main
from generator.errors import GenerationError
from generator.pipeline import build_packages
from generator.versions import Previous
from tests.generator.conftest import GENERALITY, REPO, TINY_SPEC, VENDOR_SPECS, snapshot, write_spec


def outcome(spec: Path, store: Cache, previous: dict[str, bytes] | None = None) -> dict[str, bytes] | list[str]:
    """A package's files, or the problems that refused it (what `generate` and `check` report); following the
    package `previous` (its version and changelog follow from the diff of the two specs)."""
    replaced = {spec.stem: Previous(previous)} if previous is not None else None
    try:
        return build_packages([spec], cache=store, previous=replaced)[0].files
    except GenerationError as exc:
        return [str(p) for p in exc.problems]


def entries(root: Path) -> dict[str, bytes]:
    """The cache's entries (not the record of its size, `usage`), by path."""
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.parent.parent != root}


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    return document.setdefault("components", {}).setdefault("schemas", {})


def edit(document: dict[str, Any], rng: random.Random) -> str:
    """One random edit of one schema or one operation, as a user makes them; says what it did."""
    schemas = _schemas(document)
    operations = [op for item in document.get("paths", {}).values() for op in item.values() if isinstance(op, dict)]
    choice = rng.randrange(8)
    name = rng.choice(sorted(schemas))
    schema = schemas[name]
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if choice == 0:
        schema["description"] = f"Edited {rng.randrange(10**6)}."
        return f"describe {name}"
    if choice == 1 and isinstance(properties, dict):
        properties[f"added_{rng.randrange(1000)}"] = rng.choice(
            [{"type": "string", "maxLength": 7}, {"type": "integer", "minimum": 1}, {"type": "array", "items": {}}]
        )
        return f"add a field to {name}"
    if choice == 2 and isinstance(properties, dict) and properties:
        del properties[rng.choice(sorted(properties))]
        return f"remove a field of {name}"
    if choice == 3 and isinstance(properties, dict) and properties:
        field = rng.choice(sorted(properties))
        properties[field] = {"type": rng.choice(["string", "boolean", "number"]), "description": "Retyped."}
        return f"retype {name}.{field}"
    if choice == 4:  # a copy: the same content under a second name (generated once, named twice)
        schemas[f"{name}Copy{rng.randrange(100)}"] = copy.deepcopy(schema)
        return f"copy {name}"
    if choice == 5 and operations:
        operation = rng.choice(operations)
        operation["summary"] = f"Edited summary {rng.randrange(10**6)}."
        return f"summarise {operation.get('operationId')}"
    if choice == 6 and operations:
        operation = rng.choice(operations)
        operation.setdefault("parameters", []).append(
            {"name": f"extra{rng.randrange(1000)}", "in": "query", "schema": {"type": "string", "maxLength": 9}}
        )
        return f"add a parameter to {operation.get('operationId')}"
    schemas[f"Added{rng.randrange(1000)}"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    return "add a schema"


@pytest.mark.parametrize(
    ("source", "suffix"),
    [(VENDOR_SPECS[-1], ".yaml"), (GENERALITY, ".yaml"), (VENDOR_SPECS[-1], ".json")],
    ids=["vendor", "generality", "vendor-json"],
)
def test_cached_and_uncached_output_agree_over_random_edits(
    source: Path, suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each edit (of one place or two) is generated with the cache that every earlier version filled, and without any
    cache, each run following the package the previous edit made (so the version diff runs, with the previous spec's
    IR cached; edits read as such have their `openapi.json` spliced into the one served before, JSON specs' too)."""
    from generator import pipeline

    spliced: list[object] = []
    real_splice = pipeline.spliced_json
    monkeypatch.setattr(pipeline, "spliced_json", lambda *a: spliced.append(real_splice(*a)) or spliced[-1])
    rng = random.Random(source.stem)
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    store = Cache(tmp_path / "cache")
    spec = tmp_path / (source.stem + suffix)
    done: list[str] = []
    previous: dict[str, bytes] | None = None
    for _ in range(12):
        dumped = json.dumps(document, indent=2) if suffix == ".json" else None
        text = dumped or yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        spec.write_text(text, encoding="utf-8")
        cached = outcome(spec, store, previous)
        assert cached == outcome(spec, Cache(None), previous), f"after: {done}"
        previous = cached if isinstance(cached, dict) else previous
        done.append(" and ".join(edit(document, rng) for _ in range(rng.choice([1, 1, 2]))))
    assert store.written > 0
    assert previous is not None and b"## 1.0.0" in previous["CHANGELOG.md"]
    assert sum(s is not None for s in spliced) >= 3, "too few edits served spliced to tell anything"


def test_value_keys_are_equal_for_equal_values_in_any_process() -> None:
    """Sets hash their strings with a per-process seed; the key of an IR does not depend on it."""
    program = (
        "from generator.cache import value_key; from generator.ir import Api;"
        "print(value_key(Api('p', 't', '1', '', 'plain', 'f.yaml', (), (), (), (), aliases=frozenset('abcdefgh'))))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1
    assert value_key({"a": (1, None)}) != value_key({"a": [1, None]})
    assert value_key(("ab", "c")) != value_key(("a", "bc"))
    assert value_key(1) != value_key("1") != value_key(True)
    with pytest.raises(TypeError):
        value_key(object())


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_spec(tmp_path / "specs", "tiny.yaml", TINY_SPEC)


def test_a_corrupted_entry_is_ignored_and_rewritten(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    expected = outcome(tiny, Cache(root))
    monkeypatch.setattr(loader, "_READ", Recent(4))  # the next run as a new process has it: nothing in memory
    written = entries(root)
    assert written
    rng = random.Random(7)

    def damage(every: bool) -> None:
        for index, (path, data) in enumerate(written.items()):
            damaged = [b"", data[: len(data) // 2], data[:-1] + bytes([data[-1] ^ 1]), os.urandom(64)][index % 4]
            Path(path).write_bytes(damaged if every or rng.random() < 0.9 else data)

    # Some entries damaged, some whole: the whole ones are used, and say what they said (an entry a whole one makes
    # unnecessary, such as the validator's findings beside its verdict, stays damaged until a run needs it).
    damage(every=False)
    assert outcome(tiny, Cache(root)) == expected
    monkeypatch.setattr(loader, "_READ", Recent(4))
    damage(every=True)
    assert outcome(tiny, Cache(root)) == expected
    again = entries(root)
    assert again.keys() == written.keys()  # every damaged entry was written again, whole: its digest checks out
    for data in again.values():
        assert hashlib.sha256(data[32:]).digest() == data[:32]
    # The same values (marshal's bytes can differ: it marks the objects other references share).
    values = {p: marshal.loads(d[32:]) for p, d in written.items()}
    assert {p: marshal.loads(d[32:]) for p, d in again.items()} == values


def test_a_change_of_the_generator_or_a_tool_misses(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    expected = outcome(tiny, Cache(root))
    store = Cache(root)
    assert outcome(tiny, store) == expected and store.written == 0  # everything was there
    monkeypatch.setattr(cache_module, "fingerprint", lambda: "another generator")
    store = Cache(root)
    assert outcome(tiny, store) == expected and store.written > 0  # nothing was


def test_the_fingerprint_changes_with_a_generator_file(monkeypatch: pytest.MonkeyPatch) -> None:
    before = fingerprint.__wrapped__()
    source = Path(cache_module.__file__).parent / "models.py"
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: real(self) + b"#" if self == source else real(self))
    assert fingerprint.__wrapped__() != before


def test_a_loaded_generator_reads_the_fingerprint_again_only_when_its_files_or_tools_look_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`LoadedGenerator.changed` (the watch's and the daemon's check before each run): files' stats and tools'
    versions as they were, no file is read; a file written again with the same content, or a tool's version changing
    back and forth, reads the fingerprint once and counts as no change; another fingerprint is a change."""
    from generator import fingerprint as fingerprint_module

    stats = {Path("a.py"): (1, 1, 1)}
    versions = {"ruff": "1"}
    digest = ["loaded"]
    reads: list[str] = []

    class Fingerprint:
        def __call__(self) -> str:
            return "loaded"

        def __wrapped__(self) -> str:
            reads.append(digest[0])
            return digest[0]

    monkeypatch.setattr(cache_module, "fingerprint", Fingerprint())
    monkeypatch.setattr(cache_module, "file_stats", lambda paths: dict(stats))
    monkeypatch.setattr(fingerprint_module, "installed_versions", lambda names: dict(versions))
    loaded = cache_module.LoadedGenerator()
    assert loaded.fingerprint == "loaded"
    assert not loaded.changed() and not reads
    stats[Path("a.py")] = (1, 2, 1)  # written again, the same
    assert not loaded.changed() and reads == ["loaded"]
    assert not loaded.changed() and reads == ["loaded"]  # the new stats taken as the loaded code's
    versions["ruff"] = "2"
    assert not loaded.changed() and len(reads) == 2
    digest[0] = "another"
    assert not loaded.changed() and len(reads) == 2  # nothing looks changed: the files are not read
    stats[Path("b.py")] = (2, 1, 1)
    assert loaded.changed() and reads[-1] == "another"


def test_concurrent_runs_share_the_cache_safely(tmp_path: Path) -> None:
    spec = VENDOR_SPECS[0]
    env = {**os.environ, "STREAMSPEC_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "generator", "generate", str(spec), "--force", "--output"]
    runs = [
        subprocess.Popen([*command, str(tmp_path / f"out{i}")], cwd=REPO, env=env, stderr=subprocess.PIPE)
        for i in range(4)
    ]
    assert [run.wait(300) for run in runs] == [0, 0, 0, 0]
    uncached = {**env, "STREAMSPEC_CACHE": "off"}
    subprocess.run([*command, str(tmp_path / "fresh")], cwd=REPO, env=uncached, check=True, capture_output=True)
    fresh = {k: v for k, v in snapshot(tmp_path / "fresh").items() if "stamp" not in k}
    for i in range(4):
        assert {k: v for k, v in snapshot(tmp_path / f"out{i}").items() if "stamp" not in k} == fresh
    assert not [p for p in (tmp_path / "cache").rglob(".tmp-*")]


def test_threads_writing_and_reading_the_same_entries(tmp_path: Path) -> None:
    store = Cache(tmp_path / "cache")
    values = {str(i): ("text " * i, tuple(range(i))) for i in range(40)}
    failures: list[str] = []

    def hammer() -> None:
        for _ in range(20):
            for key, value in values.items():
                store.put("kind", key, value)
                got = store.get("kind", key)
                if got is not None and got != value:
                    failures.append(key)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert all(store.get("kind", key) == value for key, value in values.items())


def test_the_cache_stays_within_its_size_least_recently_used_first(tmp_path: Path) -> None:
    store = Cache(tmp_path / "cache", limit_mb=0.05)  # about 52 KB
    for i in range(20):
        store.put("blob", str(i), b"x" * 10_000)
        os.utime(store._path("blob", str(i)), (1000 + i, 1000 + i))
    assert store.get("blob", "0") is not None  # used now: the most recent
    store.prune()
    kept = [i for i in range(20) if store._path("blob", str(i)).exists()]
    on_disk = sum(p.stat().st_size for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.name != "usage")
    assert on_disk <= 0.9 * 0.05 * 1024 * 1024  # pruned to 90 % of the limit: room for the next runs
    assert 0 in kept and kept[1:] == list(range(20 - len(kept) + 1, 20))


def test_pruning_walks_the_folder_only_when_the_recorded_size_does_not_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_walk = os.walk
    walks: list[str] = []

    def counted_walk(top: Any, *args: Any, **kwargs: Any) -> Any:
        walks.append(str(top))
        return real_walk(top, *args, **kwargs)

    monkeypatch.setattr(cache_module.os, "walk", counted_walk)
    store = Cache(tmp_path / "cache", limit_mb=0.05)  # about 52 KB
    store.put("blob", "0", b"x" * 10_000)
    store.prune()  # no record yet: counted
    assert len(walks) == 1
    usage = tmp_path / "cache" / "v1" / "usage"
    size = int(usage.read_text().split()[0])
    assert size == sum(p.stat().st_size for p in (tmp_path / "cache" / "v1" / "blob").rglob("*") if p.is_file())

    again = Cache(tmp_path / "cache", limit_mb=0.05)  # another run: adds to the record, walks nothing
    again.put("blob", "1", b"y" * 10_000)
    again.prune()
    assert len(walks) == 1
    assert int(usage.read_text().split()[0]) == size + again._path("blob", "1").stat().st_size

    for i in range(2, 8):  # beyond the limit: counted, and the oldest go
        again.put("blob", str(i), b"z" * 10_000)
        os.utime(again._path("blob", str(i)), (1000 + i, 1000 + i))
    again.prune()
    assert len(walks) == 2
    on_disk = sum(p.stat().st_size for p in (tmp_path / "cache" / "v1").rglob("*") if p.is_file() and p != usage)
    assert on_disk <= 0.9 * 0.05 * 1024 * 1024 and int(usage.read_text().split()[0]) == on_disk

    counted = float(usage.read_text().split()[1])
    usage.write_text(f"0 {counted - 3601}\n")  # an hour old: counted again, whatever it says
    again.prune()
    assert len(walks) == 3 and int(usage.read_text().split()[0]) == on_disk
    usage.write_text("not a record")  # unreadable: counted
    again.prune()
    assert len(walks) == 4 and int(usage.read_text().split()[0]) == on_disk


def test_where_it_lives_and_how_to_turn_it_off(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STREAMSPEC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "streamspec"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "streamspec"
    monkeypatch.setenv("STREAMSPEC_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    assert main(["generate", str(tiny), "--output", str(tmp_path / "out")]) == 0
    assert entries(tmp_path / "mine")
    for off in ("off", "0", "no", "false"):
        monkeypatch.setenv("STREAMSPEC_CACHE", off)
        assert cache_root() is None and not open_cache().enabled
    monkeypatch.setenv("STREAMSPEC_CACHE_DIR", str(tmp_path / "unused"))
    assert main(["generate", str(tiny), "--force", "--output", str(tmp_path / "out")]) == 0
    assert not (tmp_path / "unused").exists()


def test_an_unwritable_cache_is_no_cache(tiny: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = Cache(blocker / "cache")
    assert not store.enabled
    assert isinstance(outcome(tiny, store), dict)


def test_check_reports_the_same_with_and_without_the_cache(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("STREAMSPEC_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["generate", str(tiny), "--output", str(out)]) == 0
    tiny.write_text(TINY_SPEC.replace("Show a thing.", "Show one thing."), encoding="utf-8")
    reports = []
    for switch in ("on", "on", "off"):
        monkeypatch.setenv("STREAMSPEC_CACHE", switch)
        capsys.readouterr()
        status = main(["check", str(tiny), "--output", str(out)])
        reports.append((status, capsys.readouterr().out))
    assert reports[0] == reports[1] == reports[2] and reports[0][0] == 1


def test_a_rejected_spec_is_reported_the_same_from_the_cache(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "bad.yaml", TINY_SPEC.replace("operationId: ShowThing", "operationId: [ShowThing]"))
    store = Cache(tmp_path / "cache")
    first, second = outcome(spec, store), outcome(spec, store)
    assert isinstance(first, list) and first == second == outcome(spec, Cache(None))


def test_keys_delimit_their_parts() -> None:
    assert content_key("ab", "c") != content_key("a", "bc")
    assert content_key(b"x") == content_key("x")
    assert json.dumps(models.JOB_SCHEMAS)  # the generator's own constants are part of the fingerprinted source


def test_parsed_documents_are_kept_unless_they_share_values(tmp_path: Path) -> None:
    """A document with YAML anchors (values shared, perhaps an alias bomb) is parsed, and checked, every time; a
    JSON one is kept, whatever its strings hold (JSON has no anchors)."""
    plain = write_spec(tmp_path / "a", "tiny.yaml", TINY_SPEC)
    anchored = write_spec(
        tmp_path / "b", "tiny.yaml", TINY_SPEC.replace("schema: {type: string}", "schema: &s {type: string}")
    )
    document = yaml.safe_load(TINY_SPEC)
    document["info"]["description"] = "Terms: a=1 &b=2, &c"
    as_json = write_spec(tmp_path / "c", "tiny.json", json.dumps(document))
    for spec, kept in ((plain, True), (anchored, False), (as_json, True)):
        store = Cache(tmp_path / f"cache-{kept}")
        assert isinstance(outcome(spec, store), dict)
        assert (store.get("document", content_key(spec.read_bytes())) is not None) is kept


def test_the_test_writer_is_in_the_fingerprint_of_packages_with_tests() -> None:
    """`--with-tests` output is stale when the test writer changes; packages without tests do not depend on it."""
    from generator.fingerprint import _GENERATION_MODULES, generator_fingerprint

    assert "package_tests" not in _GENERATION_MODULES
    assert generator_fingerprint("plain", with_tests=True) != generator_fingerprint("plain")


def test_every_module_generation_runs_is_in_the_fingerprint_or_said_not_to_shape_packages() -> None:
    """A module the pipeline imports whose code is not in the fingerprint would leave stale packages (and cached
    output) looking fresh after it changes."""
    from generator.fingerprint import _GENERATION_MODULES, NOT_SHAPING

    listed = subprocess.run(
        [sys.executable, "-c", "import sys, generator.pipeline; print(*sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    imported = {name.split(".")[1] for name in listed if name.startswith("generator.")}
    folders = {"profiles", "runtime"}  # fingerprinted whole (a profile's own folder, the core runtime)
    assert imported - folders - NOT_SHAPING == set(_GENERATION_MODULES) & imported
    assert not set(_GENERATION_MODULES) & NOT_SHAPING
