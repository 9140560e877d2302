"""A second VERU Desk process for the crash and concurrency tests: it saves through the real
services and prints what it committed, one line per commit, flushed at once.

    save_loop_child.py DB USERNAME loop PERSON_ID        save until killed
    save_loop_child.py DB USERNAME count PERSON_ID N     save N times, then exit
    save_loop_child.py DB USERNAME edit NOTE_ID VERSION  save one stale-able edit of a note

Each waits for a line on standard input after printing ``ready`` (the parent's starting
gun), so two children start writing at the same moment.
"""

from __future__ import annotations

import datetime as dt
import sys

from sqlalchemy import select

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import User
from veru_desk.domain.enums import Attendance
from veru_desk.domain.errors import ConflictError
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.users import actor_for


def main(argv: list[str]) -> int:
    path, username, mode, *args = argv
    db = Database.open(resolve_database(path))
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        services = Services(db, actor_for(user))
    print("ready", flush=True)
    sys.stdin.readline()
    if mode == "edit":
        note_id, version = int(args[0]), int(args[1])
        note = services.notes.get(note_id)
        data = NoteInput(note.occurred_at, note.subject, f"Edited by {username}")
        try:
            services.notes.update(note_id, data, version)
        except ConflictError as error:
            print(f"conflict|{error.changed_by}|{error}", flush=True)
        else:
            print("saved", flush=True)
        return 0
    person_id = int(args[0])
    limit = int(args[1]) if mode == "count" else None
    start = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(days=2)
    done = 0
    while limit is None or done < limit:
        if done % 2:
            new_id = services.sessions.book(
                person_id,
                SessionInput(
                    planned_start=start + dt.timedelta(minutes=done),
                    attendance=Attendance.ATTENDED,
                    notes=f"Session {done} by {username}",
                ),
            )
            print(f"session:{new_id}", flush=True)
        else:
            new_id = services.notes.add(
                person_id,
                NoteInput(
                    occurred_at=start + dt.timedelta(minutes=done),
                    subject=f"Note {done} by {username}",
                    body="Checked in after school; all well.",
                ),
            )
            print(f"note:{new_id}", flush=True)
        done += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
