"""queue (issue 17 part 2): the claim's partial index and what a faster queue needs

The claim (queued, due, by priority, due time, id) read every queued row and sorted them, because
no index matched its order; ix_jobs_queued holds the queued rows only, in that order, so a claim
reads the first due entries. The auditor's index keeps only running rows.

Revision ID: 0040_queue
Revises: 0039_first_receiver
Create Date: 2026-12-06 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0040_queue"
down_revision = "0039_first_receiver"
branch_labels = None
depends_on = None

QUEUED = sa.text("state = 'queued'")
RUNNING = sa.text("state = 'running'")


def upgrade() -> None:
    op.drop_index("ix_jobs_claim", table_name="jobs")
    op.drop_index("ix_jobs_lease", table_name="jobs")
    op.create_index(
        "ix_jobs_queued",
        "jobs",
        [sa.text("priority DESC"), "due_at", "id"],
        postgresql_where=QUEUED,
        sqlite_where=QUEUED,
    )
    op.create_index(
        "ix_jobs_running", "jobs", ["lease_expires_at"], postgresql_where=RUNNING, sqlite_where=RUNNING
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_running", table_name="jobs")
    op.drop_index("ix_jobs_queued", table_name="jobs")
    op.create_index("ix_jobs_lease", "jobs", ["state", "lease_expires_at"])
    op.create_index("ix_jobs_claim", "jobs", ["state", "due_at"])
