"""Models generated in chunks: the same code whatever the chunking, the same as one datamodel-code-generator run
over the whole document (up to order), groups kept whole, and the assembled module working across groups."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import generator.jobs
import generator.pipeline
from generator.cache import Cache
from generator.errors import GenerationError
from generator.loader import load_spec
from generator.models import (
    CHUNK_SCHEMAS,
    ChunkModels,
    ModelChunk,
    _walk_naming,
    assemble_models,
    generate_chunk,
    generate_chunks,
    plan_chunks,
    run_chunk,
)
from generator.parser import parse_api
from generator.pipeline import build_package, build_packages
from generator.schemas import SchemaRegistry
from generator.writer import write_packages
from tests.generator.conftest import ALL_SPECS, REPO, imported, write_spec

# Every way one schema can depend on another: inheritance (allOf), an alias naming classes (oneOf), fields naming
# classes of other groups (plain, described, nullable, in arrays and maps, with defaults, in unions), mutual and
# self references, and nullable aliases.
CHUNKS_31 = """\
openapi: 3.1.0
info: {title: Chunks, version: "1"}
paths:
  /owners/{id}:
    get:
      operationId: ShowOwner
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Owner'}
components:
  schemas:
    Base:
      type: object
      required: [id]
      properties:
        id: {type: string, minLength: 1}
        home: {$ref: '#/components/schemas/Address'}
    Derived:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            extra: {type: integer}
    Cat:
      type: object
      required: [meow]
      properties:
        meow: {type: boolean}
        owner: {$ref: '#/components/schemas/Owner'}
    Dog:
      type: object
      required: [bark]
      properties:
        bark: {type: integer, minimum: 0}
    Pet:
      oneOf:
        - $ref: '#/components/schemas/Cat'
        - $ref: '#/components/schemas/Dog'
    Mood:
      type: string
      enum: [happy, sad]
    Feeling:
      type: string
      enum: [happy, sad]
    Humour:
      type: string
      enum: [happy, sad]
    Kitten:
      type: object
      description: Schemas of the same content share their code, each under its own name.
      properties:
        mother: {$ref: '#/components/schemas/Cat'}
        mood: {$ref: '#/components/schemas/Mood'}
        tags: {type: array, items: {type: string}, default: []}
    Cub:
      type: object
      description: Schemas of the same content share their code, each under its own name.
      properties:
        mother: {$ref: '#/components/schemas/Cat'}
        mood: {$ref: '#/components/schemas/Mood'}
        tags: {type: array, items: {type: string}, default: []}
    Label:
      type: [string, "null"]
      maxLength: 5
    Address:
      type: object
      properties:
        street: {type: string}
    Maybe:
      type: [object, "null"]
      properties:
        note: {type: string}
    Owner:
      type: object
      required: [pet, maybe, name]
      properties:
        name: {type: string}
        pet: {$ref: '#/components/schemas/Pet'}
        best: {$ref: '#/components/schemas/Cat', description: The best cat.}
        maybe: {$ref: '#/components/schemas/Maybe'}
        maybes:
          type: array
          items: {$ref: '#/components/schemas/Maybe'}
        by_name:
          type: object
          additionalProperties: {$ref: '#/components/schemas/Maybe'}
        mood: {$ref: '#/components/schemas/Mood', default: happy}
        label: {$ref: '#/components/schemas/Label'}
        address: {$ref: '#/components/schemas/Address', default: {street: Main}}
        either:
          anyOf:
            - {$ref: '#/components/schemas/Derived'}
            - {$ref: '#/components/schemas/Maybe'}
            - {type: string}
        boss: {$ref: '#/components/schemas/Owner'}
        derived: {$ref: '#/components/schemas/Derived'}
