"""phone upload links and batch progress

* ``uploads.link``: the identity code of the slot a phone upload link was issued for (``DG1:…``), None for
  an upload by an account; such an upload has no ``uploaded_by``;
* ``batch_jobs.rendered`` / ``batch_jobs.converted``: documents whose .docx / PDF is made so far, so the
  progress moves per document while a window of documents converts.

Revision ID: phone11_links_batches
Revises: doc_proof
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "phone11_links_batches"
down_revision = "doc_proof"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link", sa.String(length=200), nullable=True))
    with op.batch_alter_table("batch_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rendered", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("converted", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("batch_jobs", schema=None) as batch_op:
        batch_op.drop_column("converted")
        batch_op.drop_column("rendered")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_column("link")
