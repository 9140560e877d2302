"""who and where: persons of concern, places, links, incidents

``person_of_concern``: an adult suspected of exploitation or violence who is not a client (a
name, a street name or both, an approximate age, a description).
``place``: a place of concern (park, station, address, takeaway, estate...).
``person_link`` (young person to young person), ``concern_link`` (young person to person of
concern) and ``place_link`` (a young person or a person of concern to a place): each with its
type, since/until dates, source and certainty.
``incident`` and its ``incident_party`` rows: what happened, when, where, on whose
information, and who was involved in which role.

New tables only: nothing already stored changes.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_of_concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("street_name", sa.String(length=100), nullable=True),
        sa.Column("approximate_age", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_person_of_concern_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_person_of_concern_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_of_concern")),
    )
    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_place_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_place_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
    )
    op.create_table(
        "concern_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("person_of_concern_id", sa.Integer(), nullable=False),
        sa.Column("link_type", sa.String(length=40), nullable=False),
        sa.Column("since_on", sa.Date(), nullable=True),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("certainty", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_concern_link_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["person_of_concern_id"],
            ["person_of_concern.id"],
            name=op.f("fk_concern_link_person_of_concern_id_person_of_concern"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_concern_link_updated_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_concern_link_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_link")),
    )
    op.create_index(
        op.f("ix_concern_link_person_of_concern_id"),
        "concern_link",
        ["person_of_concern_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_concern_link_young_person_id"), "concern_link", ["young_person_id"], unique=False
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_incident_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_incident_place_id_place")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_incident_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    op.create_index(op.f("ix_incident_occurred_at"), "incident", ["occurred_at"], unique=False)
    op.create_index(op.f("ix_incident_place_id"), "incident", ["place_id"], unique=False)
    op.create_table(
        "person_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("other_person_id", sa.Integer(), nullable=False),
        sa.Column("link_type", sa.String(length=40), nullable=False),
        sa.Column("since_on", sa.Date(), nullable=True),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("certainty", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_person_link_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["other_person_id"],
            ["young_person.id"],
            name=op.f("fk_person_link_other_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_person_link_updated_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_person_link_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_link")),
    )
    op.create_index(
        op.f("ix_person_link_other_person_id"), "person_link", ["other_person_id"], unique=False
    )
    op.create_index(
        op.f("ix_person_link_young_person_id"), "person_link", ["young_person_id"], unique=False
    )
    op.create_table(
        "place_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=True),
        sa.Column("person_of_concern_id", sa.Integer(), nullable=True),
        sa.Column("link_type", sa.String(length=40), nullable=False),
        sa.Column("since_on", sa.Date(), nullable=True),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("certainty", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_place_link_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["person_of_concern_id"],
            ["person_of_concern.id"],
            name=op.f("fk_place_link_person_of_concern_id_person_of_concern"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["place.id"],
            name=op.f("fk_place_link_place_id_place"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_place_link_updated_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_place_link_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_link")),
    )
    op.create_index(
        op.f("ix_place_link_person_of_concern_id"),
        "place_link",
        ["person_of_concern_id"],
        unique=False,
    )
    op.create_index(op.f("ix_place_link_place_id"), "place_link", ["place_id"], unique=False)
    op.create_index(
        op.f("ix_place_link_young_person_id"), "place_link", ["young_person_id"], unique=False
    )
    op.create_table(
        "incident_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=True),
        sa.Column("person_of_concern_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_party_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_of_concern_id"],
            ["person_of_concern.id"],
            name=op.f("fk_incident_party_person_of_concern_id_person_of_concern"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_incident_party_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_party")),
    )
    op.create_index(
        op.f("ix_incident_party_incident_id"), "incident_party", ["incident_id"], unique=False
    )
    op.create_index(
        op.f("ix_incident_party_person_of_concern_id"),
        "incident_party",
        ["person_of_concern_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_incident_party_young_person_id"),
        "incident_party",
        ["young_person_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_party_young_person_id"), table_name="incident_party")
    op.drop_index(op.f("ix_incident_party_person_of_concern_id"), table_name="incident_party")
    op.drop_index(op.f("ix_incident_party_incident_id"), table_name="incident_party")
    op.drop_table("incident_party")
    op.drop_index(op.f("ix_place_link_young_person_id"), table_name="place_link")
    op.drop_index(op.f("ix_place_link_place_id"), table_name="place_link")
    op.drop_index(op.f("ix_place_link_person_of_concern_id"), table_name="place_link")
    op.drop_table("place_link")
    op.drop_index(op.f("ix_person_link_young_person_id"), table_name="person_link")
    op.drop_index(op.f("ix_person_link_other_person_id"), table_name="person_link")
    op.drop_table("person_link")
    op.drop_index(op.f("ix_incident_place_id"), table_name="incident")
    op.drop_index(op.f("ix_incident_occurred_at"), table_name="incident")
    op.drop_table("incident")
    op.drop_index(op.f("ix_concern_link_young_person_id"), table_name="concern_link")
    op.drop_index(op.f("ix_concern_link_person_of_concern_id"), table_name="concern_link")
    op.drop_table("concern_link")
    op.drop_table("place")
    op.drop_table("person_of_concern")
