"""Initial catalog schema: photos, renditions, tagging runs, tags, faces, embeddings
(pgvector, HNSW indexes per embedding space are created at run time), timeline and
processed-event ids.

Revision ID: 0001
Revises: 
"""

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table('embedding_spaces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.String(), nullable=False),
    sa.Column('dimension', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('embedding_spaces_model_dim', 'embedding_spaces', ['model_id', 'dimension'], unique=True)
    op.create_table('photos',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('owner_id', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('stage_ingest', sa.String(), nullable=False),
    sa.Column('stage_enhance', sa.String(), nullable=False),
    sa.Column('stage_tagging', sa.String(), nullable=False),
    sa.Column('ingest_outcome', sa.String(), nullable=True),
    sa.Column('ingest_version', sa.String(), nullable=True),
    sa.Column('ingest_data_version', sa.String(), nullable=True),
    sa.Column('enhance_outcome', sa.String(), nullable=True),
    sa.Column('enhance_version', sa.String(), nullable=True),
    sa.Column('tagging_outcome', sa.String(), nullable=True),
    sa.Column('tagging_version', sa.String(), nullable=True),
    sa.Column('file_name', sa.String(), nullable=True),
    sa.Column('content_type', sa.String(), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(), nullable=True),
    sa.Column('original_bucket', sa.String(), nullable=True),
    sa.Column('original_key', sa.String(), nullable=True),
    sa.Column('format', sa.String(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('orientation', sa.Integer(), nullable=True),
    sa.Column('decode_path', sa.String(), nullable=True),
    sa.Column('phash', sa.BigInteger(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('camera', sa.String(), nullable=True),
    sa.Column('camera_make', sa.String(), nullable=True),
    sa.Column('camera_model', sa.String(), nullable=True),
    sa.Column('lens', sa.String(), nullable=True),
    sa.Column('exposure_time', sa.Float(), nullable=True),
    sa.Column('f_number', sa.Float(), nullable=True),
    sa.Column('iso', sa.Integer(), nullable=True),
    sa.Column('focal_length', sa.Float(), nullable=True),
    sa.Column('gps_lat', sa.Float(), nullable=True),
    sa.Column('gps_lon', sa.Float(), nullable=True),
    sa.Column('gps_alt', sa.Float(), nullable=True),
    sa.Column('enhancement', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('rejection_reason', sa.String(), nullable=True),
    sa.Column('rejection_message', sa.String(), nullable=True),
    sa.Column('duplicate_of', sa.String(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.String(), nullable=True),
    sa.Column('deleted_version', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('photos_owner_created', 'photos', ['owner_id', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False, postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index('photos_owner_sha', 'photos', ['owner_id', 'sha256'], unique=False, postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index('photos_owner_taken', 'photos', ['owner_id', 'taken_at'], unique=False, postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_table('processed_events',
    sa.Column('event_id', sa.String(), nullable=False),
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('topic', sa.String(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('embeddings',
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.String(), nullable=False),
    sa.Column('embedding', pgvector.sqlalchemy.vector.VECTOR(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['embedding_spaces.id'], ),
    sa.PrimaryKeyConstraint('photo_id', 'space_id')
    )
    op.create_index('embeddings_owner_space', 'embeddings', ['owner_id', 'space_id'], unique=False)
    op.create_table('faces',
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('model_id', sa.String(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('w', sa.Float(), nullable=False),
    sa.Column('h', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('photo_id', 'model_id', 'ordinal')
    )
    op.create_table('renditions',
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('bucket', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('mime', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('photo_id', 'name')
    )
    op.create_table('tagging_runs',
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('model_id', sa.String(), nullable=False),
    sa.Column('model_version', sa.String(), nullable=False),
    sa.Column('event_id', sa.String(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('device', sa.String(), nullable=False),
    sa.Column('duration_ms', sa.Float(), nullable=False),
    sa.Column('quality', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('colors', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('photo_id', 'model_id')
    )
    op.create_table('tags',
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('model_id', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('owner_id', sa.String(), nullable=False),
    sa.Column('model_version', sa.String(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('photo_id', 'model_id', 'label', 'source')
    )
    op.create_index('tags_owner_label', 'tags', ['owner_id', sa.literal_column('lower(label)'), 'photo_id'], unique=False)
    op.create_table('timeline',
    sa.Column('event_id', sa.String(), nullable=False),
    sa.Column('photo_id', sa.String(), nullable=False),
    sa.Column('stage', sa.String(), nullable=False),
    sa.Column('event', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_index('timeline_photo_at', 'timeline', ['photo_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('timeline_photo_at', table_name='timeline')
    op.drop_table('timeline')
    op.drop_index('tags_owner_label', table_name='tags')
    op.drop_table('tags')
    op.drop_table('tagging_runs')
    op.drop_table('renditions')
    op.drop_table('faces')
    op.drop_index('embeddings_owner_space', table_name='embeddings')
    op.drop_table('embeddings')
    op.drop_table('processed_events')
    op.drop_index('photos_owner_taken', table_name='photos', postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_index('photos_owner_sha', table_name='photos', postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_index('photos_owner_created', table_name='photos', postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_table('photos')
    op.drop_index('embedding_spaces_model_dim', table_name='embedding_spaces')
    op.drop_table('embedding_spaces')
