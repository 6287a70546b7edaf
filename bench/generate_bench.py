"""Generation speed: the three vendor specs (full and no-op) and Stripe's spec beside datamodel-codegen's CLI.

Every figure is a whole process (interpreter start included), timed from outside, median of `--runs` runs:
    python bench/generate_bench.py [--runs 3] [--stripe PATH] [--skip-stripe]
Targets (issue 3): full regeneration of the three specs < 1 s, no-op < 0.3 s; Stripe models + client + server
in less wall time than `datamodel-codegen` needs for models alone with its default formatting; output imports.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRIPE = ROOT.parent / "shared" / "bench" / "stripe-spec3.yaml"


def timed(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of one child process."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return wall


def median_of(runs: int, cmd: list[str], cwd: Path) -> float:
    return statistics.median(timed(cmd, cwd) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stripe", type=Path, default=STRIPE)
    parser.add_argument("--skip-stripe", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="streamspec-bench-") as tmp:
        out = Path(tmp) / "generated"
        generate = [python, "-m", "generator", "generate", "--output", str(out)]
        full = median_of(args.runs, [*generate, "--force"], ROOT)
        noop = median_of(args.runs, generate, ROOT)
        rows += [
            ("3 vendor specs, full regeneration", f"{full:.2f}", "< 1.0"),
            ("3 vendor specs, nothing changed", f"{noop:.2f}", "< 0.3"),
        ]
        if not args.skip_stripe and args.stripe.exists():
            ours_out, theirs_out = Path(tmp) / "ours", Path(tmp) / "theirs"
            ours: list[float] = []
            theirs: list[float] = []
            for _ in range(args.runs):  # interleaved, so both see the same machine load
                shutil.rmtree(ours_out, ignore_errors=True)
                shutil.rmtree(theirs_out, ignore_errors=True)
                ours.append(
                    timed(
                        [python, "-m", "generator", "generate", str(args.stripe), "--force", "--output", str(ours_out)],
                        ROOT,
                    )
                )
                theirs.append(
                    timed(
                        [
                            str(Path(python).with_name("datamodel-codegen")),
                            "--input",
                            str(args.stripe),
                            "--input-file-type",
                            "openapi",
                            "--output-model-type",
                            "pydantic_v2.BaseModel",
                            "--output",
                            str(theirs_out),
                        ],
                        ROOT,
                    )
                )
            package = next(p.name for p in ours_out.iterdir() if p.is_dir())
            imported = timed([python, "-c", f"import {package}, {package}.server, {package}.models"], ours_out)
            rows += [
                (
                    "Stripe: streamspec models + client + server",
                    f"{statistics.median(ours):.1f}",
                    f"< datamodel-codegen ({statistics.median(theirs):.1f})",
                ),
                (
                    "Stripe: datamodel-codegen CLI, models only, default formatting",
                    f"{statistics.median(theirs):.1f}",
                    "reference",
                ),
                ("Stripe: import of the generated package", f"{imported:.1f}", "imports"),
            ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}} | wall s | target")
    for name, value, target in rows:
        print(f"{name:<{width}} | {value:>6} | {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
