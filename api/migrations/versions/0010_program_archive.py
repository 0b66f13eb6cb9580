"""program set-up in the UI: a program can be archived (hidden from the list by default, read-only)

* ``programs.archived_at``: when an admin archived the program (NULL: active).

Revision ID: setup11_program_archive
Revises: phone11_links_batches
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "setup11_program_archive"  # alembic refuses "-" in a revision id (branch: setup11)
down_revision = "phone11_links_batches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
