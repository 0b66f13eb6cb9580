"""A clerk's steps in the web UI, one module per area (steps_<helper>.py): plain functions over a Playwright page
that the end-to-end walks compose (issue 11, "Done when")."""
