"""Generation speed and memory (issue 14, targets 1, 2, 3 and 6), each beside its anchor from the same run.

    python bench/generate_bench.py [--runs 3] [--stripe PATH] [--corpus DIR] [--largest 2] [--skip-stripe]

Every figure is a whole process tree (interpreter start included), timed from outside: wall seconds, CPU seconds
(user + system of the process and every process it waited for: workers, ruff), and peak memory (the largest sum of
the resident sets of the process and its descendants, sampled every 20 ms). Python writes and reads `.pyc` files as
on a user's machine (PYTHONDONTWRITEBYTECODE is dropped, the generator byte-compiled first). Medians of `--runs`
runs, with the spread (lowest-highest) beside them; ours and the anchor alternate, so that both see the same machine
load.

**Cold** means an empty cache (`generator.cache`: a new folder each run), which is what target 1 measures; **warm**
means the cache the previous runs filled, which is what regenerating after an edit meets. Each edit row makes a new
edit every run, so that no run finds its own edit cached: a new word in a description (a docs edit: no model is
generated, nothing validated again), or a field's `maxLength` made larger (a model generated; the validator's
verdict stands), or two descriptions in two places at once, or a schema added to the text the run before read (a
model generated, and the schema validated, with what it references); the largest JSON corpus document has a
description edited too (a JSON spec is read whole, and the edit told by comparing its document with the one read
before). Two Stripe rows change structure: a property added to a schema that half of Stripe's schemas reference
(Account: its model generated, the schema validated in part), and a query parameter added to an operation (its
parameters' model generated, the client and server rendered again, the path item validated in part). The output
after the edits is compared, byte for byte, with a generation from scratch.

Targets: (1) Stripe and the largest corpus documents, cold, models + client + server: wall <= 0.4x and CPU <= 0.8x of
`datamodel-codegen` (models only, its default formatting); (2) Stripe, one schema or one operation edited, warm:
<= 1.5 s, output identical to a generation from scratch; the three vendor specs: one field edited <= 0.3 s, nothing
changed < 0.15 s; (3) Stripe's package imports in <= 1 s; (6) peak memory for Stripe <= datamodel-codegen's.
The `generate --watch` rows time the same edits from the file written to the regenerated package written, in a
watching process whose workers stay warm between runs. The "daemon running" rows time the same one-off `generate`
processes with a generation daemon started before (`python -m generator daemon start`, `generator.daemon`): the
process hands the run to the daemon; its CPU is the client's alone. Every other row runs without a daemon.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
STRIPE = SHARED / "bench" / "stripe-spec3.yaml"
CORPUS = SHARED / "corpus"
PYTHON = sys.executable
DMCG = str(Path(PYTHON).with_name("datamodel-codegen"))


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending += [int(child) for child in children]
    return found


def _rss_mb(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total / 1024


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall, CPU and peak memory of one process tree; exits the benchmark if the command fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        list(cmd), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _rss_mb(_descendants(process.pid)))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({process.returncode}):\n{stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, peak)


def median(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def ratio(ours: Sequence[float], theirs: Sequence[float]) -> str:
    pairs = [a / b for a, b in zip(ours, theirs, strict=True)]
    return f"{statistics.median(pairs):.2f}x ({min(pairs):.2f}-{max(pairs):.2f})"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, *cells: str) -> None:
        self.rows.append(cells)
        print(" | ".join(cells), flush=True)


def user_env() -> dict[str, str]:
    """This environment as a user's shell has it: Python writes and reads `.pyc` files. (A sandbox or CI image that
    sets PYTHONDONTWRITEBYTECODE makes every run compile the generator's modules, and a generated package's, from
    source: seconds for Stripe's package, which no user pays twice.) No generation daemon a user started runs the
    bench's `generate`s (`daemon_edits` starts its own)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["STREAMSPEC_DAEMON"] = "off"
    return env


