"""Clerk steps through the web UI as plain functions (a Playwright page, the base URL, what the step needs →
what the next step needs), composed by the end-to-end walks."""
