"""one-time passwords on the user row: ``users.password_set_by_other``

Whether a user must replace its password (an admin created the account or reset its password) was worked out
from the audit log on every authenticated request. It is now a column, set where passwords are set
(``api.services.accounts``); existing users get it from their last password event in the audit log, by the
rule the query applied: set by someone else unless the user changed it itself (an account made at the command
line, with no one signed in, has nothing to replace).

Revision ID: password_set_by_other
Revises: ui11_template_names
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "password_set_by_other"
down_revision = "ui11_template_names"
branch_labels = None
depends_on = None

_PASSWORD_EVENTS = ("user.create", "user.password_reset", "user.password_change")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_set_by_other", sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    events = sa.table("audit_events", sa.column("id"), sa.column("user_id"), sa.column("action"), sa.column("target"))
    users = sa.table("users", sa.column("id"), sa.column("password_set_by_other"))
    last: dict[int, tuple[int | None, str]] = {}
    rows = bind.execute(
        sa.select(events.c.user_id, events.c.action, events.c.target)
        .where(events.c.action.in_(_PASSWORD_EVENTS), events.c.target.like("user:%"))
        .order_by(events.c.id)
    )
    for by, action, target in rows:
        suffix = str(target)[len("user:") :]
        if suffix.isdigit():
            last[int(suffix)] = (by, action)  # ordered by id: the last event wins
    flagged = [uid for uid, (by, action) in last.items() if action != "user.password_change" and by not in (None, uid)]
    if flagged:
        bind.execute(users.update().where(users.c.id.in_(flagged)).values(password_set_by_other=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_set_by_other")
