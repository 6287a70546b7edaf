"""One spec in, one package's files out (in memory): load, parse, generate models, render, format."""

from __future__ import annotations

import contextlib
import pickle
import re
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruff import find_ruff_bin

from generator.cache import Cache, Recent, content_key, open_cache, text_files, value_key
from generator.errors import GenerationError, Problem, display_path, pointer
from generator.ir import Api
from generator.jobs import Submit, collector_paused, cores, run_now, workers
from generator.loader import (
    LoadedSpec,
    added_reach,
    default_reach,
    load_spec,
    operation_ids_clash,
    parts_changed,
    pinned_schemas,
    reaches,
    schemas_part,
    validate_document,
)
from generator.models import (
    ChunkModels,
    ModelChunk,
    assemble_models,
    generate_chunk,
    job_batches,
    plan_chunks,
    read_ahead,
    run_chunks,
    with_copies,
    with_descriptions,
)
from generator.packaging import PYPROJECT, pyproject, third_party_imports
from generator.parser import parse_api
from generator.profiles import PROFILES
from generator.render import (
    LONG_LINES_EXEMPTION,
    header,
    hold_texts,
    marks_written,
    render,
    reveal_texts,
    text_width,
)
from generator.runtime_files import runtime_files
from generator.schemas import SchemaRegistry
from generator.served_json import Spans, spanned_json, spliced_json
from generator.spec_files import package_name
from generator.tidy import LINE_LENGTH
from generator.versions import NO_PREVIOUS, NO_REQUEST, Comparison, Previous, Release, ReleaseRequest, release

if TYPE_CHECKING:
    from generator.diff.engine import Parse
    from generator.diff.python_api import Surface


@dataclass(frozen=True)
class Package:
    """A generated package: its name, the IR it came from, and its files by relative path."""

    name: str
    api: Api
    files: dict[str, bytes]
    model_count: int
    release: Release
    warnings: tuple[Problem, ...] = ()
    """What the spec asks that the package does not do exactly (each located): reported, not fatal."""


def build_package(
    spec_path: Path,
    *,
    lenient: bool = False,
    previous: Previous = NO_PREVIOUS,
    request: ReleaseRequest = NO_REQUEST,
) -> Package:
    """Every file of the package generated from `spec_path`; raises GenerationError with all problems found.

    `previous`: the package this one replaces (its version and changelog follow from it)."""
    name = package_name(spec_path)
    return build_packages([spec_path], lenient=lenient, previous={name: previous}, requests={name: request})[0]


