"""The ``docgen`` command: an entry point beside ``api``, over the domain (``docgen``) and the readers.

``cli.main.app`` is the typer application; each command lives in its own module.
"""
