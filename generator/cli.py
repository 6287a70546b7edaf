"""`python -m generator`: the command line (heavy imports deferred, so that no-op runs stay fast).

Every verb takes spec files, or finds `specs/*.yaml` and `specs/*.json` in the working directory; finding none is an
error that says where it looked. Problems are reported all together, located; every line printed goes through the
redactor (`generator.redact`).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from generator import __version__
from generator.errors import GenerationError, display_path

if TYPE_CHECKING:
    from generator.pipeline import Package
    from generator.progress import Progress
    from generator.versions import ReleaseRequest

DEFAULT_SPECS = Path("specs")
DEFAULT_OUTPUT = Path("generated")
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class NoSpecs(Exception):
    """No spec was given and none was found where specs are looked for by default."""


def spec_paths(given: Sequence[str]) -> list[Path]:
    """The spec files named, or those in `specs/` when none is; raises NoSpecs when there are none."""
    if given:
        return [Path(p) for p in given]
    found = sorted(p for p in DEFAULT_SPECS.glob("*") if p.suffix in SPEC_SUFFIXES) if DEFAULT_SPECS.is_dir() else []
    if not found:
        where = (Path.cwd() / DEFAULT_SPECS).resolve()
        raise NoSpecs(f"no spec files given, and none found in {where} (*.yaml, *.yml, *.json)")
    return found


def _report(error: GenerationError) -> int:
    count = len(error.errors)
    print(f"error: {count} problem{'s' if count != 1 else ''} found; nothing was written", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _warn(packages: Sequence[Package]) -> None:
    for package in packages:
        for warning in package.warnings:
            print(f"  {warning}", file=sys.stderr)


def _build_all(
    specs: Sequence[Path], lenient: bool, output: Path, request: ReleaseRequest | None = None
) -> list[Package]:
    """Every package, each following the one on disk in `output` (its version and changelog), or one
    GenerationError carrying the problems of every spec that failed."""
    if not specs:  # nothing to build: the pipeline is not even imported
        return []
    from generator.pipeline import build_packages
    from generator.spec_files import package_name
    from generator.versions import Previous
    from generator.writer import read_package, written_digests

    names = [package_name(spec) for spec in specs]
    return build_packages(
        specs,
        lenient=lenient,
        previous={
            name: Previous(_code(read_package(output / name)) or {}, _code(written_digests(output, name)))
            for name in names
        },
        requests={name: request for name in names} if request else None,
        output=output,
    )


T = TypeVar("T")


def _code(files: Mapping[str, T] | None) -> dict[str, T] | None:
    """A package's files but its `--with-tests` tests: they are not its code, and its version ignores them."""
    from generator.packaging import TESTS_FOLDER

    if files is None:
        return None
    return {name: value for name, value in files.items() if not name.startswith(f"{TESTS_FOLDER}/")}


def _fingerprint(profile: str, lenient: bool, with_tests: bool = False) -> str:
    from generator.fingerprint import generator_fingerprint

    return generator_fingerprint(profile, with_tests=with_tests) + ("+lenient" if lenient else "")


def _add_tests(packages: Sequence[Package], specs: Sequence[Path]) -> None:
    """`--with-tests`: each package's test module and its data (`generator.package_tests`)."""
    from generator.contract import contract_hooks
    from generator.emulator.credentials import DEFAULT_CREDENTIALS
    from generator.loader import load_spec
    from generator.package_tests import test_files
    from generator.packaging import TESTS_FOLDER

    for package, spec in zip(packages, specs, strict=True):
        hooks = contract_hooks(spec)
        credentials = hooks.local_credentials(DEFAULT_CREDENTIALS) if hooks is not None else None
        document = load_spec(spec, validate=False).document
        for name, content in test_files(package.api, document, credentials).items():
            package.files[f"{TESTS_FOLDER}/{name}"] = content.encode("utf-8")


def cmd_generate(args: argparse.Namespace) -> int:
    from generator.progress import Progress

    if getattr(args, "watch", False):
        return _watch(args)
    status = _delegated(args)
    if status is not None:
        return status
    _collector_off_to_the_end()
    with Progress("generate") as progress:
        return _generate(args, progress)


