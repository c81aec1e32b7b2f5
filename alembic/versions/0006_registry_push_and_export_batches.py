"""The registry push outbox, the registry's own tables, and immutable export batches.

registry_outbox is written in the approving transaction and drained by the push worker.
registry_person / registry_person_version are the registry (全民参保库) when it shares the
app's database (the default); a separate registry database gets the same two tables from
`canbao registry-init` instead. export_batch, export_batch_item and export_batch_file are
insert-only: triggers refuse UPDATE and DELETE (as on audit_event), and refuse new items for a
batch whose files are recorded, so a batch lists the same people for ever.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 22:51:17.443953
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registry_person_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('member_index', sa.Integer(), nullable=False),
    sa.Column('order_key', sa.BigInteger(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id', 'revision', 'member_index', name='uq_registry_person_version_source')
    )
    with op.batch_alter_table('registry_person_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_person_version_id_number'), ['id_number'], unique=False)

    op.create_table('export_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('township_code', sa.String(length=12), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['county_code'], ['area.code'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['township_code'], ['area.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('county_code', 'number', name='uq_export_batch_number')
    )
    op.create_table('registry_person',
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=False),
    sa.Column('order_key', sa.BigInteger(), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['current_version_id'], ['registry_person_version.id'], ),
    sa.PrimaryKeyConstraint('id_number')
    )
    with op.batch_alter_table('registry_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_person_current_version_id'), ['current_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_person_village_code'), ['village_code'], unique=False)

    op.create_table('export_batch_file',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('file_name', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('byte_size', sa.BigInteger(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['export_batch.id'], ),
    sa.PrimaryKeyConstraint('batch_id', 'format')
    )
    op.create_table('export_batch_item',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('person_version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['export_batch.id'], ),
    sa.PrimaryKeyConstraint('batch_id', 'person_version_id'),
    sa.UniqueConstraint('person_version_id', name='uq_export_batch_item_version')
    )
    op.create_table('registry_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('member_index', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id', 'revision', 'member_index', name='uq_registry_outbox_member')
    )
    with op.batch_alter_table('registry_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_registry_outbox_pending', ['done_at', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_outbox_village_code'), ['village_code'], unique=False)

    _make_batches_immutable()


BATCH_TABLES = ("export_batch", "export_batch_item", "export_batch_file")
SEALED = "EXISTS (SELECT 1 FROM export_batch_file WHERE export_batch_file.batch_id = NEW.batch_id)"


def _make_batches_immutable() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION export_batch_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'export batches are immutable';
            END $$ LANGUAGE plpgsql
        """)
        op.execute(f"""
            CREATE FUNCTION export_batch_item_sealed() RETURNS trigger AS $$
            BEGIN
                IF {SEALED} THEN
                    RAISE EXCEPTION 'export batches are immutable';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql
        """)
        for table in BATCH_TABLES:
            op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION export_batch_immutable()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION export_batch_immutable()")
        op.execute("CREATE TRIGGER export_batch_item_sealed BEFORE INSERT ON export_batch_item "
                   "FOR EACH ROW EXECUTE FUNCTION export_batch_item_sealed()")
    else:
        for table in BATCH_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           "BEGIN SELECT RAISE(ABORT, 'export batches are immutable'); END")
        op.execute(f"CREATE TRIGGER export_batch_item_sealed BEFORE INSERT ON export_batch_item "
                   f"WHEN {SEALED} BEGIN SELECT RAISE(ABORT, 'export batches are immutable'); END")


def _drop_batch_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER export_batch_item_sealed ON export_batch_item")
        for table in BATCH_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
        op.execute("DROP FUNCTION export_batch_item_sealed()")
        op.execute("DROP FUNCTION export_batch_immutable()")
    else:
        op.execute("DROP TRIGGER export_batch_item_sealed")
        for table in BATCH_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")



def downgrade() -> None:
    _drop_batch_triggers()
    with op.batch_alter_table('registry_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_outbox_village_code'))
        batch_op.drop_index('ix_registry_outbox_pending')

    op.drop_table('registry_outbox')
    op.drop_table('export_batch_item')
    op.drop_table('export_batch_file')
    with op.batch_alter_table('registry_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_person_village_code'))
        batch_op.drop_index(batch_op.f('ix_registry_person_current_version_id'))

    op.drop_table('registry_person')
    op.drop_table('export_batch')
    with op.batch_alter_table('registry_person_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_person_version_id_number'))

    op.drop_table('registry_person_version')
