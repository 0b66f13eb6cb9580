"""collection board: excluded uploads and linked copies of one returned form

* ``uploads.excluded_at`` / ``excluded_by`` / ``exclude_reason``: an upload the bureau excluded (kept and
  audited; its record counts in neither the 台账 nor the collection board until the exclusion is undone);
* ``records.duplicate_of``: the record this one is another copy of (the same form returned as a Word file and
  as a scan: ``docgen.collection.same_form``), counted only once.

Revision ID: board11_collection
Revises: setup11_program_archive
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "board11_collection"
down_revision = "setup11_program_archive"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("excluded_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("excluded_by", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("exclude_reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.create_index("ix_records_duplicate_of", ["duplicate_of"], unique=False)
        batch_op.create_foreign_key(
            "fk_records_duplicate_of_records", "records", ["duplicate_of"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_constraint("fk_records_duplicate_of_records", type_="foreignkey")
        batch_op.drop_index("ix_records_duplicate_of")
        batch_op.drop_column("duplicate_of")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_column("exclude_reason")
        batch_op.drop_column("excluded_by")
        batch_op.drop_column("excluded_at")
