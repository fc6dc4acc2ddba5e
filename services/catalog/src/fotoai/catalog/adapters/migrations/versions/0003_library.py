"""The library: photo flags (favourite, archived, trash), albums, album membership, share
links by token hash, and the timeline's capture-time index.

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('photo_states',
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('owner_id', sa.String(), nullable=False),
    sa.Column('favorite', sa.Boolean(), nullable=False),
    sa.Column('favorite_version', sa.String(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('archived_version', sa.String(), nullable=True),
    sa.Column('trashed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('trashed_by', sa.String(), nullable=True),
    sa.Column('trash_version', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('photo_id')
    )
    op.create_index('photo_states_trash', 'photo_states', ['owner_id', sa.literal_column('trashed_at DESC')], unique=False, postgresql_where=sa.text('trashed_at IS NOT NULL'))
    op.create_table('albums',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('owner_id', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=True),
    sa.Column('title_version', sa.String(), nullable=True),
    sa.Column('cover_photo_id', sa.String(), nullable=True),
    sa.Column('cover_version', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('albums_owner', 'albums', ['owner_id'], unique=False, postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_table('album_photos',
    sa.Column('album_id', sa.String(), nullable=False),
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('member', sa.Boolean(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('album_id', 'photo_id')
    )
    op.create_index('album_photos_photo', 'album_photos', ['photo_id'], unique=False)
    op.create_table('album_links',
    sa.Column('album_id', sa.String(), nullable=False),
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('token_sha256', sa.String(), nullable=True),
    sa.Column('created_version', sa.String(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('album_id', 'id')
    )
    op.create_index('album_links_token', 'album_links', ['token_sha256'], unique=False)
    op.create_index('photos_owner_sort_taken', 'photos', ['owner_id', sa.literal_column('coalesce(taken_at, created_at) DESC'), sa.literal_column('id DESC')], unique=False, postgresql_where=sa.text('deleted_at IS NULL'))


def downgrade() -> None:
    op.drop_index('photos_owner_sort_taken', table_name='photos', postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_table('album_links')
    op.drop_table('album_photos')
    op.drop_table('albums')
    op.drop_table('photo_states')
