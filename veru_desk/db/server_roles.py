"""The shared server enforcing the rules itself: login roles, group roles, grants and
row-level security, so a colleague with a SQL client and their own password can do no more
than the app lets them.

What ``veru-desk server setup`` builds, as the database owner (who keeps every table, trigger
and function; no PC holds the owner's password):

- three group roles, ``veru_caseworker``, ``veru_manager`` and ``veru_admin``, holding the
  table privileges; each VERU Desk user signs in as their own login role ``veru_u_<username>``
  (SCRAM-SHA-256, the password they type in VERU Desk), a member of the groups of their roles.
- the schema ``veru_server`` with the functions the policies use. Who is signed in is
  ``session_user`` mapped to a VERU user id through the user table
  (``veru_server.veru_current_user_id()``): nothing the client sets (no ``current_setting``)
  decides what a connection may see. A disabled user maps to no one and sees nothing, even in
  a session opened before they were disabled.
- row-level security on every case table with the services' rule (``services.access``): a
  caseworker reads and writes the cases allocated to them now, and those they entered while
  unallocated with their current referral (entered by them) awaiting triage; they read the
  referrals they entered while those await triage; a manager reads all; an administrator
  reads no case rows. Someone else's case is found only through ``veru_server.on_record``,
  an exact match that tells its case reference and worker and nothing more.
- the audit trail INSERT-only for every app role: a user may add events in their own name
  only, read their own (managers and administrators read all), and never update, delete or
  truncate them. A manager may only *redact* events about a young person being erased or
  anonymised (``db.guards``' trigger allows nothing else). ALTER TABLE needs ownership, so
  ``DISABLE TRIGGER`` is refused.

Creating login roles needs CREATEROLE, held by the owner only. Administrators reach it through
SECURITY DEFINER functions owned by the owner that create, alter and end only ``veru_u_``
roles, derived from a row of the user table, and grant only the three groups: an
administrator's own login cannot create, rename or grant any other role (least privilege).
Passwords reach the server as SCRAM verifiers computed on the PC (libpq's
``PQencryptPasswordConn``), never in clear, so they are not in the server's statement log.

Roles are per server, not per database: one VERU Desk database per PostgreSQL server (setup
refuses groups that already have access to another database).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from veru_desk.domain.enums import Role
from veru_desk.domain.errors import ConflictError, StorageError

ROLE_PREFIX = "veru_u_"
SCHEMA = "veru_server"
GROUPS: dict[Role, str] = {
    Role.CASEWORKER: "veru_caseworker",
    Role.MANAGER: "veru_manager",
    Role.ADMIN: "veru_admin",
}
_MAX_IDENTIFIER_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1: longer names are cut silently

# Every table the schema has, and how the server guards it. A new table must be added here
# (tests/db/test_server_roles.py fails until it is): an unlisted table gets no grants at all.
# Case tables: each row belongs to a young person's case through this column.
PERSON_TABLES: dict[str, str] = {
    "young_person": "id",
    "name_token": "young_person_id",
    "contact": "young_person_id",
    "referral": "young_person_id",
    "risk_assessment": "young_person_id",
    "intervention_plan": "young_person_id",
    "session_series": "young_person_id",
    "mentoring_session": "young_person_id",
    "outcome": "young_person_id",
    "case_note": "young_person_id",
    "document_export": "young_person_id",
    "sharing_decision": "young_person_id",
    "case_analysis": "young_person_id",
    "safeguarding_flag": "young_person_id",
    "person_merge": "kept_id",  # a merge belongs to the record kept (managers merge)
    "panel_item": "young_person_id",  # a case discussed at a panel (#19)
    "panel_action": "young_person_id",  # an action a panel agreed for that case
    "attachment": "young_person_id",  # a file kept on a case (#19)
    "concern_link": "young_person_id",  # a young person linked to a person of concern (#18)
}
# Case tables that hang off another case table: (its column, the parent table).
CHILD_TABLES: dict[str, tuple[str, str]] = {
    "referral_reason": ("referral_id", "referral"),
    "referral_transition": ("referral_id", "referral"),
    "plan_goal": ("plan_id", "intervention_plan"),
    "plan_action": ("goal_id", "plan_goal"),
    "series_exception": ("series_id", "session_series"),
    "outcome_value": ("outcome_id", "outcome"),
    "person_merge_row": ("merge_id", "person_merge"),
}
# Shared lists every app role reads; who may change them (the services' rules).
SHARED_TABLES: dict[str, tuple[str, ...]] = {
    "agency": ("veru_caseworker", "veru_manager", "veru_admin"),  # a referral adds a new one
    "professional": ("veru_caseworker", "veru_manager"),  # the directory: case roles edit it
    "outcome_measure": ("veru_manager", "veru_admin"),
    "setting": ("veru_manager", "veru_admin"),  # retention (manager), the rest (admin)
    "case_ref_counter": ("veru_caseworker", "veru_manager"),  # case numbers for new referrals
    "audit_chain_head": ("veru_caseworker", "veru_manager", "veru_admin"),  # every audit row
    "panel_meeting": ("veru_caseworker", "veru_manager"),  # the meeting; its cases are case rows
    "panel_attendee": ("veru_caseworker", "veru_manager"),  # who came: names as typed
    # A group and its meetings name no young person: who comes is in their own session rows.
    "group_series": ("veru_caseworker", "veru_manager"),
    "group_session": ("veru_caseworker", "veru_manager"),
    "alembic_version": (),
}
# Who and where (#18): rows that belong to no single case, each with its own rule (a USING and
# WITH CHECK expression). A link between two young people is seen from either end; a place
# link by its young person or its person of concern; persons of concern, places and incidents
# by those whose cases touch them, their creator and managers (``services.network``); an
# incident's parties through the incident.
NETWORK_TABLES: dict[str, str] = {
    "person_link": (
        "(veru_server.sees_person(young_person_id) OR veru_server.sees_person(other_person_id))"
    ),
    "place_link": (
        "((young_person_id IS NOT NULL AND veru_server.sees_person(young_person_id)) OR "
        "(person_of_concern_id IS NOT NULL AND veru_server.sees_concern(person_of_concern_id)))"
    ),
    "person_of_concern": "(veru_server.made_by_me(created_by_id) OR veru_server.sees_concern(id))",
    "place": "(veru_server.made_by_me(created_by_id) OR veru_server.sees_place(id))",
    "incident": "(veru_server.made_by_me(created_by_id) OR veru_server.sees_incident(id))",
    "incident_party": "(EXISTS (SELECT 1 FROM public.incident i WHERE i.id = incident_id))",
    # Tasks (#19): one's own (assigned or set), and those on one's cases; a colleague's task
    # on a case one may not open is seen by its assignee alone (``services.tasks``).
    "task": (
        "(assignee_id = (SELECT veru_server.veru_current_user_id()) OR "
        "veru_server.made_by_me(created_by_id) OR "
        "(young_person_id IS NOT NULL AND veru_server.sees_person(young_person_id)))"
    ),
}
# Persons of concern and places are the unit's intelligence: ended or made inactive, never
# deleted by a caseworker.
_NETWORK_MANAGER_DELETES = ("person_of_concern", "place")
ACCOUNT_TABLES = ("user", "user_role")
_MANAGER_DELETES = ("young_person", "referral", "referral_transition")
AUDIT_TABLE = "audit_event"


def all_classified_tables() -> set[str]:
    return {
        *PERSON_TABLES,
        *CHILD_TABLES,
        *SHARED_TABLES,
        *NETWORK_TABLES,
        *ACCOUNT_TABLES,
        AUDIT_TABLE,
    }


def role_name(username: str) -> str:
    """The login role of a VERU Desk username. Usernames are letters, digits, ``._-`` (up to
    64 characters, accents allowed), so a long or accented one could pass PostgreSQL's 63
    bytes and be cut, making two users share a role: those get a hash of the username
    instead. ``veru_server.role_name`` computes the same in SQL."""
    name = ROLE_PREFIX + username
    if len(name.encode()) <= _MAX_IDENTIFIER_BYTES:
        return name
    return ROLE_PREFIX + hashlib.sha256(username.encode()).hexdigest()[:32]


def scram_verifier(driver_connection: Any, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of a password, computed here (libpq), so the password itself
    never travels to the server or into its logs."""
    verifier = driver_connection.pgconn.encrypt_password(
        password.encode(), role.encode(), b"scram-sha-256"
    )
    return bytes(verifier).decode("ascii")


