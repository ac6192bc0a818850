"""Storage: SQLAlchemy models, verb-named repository functions and Alembic migrations.

The only package in mediamon that speaks SQL. Readers get dataclasses or rows back; writers
call upserts on natural keys.
"""
