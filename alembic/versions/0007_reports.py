"""Reports: person facts, expansion plans, the county's report rules; target.id_number indexed.

person_fact is filled for the approvals made before this migration from registry_outbox,
which holds every approved member with its approval time, in approval order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 00:20:56.290531
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('member_index', sa.Integer(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('birth_date', sa.String(length=10), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('hukou_type', sa.String(length=32), nullable=False),
    sa.Column('personal_status', sa.String(length=32), nullable=False),
    sa.Column('employment', sa.String(length=32), nullable=False),
    sa.Column('unit_type', sa.String(length=32), nullable=False),
    sa.Column('pension', sa.String(length=16), nullable=False),
    sa.Column('medical', sa.String(length=16), nullable=False),
    sa.Column('work_injury', sa.String(length=16), nullable=False),
    sa.Column('maternity', sa.String(length=16), nullable=False),
    sa.Column('unemployment', sa.String(length=16), nullable=False),
    sa.Column('pension_before', sa.String(length=16), nullable=False),
    sa.Column('medical_before', sa.String(length=16), nullable=False),
    sa.Column('work_injury_before', sa.String(length=16), nullable=False),
    sa.Column('maternity_before', sa.String(length=16), nullable=False),
    sa.Column('unemployment_before', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id', 'revision', 'member_index', name='uq_person_fact_source')
    )
    with op.batch_alter_table('person_fact', schema=None) as batch_op:
        batch_op.create_index('ix_person_fact_person', ['id_number', 'superseded_at'], unique=False)
        batch_op.create_index('ix_person_fact_village', ['village_code', 'approved_at'], unique=False)

    op.create_table('expansion_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('insurance', sa.String(length=16), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_code'], ['area.code'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('area_code', 'year', 'quarter', 'insurance', name='uq_expansion_plan')
    )
    with op.batch_alter_table('expansion_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expansion_plan_area_code'), ['area_code'], unique=False)

    op.create_table('report_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['county_code'], ['area.code'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('county_code', 'version', name='uq_report_rules_version')
    )
    with op.batch_alter_table('report_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_rules_county_code'), ['county_code'], unique=False)

    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_id_number'), ['id_number'], unique=False)
    _backfill_facts()


INSURANCES = ("pension", "medical", "work_injury", "maternity", "unemployment")
ANSWERS = ("sex", "hukou_type", "personal_status", "employment", "unit_type")


def _backfill_facts() -> None:
    """The same facts app/reports/facts.py writes at approval, for the approvals so far."""
    bind = op.get_bind()
    outbox = sa.table("registry_outbox", sa.column("id"), sa.column("submission_id"),
                      sa.column("revision"), sa.column("member_index"), sa.column("id_number"),
                      sa.column("village_code"), sa.column("data", sa.JSON),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    fact = sa.table("person_fact", *(sa.column(name) for name in (
        "id_number", "village_code", "submission_id", "revision", "member_index", "approved_at",
        "superseded_at", "birth_date", *ANSWERS, *INSURANCES,
        *(f"{name}_before" for name in INSURANCES))))
    targets: dict[str, set[str]] = {}
    for id_number, uninsured in bind.execute(sa.text("SELECT id_number, uninsured FROM target")):
        targets.setdefault(id_number, set()).update((uninsured or "").split())
    rows, current = [], {}
    for row in bind.execute(sa.select(outbox).order_by(outbox.c.id)):
        member = row.data["member"]
        previous = current.get(row.id_number)
        if previous is not None:
            previous["superseded_at"] = row.created_at
            before = {name: previous[name] for name in INSURANCES}
        else:
            missing = targets.get(row.id_number, set())
            before = {name: "not_enrolled" if name in missing else "" for name in INSURANCES}
        item = {"id_number": row.id_number, "village_code": row.village_code,
                "submission_id": row.submission_id, "revision": row.revision,
                "member_index": row.member_index, "approved_at": row.created_at,
                "superseded_at": None,
                "birth_date": f"{row.id_number[6:10]}-{row.id_number[10:12]}-{row.id_number[12:14]}",
                **{name: member.get(name) or "" for name in ANSWERS},
                **{name: member.get(f"{name}_status") or "" for name in INSURANCES},
                **{f"{name}_before": before[name] for name in INSURANCES}}
        current[row.id_number] = item
        rows.append(item)
    if rows:
        op.bulk_insert(fact, rows)



def downgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_id_number'))

    with op.batch_alter_table('report_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_rules_county_code'))

    op.drop_table('report_rules')
    with op.batch_alter_table('expansion_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expansion_plan_area_code'))

    op.drop_table('expansion_plan')
    with op.batch_alter_table('person_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_person_fact_village')
        batch_op.drop_index('ix_person_fact_person')

    op.drop_table('person_fact')
