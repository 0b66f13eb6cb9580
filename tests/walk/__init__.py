"""A clerk's steps through the web UI, one module per area (``steps_<helper>.py``): plain functions taking a
Playwright ``page``, the base URL and what they need, returning what the next step needs. The end-to-end walks
compose them."""