WATCH_INTERVAL = 0.05
"""Seconds between looks at the watched specs."""
CODE_INTERVAL = 1.0
"""Seconds between looks at the generator's own files while `--watch` waits."""


def _watch(args: argparse.Namespace) -> int:
    """`generate --watch`: generate, then again (never forced) each time a spec file changes, until Ctrl-C or
    SIGTERM. The process and its worker processes stay warm between runs (imports done, datamodel-code-generator's
    first run behind them), so that an edit regenerates in a fraction of a one-off run's time; a run that fails
    reports its problems, writes nothing, and the watching goes on. A stop asked during a run takes effect when the
    run is done (a second one at once): 0 then, 130 when a run was cut short.

    The code it runs is the code it loaded: when the generator changes on disk (its modules or templates, or a tool
    it runs: `cache.fingerprint`), it says so and starts again as a new process (`_restart`), which regenerates what
    the new code makes differently."""
    import signal
    import traceback

    from generator.cache import LoadedGenerator, file_stats

    loaded = LoadedGenerator()  # before the generation's modules load: what they are read from

    from generator.jobs import kept_workers
    from generator.pipeline import warm_up
    from generator.progress import Progress

    if args.bump or args.version:
        print("error: --watch releases as the diffs decide; it takes neither --bump nor --version", file=sys.stderr)
        return 2
    specs = spec_paths(args.specs)  # none: the specs folder's, looked at again each time (a spec added is generated)
    stop = _Stop()
    # Set here, not inherited: a shell that starts a command in the background leaves it ignoring SIGINT.
    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}

    restart = False
    try:
        with kept_workers(warm_up):
            seen = file_stats(specs)
            with Progress("generate") as progress:
                _generate(args, progress)
            between_runs(args, specs)
            where = "the specs folder" if not args.specs else f"{len(specs)} spec(s)"
            print(f"watching {where} for changes; Ctrl-C to stop", flush=True)
            looked = time.monotonic()
            while not stop.asked:
                time.sleep(WATCH_INTERVAL)
                if time.monotonic() - looked >= CODE_INTERVAL:
                    looked = time.monotonic()
                    if loaded.changed():
                        restart = True
                        break
                now = file_stats(_watched(args, specs))
                if now == seen or stop.asked:
                    continue
                time.sleep(WATCH_INTERVAL)  # an editor may write in steps: wait until the files hold still
                settled = file_stats(_watched(args, specs))
                if settled != now:
                    continue
                if loaded.changed():
                    restart = True
                    break
                seen, specs = settled, list(settled)
                again = argparse.Namespace(**{**vars(args), "force": False, "specs": [str(spec) for spec in specs]})
                try:
                    with Progress("generate") as progress:
                        _generate(again, progress)
                except Exception:  # a bug or a worker killed mid-run: said, and the next change is tried afresh
                    traceback.print_exc()
                    print("error: the run failed (above); nothing was written; still watching", file=sys.stderr)
                sys.stdout.flush()
                between_runs(args, specs)
        status = 0
    except KeyboardInterrupt:
        status = 130
    finally:
        for signum, handler in previous.items():
            if handler is not None:  # None: set outside Python, and not restorable from it
                signal.signal(signum, handler)
    if restart:
        _restart()
        status = 1
    print("stopped watching", flush=True)
    return status


def _restart() -> None:
    """Start this command again in this process (its pid, terminal and streams kept), from the code on disk; returns
    only when that could not be done."""
    print("the generator changed on disk: starting again with it", flush=True)
    sys.stderr.flush()
    try:
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    except OSError as exc:
        print(f"error: could not start again ({exc}); run the command again", file=sys.stderr)