@collector_paused()
def build_packages(
    spec_paths: Sequence[Path],
    *,
    lenient: bool = False,
    previous: Mapping[str, Previous] | None = None,
    requests: Mapping[str, ReleaseRequest] | None = None,
    output: Path = Path("generated"),
    cache: Cache | None = None,
) -> list[Package]:
    """The packages of several specs, or one GenerationError with the problems of every spec that failed.

    `previous` holds, by package name, the packages these replace (absent: none), from which
    each package's version and changelog follow (`generator.versions`); `requests` the releases asked for by hand;
    `output` is where the previous packages are, for problems to name.

    Loading and parsing run here (while worker processes warm up, if the specs are large); validation
    (openapi-spec-validator) and the model chunks then run in the workers while this process renders the templates.
    Nothing is returned unless the validator and the generation agree: for a spec the validator rejects, its
    problems say it all, and whatever the parser or datamodel-code-generator tripped on there is noise.

    `cache` (by default the one the environment configures, `generator.cache`) keeps what the costly steps computed,
    by content: parsed documents, validation, model chunks, ruff's output. It changes how long this takes, never
    what it returns.
    """
    store = open_cache() if cache is None else cache
    problems: list[Problem] = []
    failures: dict[int, BaseException] = {}
    drafts: list[tuple[Api, int, dict[str, str], str, tuple[Problem, ...]]] = []
    # Warming the workers up pays where most of the work is to be done: large specs this cache has not seen before.
    # But for one: the validation, submitted first, needs the validator, not datamodel-code-generator, and starts at
    # once there (Stripe from scratch, 6.49 -> 6.39 s, 8 runs each, alternating).
    seen = [str(path.absolute()) for path in spec_paths]
    warm = _total_bytes(spec_paths) > _WARM_UP_BYTES and not all(store.get("seen", name) for name in seen)
    mode = "lenient" if lenient else "strict"
    with contextlib.ExitStack() as scope:
        submit = scope.enter_context(workers(warm_models, unwarmed=1)) if warm else None
        specs: list[LoadedSpec] = []
        for path in spec_paths:
            try:
                specs.append(load_spec(path, validate=False, lenient=lenient, cache=store))
            except GenerationError as exc:
                problems.extend(exc.problems)
        known = _known_verdicts(specs, mode, store)
        deciding = {i: _deciding_part(spec, mode, store) for i, spec in enumerate(specs) if i not in known}
        parts = {i: part for i, part in deciding.items() if part is not None}
        few = _few_models(specs, known, parts)
        if submit is None:
            submit = scope.enter_context(workers(warm_models, count=1) if few else workers())
        validation = _submit_validation(submit, specs, known, parts, mode, store)
        parsed: dict[int, tuple[Api, SchemaRegistry, list[ModelChunk]]] = {}
        renders: dict[int, Callable[[], tuple[dict[str, str], tuple[str, ...]]]] = {}
        for i, spec in enumerate(specs):
            try:
                api, registry = parse_api(spec)
                # Where the workers have a chunk or two to generate, one renders the templates while this process
                # plans the models (Stripe, a parameter added to an operation: the render's 0.2-0.4 s off its path);
                # otherwise they wait for the plan, and this process renders once the chunks are submitted.
                if few:
                    renders[i] = _render(api, store, submit)
                parsed[i] = (api, registry, plan_chunks(registry))
            except Exception as exc:  # an invalid spec can trip the parser; the validator then says why
                failures[i] = exc
        models_of, jobs = _submit_models(submit, {i: chunks for i, (_, _, chunks) in parsed.items()}, store)
        generating = jobs > 0
        rendered: dict[int, dict[str, str]] = {}
        texts: dict[int, tuple[str, ...]] = {}
        served: dict[int, str] = {}
        comparisons: dict[int, Comparison] = {}
        made: dict[str, tuple[str, Surface]] = {}  # each spec's surface, kept once its package is made
        for i, (api, _, _) in parsed.items():
            try:
                rendered[i], texts[i] = (renders[i] if i in renders else _render(api, store))()
            except Exception as exc:  # a template tripping over an invalid spec is noise, as above
                failures[i] = exc
        # ruff formats (in its own processes, waited on by this thread) what is ready: the templates' files now,
        # while the models are generated (one of them can be the largest file: Stripe's client, 1.7 MB, which ruff
        # reads on one core), the models once assembled. Its work is thrown away if the validator rejects a spec;
        # leaving the block waits for it, whatever happened.
        names = {api.package: display_path(specs[i].path) for i, (api, _, _) in parsed.items()}
        with ThreadPoolExecutor(max_workers=1) as formatter:
            templated: Future[dict[str, Formatted]] | None = None
            ready: dict[str, str] = {}
            formatting: Future[dict[str, Formatted]] | None = None
            if not failures and not problems and len(rendered) == len(specs):
                ready = {f"{parsed[i][0].package}/{n}": t for i, files in rendered.items() for n, t in files.items()}
                templated = _submit_ruff(formatter, ready, names, store)
            for i, (api, registry, _) in parsed.items():
                if i in failures:
                    continue
                try:
                    served[i] = _served(specs[i], lenient, store)
                    replaced = (previous or {}).get(api.package, NO_PREVIOUS)
                    parse = _parser(store, specs[i], (api, registry), served[i], made)
                    comparisons[i] = Comparison(replaced, specs[i], output / api.package, parse)
                    if 0 < jobs <= _DIFF_BEHIND:
                        comparisons[i].work_elsewhere(submit, served[i])
                except Exception as exc:  # noise for an invalid spec, as above
                    failures[i] = exc
            if generating or (templated is not None and not templated.done()):
                _work_out(comparisons)  # this process would wait for the workers or for ruff
            for i, (api, registry, _) in parsed.items():
                if i in failures:
                    continue
                try:
                    models = assemble_models(registry, models_of(i))
                    files = {**rendered[i], **{path: header(api) + text for path, text in models.items()}}
                    warned = (*specs[i].warnings, *(p for p in registry.problems if p.level != "error"))
                    drafts.append((api, len(registry.schemas), files, served[i], warned))
                except Exception as exc:
                    failures[i] = exc
            if not failures and not problems and len(drafts) == len(specs):
                every = {f"{api.package}/{n}": t for api, _, files, _, _ in drafts for n, t in files.items()}
                rest = {name: text for name, text in every.items() if name not in ready}
                formatting = _submit_ruff(formatter, rest, names, store, templated)
                _work_out(comparisons)  # while ruff formats the models (and a worker may still validate)
            invalid = validation()
    for i, failure in sorted(failures.items()):
        rejected = invalid.get(str(specs[i].path))
        if rejected is not None:  # a spec the validator rejects: its problems, and whatever else is independent
            if isinstance(failure, GenerationError):
                problems += [p for p in failure.problems if not _within(p, rejected)]
            continue
        if not isinstance(failure, GenerationError):
            raise failure
        problems.extend(failure.problems)
    problems += [p for found in invalid.values() for p in found]
    if problems:
        raise GenerationError(problems)
    if formatting is None:  # pragma: no cover - formatting started whenever nothing had failed
        raise AssertionError("nothing failed, yet nothing was formatted")
    formatted = formatting.result()
    packages = []
    for i, ((api, model_count, files, document_json, warned), spec) in enumerate(zip(drafts, specs, strict=True)):
        ours = {name: formatted[f"{api.package}/{name}"] for name in files}
        ours |= {name: replace(ours[name], text=reveal_texts(ours[name].text, texts[i])) for name in rendered[i]}
        # as seen from the package: `from .._runtime import x` in `models/_a.py` is `from ._runtime import x`
        imported = [
            (level - name.count("/") if level else 0, module)
            for name, f in ours.items()
            for level, module in f.relative
        ]
        runtime = runtime_files(PROFILES[api.profile], api, imported, store)
        out = {name: text.encode() for name, text in {**{n: f.text for n, f in ours.items()}, **runtime}.items()}
        out["py.typed"] = b""
        out["openapi.json"] = document_json.encode()
        third_party = {name: f.third_party for name, f in ours.items()}
        third_party |= {name: third_party_imports(text) for name, text in runtime.items() if name.endswith(".py")}
        try:
            out[PYPROJECT] = _pyproject(api, third_party, store)
            done, release_files = release(
                spec,
                api,
                out,
                (previous or {}).get(api.package, NO_PREVIOUS),
                (requests or {}).get(api.package, NO_REQUEST),
                folder=output / api.package,
                comparison=comparisons[i],
            )
        except GenerationError as exc:
            problems += exc.problems
            continue
        out.update(release_files)
        packages.append(Package(api.package, api, dict(sorted(out.items())), model_count, done, warned))
    for name in seen:  # a hint for scheduling only (see the warm-up above): never read for output
        if not store.get("seen", name):
            store.put("seen", name, True)
    if store.written:
        store.prune()
    if problems:
        raise GenerationError(problems)
    for owner, made_last in made.items():  # the packages are made: the next run's diffs compare with them
        _SURFACES[owner] = made_last
    return packages


