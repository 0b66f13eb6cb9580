"""Clerk steps of the issue-11 walk, one module per area (composed into the "Done when" walk by the lead)."""