def between_runs(args: argparse.Namespace, specs: Sequence[Path]) -> None:
    """While `--watch` or the daemon waits: collect what cycles the run left (it ran with the collector paused), read
    each package's spec as written, which the next run's version diff starts from, and each spec, whose next edit is
    then read in part (`loader.remember`)."""
    import gc

    from generator.loader import remember
    from generator.spec_files import package_name
    from generator.versions import SPEC_FILE, expect_previous

    gc.collect()
    for spec in specs:
        with contextlib.suppress(OSError):
            folder = Path(args.output) / package_name(spec)
            expect_previous((folder / SPEC_FILE).read_bytes(), folder)
        remember(spec)


def after_run(command_line: Sequence[str]) -> None:
    """What the daemon does once it has answered a `generate` or `check` run (`between_runs`)."""
    try:
        args = build_parser(command_line[0]).parse_args(command_line)
        between_runs(args, spec_paths(args.specs))
    except (SystemExit, NoSpecs):  # the run said what was wrong
        return


def warm_imports() -> None:
    """What a `generate` run imports, imported ahead by a process that will run several (the daemon)."""
    for module in ("generator.pipeline", "generator.writer", "generator.versions", "generator.progress", "jinja2"):
        importlib.import_module(module)


class _Stop:
    """The signal handler of `--watch`: the first signal asks the watching to stop, a second stops it at once."""

    asked = False

    def __call__(self, signum: int, frame: object) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True


def _watched(args: argparse.Namespace, specs: Sequence[Path]) -> Sequence[Path]:
    """The specs named, or those the specs folder holds now (the ones known so far while it has none)."""
    if args.specs:
        return specs
    try:
        return spec_paths([])
    except NoSpecs:
        return specs


def _generate(args: argparse.Namespace, progress: Progress) -> int:
    from generator.spec_files import package_name, read_spec_bytes
    from generator.writer import inputs_digest, is_fresh, ownership_problems, recover, stamp_profile, write_packages

    started = time.perf_counter()
    progress.phase("reading the specs and the output folder")
    specs = spec_paths(args.specs)
    output = Path(args.output)
    request = _release_request(args, specs)
    if isinstance(request, GenerationError):
        return _report(request)
    refused = ownership_problems(output, [package_name(spec) for spec in specs])  # before any work (write re-checks)
    if refused:
        return _report(GenerationError(refused))
    for note in recover(output):
        print(note, file=sys.stderr)
    with_tests = getattr(args, "with_tests", False)
    todo, fresh = [], []
    for spec in specs:
        profile = stamp_profile(output, package_name(spec))
        try:  # a path that is no readable spec (a FIFO would block) is never fresh: generation reports it
            digest = (
                inputs_digest(read_spec_bytes(spec), _fingerprint(profile, args.lenient, with_tests)) if profile else ""
            )
        except GenerationError:
            digest = ""
        if not args.force and not request and digest and is_fresh(output, package_name(spec), digest):
            fresh.append(spec)
        else:
            todo.append(spec)
    progress.phase(f"generating {len(todo)} package(s): validation, models, templates, formatting")
    try:
        packages = _build_all(todo, args.lenient, output, request)
    except GenerationError as exc:
        return _report(exc)
    if packages and with_tests:
        progress.phase(f"writing the test modules of {len(packages)} package(s)")
        _add_tests(packages, todo)
    if packages:
        progress.phase(f"writing {len(packages)} package(s)")
        fingerprints = {p.name: _fingerprint(p.api.profile, args.lenient, with_tests) for p in packages}
        written = [
            (p.name, p.files, inputs_digest(spec.read_bytes(), fingerprints[p.name]))
            for p, spec in zip(packages, todo, strict=True)
        ]
        try:
            notes = write_packages(output, written, {p.name: p.api.profile for p in packages})
        except GenerationError as exc:
            return _report(exc)
        for note in notes:
            print(note, file=sys.stderr)
    for p in packages:
        warned = f", {len(p.warnings)} warning{'s' if len(p.warnings) != 1 else ''}" if p.warnings else ""
        print(
            f"{p.name}: {len(p.api.operations)} operations, {p.model_count} models, "
            f"{len(p.files)} files{warned} -> {display_path(output / p.name)}"
        )
        _print_release(p)
    _warn(packages)
    for spec in fresh:
        print(f"{package_name(spec)}: up to date")
    print(f"done in {time.perf_counter() - started:.2f} s")
    return 0