def _parser(
    store: Cache,
    spec: LoadedSpec,
    parsed: tuple[Api, SchemaRegistry],
    served: str,
    made: dict[str, tuple[str, Surface]],
) -> Parse:
    """What the version diff reads of each side's IR (`python_api.surface`), which compares the previous package's
    spec (its `openapi.json`) with `spec`: `spec` is parsed already, and the previous spec was parsed by the run that
    generated the previous package (its surface is cached by the text served, which is that `openapi.json`). This
    run's is cached the same way for the next.

    The surface is pickled (the cache, like `.pyc` files, is trusted as the user's own). It depends on the document
    only, through the generator's code, which is in every cache key: a cached one is what parsing would give.
    """
    from generator.diff.python_api import surface

    own = surface(parsed)
    key = content_key(served.encode("utf-8"))
    if store.enabled and not store.has("ir", key):
        store.put("ir", key, pickle.dumps(own, protocol=pickle.HIGHEST_PROTOCOL))
    owner = str(spec.path.absolute())
    before = _SURFACES.get(owner)  # the spec's previous run's, which this run's diff compares with
    made[owner] = (key, own)  # and this one, the next run's once the package is made (`_SURFACES`), unpickled

    def parse(side: LoadedSpec) -> Surface:
        if side is spec:
            return own
        side_key = content_key(side.raw)
        if before is not None and before[0] == side_key:
            return before[1]
        cached = store.get("ir", side_key)
        if isinstance(cached, bytes):
            with contextlib.suppress(Exception):  # unreadable: parsed instead
                api, schemas = pickle.loads(cached)
                if isinstance(api, Api) and isinstance(schemas, dict):
                    return api, schemas
        return surface(parse_api(side))

    return parse


_SURFACES: Recent[str, tuple[str, Surface]] = Recent(16)
"""The diff's surface of each spec as this process last made its package, by the spec's path: its key in the cache,
and the surface (read-only). One a spec: those before it are asked for only when an edit is undone (then read from
the cache), and a spec edited ten times kept ten of Stripe's, with as many documents (`versions._DOCUMENTS`): 200 MB.
A run that fails keeps none of its own: the package on disk is still the one before."""


def _within(problem: Problem, others: Sequence[Problem]) -> bool:
    """Whether `problem` is at or below (or above) where the validator already found one: a consequence, not news."""
    return any(
        problem.pointer == other.pointer
        or problem.pointer.startswith(other.pointer + "/")
        or other.pointer.startswith(problem.pointer + "/")
        or not other.pointer
        for other in others
    )


def _work_out(comparisons: Mapping[int, Comparison]) -> None:
    """Work out the version diffs the releases will ask for (`Comparison.ahead`), while this process would wait for
    others (the workers, ruff)."""
    for comparison in comparisons.values():
        comparison.ahead()


_DIFF_BEHIND = 1
"""Model jobs ahead in the workers' queue, at most, for a version diff to be compared there too
(`Comparison.work_elsewhere`). An edit leaves a job or none: this process, parsing, rendering and assembling, then has
the most to do, and the diff (0.2 s after a constraint edit of Stripe) would lengthen its path. With more, it would
wait for the workers anyway, and works the diff out meanwhile (`_work_out`); queued behind them, the diff would end
after them."""


def _submit_models(
    submit: Submit, planned: dict[int, list[ModelChunk]], store: Cache
) -> tuple[Callable[[int], list[ChunkModels]], int]:
    """Submit every spec's model chunks the cache does not have, small ones several to a job; the getter gives one
    spec's parts in order (and caches what was generated). Beside it, how many jobs worker processes run (none when
    `submit` runs them here, or there were no chunks to generate)."""
    found: dict[tuple[int, int], ChunkModels] = {}
    missing: list[tuple[int, int, ModelChunk]] = []
    for i, chunks in planned.items():
        for c, chunk in enumerate(chunks):
            cached = _cached_chunk(store.get("chunk", chunk.key()))
            if cached is not None:
                found[i, c] = with_descriptions(cached, chunk.descriptions)
            else:
                missing.append((i, c, chunk))
    batches = job_batches(missing, [len(chunk.schemas) for _, _, chunk in missing], cores())
    results = [submit(run_chunks, [chunk for _, _, chunk in batch]) for batch in batches]

    def models_of(spec: int) -> list[ChunkModels]:
        """The parts, those the workers generate waited for: what the cache had (or they gave already) is read for
        the assembly meanwhile (`read_ahead`)."""
        read_ahead(part for (owner, _), part in found.items() if owner == spec)
        for batch, get in zip(batches, results, strict=True):
            if not any(owner == spec for owner, _, _ in batch):
                continue
            for (owner, c, chunk), part in zip(batch, get(), strict=True):
                if owner != spec or (owner, c) in found:
                    continue
                if isinstance(part, GenerationError):
                    raise part
                if not part.revealed:  # the code of its descriptions only (`run_chunk`) is not kept
                    store.put("chunk", chunk.key(), (part.imports, part.definitions, tuple(sorted(part.external))))
                found[owner, c] = part = with_descriptions(part, chunk.descriptions)
                read_ahead([part])
        return [with_copies(found[spec, c], chunk.copies) for c, chunk in enumerate(planned[spec])]

    return models_of, 0 if submit is run_now else len(batches)