def env_with(cache: Path | None) -> dict[str, str]:
    env = {k: v for k, v in user_env().items() if not k.startswith("STREAMSPEC_CACHE")}
    if cache is None:
        env["STREAMSPEC_CACHE"] = "off"
    else:
        env["STREAMSPEC_CACHE_DIR"] = str(cache)
    return env


def generate(spec: Sequence[Path], output: Path, *, force: bool = True) -> list[str]:
    return [PYTHON, "-m", "generator", "generate", *map(str, spec), "--output", str(output)] + (
        ["--force"] if force else []
    )


def dmcg(spec: Path, output: Path) -> list[str]:
    return [
        DMCG,
        "--input",
        str(spec),
        "--input-file-type",
        "openapi",
        "--output-model-type",
        "pydantic_v2.BaseModel",
        "--output",
        str(output),
    ]


def cold_against_dmcg(table: Table, label: str, spec: Path, runs: int, tmp: Path) -> list[Run]:
    """Target 1 (and 6 for Stripe): our cold run and datamodel-codegen's, alternating."""
    ours: list[Run] = []
    theirs: list[Run] = []
    for i in range(runs):
        out, anchor = tmp / f"cold-{i}", tmp / f"dmcg-{i}"
        ours.append(measure(generate([spec], out), ROOT, env_with(tmp / f"empty-cache-{uuid.uuid4().hex}")))
        theirs.append(measure(dmcg(spec, anchor), tmp, user_env()))
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(anchor, ignore_errors=True)
    table.add(
        f"{label}: wall, cold",
        median([r.wall for r in ours]),
        median([r.wall for r in theirs]),
        ratio([r.wall for r in ours], [r.wall for r in theirs]),
        "<= 0.4x",
    )
    table.add(
        f"{label}: CPU, cold",
        median([r.cpu for r in ours]),
        median([r.cpu for r in theirs]),
        ratio([r.cpu for r in ours], [r.cpu for r in theirs]),
        "<= 0.8x",
    )
    table.add(
        f"{label}: peak memory MB (process tree)",
        median([r.peak_mb for r in ours]),
        median([r.peak_mb for r in theirs]),
        ratio([r.peak_mb for r in ours], [r.peak_mb for r in theirs]),
        "<= 1x",
    )
    return ours


