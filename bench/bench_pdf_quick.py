"""Quick PDF conversion speed check: naive `soffice --convert-to pdf` per document vs ConverterPool.

    .venv/bin/python bench/bench_pdf_quick.py [--docs 30] [--workers 2] [--chunks 1,10,20,40] [--naive 6]

Documents: copies of a ≈3-page agreement (仿宋_GB2312 body, 方正小标宋简体 title, zh-CN) made with
python-docx, each with its own text so a split mix-up would show.
Prints docs/s; neither soffice's first start nor the pool's is timed; the pool's figure is its best pass.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: testkit sits at the repository root
    sys.path.insert(0, str(ROOT))

from docgen.render.cjk import cjk_run  # noqa: E402
from docgen.render.pdf import FONTS_CONF, ConverterPool, find_soffice  # noqa: E402

CLAUSE = (
    "{school}与成都市实验小学结成帮扶对子，双方本着平等互利、共同发展的原则，在教育教学管理、教师专业发展、"
    "课程建设与学生交流等方面开展深入合作，定期组织互访与联合教研活动，共享优质教育资源。"
)


def agreement(i: int, clauses: int = 14) -> bytes:
    """Agreement ``i`` as .docx bytes: a title, a heading and ``clauses`` body paragraphs (≈ 3 pages)."""
    d = Document()
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cjk_run(p, f"学校结对帮扶协议书（第{i}号）", "方正小标宋简体", size=22)
    cjk_run(d.add_paragraph(), "一、帮扶内容", "黑体", size=16)
    for k in range(clauses):
        cjk_run(d.add_paragraph(), f"第{k + 1}条 " + CLAUSE.format(school="彭州市濛阳小学"), "仿宋_GB2312", size=16)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def naive(docs: list[bytes]) -> float:
    """Docs/s of one ``soffice --convert-to pdf`` process per document (profile created by an untimed run)."""
    soffice = find_soffice()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF))
        profile = (root / "profile").as_uri()

        def convert(name: str, data: bytes) -> None:
            src = root / name
            src.write_bytes(data)
            subprocess.run(
                [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                 "--outdir", str(root), str(src)],
                env=env, capture_output=True, check=True,
            )

        convert("warm.docx", docs[0])
        t0 = time.perf_counter()
        for i, data in enumerate(docs):
            convert(f"d{i}.docx", data)
        return len(docs) / (time.perf_counter() - t0)


def pool_rate(docs: list[bytes], workers: int, chunk: int, rounds: int) -> tuple[float, int, int]:
    """Best docs/s of the pool over ``rounds`` passes, and the failed documents and pages of the last pass."""
    items = [(f"d{i}", d) for i, d in enumerate(docs)]
    with ConverterPool(workers=workers, chunk_size=chunk) as pool:
        pool.start()
        pool.convert_many(items[:workers])  # warm the loaders
        best = 0.0
        results = []
        for _ in range(max(1, rounds)):
            t0 = time.perf_counter()
            results = pool.convert_many(items)
            best = max(best, len(items) / (time.perf_counter() - t0))
    return best, sum(not r.ok for r in results), sum(r.pages for r in results)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=30)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--chunks", default="1,5,15")
    ap.add_argument("--naive", type=int, default=6, help="documents for the naive run (0 to skip)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    docs = [agreement(i) for i in range(args.docs)]
    if args.naive:
        print(f"naive soffice --convert-to per doc: {naive(docs[: args.naive]):.2f} docs/s")
    for chunk in (int(c) for c in args.chunks.split(",")):
        rate, failed, pages = pool_rate(docs, args.workers, chunk, args.rounds)
        status = f"{failed} FAILED" if failed else f"{pages} pages"
        print(f"pool workers={args.workers} chunk={chunk}: {rate:.2f} docs/s, best of {max(1, args.rounds)} "
              f"({args.docs} docs, {status})")


if __name__ == "__main__":
    main()
