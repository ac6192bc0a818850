"""blocklist

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 13:39:57.255392
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('blocklist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=2048), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist')),
    sa.UniqueConstraint('kind', 'value', name=op.f('uq_blocklist_kind_value'))
    )
    


def downgrade() -> None:
    
    op.drop_table('blocklist')
    