def _cached_chunk(value: Any) -> ChunkModels | None:
    """A cached chunk's code, or None for anything of another shape."""
    try:
        imports, definitions, external = value
        return ChunkModels(
            tuple(str(i) for i in imports),
            tuple((str(n), str(t)) for n, t in definitions),
            frozenset(str(e) for e in external),
        )
    except (TypeError, ValueError):
        return None


def _known_verdicts(specs: Sequence[LoadedSpec], mode: str, store: Cache) -> dict[int, list[Problem]]:
    """The validator's problems with each spec, by index, where the cache has its verdict or an edit leaves the
    verdict before standing (`_verdict_stands`): the others are to be validated."""
    known: dict[int, list[Problem]] = {}
    for i, spec in enumerate(specs):
        key = content_key(mode, spec.digest)
        cached = _cached_problems(spec, store.get("validation", key))
        if cached is None and _verdict_stands(spec, mode, store):
            cached = []
            store.put("validation", key, ())
        if cached is not None:
            known[i] = cached
    return known


def _submit_validation(
    submit: Submit,
    specs: Sequence[LoadedSpec],
    known: dict[int, list[Problem]],
    parts: Mapping[int, _Part],
    mode: str,
    store: Cache,
) -> Callable[[], dict[str, list[Problem]]]:
    """Validate the specs whose verdicts are not `known` (in a worker); the getter gives the problems of the specs
    the validator rejects, by path, and caches every verdict (a clean one too, with the parts of the spec its
    defaults are validated against: `default_reach`, found in the worker too; for a part, with the reach before).

    A spec of `parts` (an edit that adds component schemas alone to a document the validator found valid) is judged
    by the part that decides its verdict (`_deciding_part`): a clean part is a clean verdict; a part with problems
    has the whole spec validated, so that they are said as for any spec."""
    keys = [content_key(mode, spec.digest) for spec in specs]
    todo = [i for i in range(len(specs)) if i not in known]
    judged = [parts[i].spec if i in parts else specs[i] for i in todo]
    result = submit(_validate_each, judged, store) if todo else (lambda: [])

    def invalid() -> dict[str, list[Problem]]:
        verdicts = dict(zip(todo, result(), strict=True))
        again = [i for i, (found, _, _) in verdicts.items() if found and i in parts]
        if again:
            verdicts.update(zip(again, submit(_validate_each, [specs[i] for i in again], store)(), strict=True))
        for i, (found, reach, pinned) in verdicts.items():
            store.put(
                "validation",
                keys[i],
                tuple((p.pointer, p.code, p.message, p.line, p.level, p.column) for p in found),
            )
            if not found and i in parts:  # what a part reads, not yet the spec
                reach, pinned = _spec_reach(specs[i], reach, pinned, mode, store)
            if reach is not None:  # for the next edits' verdicts (`_verdict_stands`, `_deciding_part`)
                store.put("default-reach", keys[i], reach)
            if pinned is not None:
                store.put("pinned", keys[i], pinned)
            known[i] = found
        return {str(specs[i].path): found for i, found in sorted(known.items()) if found}

    return invalid


