"""Submissions and their revisions, targets, and the change sequence that pull cursors use.

Published form versions get a place in the change sequence too (form_version.seq): the ones
already published are numbered here in publishing order, so that phones pull them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:12:48.442812
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('uninsured', sa.String(length=100), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['village_code'], ['area.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_seq'), ['seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_village_code'), ['village_code'], unique=False)

    op.create_table('submission',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.String(length=32), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('field_comments', sa.JSON(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('visit_outcome', sa.String(length=32), nullable=False),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devicetoken.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['village_code'], ['area.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_seq'), ['seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_village_code'), ['village_code'], unique=False)

    op.create_table('submission_revision',
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.String(length=32), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devicetoken.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('submission_id', 'revision')
    )
    # recreate="never": rebuilding the table on SQLite would drop its immutability triggers.
    with op.batch_alter_table('form_version', schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_form_version_seq'), ['seq'], unique=False)

    _number_published_versions()


def _number_published_versions() -> None:
    """Give every published version a number, 1..n in publishing order, and start the counter
    after them. Published rows are frozen by triggers (0002), lifted for this one update."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER TABLE form_version DISABLE TRIGGER form_version_frozen")
    else:
        op.execute("DROP TRIGGER form_version_frozen_update")
    op.execute("""
        UPDATE form_version SET seq = (
            SELECT count(*) FROM form_version AS earlier
            WHERE earlier.status = 'published'
              AND (earlier.published_at < form_version.published_at
                   OR (earlier.published_at = form_version.published_at AND earlier.id <= form_version.id)))
        WHERE status = 'published'
    """)
    if postgresql:
        op.execute("ALTER TABLE form_version ENABLE TRIGGER form_version_frozen")
    else:
        op.execute("CREATE TRIGGER form_version_frozen_update BEFORE UPDATE ON form_version "
                   "WHEN OLD.status = 'published' "
                   "BEGIN SELECT RAISE(ABORT, 'published form versions are immutable'); END")
    op.execute("INSERT INTO change_counter (id, value) "
               "SELECT 1, count(*) FROM form_version WHERE status = 'published'")


def downgrade() -> None:
    with op.batch_alter_table('form_version', schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_version_seq'))
        batch_op.drop_column('seq')

    op.drop_table('submission_revision')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_village_code'))
        batch_op.drop_index(batch_op.f('ix_submission_state'))
        batch_op.drop_index(batch_op.f('ix_submission_seq'))
        batch_op.drop_index(batch_op.f('ix_submission_owner_id'))

    op.drop_table('submission')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_village_code'))
        batch_op.drop_index(batch_op.f('ix_target_seq'))

    op.drop_table('target')
    op.drop_table('change_counter')
