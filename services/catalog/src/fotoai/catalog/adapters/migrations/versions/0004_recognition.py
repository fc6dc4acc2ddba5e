"""People, places and text in photos: `photos.place`, `photo_texts`, `recognized_faces`,
`persons`.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('photos', sa.Column('place', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.create_table('photo_texts',
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('owner_id', sa.String(), nullable=False),
    sa.Column('text', sa.String(), nullable=False),
    sa.Column('engine', sa.String(), nullable=False),
    sa.Column('gated', sa.Boolean(), nullable=False),
    sa.Column('version', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('photo_id')
    )
    op.create_table('recognized_faces',
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('owner_id', sa.String(), nullable=False),
    sa.Column('faces', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('person_ids', sa.ARRAY(sa.String()), nullable=False),
    sa.Column('version', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('photo_id')
    )
    op.create_index('recognized_faces_persons', 'recognized_faces', ['person_ids'], unique=False,
                    postgresql_using='gin')
    op.create_table('persons',
    sa.Column('person_id', sa.String(), nullable=False),
    sa.Column('owner_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('merged_into', sa.String(), nullable=True),
    sa.Column('face_count', sa.Integer(), nullable=False),
    sa.Column('cover', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('person_id')
    )
    op.create_index('persons_owner', 'persons', ['owner_id'], unique=False)


def downgrade() -> None:
    op.drop_index('persons_owner', table_name='persons')
    op.drop_table('persons')
    op.drop_index('recognized_faces_persons', table_name='recognized_faces', postgresql_using='gin')
    op.drop_table('recognized_faces')
    op.drop_table('photo_texts')
    op.drop_column('photos', 'place')
