"""Clerk steps for the end-to-end walks: plain functions over a Playwright page, one module per area."""
