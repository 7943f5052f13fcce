"""SQLAlchemy 2 models, the database handle and Alembic migrations.

Models live in ``persistence/models/`` (one module per area); ``models/__init__`` imports them all
so that ``Base.metadata`` is complete for Alembic. Adapters in ``connectors/`` use these models;
the domain never sees them.
"""