"""
# The same in OpenAPI 3.0, where null is said with `nullable`.
CHUNKS_30 = (
    CHUNKS_31.replace("openapi: 3.1.0", "openapi: 3.0.3")
    .replace('type: [string, "null"]', "type: string\n      nullable: true")
    .replace('type: [object, "null"]', "type: object\n      nullable: true")
)


@pytest.fixture(scope="module")
def chunk_specs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("chunk-specs")
    return [write_spec(folder, "chunks_31.yaml", CHUNKS_31), write_spec(folder, "chunks_30.yaml", CHUNKS_30)]


def registry_of(path: Path) -> SchemaRegistry:
    return parse_api(load_spec(path))[1]


def models_code(registry: SchemaRegistry, size: int) -> str:
    """Every file of the `models` package, each after a line naming it."""
    files = assemble_models(registry, [generate_chunk(chunk) for chunk in plan_chunks(registry, size)])
    return "".join(f"# file {path}\n{text}" for path, text in sorted(files.items()))


def test_chunk_specs_differ_only_in_how_null_is_said() -> None:
    assert CHUNKS_30.count("nullable: true") == 2
    assert "null" not in CHUNKS_30.replace("nullable", "")


@pytest.mark.parametrize("which", ["chunks_31", "chunks_30", *(spec.stem for spec in ALL_SPECS)])
def test_chunking_changes_nothing_and_matches_one_whole_run(
    which: str, chunk_specs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = next(p for p in [*chunk_specs, *ALL_SPECS] if p.stem == which)
    registry = registry_of(path)
    chunked = models_code(registry, CHUNK_SCHEMAS)
    assert models_code(registry, 1) == chunked
    assert models_code(registry, 3) == chunked
    # One group holding everything: no external references at all, datamodel-code-generator sees the real ones.
    monkeypatch.setattr(SchemaRegistry, "units", lambda self: [sorted(self.schemas)])
    whole = models_code(registry, CHUNK_SCHEMAS)
    # the same lines, in any order, with as many blank lines after the imports as isort asks before what comes first
    assert sorted(filter(None, chunked.splitlines())) == sorted(filter(None, whole.splitlines()))


def test_groups_are_never_split_and_chunks_stay_small(chunk_specs: list[Path]) -> None:
    registry = registry_of(chunk_specs[0])
    units = registry.units()
    assert ["Cat", "Dog", "Pet"] in units
    assert ["Base", "Derived", "DerivedVariant2"] in units  # a base and an inline member of allOf
    assert ["Maybe", "OwnerByName"] in units  # a map is an alias naming its values' class
    # Owner's other fields name other groups, but a field with a default is built as the model it names.
    assert ["Address", "Mood", "Owner"] in units
    for size in (1, 2, 3, 5, CHUNK_SCHEMAS):
        chunks = plan_chunks(registry, size)
        assert sorted(name for chunk in chunks for name in chunk.names()) == sorted(registry.schemas)
        for chunk in chunks:
            names = set(chunk.names())
            assert all(set(unit) <= names or not set(unit) & names for unit in units)
            assert len(chunk.schemas) <= size or any(set(chunk.schemas) == set(unit) for unit in units)


def test_schemas_of_the_same_content_are_generated_once(chunk_specs: list[Path]) -> None:
    for path in chunk_specs:
        registry = registry_of(path)
        copies = {names for chunk in plan_chunks(registry) for names in chunk.copies.values()}
        assert ("Cub", "Kitten") in copies
        assert any({"Feeling", "Humour"} <= set(names) for names in copies)
        code = models_code(registry, CHUNK_SCHEMAS)
        assert "class Cub(ApiModel):" in code and "class Kitten(ApiModel):" in code
        assert "Feeling = TypeAliasType(" in code and "StreamspecShared" not in code


def test_an_edit_changes_the_chunks_of_what_it_edits_only(tmp_path: Path) -> None:
    """Which chunk a group lands in depends on the group alone, so that the cache regenerates little after an edit."""
    before = plan_chunks(registry_of(write_spec(tmp_path, "before.yaml", CHUNKS_31)), 3)
    edited = CHUNKS_31.replace("bark: {type: integer, minimum: 0}", "bark: {type: integer, minimum: 1}")
    after = plan_chunks(registry_of(write_spec(tmp_path, "after.yaml", edited)), 3)
    changed = {chunk.key() for chunk in after} - {chunk.key() for chunk in before}
    assert [sorted(c.names()) for c in after if c.key() in changed] == [
        sorted(c.names()) for c in before if "Dog" in c.names()
    ]


def test_fields_into_other_groups_are_made_external_and_keep_their_null(chunk_specs: list[Path]) -> None:
    for path in chunk_specs:
        (owner_chunk,) = [c for c in plan_chunks(registry_of(path), 1) if "Owner" in c.schemas]
        fields: dict[str, Any] = owner_chunk.schemas["Owner"]["properties"]
        assert fields["boss"] == {"$ref": "#/components/schemas/Owner"}  # its own group: a real reference
        assert fields["best"]["$ref"].endswith("#/StreamspecElsewhereCat")
        assert {"type": "null"} in fields["maybe"]["anyOf"]
        # A nullable alias holds its null itself; datamodel-code-generator repeats it at the field only in 3.0.
        assert ("anyOf" in fields["label"]) is path.stem.endswith("30")


def test_assembled_models_work_across_groups(chunk_specs: list[Path], tmp_path: Path) -> None:
    package = build_package(chunk_specs[0])
    write_packages(tmp_path, [("chunks_under_test", package.files, "")])
    with imported(tmp_path, "chunks_under_test") as module:
        models = module.models
        assert issubclass(models.Derived, models.Base)
        owner = models.Owner.model_validate(
            {
                "name": "ann",
                "pet": {"meow": True, "owner": {"name": "bob", "pet": {"bark": 1}, "maybe": None}},
                "maybe": None,
                "maybes": [None, {"note": "n"}],
                "boss": {"name": "cy", "pet": {"bark": 0}, "maybe": {}},
                "either": {"id": "d1", "extra": 2, "home": {"street": "S"}},
            }
        )
        assert isinstance(owner.pet, models.Cat)
        assert isinstance(owner.pet.owner.pet, models.Dog)
        assert isinstance(owner.either, models.Derived)
        assert owner.mood == "happy"  # a default beside $ref (OpenAPI 3.1)
        assert owner.address == models.Address(street="Main")
        assert owner.model_dump(mode="json", by_alias=True, exclude_unset=True)["maybes"] == [None, {"note": "n"}]
        with pytest.raises(ValidationError):
            models.Owner.model_validate({"name": "ann", "pet": {"bark": -1}, "maybe": None})
        with pytest.raises(ValidationError):
            models.Owner.model_validate({"name": "ann", "pet": {"bark": 1}, "maybe": None, "label": "toolong"})


def test_a_failing_chunk_is_returned_in_its_place(chunk_specs: list[Path]) -> None:
    good = plan_chunks(registry_of(chunk_specs[0]))[0]
    bad = ModelChunk("bad.yaml", "3.1.0", {"X": {"type": "object", "properties": {"a": {"$ref": "nowhere.json#/Y"}}}})
    first, failed, last = generate_chunks([good, bad, good])
    assert isinstance(first, ChunkModels)
    assert first == last
    assert isinstance(failed, GenerationError)
    assert [(p.file, p.code) for p in failed.problems] == [("bad.yaml", "models.generator")]


def test_assembly_refuses_a_missing_unnamed_or_twice_generated_model(chunk_specs: list[Path]) -> None:
    registry = registry_of(chunk_specs[0])
    parts = [generate_chunk(chunk) for chunk in plan_chunks(registry, 1)]
    without_cat = [p for p in parts if "Cat" not in dict(p.definitions)]
    with pytest.raises(GenerationError, match="named but not generated: Cat"):
        assemble_models(registry, without_cat)
    extra = ChunkModels((), (("CatCommon", "class CatCommon(ApiModel):\n    pass"),), frozenset())
    with pytest.raises(GenerationError, match=r"added models no schema names \(CatCommon\)"):
        assemble_models(registry, [*parts, extra])
    with pytest.raises(GenerationError, match="'Cat' was generated twice"):
        assemble_models(registry, [*parts, next(p for p in parts if "Cat" in dict(p.definitions))])


def test_a_schema_named_like_the_placeholder_keeps_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = CHUNKS_31.replace("Address", "StreamspecElsewhereAddress")
    registry = registry_of(write_spec(tmp_path, "odd.yaml", text))
    chunked = models_code(registry, 1)
    assert "class StreamspecElsewhereAddress(ApiModel):" in chunked
    assert "home: StreamspecElsewhereAddress | MISSING = MISSING" in chunked
    monkeypatch.setattr(SchemaRegistry, "units", lambda self: [sorted(self.schemas)])
    assert sorted(chunked.splitlines()) == sorted(models_code(registry, 1).splitlines())


RULED_LAST_FIELD = """\
openapi: 3.1.0
info: {title: Ruled, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      required: [count]
      properties:
        mail: {type: string, format: email}
        count: {type: integer}
"""


def test_a_name_a_definition_ends_with_is_imported_though_rules_follow_it(tmp_path: Path) -> None:
    """A model with rules has its rule statement written after its definition; the names each uses are read from
    each on its own. Read joined, a definition ending in a type (`count: StrictInt`) ran into the statement's first
    name (`StrictIntThing`), and a type used nowhere else in the module went unimported: the module failed to load."""
    package = build_package(write_spec(tmp_path, "ruled.yaml", RULED_LAST_FIELD))
    module = package.files["models/_thing.py"].decode()
    assert "    count: StrictInt\n" in module and "ModelRules(formats=" in module
    write_packages(tmp_path / "out", [("ruled_under_test", package.files, "")])
    with imported(tmp_path / "out", "ruled_under_test") as loaded:
        thing = loaded.models.Thing.model_validate({"count": 3, "mail": "a@example.com"})
        assert thing.count == 3
        with pytest.raises(ValidationError):
            loaded.models.Thing.model_validate({"count": 3, "mail": "not an address"})


# Descriptions of every shape: multi-line with indented and blank lines, whitespace around lines, beyond ASCII,
# equal in two places, on fields, classes, items, union members and aliases; descriptions no placeholder stands for
# (quotes, backslashes, tabs, blank); `description` keys inside values, which are no descriptions; a property named
# `description`.
DESCRIBED = """\
openapi: 3.1.0
info: {title: Described, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      description: "A pet.\\n\\n  - kept by an owner\\n  - fed twice a day  \\n\\n"
      type: object
      required: [name]
      properties:
        name: {type: string, description: 名前 (the pet's name), maxLength: 20}
        tags:
          type: array
          description: Tags.
          items: {type: string, description: "One tag,\\n  indented"}
        quoted: {type: string, description: 'Say "hi" \\\\ then'}
        tabbed: {type: string, description: "a\\tb"}
        blank: {type: string, description: "   "}
        description: {type: string, description: The pet's own description.}
        meta:
          type: object
          description: Tags.
          default: {description: a value, not a description}
          properties:
            kind: {type: string, enum: [a, b], description: The kind.}
          example: {description: an example}
    Owner:
      description: An owner.
      oneOf:
        - {type: object, description: A person., properties: {name: {type: string}}}
        - {type: object, description: A company., properties: {vat: {type: string}}}
    Code: {type: string, description: A code., pattern: "^[A-Z]+$"}
"""


def chunks_of(tmp_path: Path, name: str, text: str) -> list[ModelChunk]:
    return plan_chunks(registry_of(write_spec(tmp_path, name, text)), 2)


def test_held_descriptions_give_the_code_the_descriptions_give(tmp_path: Path) -> None:
    chunks = chunks_of(tmp_path, "described.yaml", DESCRIBED)
    held = [chunk for chunk in chunks if chunk.descriptions]
    assert held, "no description was held"
    for chunk in chunks:
        ours, theirs = generate_chunk(chunk), generate_chunk(chunk.revealed())
        assert ours == theirs
        assert "zzStreamspecDoc" not in str(ours)
    descriptions = {text for chunk in chunks for text in chunk.descriptions}
    assert {"Tags.", "The kind.", "The pet's own description.", "名前 (the pet's name)"} <= descriptions
    assert any(text.startswith("A pet.\n\n  - kept by an owner\n") for text in descriptions)
    assert not {'Say "hi" \\ then', "   ", "a value, not a description", "an example"} & descriptions
    assert all(text.count("Tags.") <= 1 for chunk in chunks for text in chunk.descriptions)  # equal: held once


def test_an_edit_of_descriptions_alone_keeps_every_chunk(tmp_path: Path) -> None:
    """A docs change (a description's words) leaves the chunks' keys, and so the code the cache keeps, as they
    were; so does one that makes two descriptions equal. Its lines are in the key (a placeholder a line), and a
    description that is no plain text is in it as it is."""
    before = {chunk.key() for chunk in chunks_of(tmp_path, "a.yaml", DESCRIBED)}
    edited = DESCRIBED.replace("Tags.", "Labels, each a word.").replace("An owner.", "An owner of pets, or a firm's.")
    assert {chunk.key() for chunk in chunks_of(tmp_path, "b.yaml", edited)} == before
    lines = DESCRIBED.replace("An owner.", "An owner\\nof pets.")
    assert len({chunk.key() for chunk in chunks_of(tmp_path, "lines.yaml", lines)} - before) == 1
    unplain = DESCRIBED.replace("Tags.", 'The "tags".')
    assert {chunk.key() for chunk in chunks_of(tmp_path, "c.yaml", unplain)} != before


def test_the_placeholders_prefix_elsewhere_has_the_descriptions_generated(tmp_path: Path) -> None:
    """Text that reads like a placeholder (an enum value here) could be taken for one: that chunk is generated
    from its descriptions themselves (and that code is not kept under the chunk's key)."""
    text = DESCRIBED.replace("enum: [a, b]", "enum: [zzStreamspecDoc0L0zz, b]")
    chunks = chunks_of(tmp_path, "prefix.yaml", text)
    [chunk] = [c for c in chunks if "PetMeta" in c.names()]
    assert chunk.descriptions
    raw = run_chunk(chunk)
    assert raw.revealed and raw.definitions == run_chunk(chunk.revealed()).definitions
    assert "zzStreamspecDoc0L0zz" in str(generate_chunk(chunk)) and "The kind." in str(generate_chunk(chunk))
    # a description written as a placeholder is a description like any other, given back as written
    text = DESCRIBED.replace("description: The kind.", "description: zzStreamspecDoc0L0zz")
    [chunk] = [c for c in chunks_of(tmp_path, "held.yaml", text) if "PetMeta" in c.names()]
    assert "zzStreamspecDoc0L0zz" in chunk.descriptions
    assert "\n    zzStreamspecDoc0L0zz\n" in "".join(text for _, text in generate_chunk(chunk).definitions)
    assert generate_chunk(chunk).definitions == generate_chunk(chunk.revealed()).definitions


def test_a_description_edit_generates_no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The code the cache keeps for the chunks serves the edited descriptions: datamodel-code-generator does not
    run, and the package says the new words."""
    store = Cache(tmp_path / "cache")
    spec = write_spec(tmp_path / "specs", "described.yaml", DESCRIBED)
    build_packages([spec], cache=store)
    spec.write_text(DESCRIBED.replace("The kind.", "The kind of pet it is (a or b)."), encoding="utf-8")

    def refuse(chunks: list[ModelChunk]) -> list[ChunkModels | GenerationError]:
        raise AssertionError(f"datamodel-code-generator ran for {[c.names() for c in chunks]}")

    monkeypatch.setattr(generator.jobs, "cores", lambda: 1)  # jobs run here, where `refuse` is
    monkeypatch.setattr(generator.pipeline, "run_chunks", refuse)
    [package] = build_packages([spec], cache=store)
    models = "".join(text.decode() for name, text in package.files.items() if name.startswith("models/"))
    assert '    """\n    The kind of pet it is (a or b).\n    """\n' in models


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_jobs_get_smaller_towards_the_end(workers: int) -> None:
    """Every chunk once, in order; a job holds one chunk, or at most `JOB_SCHEMAS` schemas and a quarter of a
    worker's share of those left when it starts: the last jobs are small, so the workers end together."""
    import random

    from generator.models import JOB_SCHEMAS, job_batches

    rng = random.Random(workers)
    for _ in range(50):
        sizes = [rng.randint(1, 60) for _ in range(rng.randint(0, 120))]
        batches = job_batches(list(range(len(sizes))), sizes, workers)
        assert [i for batch in batches for i in batch] == list(range(len(sizes)))
        left = sum(sizes)
        for batch in batches:
            held = sum(sizes[i] for i in batch)
            assert batch and (len(batch) == 1 or held <= min(JOB_SCHEMAS, left // (4 * workers)))
            left -= held
        if sum(sizes) > 4 * workers * JOB_SCHEMAS:  # large enough for full jobs: the first is one
            assert sum(sizes[i] for i in batches[0]) > JOB_SCHEMAS - 60


NAMING = """\
from typing import Literal
Colour = Literal["red", "green"]


class Plain:
    size: int = 1


class Paint:
    colour: Literal[
        "red",
        "green",
    ]
    shade: int | None = None

    @check(Literal["x", "y"])
    def pick(self) -> None:
        pass


@wrap(Literal[1, 2])
class Wrapped:
    pass
"""


def _named(nodes: Any) -> list[tuple[int, int]]:
    return sorted((n.lineno, n.col_offset) for n in nodes if isinstance(n, ast.Name) and n.id == "Literal")


@pytest.mark.parametrize(
    "code",
    [
        NAMING,
        NAMING.replace("class Plain:", 'x = "\\r"\rclass Plain:'),  # a carriage return: a line to the parser
        *(
            text
            for path in sorted((REPO / "generated").glob("*/models/*.py"))
            if "Literal[" in (text := path.read_text(encoding="utf-8"))
        ),
    ],
)
def test_walking_the_statements_that_write_a_name_finds_every_use_of_it(code: str) -> None:
    """`_walk_naming` (the open enums' walk) gives every `Literal` name `ast.walk` gives: in fields written over
    several lines, in decorators above their statement, in a module whose lines a carriage return breaks."""
    tree = ast.parse(code)
    assert _named(_walk_naming(tree, code, "Literal")) == _named(ast.walk(tree))
    assert _named(ast.walk(tree))
