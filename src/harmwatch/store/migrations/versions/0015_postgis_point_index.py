"""Reserved revision (filled in by the change that needs it; until then it changes nothing).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""
from __future__ import annotations

from typing import Sequence, Union


revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
