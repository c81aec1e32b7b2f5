"""Form versions: uploaded drafts and immutable published versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:43:21.264736
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['county_code'], ['area.code'], ),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('county_code', 'form_id', 'version', name='uq_form_version')
    )
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_version_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_version_form_id'), ['form_id'], unique=False)

    _freeze_published_versions()


def _freeze_published_versions() -> None:
    """Drafts are ordinary rows; once published, the database refuses to change or delete one,
    because submissions captured offline are validated against it months later."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION form_version_frozen() RETURNS trigger AS $$
            BEGIN
                IF OLD.status = 'published' THEN
                    RAISE EXCEPTION 'published form versions are immutable';
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql
        """)
        op.execute("CREATE TRIGGER form_version_frozen BEFORE UPDATE OR DELETE ON form_version "
                   "FOR EACH ROW EXECUTE FUNCTION form_version_frozen()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER form_version_frozen_{verb.lower()} BEFORE {verb} ON form_version "
                       "WHEN OLD.status = 'published' "
                       "BEGIN SELECT RAISE(ABORT, 'published form versions are immutable'); END")



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER form_version_frozen ON form_version")
        op.execute("DROP FUNCTION form_version_frozen()")
    else:
        op.execute("DROP TRIGGER form_version_frozen_update")
        op.execute("DROP TRIGGER form_version_frozen_delete")
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_version_form_id'))
        batch_op.drop_index(batch_op.f('ix_form_version_county_code'))

    op.drop_table('form_version')
