"""The docgen service: HTTP API, storage, accounts and the web UI (``docgen serve``)."""
