"""Targets are keyed by (village_code, id_number), so that a roster import updates a person in
place and a re-import adds nothing. The unique index replaces the plain village index, whose
look-ups it serves as its leading column.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 23:05:00.000000
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_village_code'))
        batch_op.create_index('ux_target_village_id_number', ['village_code', 'id_number'],
                              unique=True)


def downgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index('ux_target_village_id_number')
        batch_op.create_index(batch_op.f('ix_target_village_code'), ['village_code'], unique=False)
