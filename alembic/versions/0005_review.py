"""Township review: the automatic checks' flags (per revision), the members of each current
revision indexed by ID number (to find one person across households), villages marked done,
how each target ended, and the supervisor queue's composite index on submission.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 22:46:07.811259
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('village_progress',
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['village_code'], ['area.code'], ),
    sa.PrimaryKeyConstraint('village_code')
    )
    op.create_table('submission_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=64), nullable=False),
    sa.Column('message_zh', sa.String(length=300), nullable=False),
    sa.Column('message_en', sa.String(length=300), nullable=False),
    sa.Column('related_submission_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['related_submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('submission_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_flag_code'), ['code'], unique=False)
        batch_op.create_index('ix_submission_flag_revision', ['submission_id', 'revision'], unique=False)

    op.create_table('submission_member',
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('member_index', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('pension_scheme', sa.String(length=64), nullable=False),
    sa.Column('medical_scheme', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('submission_id', 'member_index')
    )
    with op.batch_alter_table('submission_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_member_id_number'), ['id_number'], unique=False)

    op.create_table('target_outcome',
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=True),
    sa.Column('member_index', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], ),
    sa.PrimaryKeyConstraint('target_id')
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_queue', ['village_code', 'state', 'received_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_queue')

    op.drop_table('target_outcome')
    with op.batch_alter_table('submission_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_member_id_number'))

    op.drop_table('submission_member')
    with op.batch_alter_table('submission_flag', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_flag_revision')
        batch_op.drop_index(batch_op.f('ix_submission_flag_code'))

    op.drop_table('submission_flag')
    op.drop_table('village_progress')