def edited(path: Path, old: str, new: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{path.name}: the text to edit is not there: {old!r}")
    path.write_text(text.replace(old, new(uuid.uuid4().hex[:8]), 1), encoding="utf-8")


def bumped(path: Path, pattern: str) -> None:
    """The number `pattern`'s group 1 matches (the first match) made larger by a random amount: an edit of a
    constraint, new every time (as the description edits' random words are)."""
    text = path.read_text(encoding="utf-8")
    found = re.search(pattern, text)
    if found is None:
        raise SystemExit(f"{path.name}: the constraint to edit is not there: {pattern!r}")
    number = int(found[1]) + 1 + int(uuid.uuid4().hex[:6], 16)
    path.write_text(text[: found.start(1)] + str(number) + text[found.end(1) :], encoding="utf-8")


def same_as_from_scratch(specs: Sequence[Path], output: Path, tmp: Path) -> str:
    """Whether `output` is what a run without the cache makes. That run regenerates (`--force`) a copy of `output`,
    so that each package's version and changelog follow from the same previous package: it keeps them only if the
    code it generates is the same (else it releases a new version, and the release files differ as well)."""
    scratch = tmp / f"scratch-{uuid.uuid4().hex}"
    shutil.copytree(output, scratch)
    measure(generate(specs, scratch), ROOT, env_with(None))
    differing = subprocess.run(
        ["diff", "-rq", "-x", ".streamspec-stamp.json", "-x", "__pycache__", str(output), str(scratch)],
        capture_output=True,
        text=True,
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return "byte-identical to a run from scratch" if differing.returncode == 0 else f"DIFFERS: {differing.stdout[:300]}"


STRIPE_SCHEMA_EDIT = "An email address associated with the account."
STRIPE_OPERATION_EDIT = "description: <p>Retrieves the details of an account.</p>"
VENDOR_FIELD_EDIT = "description: Callback receiver URL (http:// or https://), 1 to 100 characters."
STRIPE_PROPERTIES = "      properties:\n        business_profile:\n"
"""Where a new property goes: the first of Account's (Stripe's first schema)."""
STRIPE_PARAMETERS = "      operationId: GetAccount\n      parameters:\n"
"""Where a new query parameter goes: the first of GetAccount's."""
STRIPE_FIRST_SCHEMA = "\n    account:\n"
"""Where a new schema goes: before the first one (Stripe's spec puts `components` first)."""
STRIPE_CONSTRAINT = r"explicit approval from the platform\.\n +maxLength: (\d+)"
"""The `maxLength` of the field the schema edit describes (Account's `email`)."""
VENDOR_CONSTRAINT = r"Callback receiver URL \(http[^\n]*\n +minLength: 1\n +maxLength: (\d+)"


def stripe_incremental(table: Table, source: Path, runs: int, tmp: Path) -> None:
    """Target 2 on Stripe: a warm cache (filled by one run), then a new edit every run."""
    spec = tmp / "incremental" / source.name
    spec.parent.mkdir()
    shutil.copy(source, spec)
    cache, out = tmp / "incremental-cache", tmp / "incremental-out"
    measure(generate([spec], out), ROOT, env_with(cache))
    rows: dict[str, Callable[[], None]] = {
        "one schema's description edited": lambda: edited(
            spec, STRIPE_SCHEMA_EDIT, lambda tag: f"An email address ({tag}) associated with the account."
        ),
        "one operation's description edited": lambda: edited(
            spec,
            STRIPE_OPERATION_EDIT,
            lambda tag: f"description: <p>Retrieves the details of an account ({tag}).</p>",
        ),
        "one schema's field constraint edited (`maxLength`)": lambda: bumped(spec, STRIPE_CONSTRAINT),
        "one schema's property added (Account's)": lambda: edited(
            spec,
            STRIPE_PROPERTIES,
            lambda tag: STRIPE_PROPERTIES.replace(
                "        business_profile:\n",
                f"        note_{tag}:\n          description: A note.\n          type: string\n"
                "        business_profile:\n",
            ),
        ),
        "one operation's query parameter added (GetAccount's)": lambda: edited(
            spec,
            STRIPE_PARAMETERS,
            lambda tag: (
                f"{STRIPE_PARAMETERS}        - description: A filter.\n          in: query\n"
                f"          name: note_{tag}\n          required: false\n          schema:\n            type: string\n"
            ),
        ),
    }

    def two_places() -> None:
        for edit in (rows["one schema's description edited"], rows["one operation's description edited"]):
            edit()

    rows["one schema's and one operation's descriptions edited (two places at once)"] = two_places

    def stripe_row(label: str, found: list[Run]) -> None:
        cpu = f"CPU {median([r.cpu for r in found])}"
        table.add(f"Stripe, {label}: wall, warm", median([r.wall for r in found]), "-", cpu, "<= 1.5 s")

    for label, edit in rows.items():
        original = spec.read_text(encoding="utf-8")

        def afresh(edit: Callable[[], None] = edit, original: str = original) -> None:
            spec.write_text(original, encoding="utf-8")
            edit()

        stripe_row(label, one_off_edits([spec], out, cache, afresh, runs))
        spec.write_text(original, encoding="utf-8")

    def schema_added() -> None:  # to the text as the run before left it (and read it): an addition, nothing else
        text = spec.read_text(encoding="utf-8")
        at = text.index(STRIPE_FIRST_SCHEMA) + 1
        tag = uuid.uuid4().hex[:8]  # in a field's name too: schemas of the same content share their generated code
        fields = f"      properties:\n        note_{tag}:\n          type: string\n"
        added = f"    added_{tag}:\n      type: object\n{fields}"
        spec.write_text(text[:at] + added + text[at:], encoding="utf-8")

    original = spec.read_text(encoding="utf-8")
    # The text the first addition is made to, read first (unmeasured): one with a schema added too, so that every
    # measured run adds a schema to a text that holds the additions before it, as the runs after it do.
    schema_added()
    measure(generate([spec], out, force=False), ROOT, env_with(cache))
    added = one_off_edits([spec], out, cache, schema_added, runs)
    stripe_row("a schema added (a model generated, the schema validated)", added)
    spec.write_text(original, encoding="utf-8")

    def edit_schema() -> None:  # the description as the edits above left it, edited again
        found = re.search(r"An email address (?:\([0-9a-f]+\) )?associated with the account\.", spec.read_text())
        assert found is not None, "the schema edit's description is gone"
        edited(spec, found[0], lambda tag: f"An email address ({tag}) associated with the account.")

    warm_rows(table, "Stripe, one schema's description edited", [spec], out, cache, edit_schema, runs, tmp, "<= 1.5 s")
    constraint = "Stripe, one schema's field constraint edited (`maxLength`)"
    warm_rows(table, constraint, [spec], out, cache, lambda: bumped(spec, STRIPE_CONSTRAINT), runs, tmp, "<= 1.5 s")
    noop = [measure(generate([spec], out, force=False), ROOT, env_with(cache)).wall for _ in range(runs)]
    table.add("Stripe, nothing changed: wall", median(noop), "-", "-", "-")
    table.add("Stripe, after the edits", same_as_from_scratch([spec], out, tmp), "", "", "")


def vendor_specs(table: Table, runs: int, tmp: Path) -> None:
    """Target 2 on the three vendor specs (copies: the repository's specs are never edited)."""
    folder = tmp / "vendor-specs"
    shutil.copytree(ROOT / "specs", folder)
    specs = sorted(folder.glob("*.yaml"))
    cache, out = tmp / "vendor-cache", tmp / "vendor-out"
    cold = [measure(generate(specs, out), ROOT, env_with(tmp / f"empty-{uuid.uuid4().hex}")).wall for _ in range(runs)]
    measure(generate(specs, out), ROOT, env_with(cache))
    warm = [measure(generate(specs, out), ROOT, env_with(cache)).wall for _ in range(runs)]
    noops = [measure(generate(specs, out, force=False), ROOT, env_with(cache)) for _ in range(runs)]
    noop = [r.wall for r in noops]
    target = folder / "volcengine_live.yaml"

    def edit_field() -> None:
        text = target.read_text(encoding="utf-8")
        current = next(line.strip() for line in text.splitlines() if "description: Callback receiver URL" in line)
        edited(target, current, lambda tag: f"{VENDOR_FIELD_EDIT[:-1]} ({tag}).")

    field_edits = one_off_edits(specs, out, cache, edit_field, runs)
    constraint_edits = one_off_edits(specs, out, cache, lambda: bumped(target, VENDOR_CONSTRAINT), runs)
    table.add("3 vendor specs, full regeneration: wall, cold", median(cold), "-", "-", "-")
    table.add("3 vendor specs, full regeneration (--force): wall, warm", median(warm), "-", "-", "-")
    noop_cpu = f"CPU {median([r.cpu for r in noops])}"
    table.add("3 vendor specs, nothing changed: wall", median(noop), "-", noop_cpu, "< 0.15 s")
    edit_cpu = f"CPU {median([r.cpu for r in field_edits])}"
    edits = median([r.wall for r in field_edits])
    table.add("3 vendor specs, one field's description edited: wall, warm", edits, "-", edit_cpu, "<= 0.3 s")
    table.add(
        "3 vendor specs, one field's constraint edited (`maxLength`): wall, warm",
        median([r.wall for r in constraint_edits]),
        "-",
        f"CPU {median([r.cpu for r in constraint_edits])}",
        "<= 0.3 s",
    )
    warm_rows(
        table, "3 vendor specs, one field's description edited", specs, out, cache, edit_field, runs, tmp, "<= 0.3 s"
    )
    constraint = "3 vendor specs, one field's constraint edited (`maxLength`)"
    warm_rows(table, constraint, specs, out, cache, lambda: bumped(target, VENDOR_CONSTRAINT), runs, tmp, "<= 0.3 s")
    table.add("3 vendor specs, after the edits", same_as_from_scratch(specs, out, tmp), "", "", "")


def warm_rows(
    table: Table,
    label: str,
    specs: Sequence[Path],
    out: Path,
    cache: Path,
    edit: Callable[[], None],
    runs: int,
    tmp: Path,
    target: str,
) -> None:
    """The rows of an edit regenerated by a process that stays warm: under `generate --watch`, and by one-off
    `generate` processes with a daemon running."""
    table.add(
        f"{label} under `generate --watch`: edit to written",
        median(watched_edits(specs, out, cache, edit, runs)),
        "-",
        "-",
        target,
    )
    served = daemon_edits(specs, out, cache, edit, runs, tmp)
    table.add(
        f"{label}, daemon running: wall, warm",
        median([r.wall for r in served]),
        "-",
        f"client CPU {median([r.cpu for r in served])}",
        target,
    )


def one_off_edits(specs: Sequence[Path], out: Path, cache: Path, edit: Callable[[], None], runs: int) -> list[Run]:
    """Edits each regenerated by a one-off `generate` on the cache the runs before filled."""
    found: list[Run] = []
    for _ in range(runs):
        edit()
        found.append(measure(generate(specs, out, force=False), ROOT, env_with(cache)))
    return found


def watched_edits(specs: Sequence[Path], out: Path, cache: Path, edit: Callable[[], None], runs: int) -> list[float]:
    """Edits under `generate --watch` (started on a filled cache, its first run and warm-up done before the first
    edit; a second between edits, as a person's come, and as `daemon_edits` waits): for each, wall seconds from the
    edit to the watcher's report that the regeneration is written, the watcher's look at the files (every 0.05 s,
    then 0.05 s for them to hold still) included. (An edit made within a tenth of a second of the run before waits
    for what the watcher does between runs: a cycle collection and reading the package's spec as written.)"""
    command = [PYTHON, "-m", "generator", "generate", *map(str, specs), "--output", str(out), "--watch"]
    env = {**env_with(cache), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.startswith("watching "):
                break
        time.sleep(1.0)  # the workers' warm-up, which runs beside the first run
        walls = []
        for _ in range(runs):
            edit()
            started = time.perf_counter()
            for line in process.stdout:
                if line.startswith("done in "):
                    break
            walls.append(time.perf_counter() - started)
            time.sleep(1.0)
        return walls
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def daemon_edits(
    specs: Sequence[Path], out: Path, cache: Path, edit: Callable[[], None], runs: int, tmp: Path
) -> list[Run]:
    """Edits each followed by a one-off `generate` process, with a generation daemon running (started on a filled
    cache, one run and its workers' warm-up done before the first edit; a second between edits for it to settle)."""
    folder = Path(tempfile.mkdtemp(prefix="ssd-", dir="/tmp" if Path("/tmp").is_dir() else None))  # a short path
    env = {**env_with(cache), "STREAMSPEC_DAEMON_DIR": str(folder)}
    del env["STREAMSPEC_DAEMON"]
    daemon = [PYTHON, "-m", "generator", "daemon"]
    subprocess.run([*daemon, "start"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    try:
        measure(generate(specs, out), ROOT, env)
        time.sleep(1.0)
        served = []
        for _ in range(runs):
            edit()
            served.append(measure(generate(specs, out, force=False), ROOT, env))
            time.sleep(1.0)
        status = subprocess.run([*daemon, "status"], cwd=ROOT, env=env, capture_output=True, text=True).stdout
        if f"{runs + 1} run(s)" not in status:
            raise SystemExit(f"the daemon did not run every edit: {status}")
        return served
    finally:
        subprocess.run([*daemon, "stop"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)


def stripe_import(table: Table, source: Path, runs: int, tmp: Path) -> None:
    """Target 3: importing the generated package (and its server and models modules), in a new interpreter."""
    out = tmp / "import-out"
    measure(generate([source], out), ROOT, env_with(tmp / "import-cache"))
    package = next(p.name for p in out.iterdir() if p.is_dir())
    command = [PYTHON, "-c", f"import {package}, {package}.server, {package}.models"]
    first = measure(command, out, user_env())
    again = [measure(command, out, user_env()) for _ in range(runs)]
    table.add("Stripe package import: wall, first (compiles .pyc)", f"{first.wall:.2f}", "-", "-", "-")
    table.add(
        "Stripe package import: wall, .pyc present",
        median([r.wall for r in again]),
        "-",
        f"CPU {median([r.cpu for r in again])}",
        "<= 1 s",
    )


JSON_DESCRIPTION = re.compile(r'"description"\s*:\s*"')


def json_edit(table: Table, source: Path, runs: int, tmp: Path) -> None:
    """An edit of a JSON spec (the largest corpus document): a new word in its first description every run, a warm
    cache, one-off `generate`s; and whether the output is then what a run without the cache makes."""
    spec = tmp / "json-edit" / source.name
    spec.parent.mkdir()
    shutil.copy(source, spec)
    cache, out = tmp / "json-edit-cache", tmp / "json-edit-out"
    measure(generate([spec], out), ROOT, env_with(cache))

    def edit() -> None:
        text = spec.read_text(encoding="utf-8")
        found = JSON_DESCRIPTION.search(text)
        if found is None:
            raise SystemExit(f"{source.name}: no description to edit")
        spec.write_text(f"{text[: found.end()]}({uuid.uuid4().hex[:8]}) {text[found.end() :]}", encoding="utf-8")

    found = one_off_edits([spec], out, cache, edit, runs)
    label = f"{source.name} (JSON), one description edited: wall, warm"
    table.add(label, median([r.wall for r in found]), "-", f"CPU {median([r.cpu for r in found])}", "-")
    table.add(f"{source.name}, after the edits", same_as_from_scratch([spec], out, tmp), "", "", "")


def largest_corpus(count: int) -> list[Path]:
    if not CORPUS.is_dir():
        return []
    documents = [p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml", ".json")]
    return sorted(documents, key=lambda p: p.stat().st_size, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stripe", type=Path, default=STRIPE)
    parser.add_argument("--largest", type=int, default=2, help="how many of the largest corpus documents")
    parser.add_argument("--skip-stripe", action="store_true")
    args = parser.parse_args()
    table = Table()
    print(f"medians of {args.runs} (lowest-highest); seconds unless said; cold = empty cache, warm = cache filled")
    table.add("measure", "streamspec", "datamodel-codegen", "ratio", "target")
    # As pip does for an installed package: the generator's modules byte-compiled once, not in the first run timed.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "generator")], check=True, env=user_env())
    with tempfile.TemporaryDirectory(prefix="streamspec-bench-") as folder:
        tmp = Path(folder)
        stripe = args.stripe if not args.skip_stripe and args.stripe.is_file() else None
        if stripe is not None:
            cold_against_dmcg(table, "Stripe", stripe, args.runs, tmp)
        for document in largest_corpus(args.largest):
            cold_against_dmcg(table, document.name, document, args.runs, tmp)
        if stripe is not None:
            stripe_incremental(table, stripe, args.runs, tmp)
        json_documents = [p for p in largest_corpus(args.largest) if p.suffix == ".json"]
        if json_documents:
            json_edit(table, json_documents[0], args.runs, tmp)
        vendor_specs(table, args.runs, tmp)
        if stripe is not None:
            stripe_import(table, stripe, args.runs, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
