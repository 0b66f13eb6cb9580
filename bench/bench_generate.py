"""Batch generation benchmark: docgen against the naive ways, in the same run.

    .venv/bin/python bench/bench_generate.py                 # 1,000 synthetic pairs
    .venv/bin/python bench/bench_generate.py --pairs 10000   # province size

Phases (each in its own child process, so its peak RSS is its own):
  naive-docx  docxtpl loop: load, render, save per document (the mail-merge baseline)
  docx        docgen generate_batch, DOCX only, N pairs (plus N/10 to show memory is flat in N)
  naive-pdf   one `soffice --convert-to pdf` per document
  pdf         docgen generate_batch, DOCX + PDF, N pairs
Figures: documents per second, peak RSS, and docgen's speed as a ratio of the naive baseline.

    .venv/bin/python bench/bench_generate.py --pdf-only --pairs 300 --baseline /tmp/base --rounds 3

``--baseline SRC`` also runs the PDF phase with the docgen of another source tree (e.g. the commit before
a change: ``git archive main | tar -x -C /tmp/base``), alternating with this one ``--rounds`` times, so
both see the same machine load; it prints each round and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "samples" / "pengzhou_heishui" / "program.yaml"
# Real name shapes of the 彭州·黑水 notice, 濛 included (the glyph FandolFang lacks).
SUPPORTING = ["彭州市{}镇小学", "彭州市濛阳{}小学", "成都石室{}中学", "彭州市{}九年制学校"]
SUPPORTED = ["黑水县{}寄宿制小学校", "黑水县{}中心小学", "黑水县{}完全小学校"]


@dataclass
class Figure:
    name: str
    docs: int
    seconds: float
    peak_mb: float

    @property
    def rate(self) -> float:
        return self.docs / self.seconds


def synthetic_roster(pairs: int):  # type: ignore[no-untyped-def]
    from docgen.model import PairGroup, Roster, School

    groups = []
    for i in range(1, pairs + 1):
        a = SUPPORTING[i % len(SUPPORTING)].format(f"第{i}")
        b = SUPPORTED[i % len(SUPPORTED)].format(f"第{i}")
        groups.append(PairGroup(i, (School(a),), (School(b),), source=f"synthetic:{i}"))
    return Roster(tuple(groups), source="synthetic")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_docgen(pairs: int, with_pdf: bool, workers: int, queue: mp.Queue, source: str | None = None) -> None:  # type: ignore[type-arg]
    if source is not None:  # the baseline's docgen: its tree first on the path (nothing is imported yet)
        sys.path.insert(0, source)
    from docgen.batch import generate_batch, load_templates
    from docgen.files import load_program, template_reader
    from docgen.output import DirectorySink

    program = load_program(PROGRAM)
    roster = synthetic_roster(pairs)
    templates = load_templates(program, template_reader(PROGRAM.parent))
    with tempfile.TemporaryDirectory() as tmp:
        sink = DirectorySink(Path(tmp), program.key)
        if with_pdf:
            from docgen.render.pdf import ConverterPool

            with ConverterPool(workers=workers) as pool:
                # The first LibreOffice start of a profile is slow and happens once per machine;
                # warm the pool outside the timed region, as a long-running service would be.
                pool.convert_many([("warm", templates["party_building"].render(_context(program, roster)))])
                start = time.perf_counter()
                report = generate_batch(program, roster, templates, sink, converter=pool)
                seconds = time.perf_counter() - start
        else:
            start = time.perf_counter()
            report = generate_batch(program, roster, templates, sink)
            seconds = time.perf_counter() - start
        if report.failures:
            raise SystemExit(f"benchmark batch had failures: {report.failures[:3]}")
        queue.put((report.generated, seconds, _peak_mb()))


def _context(program, roster):  # type: ignore[no-untyped-def]
    from docgen.context import agreement_context

    return agreement_context(program, roster.groups[0], program.agreements[0])


def _run_naive_docx(docs: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from docxtpl import DocxTemplate

    from docgen.context import agreement_context
    from docgen.files import builtin_templates, load_program
    from docgen.render.docx import sandboxed_environment

    program = load_program(PROGRAM)
    roster = synthetic_roster(docs)
    kind = program.agreements[0]
    path = builtin_templates() / f"{kind.template.removesuffix('.docx')}.docx"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for group in roster.groups:
            tpl = DocxTemplate(str(path))
            tpl.render(agreement_context(program, group, kind), jinja_env=sandboxed_environment(), autoescape=True)
            tpl.save(str(Path(tmp) / f"{group.number}.docx"))
        queue.put((docs, time.perf_counter() - start, _peak_mb()))


def _run_naive_pdf(docs: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from docgen.batch import load_templates
    from docgen.context import agreement_context
    from docgen.files import load_program, template_reader

    program = load_program(PROGRAM)
    roster = synthetic_roster(docs)
    template = load_templates(program, template_reader(PROGRAM.parent))["party_building"]
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice not found: run `make setup`")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        files = []
        for group in roster.groups:
            f = Path(tmp) / f"{group.number}.docx"
            f.write_bytes(template.render(agreement_context(program, group, program.agreements[0])))
            files.append(f)
        # First start of a fresh profile is slow; pay it before the clock, as docgen's pool does.
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--terminate_after_init"],
            check=False,
            capture_output=True,
            timeout=120,
        )
        start = time.perf_counter()
        for f in files:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(f),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        queue.put((docs, time.perf_counter() - start, _peak_mb()))


def measure(name: str, target, *args, **kwargs) -> Figure:  # type: ignore[no-untyped-def]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue), kwargs=kwargs)
    proc.start()
    docs, seconds, peak = queue.get()
    proc.join()
    fig = Figure(name, docs, seconds, peak)
    print(
        f"  {name:<34} {docs:>6} docs {seconds:>8.2f} s {fig.rate:>9.1f} docs/s  peak {peak:>7.1f} MB",
        flush=True,
    )
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=1000, help="synthetic pairs (default 1000)")
    parser.add_argument("--pdf-pairs", type=int, default=None, help="pairs for the PDF phase (default: --pairs)")
    parser.add_argument("--naive-docx", type=int, default=100, help="documents for the docxtpl baseline")
    parser.add_argument("--naive-pdf", type=int, default=10, help="documents for the soffice-per-document baseline")
    parser.add_argument("--workers", type=int, default=2, help="LibreOffice converters in docgen's pool")
    parser.add_argument("--no-pdf", action="store_true", help="skip both PDF phases")
    parser.add_argument("--pdf-only", action="store_true", help="only docgen's DOCX+PDF phase")
    parser.add_argument("--baseline", default=None, help="source tree of a docgen to compare the PDF phase with")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds with --baseline")
    args = parser.parse_args()
    pdf_pairs = args.pdf_pairs or args.pairs
    if args.baseline:
        _compare(pdf_pairs, args.workers, args.baseline, args.rounds)
        return
    if args.pdf_only:
        measure(f"docgen DOCX+PDF, {pdf_pairs} pairs", _run_docgen, pdf_pairs, True, args.workers)
        return

    print(f"docgen batch benchmark — 党建共建协议书 (~3 pages), {args.pairs} synthetic pairs")
    naive_docx = measure("naive docxtpl loop", _run_naive_docx, args.naive_docx)
    small = measure(f"docgen DOCX, {max(args.pairs // 10, 1)} pairs", _run_docgen, max(args.pairs // 10, 1), False, 1)
    docx = measure(f"docgen DOCX, {args.pairs} pairs", _run_docgen, args.pairs, False, 1)
    print(
        f"DOCX: {docx.rate / naive_docx.rate:.1f}x the naive docxtpl loop "
        f"(target >= 10x); peak memory {small.peak_mb:.0f} MB at {max(args.pairs // 10, 1)} pairs, "
        f"{docx.peak_mb:.0f} MB at {args.pairs} pairs"
    )
    if args.no_pdf:
        return
    naive_pdf = measure("naive soffice per document", _run_naive_pdf, args.naive_pdf)
    pdf = measure(f"docgen DOCX+PDF, {pdf_pairs} pairs", _run_docgen, pdf_pairs, True, args.workers)
    print(
        f"PDF: {pdf.rate / naive_pdf.rate:.1f}x one soffice per document (target >= 10x); "
        f"{pdf.rate:.1f} docs/s; 10,000 pairs would take about {10000 / pdf.rate / 60:.0f} min"
    )


def _compare(pairs: int, workers: int, baseline: str, rounds: int) -> None:
    """The PDF phase of this tree and of ``baseline``, alternating, ``rounds`` times each."""
    import statistics

    print(f"docgen DOCX+PDF, {pairs} pairs: this tree vs {baseline}, {rounds} alternating rounds")
    this: list[float] = []
    base: list[float] = []
    for i in range(rounds):
        base.append(measure(f"baseline, round {i + 1}", _run_docgen, pairs, True, workers, source=baseline).rate)
        this.append(measure(f"this tree, round {i + 1}", _run_docgen, pairs, True, workers).rate)
    ratio = statistics.median(this) / statistics.median(base)
    print(
        f"median: this tree {statistics.median(this):.1f} docs/s, baseline {statistics.median(base):.1f} docs/s "
        f"({ratio - 1:+.1%})"
    )


if __name__ == "__main__":
    sys.exit(main())
