"""``docgen serve``: the HTTP service (``api.app.create_app`` under uvicorn), optionally creating an admin first."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from api.settings import Settings


def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    data: Annotated[
        Path | None, typer.Option("--data", help="数据目录（数据库、文件存储）；默认 DOCGEN_DATA_DIR 或 ./var")
    ] = None,
    create_admin: Annotated[
        str | None, typer.Option("--create-admin", help="先创建这个管理员账号（交互输入密码），再启动服务")
    ] = None,
) -> None:
    """启动 HTTP 服务（API 文档 /docs，网页界面 /）。"""
    # The service's packages load only here: the offline commands never import FastAPI or SQLAlchemy.
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(data_dir=data) if data is not None else Settings()
    os.umask(0o077)  # the database, blobs, secret and scratch files of the service are its own (docs/security.md)
    if create_admin:
        _create_admin(settings, create_admin)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _create_admin(settings: Settings, username: str) -> None:
    """Ask for the password twice, migrate the database and create ``username`` as an admin (kept if it exists)."""
    from api.db import Database, migrate
    from api.services.accounts import ensure_admin
    from api.services.errors import Invalid
    from api.services.passwords import PasswordHasherGate

    password = typer.prompt(f"管理员 {username} 的密码", hide_input=True, confirmation_prompt=True)
    db = Database(settings.resolved_database_url())
    migrate(db.engine)
    try:
        with db.session() as s:
            ensure_admin(s, username, password, hasher=PasswordHasherGate())
    except Invalid as exc:
        typer.echo(f"错误：{exc.message}", err=True)  # the password rule (or the username rule), in Chinese
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    typer.echo(f"管理员 {username} 已就绪")
