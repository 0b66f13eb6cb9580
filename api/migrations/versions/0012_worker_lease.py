"""worker leases: which worker holds a queued row, and when it last said it is alive

* ``uploads.worker`` / ``batch_jobs.worker``: the worker that took the row (``docgen worker``'s node name, or
  ``serve@<host>:<pid>`` for the in-process threads) — kept after the row finishes: who read the upload;
* ``uploads.heartbeat_at`` / ``batch_jobs.heartbeat_at``: refreshed while the worker runs it. A row left
  running whose heartbeat is older than ``DOCGEN_TASK_LEASE_SECONDS`` belonged to a worker that died (kill -9,
  a lost machine) and goes back to the queue (``api.services.queue.requeue_stale``).

Revision ID: celery13_worker_lease
Revises: board11_collection
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "celery13_worker_lease"
down_revision = "board11_collection"
branch_labels = None
depends_on = None

TABLES = ("uploads", "batch_jobs")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("worker", sa.String(length=100), nullable=True))
            batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("heartbeat_at")
            batch_op.drop_column("worker")