# --- the functions the policies and the account management use ------------------------------

_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION veru_server.role_name(username text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN octet_length('veru_u_' || username) <= 63 THEN 'veru_u_' || username
    ELSE 'veru_u_' || left(encode(sha256(convert_to(username, 'UTF8')), 'hex'), 32) END
$$;

CREATE OR REPLACE FUNCTION veru_server.veru_current_user_id() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT u.id FROM public."user" u
  WHERE veru_server.role_name(u.username) = session_user AND u.active
$$;

-- A role counts when the user table gives it AND the login is in its group: an administrator
-- who edited user_role by hand gains nothing until the server's membership agrees.
CREATE OR REPLACE FUNCTION veru_server.has_role(wanted text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.user_role r
    WHERE r.user_id = veru_server.veru_current_user_id() AND r.role = wanted
  ) AND pg_has_role(session_user, 'veru_' || wanted, 'MEMBER')
$$;

-- services.access.own_cases, on the server, for a row of young_person given by its columns
-- (the young_person policy passes its own, the other tables look the row up): allocated to
-- me now; or, unallocated, entered by me with its current referral entered by me and still
-- awaiting triage. One addition the services do not need: a record I entered that has no
-- referral yet, as intake writes the person before its referral (and INSERT ... RETURNING is
-- checked against the row as written); it holds only what I typed.
-- Asks only about the signed-in user, so calling it by hand tells nothing about anyone else.
CREATE OR REPLACE FUNCTION veru_server.owns_case(worker integer, creator integer,
                                                 current_referral integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH me AS (SELECT veru_server.veru_current_user_id() AS id)
  SELECT me.id IS NOT NULL AND (worker = me.id OR (worker IS NULL AND creator = me.id AND (
    current_referral IS NULL OR EXISTS (
      SELECT 1 FROM public.referral r WHERE r.id = current_referral
      AND r.created_by_id = me.id AND r.status IN ('received', 'screening')))))
  FROM me
$$;

-- services.access.can_see_case, on the server.
CREATE OR REPLACE FUNCTION veru_server.sees_person(person_id integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT veru_server.has_role('manager') OR (
    veru_server.has_role('caseworker') AND EXISTS (
      SELECT 1 FROM public.young_person p WHERE p.id = person_id
      AND veru_server.owns_case(p.current_worker_id, p.created_by_id, p.current_referral_id)))
$$;

-- The exact-match look-up (services.people): someone else's case, which the policies hide,
-- named exactly by its case reference, its NHS number, or its date of birth with one of the
-- folded "last first" names the caller worked out from what was typed. Tells the case
-- reference and the allocated worker and nothing more; the service audits each one shown.
CREATE OR REPLACE FUNCTION veru_server.on_record(wanted_ref text, wanted_nhs text, born date,
                                                 sort_names text[])
RETURNS TABLE (person_id integer, case_ref text, worker text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT p.id, p.case_ref::text, u.display_name::text
  FROM public.young_person p LEFT JOIN public."user" u ON u.id = p.current_worker_id
  WHERE (veru_server.has_role('caseworker') OR veru_server.has_role('manager'))
    AND ((wanted_ref ~ '^VERU-[0-9]{4}-[0-9]{5,9}$' AND p.case_ref = wanted_ref)
      OR (wanted_nhs ~ '^[0-9]{10}$' AND p.nhs_number = wanted_nhs)
      OR (born IS NOT NULL AND p.date_of_birth = born AND p.sort_name = ANY (sort_names)))
  ORDER BY p.case_ref_sort
  LIMIT 20
$$;

-- A group's register (services.groups, #19): young people from several caseloads, taken by
-- one facilitator. The policies hide the places of others' young people, so this tells who
-- else is on it as the case reference and the worker to ask, with what was recorded: no
-- name, no note. Caseworkers and managers only.
CREATE OR REPLACE FUNCTION veru_server.group_register(wanted_group integer)
RETURNS TABLE (session_id integer, person_id integer, case_ref text, worker text,
               attendance text, version integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT m.id, p.id, p.case_ref::text, u.display_name::text, m.attendance::text, m.version
  FROM public.mentoring_session m
  JOIN public.young_person p ON p.id = m.young_person_id
  LEFT JOIN public."user" u ON u.id = p.current_worker_id
  WHERE m.group_session_id = wanted_group
    AND (veru_server.has_role('caseworker') OR veru_server.has_role('manager'))
  ORDER BY m.id
$$;

-- Who and where (#18). Each asks only about the signed-in user. A person of concern: linked
-- to one of my cases, or a party to an incident with one of my cases, or entered by me.
CREATE OR REPLACE FUNCTION veru_server.made_by_me(creator integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT veru_server.has_role('caseworker') AND creator = veru_server.veru_current_user_id()
$$;

CREATE OR REPLACE FUNCTION veru_server.sees_concern(concern integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT veru_server.has_role('manager') OR (veru_server.has_role('caseworker') AND (
    EXISTS (SELECT 1 FROM public.person_of_concern c WHERE c.id = concern
            AND c.created_by_id = veru_server.veru_current_user_id())
    OR EXISTS (SELECT 1 FROM public.concern_link l WHERE l.person_of_concern_id = concern
               AND veru_server.sees_person(l.young_person_id))
    OR EXISTS (SELECT 1 FROM public.incident_party c
               JOIN public.incident_party y ON y.incident_id = c.incident_id
               WHERE c.person_of_concern_id = concern AND y.young_person_id IS NOT NULL
               AND veru_server.sees_person(y.young_person_id))))
$$;

-- A place: linked to one of my cases or to a person of concern I see, where an incident of one
-- of my cases happened, or entered by me.
CREATE OR REPLACE FUNCTION veru_server.sees_place(place integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT veru_server.has_role('manager') OR (veru_server.has_role('caseworker') AND (
    EXISTS (SELECT 1 FROM public.place p WHERE p.id = place
            AND p.created_by_id = veru_server.veru_current_user_id())
    OR EXISTS (SELECT 1 FROM public.place_link l WHERE l.place_id = place
               AND ((l.young_person_id IS NOT NULL AND veru_server.sees_person(l.young_person_id))
                 OR (l.person_of_concern_id IS NOT NULL
                     AND veru_server.sees_concern(l.person_of_concern_id))))
    OR EXISTS (SELECT 1 FROM public.incident i
               JOIN public.incident_party y ON y.incident_id = i.id
               WHERE i.place_id = place AND y.young_person_id IS NOT NULL
               AND veru_server.sees_person(y.young_person_id))))
$$;

-- An incident: one of my cases is a party to it, or I entered it.
CREATE OR REPLACE FUNCTION veru_server.sees_incident(incident integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT veru_server.has_role('manager') OR (veru_server.has_role('caseworker') AND (
    EXISTS (SELECT 1 FROM public.incident i WHERE i.id = incident
            AND i.created_by_id = veru_server.veru_current_user_id())
    OR EXISTS (SELECT 1 FROM public.incident_party y WHERE y.incident_id = incident
               AND y.young_person_id IS NOT NULL AND veru_server.sees_person(y.young_person_id))))
$$;

-- Young people linked to what I may see (a young person, a person of concern, a place, an
-- incident of mine), which the policies hide when their case is someone else's: the case
-- reference and the allocated worker, nothing more (services.network shows them so).
CREATE OR REPLACE FUNCTION veru_server.linked_cases(ids integer[])
RETURNS TABLE (person_id integer, case_ref text, worker text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT p.id, p.case_ref::text, u.display_name::text
  FROM public.young_person p LEFT JOIN public."user" u ON u.id = p.current_worker_id
  WHERE p.id = ANY (ids)
    AND (veru_server.has_role('caseworker') OR veru_server.has_role('manager'))
    AND (EXISTS (SELECT 1 FROM public.person_link l
                 WHERE (l.young_person_id = p.id AND veru_server.sees_person(l.other_person_id))
                    OR (l.other_person_id = p.id AND veru_server.sees_person(l.young_person_id)))
      OR EXISTS (SELECT 1 FROM public.concern_link l WHERE l.young_person_id = p.id
                 AND veru_server.sees_concern(l.person_of_concern_id))
      OR EXISTS (SELECT 1 FROM public.place_link l WHERE l.young_person_id = p.id
                 AND veru_server.sees_place(l.place_id))
      OR EXISTS (SELECT 1 FROM public.incident_party a
                 JOIN public.incident_party b ON b.incident_id = a.incident_id
                 WHERE a.young_person_id = p.id AND b.young_person_id IS NOT NULL
                 AND veru_server.sees_person(b.young_person_id)))
$$;

-- How many young people are linked now to each person of concern or place I may see (the
-- reach of a person of concern, not who the others are).
CREATE OR REPLACE FUNCTION veru_server.linked_counts(kind text, ids integer[])
RETURNS TABLE (record_id integer, young_people bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT l.person_of_concern_id, count(DISTINCT l.young_person_id)
  FROM public.concern_link l
  WHERE kind = 'concern' AND l.person_of_concern_id = ANY (ids)
    AND (l.until_on IS NULL OR l.until_on > current_date)
    AND veru_server.sees_concern(l.person_of_concern_id)
  GROUP BY l.person_of_concern_id
  UNION ALL
  SELECT l.place_id, count(DISTINCT l.young_person_id)
  FROM public.place_link l
  WHERE kind = 'place' AND l.place_id = ANY (ids) AND l.young_person_id IS NOT NULL
    AND (l.until_on IS NULL OR l.until_on > current_date)
    AND veru_server.sees_place(l.place_id)
  GROUP BY l.place_id
$$;

-- The young people's links to a person of concern or a place I may see (young person, type,
-- dates): whose they are is told through linked_cases, by reference and worker only.
CREATE OR REPLACE FUNCTION veru_server.links_to(kind text, record integer)
RETURNS TABLE (person_id integer, link_type text, since_on date, until_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT l.young_person_id, l.link_type::text, l.since_on, l.until_on
  FROM public.concern_link l
  WHERE kind = 'concern' AND l.person_of_concern_id = record
    AND veru_server.sees_concern(record)
  UNION ALL
  SELECT l.young_person_id, l.link_type::text, l.since_on, l.until_on
  FROM public.place_link l
  WHERE kind = 'place' AND l.place_id = record AND l.young_person_id IS NOT NULL
    AND veru_server.sees_place(record)
$$;

CREATE OR REPLACE FUNCTION veru_server.require_admin() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT veru_server.has_role('admin') THEN
    RAISE EXCEPTION 'only a VERU Desk administrator can manage server logins'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION veru_server.login_of(account integer) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT veru_server.role_name(u.username) FROM public."user" u WHERE u.id = account
$$;

-- Makes the server's login of a user agree with the user table: it exists, logs in only
-- while the account is active, is in exactly the groups of its roles; a disabled user's open
-- sessions are ended. Creates and alters only veru_u_ roles, grants only the three groups.
CREATE OR REPLACE FUNCTION veru_server.sync_login(account integer, verifier text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  login text := veru_server.login_of(account);
  mark text := format('VERU Desk user %s of database %s', account, current_database());
  is_active boolean;
  grp text;
  wanted boolean;
BEGIN
  IF login IS NULL THEN
    RAISE EXCEPTION 'no VERU Desk user with id %', account;
  END IF;
  IF verifier IS NOT NULL AND verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
    RAISE EXCEPTION 'a password must reach the server as a SCRAM verifier';
  END IF;
  SELECT u.active INTO is_active FROM public."user" u WHERE u.id = account;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', login);
    EXECUTE format('COMMENT ON ROLE %I IS %L', login, mark);
  ELSIF NOT EXISTS (SELECT 1 FROM pg_shdescription d WHERE d.objoid = login::regrole
                    AND d.classoid = 'pg_authid'::regclass AND d.description = mark) THEN
    RAISE EXCEPTION 'the server login % already exists and is not this database''s user %: '
      'ask IT to remove it (one VERU Desk database per server)', login, account
      USING ERRCODE = 'duplicate_object';
  END IF;
  EXECUTE format('ALTER ROLE %I %s', login, CASE WHEN is_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
  IF verifier IS NOT NULL THEN
    EXECUTE format('ALTER ROLE %I PASSWORD %L', login, verifier);
  END IF;
  FOREACH grp IN ARRAY ARRAY['caseworker', 'manager', 'admin'] LOOP
    wanted := is_active AND EXISTS (
      SELECT 1 FROM public.user_role r WHERE r.user_id = account AND r.role = grp);
    IF wanted THEN
      EXECUTE format('GRANT %I TO %I', 'veru_' || grp, login);
    ELSIF pg_has_role(login, 'veru_' || grp, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', 'veru_' || grp, login);
    END IF;
  END LOOP;
  IF NOT is_active THEN
    BEGIN
      PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a
        WHERE a.usename = login AND a.pid <> pg_backend_pid();
    EXCEPTION WHEN insufficient_privilege THEN
      -- Without pg_signal_backend the sessions stay open, but see and change nothing: the
      -- policies map a disabled user to no one.
      NULL;
    END;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION veru_server.manage_login(account integer, verifier text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM veru_server.require_admin();
  PERFORM veru_server.sync_login(account, verifier);
END $$;
"""

# Who may call what. Everything else in the schema is the owner's alone.
_FUNCTION_GRANTS = {
    "veru_server.veru_current_user_id()": ("veru_caseworker", "veru_manager", "veru_admin"),
    "veru_server.has_role(text)": ("veru_caseworker", "veru_manager", "veru_admin"),
    "veru_server.sees_person(integer)": ("veru_caseworker", "veru_manager", "veru_admin"),
    "veru_server.role_name(text)": ("veru_caseworker", "veru_manager", "veru_admin"),
    "veru_server.owns_case(integer, integer, integer)": (
        "veru_caseworker",
        "veru_manager",
        "veru_admin",
    ),
    "veru_server.on_record(text, text, date, text[])": ("veru_caseworker", "veru_manager"),
    "veru_server.group_register(integer)": ("veru_caseworker", "veru_manager"),
    "veru_server.made_by_me(integer)": ("veru_caseworker", "veru_manager", "veru_admin"),
    "veru_server.sees_concern(integer)": ("veru_caseworker", "veru_manager", "veru_admin"),
    "veru_server.sees_place(integer)": ("veru_caseworker", "veru_manager", "veru_admin"),
    "veru_server.sees_incident(integer)": ("veru_caseworker", "veru_manager", "veru_admin"),
    "veru_server.linked_cases(integer[])": ("veru_caseworker", "veru_manager"),
    "veru_server.linked_counts(text, integer[])": ("veru_caseworker", "veru_manager"),
    "veru_server.links_to(text, integer)": ("veru_caseworker", "veru_manager"),
    "veru_server.manage_login(integer, text)": ("veru_admin",),
}

_ME = "(SELECT veru_server.veru_current_user_id())"
_MANAGER = "(SELECT veru_server.has_role('manager'))"
_CASEWORKER = "(SELECT veru_server.has_role('caseworker'))"
_ADMIN = "(SELECT veru_server.has_role('admin'))"
_APP_GROUPS = "veru_caseworker, veru_manager, veru_admin"


def _person_rule(column: str) -> str:
    return f"({_MANAGER} OR veru_server.sees_person({column}))"


def _policies(tables: set[str]) -> list[str]:
    """Policy statements for the tables present (the InitPlan form ``(SELECT f())`` asks
    who is signed in once per query, not once per row)."""
    statements: list[str] = []

    def policy(table: str, name: str, rule: str) -> None:
        statements.append(f'CREATE POLICY {name} ON public."{table}" {rule}')

    for table, column in PERSON_TABLES.items():
        if table not in tables:
            continue
        rule = _person_rule(column)
        if table == "young_person":
            # The row's own columns: a new row is not in the table yet when it is checked, and
            # an allocated worker's rows are found through the index on current_worker_id.
            rule = (
                f"({_MANAGER} OR ({_CASEWORKER} AND (current_worker_id = {_ME} OR "
                "veru_server.owns_case(current_worker_id, created_by_id, current_referral_id))))"
            )
        policy(table, "veru_case_rows", f"FOR ALL TO {_APP_GROUPS} USING {rule} WITH CHECK {rule}")
        if table == "referral":
            # The referrals they entered stay readable while they await triage (the services'
            # ReferralService.get); reading one is not a way into its case, nor a way to write.
            policy(
                table,
                "veru_entered",
                f"FOR SELECT TO veru_caseworker USING ({_CASEWORKER} AND created_by_id = {_ME} "
                "AND status IN ('received', 'screening'))",
            )
    for table, (column, parent) in CHILD_TABLES.items():
        if table not in tables:
            continue
        # The parent's own policy decides (the subquery runs as the signed-in user).
        rule = f'(EXISTS (SELECT 1 FROM public."{parent}" p WHERE p.id = {column}))'
        policy(table, "veru_case_rows", f"FOR ALL TO {_APP_GROUPS} USING {rule} WITH CHECK {rule}")
    for table, rule in NETWORK_TABLES.items():
        if table not in tables:
            continue
        rule = f"({_MANAGER} OR {rule})"
        policy(table, "veru_network", f"FOR ALL TO {_APP_GROUPS} USING {rule} WITH CHECK {rule}")
    for table in SHARED_TABLES:
        if table in tables:
            policy(table, "veru_shared", f"FOR ALL TO {_APP_GROUPS} USING (true) WITH CHECK (true)")
    policy("user", "veru_read", f"FOR SELECT TO {_APP_GROUPS} USING (true)")
    # Signing in updates one's own row (last sign-in, a rehashed password); the column grants
    # keep ``active``, the name and the roles out of reach.
    policy("user", "veru_own_row", f"FOR UPDATE TO {_APP_GROUPS} USING (id = {_ME})")
    policy(
        "user", "veru_admin_rows", f"FOR ALL TO veru_admin USING ({_ADMIN}) WITH CHECK ({_ADMIN})"
    )
    policy("user_role", "veru_read", f"FOR SELECT TO {_APP_GROUPS} USING (true)")
    policy(
        "user_role",
        "veru_admin_rows",
        f"FOR ALL TO veru_admin USING ({_ADMIN}) WITH CHECK ({_ADMIN})",
    )
    policy(AUDIT_TABLE, "veru_append", f"FOR INSERT TO {_APP_GROUPS} WITH CHECK (user_id = {_ME})")
    policy(AUDIT_TABLE, "veru_read_own", f"FOR SELECT TO {_APP_GROUPS} USING (user_id = {_ME})")
    policy(
        AUDIT_TABLE,
        "veru_read_all",
        f"FOR SELECT TO veru_manager, veru_admin USING ({_MANAGER} OR {_ADMIN})",
    )
    policy(
        AUDIT_TABLE,
        "veru_redact",
        f"FOR UPDATE TO veru_manager USING ({_MANAGER} AND (young_person_id IS NOT NULL "
        "OR entity_type = 'young_person'))",
    )
    return statements


def _grants(tables: set[str]) -> list[str]:
    statements: list[str] = []

    def grant(privileges: str, table: str, groups: Iterable[str]) -> None:
        groups = list(groups)
        if table in tables and groups:
            statements.append(f'GRANT {privileges} ON public."{table}" TO {", ".join(groups)}')

    for table in [*PERSON_TABLES, *CHILD_TABLES]:
        # Erasing a case (and so deleting its referrals and their history) is a manager's.
        deleters = (
            ["veru_manager"] if table in _MANAGER_DELETES else ["veru_caseworker", "veru_manager"]
        )
        grant("SELECT, INSERT, UPDATE", table, ["veru_caseworker", "veru_manager"])
        grant("DELETE", table, deleters)
        grant("SELECT", table, ["veru_admin"])  # the policies give them no rows
    for table in NETWORK_TABLES:
        grant("SELECT, INSERT, UPDATE", table, ["veru_caseworker", "veru_manager"])
        deleters = (
            ["veru_manager"]
            if table in _NETWORK_MANAGER_DELETES
            else ["veru_caseworker", "veru_manager"]
        )
        grant("DELETE", table, deleters)
        grant("SELECT", table, ["veru_admin"])  # the policies give them no rows
    for table, writers in SHARED_TABLES.items():
        grant("SELECT", table, GROUPS.values())
        grant("INSERT, UPDATE", table, writers)
    # Who came to a panel is replaced as a whole when the meeting is saved.
    grant("DELETE", "panel_attendee", ["veru_caseworker", "veru_manager"])
    grant("SELECT", "user", GROUPS.values())
    grant(
        "UPDATE (failed_attempts, locked_until, last_login_at, password_hash, "
        "must_change_password, version)",
        "user",
        GROUPS.values(),
    )
    grant("INSERT, UPDATE", "user", ["veru_admin"])
    grant("SELECT", "user_role", GROUPS.values())
    grant("INSERT, UPDATE, DELETE", "user_role", ["veru_admin"])
    grant("SELECT, INSERT", AUDIT_TABLE, GROUPS.values())
    grant("UPDATE (summary, changes)", AUDIT_TABLE, ["veru_manager"])
    return statements


def unclassified(tables: Iterable[str]) -> list[str]:
    return sorted(set(tables) - all_classified_tables())


def _run(connection: Any, query: Any, params: Sequence[Any] | None = None) -> Any:
    """``query`` on a psycopg connection through a standard cursor (``%s`` placeholders),
    whichever cursor the connection makes by default: the app's engine makes raw ones
    (``$1``, see ``db.engine``), a connection of the owner's made here the standard ones."""
    import psycopg

    return psycopg.Cursor(connection).execute(query, params)


def set_up_server(connection: Any) -> None:
    """Groups, grants, policies and functions, on a migrated database, in one transaction of
    ``connection`` (the owner's psycopg connection). Run again after every upgrade: it
    replaces what it made, so new tables get their grants."""
    from psycopg import sql

    rows = _run(
        connection, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    ).fetchall()
    tables = {name for (name,) in rows}
    if "alembic_version" not in tables or "user" not in tables:
        raise StorageError("The database has no VERU Desk schema: run the migrations first.")
    missing = unclassified(tables)
    if missing:
        raise StorageError(
            "These tables have no server rules yet, so nobody could use them: "
            + ", ".join(missing)
            + ". Add them to veru_desk/db/server_roles.py."
        )
    owner = _run(connection, "SELECT current_user").fetchone()[0]
    is_super = _run(
        connection, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).fetchone()[0]
    if not is_super:
        raise StorageError(
            f"The server login {owner} cannot create logins: run `server setup` as the "
            "database owner with CREATEROLE (createuser --createrole), see the README."
        )
    for group in GROUPS.values():
        exists = _run(connection, "SELECT 1 FROM pg_roles WHERE rolname = %s", (group,))
        if exists.fetchone() is None:
            _run(connection, sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
    elsewhere = _run(
        connection,
        "SELECT DISTINCT d.datname FROM pg_database d, aclexplode(d.datacl) a "
        "WHERE d.datname <> current_database() AND a.grantee IN "
        "(SELECT oid FROM pg_roles WHERE rolname = ANY(%s))",
        (list(GROUPS.values()),),
    ).fetchall()
    if elsewhere:
        raise ConflictError(
            "VERU Desk's server roles already give access to another database on this server ("
            + ", ".join(name for (name,) in elsewhere)
            + "): use one server (or cluster) per VERU Desk database."
        )
    db = sql.Identifier(_run(connection, "SELECT current_database()").fetchone()[0])
    groups = sql.SQL(", ").join(sql.Identifier(g) for g in GROUPS.values())
    for statement in (
        sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, groups),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(groups),
        sql.SQL("CREATE SCHEMA IF NOT EXISTS veru_server"),
        sql.SQL("REVOKE ALL ON SCHEMA veru_server FROM PUBLIC"),
        sql.SQL("GRANT USAGE ON SCHEMA veru_server TO {}").format(groups),
    ):
        _run(connection, statement)
    _run(connection, _FUNCTIONS)
    _run(connection, "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA veru_server FROM PUBLIC")
    for function, callers in _FUNCTION_GRANTS.items():
        _run(connection, f"GRANT EXECUTE ON FUNCTION {function} TO {', '.join(callers)}")
    # Start from nothing on every table, then give exactly what each group needs.
    for table in sorted(tables):
        quoted = sql.Identifier("public", table)
        _run(connection, sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}").format(quoted, groups))
        for (policy,) in _run(
            connection,
            "SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = %s",
            (table,),
        ).fetchall():
            _run(connection, sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(policy), quoted))
        _run(connection, sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(quoted))
    for granted in [*_grants(tables), *_policies(tables)]:
        _run(connection, granted)
    _run(
        connection,
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(groups),
    )


def is_enforced(connection: Any) -> bool:
    """Whether ``server setup`` has been run on this database (its functions exist)."""
    row = _run(
        connection, "SELECT to_regprocedure('veru_server.manage_login(integer, text)') IS NOT NULL"
    ).fetchone()
    return bool(row[0])


def sync_login_as_owner(connection: Any, user_id: int, verifier: str | None) -> None:
    """Setup's own call (as the owner, who is not a VERU Desk administrator)."""
    _run(connection, "SELECT veru_server.sync_login(%s, %s)", (user_id, verifier))


def login_roles(connection: Any) -> Sequence[str]:
    rows = _run(
        connection,
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'veru\\_u\\_%' ORDER BY rolname",
    ).fetchall()
    return [name for (name,) in rows]
