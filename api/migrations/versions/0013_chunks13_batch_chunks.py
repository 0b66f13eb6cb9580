"""batch chunks: a batch job cut into chunks of documents that several workers run

``batch_chunks``: one row per chunk of a batch job run by ``docgen worker`` processes (a range of the plan's
documents, or the job's ZIP at the end), taken and leased like the job itself (``worker``,
``heartbeat_at``), with what its documents came to. ``docgen serve`` without a broker does not use it.

``ix_pairs_program_label``: storing a document looks its pair up by label (``api.services.rosters.issue``),
once per document: without the index that read every pair of the program (10,000 for a province).

Revision ID: chunks13_batch_chunks
Revises: celery13_worker_lease
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "chunks13_batch_chunks"
down_revision = "celery13_worker_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("stop", sa.Integer(), nullable=False),
        sa.Column("plan", sa.String(length=64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("rendered", sa.Integer(), nullable=False),
        sa.Column("converted", sa.Integer(), nullable=False),
        sa.Column("generated", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("proofread", sa.Integer(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["batch_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "seq", name="uq_batch_chunks_job_seq"),
    )
    op.create_index("ix_batch_chunks_job_id", "batch_chunks", ["job_id"], unique=False)
    op.create_index("ix_batch_chunks_status", "batch_chunks", ["status"], unique=False)
    op.create_index("ix_pairs_program_label", "pairs", ["program_id", "label"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pairs_program_label", table_name="pairs")
    op.drop_index("ix_batch_chunks_status", table_name="batch_chunks")
    op.drop_index("ix_batch_chunks_job_id", table_name="batch_chunks")
    op.drop_table("batch_chunks")
