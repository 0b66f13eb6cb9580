"""``python -m cli …`` is ``docgen …`` (tests and benchmarks start the server this way)."""

from cli.main import main

main()
