"""``docgen`` on the command line: a thin translation of the services into arguments and exit codes.

One module per command: ``roster``, ``generate`` (and ``forms``), ``schools``, ``proof``, ``template check``,
``extract``, ``report``, ``serve``, ``worker``.
The commands call the domain (``docgen``), the readers (``extractors``) and the service (``api``); nothing
imports this package back. Run it as ``docgen …`` (the console script) or ``python -m cli …``.
"""

from __future__ import annotations

import typer

from cli import extract, generate, proof, report, roster, schools, serve, template, worker

app = typer.Typer(help="docgen：学校结对帮扶文书生成（花名册 → 协议书 DOCX + PDF）", no_args_is_help=True)
app.command()(roster.roster)
app.command()(generate.generate)
app.command()(generate.forms)
app.command()(proof.proof)
app.add_typer(template.app, name="template")
app.add_typer(schools.app, name="schools")
app.command()(extract.extract)
app.command()(report.report)
app.command()(serve.serve)
app.command()(worker.worker)


def main() -> None:  # pragma: no cover - console entry
    """The ``docgen`` console script."""
    app()


if __name__ == "__main__":  # pragma: no cover - python -m cli.main
    main()
