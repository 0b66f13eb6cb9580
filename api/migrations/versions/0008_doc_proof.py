"""document proofreading: each stored document's proof summary, and the batch's

* ``documents.proof``: :meth:`docgen.proof.ProofReport.summary` of the document (``无``, ``草稿``, or the
  findings by kind; empty for documents stored before proofreading existed);
* ``batch_jobs.proof``: the batch's one-line proofreading summary (``校对 71 份：71 份无问题……``).

Revision ID: doc_proof
Revises: roster_identity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "doc_proof"  # alembic refuses "-" in a revision id (branch: docs-fidelity)
down_revision = "roster_previews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proof", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("batch_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proof", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batch_jobs", schema=None) as batch_op:
        batch_op.drop_column("proof")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("proof")
