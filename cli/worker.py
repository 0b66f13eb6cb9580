"""``docgen worker``: a Celery worker (``DOCGEN_BROKER_URL``) that reads uploads, runs chunks of batches and
converts PDFs for the service, on this machine or another sharing its database and blob store (``api.tasks``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, help="同时处理的任务数；默认本机 CPU 核数")
    ] = os.cpu_count() or 1,
    queues: Annotated[
        str,
        typer.Option(
            "--queues", "-Q",
            help="处理的队列，逗号分隔：docgen.read（识别上传）、docgen.batch（批量生成）、docgen.pdf（转换 PDF）",
        ),
    ] = "docgen.read,docgen.batch,docgen.pdf",
    name: Annotated[
        str | None, typer.Option("--name", "-n", help="本工作进程的名称（默认 worker<pid>@<主机名>）")
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="本机的数据目录（临时文件、缓存）；默认 DOCGEN_DATA_DIR 或 ./var")
    ] = None,
) -> None:
    """启动工作进程：从队列（DOCGEN_BROKER_URL）领取识别和批量生成任务。"""
    from api.settings import Settings
    from api.tasks import QUEUES, run_worker

    settings = Settings(data_dir=data) if data is not None else Settings()
    if not settings.broker_url:
        typer.echo("错误：未设置 DOCGEN_BROKER_URL（例如 redis://127.0.0.1:6379/0）；"
                   "没有队列时 docgen serve 自己处理任务，不需要工作进程", err=True)
        raise typer.Exit(2)
    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = [q for q in chosen if q not in QUEUES]
    if unknown or not chosen:
        what = "、".join(unknown) or "（空）"
        typer.echo(f"错误：--queues 中的 {what} 不是队列；可选：{'、'.join(QUEUES)}", err=True)
        raise typer.Exit(2)
    os.umask(0o077)  # scratch files of uploads are this process's own (docs/security.md)
    run_worker(settings, concurrency=concurrency, queues=chosen, name=name)