def _release_request(args: argparse.Namespace, specs: Sequence[Path]) -> ReleaseRequest | GenerationError | None:
    """`--bump` or `--version` as a request, None without either; `--version` names one package's version, so it
    takes one spec."""
    if args.version is None and args.bump is None:
        return None  # nor is the versioning imported
    from generator.errors import Problem
    from generator.versions import ReleaseRequest, Version

    if args.version is None:
        return ReleaseRequest(bump=args.bump)
    version = Version.parse(args.version)
    if version is None:
        return GenerationError([Problem("--version", "", "version.invalid", f"expected X.Y.Z, got {args.version!r}")])
    if len(specs) != 1:
        return GenerationError(
            [Problem("--version", "", "version.one-spec", f"sets one package's version: name 1 spec, not {len(specs)}")]
        )
    return ReleaseRequest(version=version)


def _print_release(package: Package) -> None:
    """The version and, for a release, what `diff` found against the previous spec."""
    from generator.diff.report import summary

    release = package.release
    print(f"  {release.describe()}")
    if release.report is not None and release.report.findings and release.released:
        for finding in release.report.findings:
            operation = f"{finding.operation}: " if finding.operation else ""
            print(f"    {finding.level:<7} {finding.code}  {operation}{finding.message}")
        print(f"    {summary(release.report)}")


def _delegated(args: argparse.Namespace) -> int | None:
    """The exit status of this command (`generate`, `check`) run by a generation daemon, or None when none ran it
    (`generator.daemon`): then it runs here."""
    if args.no_daemon or not getattr(args, "command_line", None):
        return None
    from generator.daemon import delegate

    return delegate(args.command_line)


def cmd_check(args: argparse.Namespace) -> int:
    from generator.writer import diff_package, edited_since_written, leftovers

    status = _delegated(args)
    if status is not None:
        return status
    _collector_off_to_the_end()

    output = Path(args.output)
    specs = spec_paths(args.specs)
    try:
        packages = _build_all(specs, args.lenient, output)
    except GenerationError as exc:
        return _report(exc)
    if getattr(args, "with_tests", False):
        _add_tests(packages, specs)
    stale = 0
    interrupted = leftovers(output)
    for leftover in interrupted:
        print(f"stale: {leftover.describe()}; `python -m generator generate` recovers it")
    for p in packages:
        differing = sorted({*diff_package(output / p.name, p.files), *edited_since_written(output, p.name)})
        for name in differing:
            print(f"stale: {display_path(output / p.name / name)}")
        stale += len(differing)
    if stale or interrupted:
        print(f"{stale} file(s) differ from a fresh generation: run `python -m generator generate`", file=sys.stderr)
        return 1
    print(f"{display_path(Path(args.output))}/ is up to date ({len(packages)} package(s))")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from generator.loader import load_spec
    from generator.parser import parse_api

    try:
        for spec_path in spec_paths(args.specs):
            api, _ = parse_api(load_spec(spec_path, lenient=args.lenient))
            print(f"{api.package} ({api.title}, {api.version})")
            for op in api.operations:
                print(f"  {op.operation_id:<32} {op.target:<56} {op.summary}")
    except GenerationError as exc:
        return _report(exc)
    return 0


