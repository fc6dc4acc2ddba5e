"""Stage failures carry their detail: the timeline keeps what `photo.stage-failed.v1` said
(error type and message, attempts, the failed event) so the API can show why a photo is
`degraded`.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('timeline', sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column('timeline', 'detail')
