"""Column types shared by every feature's models."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DDL, CheckConstraint, DateTime, Index
from sqlalchemy.event import listen
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A point in time stored as naive UTC on every database, read back aware in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def one_of(column: str, values: type[StrEnum], name: str = "status_known") -> CheckConstraint:
    """A CHECK that ``column`` holds one of an enumeration's values (the database keeps the
    rule too, whatever writes the row)."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


# Indexes only PostgreSQL builds, by name: SQLite has no trigram index to make of them.
POSTGRESQL_ONLY: set[str] = set()


def postgresql_only(index: Index) -> Index:
    """An index created on PostgreSQL only (create_all and the migrations agree on it)."""
    POSTGRESQL_ONLY.add(index.name)
    return index.ddl_if(dialect="postgresql")


# Indexes on expressions, by name: made by DDL of their own, on PostgreSQL only
# (postgresql_expression_index). Alembic cannot compare an index on an expression, and
# SQLite cannot even reflect one (a batch migration of its table would drop it).
EXPRESSION_INDEXES: set[str] = set()


def postgresql_expression_index(table, name: str, expressions: str) -> None:
    """An index on ``expressions`` (SQL, as the migration that makes it writes them) of
    ``table``, made after the table by create_all on PostgreSQL, and left out of the
    schema comparison on every database."""
    EXPRESSION_INDEXES.add(name)
    statement = DDL(f"CREATE INDEX {name} ON {table.name} ({expressions})")
    listen(table, "after_create", statement.execute_if(dialect="postgresql"))


def schema_filter(dialect: str):
    """Alembic's ``include_object`` for this database: what the models build elsewhere only
    is no difference between the models and the migrated schema."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "index" and name in EXPRESSION_INDEXES:
            return False
        return not (type_ == "index" and name in POSTGRESQL_ONLY and dialect != "postgresql")

    return include