class _Parser(argparse.ArgumentParser):
    """Reports an unknown argument with the usage of the verb it was given to, not the top level's."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            owner: argparse.ArgumentParser = getattr(parsed, "verb_parser", self)
            owner.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed


def _specs_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "specs", nargs="*", metavar="SPEC", help="spec files, YAML or JSON (default: every spec in ./specs)"
    )


def _lenient_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="repair deviations from OpenAPI with one obvious meaning, each reported as a warning (default: strict)",
    )


def _no_daemon_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-daemon",
        action="store_true",
        help="run here even when a generation daemon runs (`daemon start`; STREAMSPEC_DAEMON=off does the same)",
    )


WITH_TESTS_HELP = (
    "also write tests/ in each package: every operation called through the package's client against its own "
    "server in process (pytest; needs the [server] extra)"
)


_MORE_VERBS = (
    ("generator.emulator.serve", "add_parser"),
    ("generator.fuzz_cli", "add_parser"),
    ("generator.fuzz_cli", "add_merge_parser"),
    ("generator.mock.cli", "add_parser"),
    ("generator.diff.cli", "add_parser"),
    ("generator.sdk_drift", "add_parser"),
    ("generator.daemon", "add_parser"),
)
"""The verbs whose modules register them (module, function): imported only when they may be the one asked for."""


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given the verb about to be parsed (`generate`, say), the modules of the other verbs
    are not imported (some import a web server's stack): only `generate`, `check` and `list` are always there."""
    parser = _Parser(
        prog="generator",
        description="OpenAPI specs in; typed clients, server stubs, emulators and contract tests out.",
    )
    parser.add_argument("--version", action="version", version=f"streamspec {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="VERB", parser_class=argparse.ArgumentParser)
    gen = sub.add_parser("generate", help="validate specs and (re)write one package per spec")
    _specs_argument(gen)
    gen.add_argument("--output", default=str(DEFAULT_OUTPUT), help="output folder (default: generated)")
    gen.add_argument("--force", action="store_true", help="regenerate even when nothing changed")
    gen.add_argument("--with-tests", action="store_true", help=WITH_TESTS_HELP)
    bump = gen.add_mutually_exclusive_group()
    bump.add_argument(
        "--bump",
        choices=("major", "minor", "patch"),
        help="release at this level instead of the one the diff against the previous spec calls for (docs/packages.md)",
    )
    bump.add_argument(
        "--version",
        metavar="X.Y.Z",
        help="release one spec's package as this version (greater than its current one)",
    )
    _lenient_argument(gen)
    gen.add_argument(
        "--watch",
        action="store_true",
        help="then regenerate each spec whenever it changes, with warm worker processes, until Ctrl-C",
    )
    _no_daemon_argument(gen)
    gen.set_defaults(func=cmd_generate)
    check = sub.add_parser("check", help="exit 1 and name the files when the output differs from a fresh generation")
    _specs_argument(check)
    check.add_argument("--output", default=str(DEFAULT_OUTPUT), help="output folder to compare (default: generated)")
    check.add_argument("--with-tests", action="store_true", help="compare with packages generated --with-tests")
    _lenient_argument(check)
    _no_daemon_argument(check)
    check.set_defaults(func=cmd_check)
    lst = sub.add_parser("list", help="list each spec's operations")
    _specs_argument(lst)
    _lenient_argument(lst)
    lst.set_defaults(func=cmd_list)
    if verb is None or verb not in sub.choices:  # help, a typo, or a verb the table below registers
        for module, register in _MORE_VERBS:
            getattr(importlib.import_module(module), register)(sub)
    for verb_parser in sub.choices.values():
        verb_parser.set_defaults(verb_parser=verb_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from generator.redact import install

    with install():  # every line any command prints goes through the redactor
        given = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(given[0] if given and not given[0].startswith("-") else None).parse_args(given)
        args.command_line = given  # what a `generate` hands to the generation daemon, if one runs
        try:
            result: int = args.func(args)
        except NoSpecs as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return result


_ONE_OFF = False
"""Set by `entry`: this process ends when its command does."""


def _collector_off_to_the_end() -> None:
    """In a process that ends with this run (`entry`, neither the daemon nor `--watch`), the cycle collector stays
    off to the end: the generation runs with it paused (`jobs.collector_paused`), and resuming it soon starts a
    collection of everything the run made (0.03 s of a Stripe edit), just before an exit that frees it all."""
    from generator.daemon import serving

    if _ONE_OFF and not serving():
        gc.disable()


def entry() -> None:
    """The process entry point (`python -m generator`, the `generator` script): `main`, then a fast exit.

    Everything is written and flushed by then; skipping interpreter teardown (datamodel-code-generator's large
    module graph) saves about a fifth of a regeneration's wall time.
    """
    global _ONE_OFF
    _ONE_OFF = True
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