def _spec_reach(
    spec: LoadedSpec, reach: tuple[str, ...] | None, pinned: tuple[str, ...] | None, mode: str, store: Cache
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The `default_reach` and `pinned_schemas` of a spec whose verdict a part decided (`_deciding_part`), from the
    part's own: each joined to the document's before (`loader.added_reach`), or found afresh where the cache has
    none for it."""
    assert spec.edit is not None  # a part is of an edit
    before = content_key(mode, spec.edit.previous)

    def joined(
        kind: str, part: tuple[str, ...] | None, whole: Callable[[Any], tuple[str, ...] | None]
    ) -> tuple[str, ...] | None:
        kept = _cached_reach(store.get(kind, before))
        return whole(spec.document) if kept is None or part is None else added_reach(kept, part)

    return joined("default-reach", reach, default_reach), joined("pinned", pinned, pinned_schemas)


def _verdict_stands(spec: LoadedSpec, mode: str, store: Cache) -> bool:
    """Whether `spec` was read as an edit (`loader.Edit`) of a document the validator found valid that leaves the
    verdict standing: descriptions' text changed alone, or numeric constraints too, given values of their kind
    (`Edit.constraints_changed`), where no default is validated against them (`loader.default_reach` of the document
    before, which such an edit leaves as it was: it is the new document's too). A verdict with problems does not
    stand: they name lines the edit may move."""
    edit = spec.edit
    changed = edit.constraints_changed(spec.document) if edit is not None else None
    if edit is None or changed is None:
        return False
    before = content_key(mode, edit.previous)
    if _cached_problems(spec, store.get("validation", before)) != []:
        return False
    reach = _cached_reach(store.get("default-reach", before))
    if changed and (reach is None or any(reaches(reach, at) for at in changed)):
        return False
    after = content_key(mode, spec.digest)
    if reach is not None:
        store.put("default-reach", after, reach)
    pinned = _cached_reach(store.get("pinned", before))  # references and allOf as they were
    if pinned is not None:
        store.put("pinned", after, pinned)
    return True


def _few_models(specs: Sequence[LoadedSpec], known: Mapping[int, object], parts: Mapping[int, _Part]) -> bool:
    """Whether the specs leave a chunk or two of models to generate, and little else to the workers: edits of
    constraints whose verdicts stand, or a schema or two added or changed whose part alone is validated. One worker,
    importing datamodel-code-generator at once while this process parses (then validating the parts), serves them
    best: with two, the chunk waited for the import in the worker the validation left free (Stripe, a schema added:
    1.85 -> 1.66 s, 12 runs each, alternating)."""
    if len(known) + len(parts) != len(specs):
        return False
    return any(
        len(parts[i].names) <= _FEW_SCHEMAS
        if i in parts
        else spec.edit is not None and bool(spec.edit.constraints_changed(spec.document))
        for i, spec in enumerate(specs)
    )


@dataclass(frozen=True)
class _Part:
    """The part of a spec that decides its verdict (`loader.schemas_part`), and the schemas and path items its edit
    added, changed or removed."""

    names: tuple[str, ...]
    spec: LoadedSpec


_FEW_SCHEMAS = 2
"""Schemas and path items an edit adds, changes or removes at most for one worker to serve it (`_few_models`)."""


def _deciding_part(spec: LoadedSpec, mode: str, store: Cache) -> _Part | None:
    """Where `spec` was read as an edit (`loader.Edit`) that adds or changes component schemas, or adds, changes or
    removes path items, alone (`loader.parts_changed`) of a document the validator found valid: the part of it whose
    clean verdict is the spec's (`loader.schemas_part`; one with problems has the whole validated); None otherwise.
    What is changed must be what the validator read only in judging it, and the schemas that refer to it, in the
    document before: no schema it validates a default against (`loader.default_reach`), none it collects properties
    from or resolves a reference within, and no path item a reference points into (`loader.pinned_schemas`); and no
    operation of a path item may take an id another has (`loader.operation_ids_clash`)."""
    if spec.edit is None:
        return None
    before = content_key(mode, spec.edit.previous)
    if _cached_problems(spec, store.get("validation", before)) != []:
        return None
    change = parts_changed(spec)
    if change is None:
        return None
    if change.changed or change.paths:
        reach = _cached_reach(store.get("default-reach", before))
        pinned = _cached_reach(store.get("pinned", before))
        if reach is None or pinned is None:
            return None
        if any(name in pinned or reaches(reach, pointer("components", "schemas", name)) for name in change.changed):
            return None
        if change.paths and operation_ids_clash(spec.document, change.paths):
            return None
    names = (*change.added, *change.changed)
    part = schemas_part(spec, names, change.paths)
    return _Part((*names, *change.paths), part) if part is not None else None


def _cached_reach(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return value
    return None


def _cached_problems(spec: LoadedSpec, value: Any) -> list[Problem] | None:
    if value is None:
        return None
    try:
        return [Problem(spec.display, *fields) for fields in value]
    except TypeError:
        return None


_WARM_UP_BYTES = 1_000_000
"""Specs larger than this take long enough to load (about 0.4 s per MB) to hide the workers' warm-up."""


def _total_bytes(paths: Sequence[Path]) -> int:
    return sum(path.stat().st_size for path in paths if path.is_file())


def warm_up() -> None:
    """What a kept worker (`generate --watch`, the daemon), which may validate or generate in any run, pays once: the
    validator's imports, datamodel-code-generator's first run."""
    import openapi_spec_validator.validation  # noqa: F401

    warm_models()


def warm_models() -> None:
    """What a worker pays before its first model chunk: datamodel-code-generator's imports and first run."""
    generate_chunk(ModelChunk("", "3.1.0", {"WarmUp": {"type": "object", "properties": {"a": {"type": "string"}}}}))


def _pyproject(api: Api, imports: Mapping[str, tuple[str, ...]], store: Cache) -> bytes:
    """`pyproject`, cached by what it reads (its template is the generator's code, in every key): rendering it
    imports Jinja2, which a run whose other files all come from the cache (a docs edit) need not (about 25 ms)."""
    key = value_key((api.package, api.title, api.version, api.spec_file, sorted(imports.items())))
    cached = store.get("pyproject", key)
    if isinstance(cached, bytes):
        return cached
    text = pyproject(api, imports)
    store.put("pyproject", key, text)
    return text


def _render(api: Api, store: Cache, submit: Submit = run_now) -> Callable[[], tuple[dict[str, str], tuple[str, ...]]]:
    """The package's Python files except its `models`, unformatted, with the marks of the IR's held texts in their
    docstrings (`render.hold_texts`), and those texts (`render.reveal_texts` gives them back), once the getter is
    called. The runtime modules they need are added once ruff has removed the imports they do not use
    (`runtime_files`).

    Cached by the held IR's content: the templates and the profiles, which they also depend on, are the generator's
    code, in every key. An edit of a schema's fields changes the models only, and an edit of documentation only the
    texts: neither renders anything again. Files whose texts are not all marks as the filter wrote them are not
    kept, and are rendered again from the texts themselves. What the cache does not hold is rendered by `submit`
    (the held IR pickles small: Stripe's in 0.01 s); the files rendered from the texts themselves, here."""
    held, texts = hold_texts(api)

    def unheld() -> tuple[dict[str, str], tuple[str, ...]]:
        files = _rendered(api, api, store, run_now, held=False)()
        assert files is not None  # (only held texts can refuse the files)
        return files, ()

    if not texts:
        return unheld
    rendering = _rendered(held, ("held texts", held), store, submit, held=True)

    def get() -> tuple[dict[str, str], tuple[str, ...]]:
        files = rendering()
        return (files, texts) if files is not None else unheld()

    return get


def _rendered(
    api: Api, key_of: object, store: Cache, submit: Submit, *, held: bool
) -> Callable[[], dict[str, str] | None]:
    """`_render`'s files from `api` as it is (`held`: its texts held, the files None unless the filter wrote them as
    marks, and only so), cached under `key_of`'s key; rendered by `submit` where the cache has none."""
    try:
        key: str | None = value_key(key_of)
    except TypeError:  # a value in the IR without a canonical form (see `value_key`): rendered, not cached
        key = None
    cached = text_files(store.get("render", key)) if key is not None else None
    if cached is not None:
        return lambda: cached
    job = submit(render_files, api, held)

    def get() -> dict[str, str] | None:
        files, marks = job()
        if marks is not None and not marks_written(files, marks):
            return None
        if key is not None:
            store.put("render", key, files)
        return files

    return get


def render_files(api: Api, held: bool) -> tuple[dict[str, str], list[str] | None]:
    """The package's templates rendered over `api`, and (`held`: its texts held) the marks the filter wrote."""
    marks: list[str] | None = [] if held else None
    profile = PROFILES[api.profile]
    files: dict[str, str] = {
        "__init__.py": render("__init__.py.jinja", api, profile, marks),
        "client.py": render("client.py.jinja", api, profile, marks),
        "server.py": render("server.py.jinja", api, profile, marks),
    }
    if api.webhooks:
        files["webhooks.py"] = render("webhooks.py.jinja", api, profile, marks)
    return files, marks


def _served(spec: LoadedSpec, lenient: bool, store: Cache) -> str:
    """The spec as the generated server serves it at `/openapi.json` (`served_json`). Cached with where its entries
    are: the text of an edit read in part (`spec.edit`) is then the text served before, with the edited entries'
    values written again."""
    mode = "lenient" if lenient else "strict"
    key = content_key(mode, spec.digest)
    cached = _cached_served(store.get("served", key))
    if cached is not None:
        return cached[0] + "\n"
    written: tuple[str, Spans] | None = None
    if spec.edit is not None and len(spec.edit.paths) <= _MOST_SPLICED:
        written = _cached_served(store.get("served", content_key(mode, spec.edit.previous)))
        before = spec.edit.before or (None,) * len(spec.edit.paths)  # what `spliced_json` copies from: any mapping
        for path, value in zip(spec.edit.paths, before, strict=True):
            written = spliced_json(*written, spec.document, path, value) if written is not None else None
    text, spans = written or spanned_json(spec.document)
    store.put("served", key, (text, spans.kept()))
    return text + "\n"


_MOST_SPLICED = 16
"""Edited entries written again into the text served before at most: each splice rebuilds the entries' places (3 ms
for Stripe's), and writing the whole text takes 0.07 s. A JSON spec's edit, told by comparison, names any number."""


def _cached_served(value: Any) -> tuple[str, Spans] | None:
    """A cached served text with where its entries are, or None for anything of another shape."""
    if not (isinstance(value, tuple | list) and len(value) == 2 and isinstance(value[0], str)):
        return None
    spans = Spans.from_kept(value[1])
    return (value[0], spans) if spans is not None else None


def _validate_each(
    specs: Sequence[LoadedSpec], store: Cache
) -> list[tuple[list[Problem], tuple[str, ...] | None, tuple[str, ...] | None]]:
    """openapi-spec-validator's problems of each spec (none for a valid one), and for a valid one its `default_reach`
    and `pinned_schemas` (found here, in a worker, rather than at the end of the run that waits for them). Schemas
    whose meta-schema check passed in an earlier run (the same content) are not checked again: the cache keeps their
    digests."""
    from generator import loader

    known = store.get("meta-passed", "")
    if isinstance(known, bytes) and len(known) % 16 == 0:
        loader.META_PASSED.update(known[i : i + 16] for i in range(0, len(known), 16))
    before = len(loader.META_PASSED)
    found = [validate_document(spec) for spec in specs]
    if len(loader.META_PASSED) != before:
        kept = sorted(loader.META_PASSED)[-_META_PASSED_KEPT:]
        store.put("meta-passed", "", b"".join(kept))
    return [
        (problems, None, None) if problems else (problems, default_reach(spec.document), pinned_schemas(spec.document))
        for spec, problems in zip(specs, found, strict=True)
    ]


_META_PASSED_KEPT = 200_000
"""Digests of schemas that passed the meta-schema check kept in the cache, at most (16 bytes each)."""


PROJECT_RULES = "E,F,W,I,UP,B,SIM,RUF"
"""The ruff rules of this project's configuration (pyproject.toml), which generated code passes."""


@dataclass(frozen=True)
class Formatted:
    """A Python file as ruff left it, with what it imports: read once, and cached with it."""

    text: str
    relative: tuple[tuple[int, str], ...]
    """(level, module) of each relative import statement, as ruff reports them (`_relative_imports`)."""
    third_party: tuple[str, ...]
    """The third-party modules it imports (`packaging.third_party_imports`), for the package's requirements."""


def _ruff(files: dict[str, str], specs: dict[str, str], store: Cache | None = None) -> dict[str, Formatted]:
    """Format and lint-fix the Python files with ruff, isolated from any project configuration (determinism); with
    them, what each formatted file imports: the relative imports as ruff reports them as it parses them (cheaper
    than parsing megabytes of generated code again here), the third-party ones from the file's head.

    ruff treats each file on its own, except that an import is first-party where a folder of its name is beside the
    packages: a file's result is cached by its path, its text and the packages' names, and ruff runs on the others
    only (with every package's folder there).

    A file ruff cannot parse is a template bug met by this spec: the problem names the spec and the file.
    """
    done, keys = _ruff_known(files, specs, store)
    return _ruff_others(None, done, files, keys, specs, store)


def _submit_ruff(
    formatter: ThreadPoolExecutor,
    files: dict[str, str],
    specs: dict[str, str],
    store: Cache,
    first: Future[dict[str, Formatted]] | None = None,
) -> Future[dict[str, Formatted]]:
    """`_ruff` of `files` in `formatter`'s thread (with what `first` formatted), the results the cache holds looked
    up here first. The thread runs beside this one's Python work (the version diff), and each lookup there would wait
    for the interpreter at every step: reading Stripe's hundred entries took 0.2 s there, 0.04 s here."""
    done, keys = _ruff_known(files, specs, store)
    return formatter.submit(_ruff_others, first, done, files, keys, specs, store)


def _ruff_known(
    files: dict[str, str], specs: dict[str, str], store: Cache | None
) -> tuple[dict[str, Formatted], dict[str, str]]:
    """The files' results the cache holds, and every file's key."""
    packages = sorted(specs)  # every package's, whichever of their files these are
    keys = {name: content_key(name, "\0".join(packages), text) for name, text in files.items()}
    done: dict[str, Formatted] = {}
    for name in files:
        cached = _cached_ruff(store.get("ruff", keys[name]) if store is not None else None)
        if cached is not None:
            done[name] = cached
    return done, keys


def _ruff_others(
    first: Future[dict[str, Formatted]] | None,
    done: dict[str, Formatted],
    files: dict[str, str],
    keys: dict[str, str],
    specs: dict[str, str],
    store: Cache | None,
) -> dict[str, Formatted]:
    """`_ruff` of the files not `done` (cached), with `first`'s results (its error raised, if it failed: it ran
    before in the same thread)."""
    earlier = first.result() if first is not None else {}
    todo = {name: text for name, text in files.items() if name not in done}
    if todo:
        formatted, imports = _run_ruff_steps(todo, sorted(specs), specs)
        for name in todo:
            text = formatted[name]
            done[name] = Formatted(text, tuple(imports[name]), third_party_imports(text))
            if store is not None:
                store.put("ruff", keys[name], (text, done[name].relative, done[name].third_party))
    return {**earlier, **{name: done[name] for name in files}}


def _cached_ruff(value: Any) -> Formatted | None:
    try:
        text, relative, third_party = value
        return Formatted(
            str(text), tuple((int(level), str(module)) for level, module in relative), tuple(map(str, third_party))
        )
    except (TypeError, ValueError):
        return None


def _run_ruff_steps(
    files: dict[str, str], packages: list[str], specs: dict[str, str]
) -> tuple[dict[str, str], dict[str, list[tuple[int, str]]]]:
    with tempfile.TemporaryDirectory(prefix="streamspec-ruff-") as tmp:
        root = Path(tmp)
        for package in packages:
            (root / package).mkdir()
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        # The fixes, and every relative import statement reported as they leave it (formatting keeps each
        # statement's level and module).
        lint = [*_SETTINGS, "--select", "I,F401,UP,RUF022,RUF036,TID252", *_REPORT_RELATIVE, "--fix", "--exit-zero"]
        imports = _relative_imports(_run_ruff(["check", *lint, "."], root, files, specs), root)
        _run_ruff(["format", *_SETTINGS, "."], root, files, specs)
        # `noqa` comments nothing needs (a models module without long lines) go, judged by the rules this
        # project's configuration enables, so that generated code passes them: by ruff where the outcome is not
        # certain beforehand (`_unused_noqa_fixed`).
        texts = {name: (root / name).read_text(encoding="utf-8") for name in files}
        fixed = {name: _unused_noqa_fixed(text) for name, text in texts.items()}
        unsure = sorted(name for name, text in fixed.items() if text is None)
        if unsure:
            _run_ruff([*UNUSED_NOQA, *unsure], root, files, specs)
        # The header's `noqa` line, where ruff removed it as unused, leaves blank lines behind.
        formatted = {
            name: _LEADING_BLANKS.sub(r"\1", text if text is not None else (root / name).read_text(encoding="utf-8"))
            for name, text in fixed.items()
        }
        return formatted, {name: imports.get(name, []) for name in files}


def _unused_noqa_fixed(text: str) -> str | None:
    """A formatted file as ruff's fix of unused `noqa` comments (RUF100) leaves it, where that is certain without
    running ruff (a tenth of ruff's time on a package, and a process): the header's exemption from the line length
    (`LONG_LINES_EXEMPTION`) kept where ruff counts a line too long, made an empty line where it counts none; the
    `E402` comment of the import of model rules after the classes kept. None where the outcome is not certain (a
    long line with a comment or of characters of other widths than one, a `noqa` of another kind or place, a
    carriage return)."""
    if "\r" in text:  # a line break to ruff, not to the lines below
        return None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "noqa" not in line or line == LONG_LINES_EXEMPTION:
            continue
        rules_import = line.startswith("from ") and line.endswith("  # noqa: E402") and line.count("#") == 1
        if not (rules_import and any(earlier.startswith("class ") for earlier in lines[:i])):
            return None  # not the import E402 certainly counts: a module's import after its classes
    if LONG_LINES_EXEMPTION not in lines:
        return text
    unsure = False
    for line in lines:
        counted = _counted_too_long(line)
        if counted:
            return text
        unsure = unsure or counted is None
    return None if unsure else "\n".join("" if line == LONG_LINES_EXEMPTION else line for line in lines)


_SETTINGS = ["--isolated", "--line-length", str(LINE_LENGTH), "--target-version", "py311"]
UNUSED_NOQA = [
    "check",
    *_SETTINGS,
    *("--select", PROJECT_RULES, "--ignore", "RUF001,RUF002,RUF003", "--fixable", "RUF100"),
    *("--fix", "--exit-zero", "--quiet"),
]
"""ruff's fix of unused `noqa` comments, judged by this project's rules; the files to fix follow."""


def _counted_too_long(line: str) -> bool | None:
    """Whether ruff's E501 counts `line` too long (`Overlong::try_from_line`), or None where that is not certain
    without ruff: a line of characters of other widths than one, or with a comment (a pragma is not counted)."""
    if "\t" not in line and text_width(line) <= LINE_LENGTH:
        return False
    words = line.split()  # Python's whitespace holds Rust's: one word here is one to ruff, never counted
    if len(words) < 2:
        return False
    if not (line.isascii() and line.isprintable()) or "#" in line:
        return None
    return not ("://" in words[-1] and len(line) - len(words[-1]) <= LINE_LENGTH)  # a URL begun within the limit


_REPORT_RELATIVE = [
    "--config",
    'lint.flake8-tidy-imports.ban-relative-imports = "all"',
    "--unfixable",
    "TID252",
    "--ignore-noqa",
    "--output-format",
    "concise",
]
"""Every relative import statement reported (rule TID252 with all relative imports banned, not fixed), noqa or
not: generated code has no `noqa` comment for the rules fixed beside it (its only ones are for E501 and E402)."""

_RELATIVE_IMPORT = re.compile(r"from\s+(\.+)\s*([\w.]*)\s+import\b")


def _run_ruff(args: list[str], root: Path, files: dict[str, str], specs: dict[str, str]) -> str:
    done = subprocess.run([find_ruff_bin(), *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stderr + done.stdout).strip()
        broken = sorted({m for m in re.findall(r"([\w.-]+/[\w./-]+\.py)", output) if m in files}) or ["?"]
        package = broken[0].split("/", 1)[0]
        raise GenerationError(
            [
                Problem(
                    specs.get(package, package),
                    "",
                    "render.ruff",
                    f"rendered {broken[0]} is not valid Python (ruff {args[0]}): {output[:2000]}",
                )
            ]
        )
    return done.stdout


def _relative_imports(report: str, root: Path) -> dict[str, list[tuple[int, str]]]:
    """(level, module) of each import statement ruff reported, by file: read from the statement's first line, in the
    file as ruff left it when it reported.

    ruff reports `from . import a, b` once per name, each at the statement: a place is read once."""
    found: dict[str, list[tuple[int, str]]] = {}
    lines: dict[str, list[str]] = {}
    places = dict.fromkeys(tuple(m.groups()) for m in _DIAGNOSTIC.finditer(report))
    absolute = str(root.resolve()) + "/"
    for filename, row, column in places:
        name = filename.removeprefix(absolute).removeprefix("./")
        if name not in lines:
            lines[name] = (root / name).read_text(encoding="utf-8").split("\n")
        statement = _RELATIVE_IMPORT.match(lines[name][int(row) - 1], int(column) - 1)
        if statement is None:
            raise ValueError(f"ruff reported a relative import it did not find at {name}:{row}:{column}")
        found.setdefault(name, []).append((len(statement[1]), statement[2]))
    return found


_DIAGNOSTIC = re.compile(r"^(.+?\.py):(\d+):(\d+): TID252\b", re.M)
"""A relative import in ruff's concise output: the file, the row and the column (both from 1)."""


_LEADING_BLANKS = re.compile(r"\A((?:#[^\n]*\n)+)\n+")
