"""Backups and restore for administrators, with the checks that make a restore safe:
the current database is backed up first, the file is integrity-checked, a file from a newer
release is refused and an older one is migrated after it is restored.
"""

from __future__ import annotations

import builtins
import datetime as dt
import shutil
from contextlib import suppress
from pathlib import Path

from veru_desk.config import backup_dir_for
from veru_desk.db import migrate
from veru_desk.db.backup import (
    BackupFile,
    backup_sqlite,
    check_backup_file,
    copy_into,
    fresh_backup_path,
    list_backups,
    reencrypt_backup,
    timestamped_name,
    under_earlier_key,
)
from veru_desk.db.integrity import quick_check
from veru_desk.db.private_files import make_private, make_private_folder
from veru_desk.db.replace import replace_file
from veru_desk.db.staging import sync_file
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import StorageError
from veru_desk.services.access import require_role
from veru_desk.services.base import Service
from veru_desk.services.changes import Kind


class BackupService(Service):
    def _require_file_database(self) -> Path:
        if not self.db.location.is_sqlite_file:
            backup_dir_for(self.db.location)  # raises the explanatory error
        return backup_dir_for(self.db.location)

    @property
    def _database(self) -> Path:
        path = self.db.location.path
        assert path is not None  # a file database: _require_file_database checked
        return path

    def list(self) -> list[BackupFile]:
        """This database's backups only: another database sharing the folder keeps its own."""
        with self._read():
            require_role(self.actor, Role.ADMIN, doing="see backups")
        return list_backups(self._require_file_database(), self._database, key=self.db.key)

    def under_earlier_keys(self) -> builtins.list[BackupFile]:  # list: the method above
        """This database's kept backups taken under a key since changed (after an account was
        disabled): they still open with the passwords of their day, the leaver's included."""
        backups = self.list()
        key_file = self.db.key_file
        if key_file is None:
            return []
        return [b for b in backups if under_earlier_key(b.path, key_file)]

    def reencrypt_old_backups(self) -> int:
        """Re-encrypts every kept backup taken under an earlier key with today's key and key
        file; returns how many. Once none is left, the earlier keys are forgotten."""
        old = self.under_earlier_keys()
        key_file, key = self.db.key_file, self.db.key
        if key_file is None or key is None:
            return 0
        done, failed = 0, []
        for backup in old:
            try:
                reencrypt_backup(backup.path, key_file, key)
                done += 1
            except StorageError as error:
                failed.append(str(error))
        if not failed:
            from veru_desk.db.keyfile import KeyFile

            keys = KeyFile.load(key_file)  # read afresh: sign-ins may have saved it meanwhile
            keys.forget_retired_keys()
            keys.save()
        with self._write() as session:
            self._audit(
                session,
                AuditAction.BACKUP,
                summary=f"{done} backup{'s' if done != 1 else ''} re-encrypted with the "
                "current database key",
            )
        if failed:
            raise StorageError(
                f"{done} of {len(old)} backups were re-encrypted; the others were not: "
                + " ".join(failed)
            )
        return done

    def backup_now(self, destination: Path | None = None, *, force: bool = False) -> Path:
        """A backup in the backup folder, or at ``destination``, which must not be an existing
        database or key file unless ``force`` (then it is replaced, key file and all)."""
        with self._read():
            require_role(self.actor, Role.ADMIN, doing="make backups")
        folder = self._require_file_database()
        path = backup_sqlite(
            self.db.engine,
            destination or fresh_backup_path(folder, "manual", self._database),
            key=self.db.key,
            key_file=self.db.key_file,
            force=force and destination is not None,
        )
        with self._write() as session:
            self._audit(session, AuditAction.BACKUP, summary=f"Backup written to {path}")
        return path

    def restore(self, backup: Path) -> Path:
        """Restores ``backup`` over the open database; returns the safety copy taken first.

        The file is checked completely before anything is touched (``check_backup_file``). If
        the restore then fails part-way (a migration, a full disk), the safety copy is put
        back before the error is raised, and the message says so.
        """
        with self._read():
            require_role(self.actor, Role.ADMIN, doing="restore backups")
        folder = self._require_file_database()
        if backup.resolve() == self._database.resolve():
            raise StorageError(f"{backup.name} is the database itself: choose a backup file.")
        self._bring_under_todays_key(backup)
        revision = check_backup_file(backup, key=self.db.key, key_file=self.db.key_file)
        if revision not in migrate.known_revisions():
            raise StorageError(
                f"{backup.name} was made by a newer version of VERU Desk (schema {revision}). "
                "Install the latest version before restoring it."
            )
        safety = self._safety_copy(folder)
        try:
            copy_into(backup, self.db.engine, key=self.db.key)
            migrate.upgrade(self.db.engine)
            problem = quick_check(self.db.engine)
            if problem is not None:
                raise StorageError(f"the restored database failed its integrity check ({problem})")
        except Exception as error:
            reason = error.args[0] if isinstance(error, StorageError) and error.args else error
            try:
                self._put_back(safety)
            except Exception as second:
                raise StorageError(
                    f"Restoring {backup.name} failed ({reason}), and putting the database back "
                    f"failed too ({second}): copy {safety} over {self._database.name} by hand "
                    "before anyone uses it."
                ) from error
            raise StorageError(
                f"Restoring {backup.name} failed ({reason}). The database was put back as it "
                f"was before, from {safety.name}; nothing was lost."
            ) from error
        with self._write() as session:
            self._changed(session, Kind.DATABASE)  # every screen shows the restored records
            self._audit(
                session,
                AuditAction.RESTORE,
                summary=(
                    f"Restored from {backup.name} at {dt.datetime.now():%d/%m/%Y %H:%M}; "
                    f"the database as it was is kept in {safety.name}"
                ),
            )
        return safety

    def _bring_under_todays_key(self, backup: Path) -> None:
        """A backup of this database taken before its key was changed is re-encrypted before
        it is checked and restored; anything else is left to the check to name."""
        key_file, key = self.db.key_file, self.db.key
        if key_file is None or key is None or not under_earlier_key(backup, key_file):
            return
        from veru_desk.db.driver import key_file_path
        from veru_desk.db.keyfile import KeyFile

        own = key_file_path(backup)
        with suppress(StorageError):
            if own.is_file() and not KeyFile.load(own).same_database(KeyFile.load(key_file)):
                return
            reencrypt_backup(backup, key_file, key)

    def _safety_copy(self, folder: Path) -> Path:
        """The database as it was before a restore replaces it. A damaged database cannot go
        through the backup API (the copy fails its own check, and restoring is exactly what a
        damaged database needs), so it is set aside byte for byte for IT to recover from, under
        a name the backup list ignores so it is never offered for restoring."""
        if quick_check(self.db.engine) is None:
            return backup_sqlite(
                self.db.engine,
                fresh_backup_path(folder, "before-restore", self._database),
                key=self.db.key,
                key_file=self.db.key_file,
            )
        source = self._database
        self.db.engine.dispose()
        aside = folder / (
            timestamped_name("damaged", database=source).removesuffix(".db") + ".damaged.db"
        )
        make_private_folder(folder)
        shutil.copyfile(source, aside)
        make_private(aside)
        wal = source.with_name(source.name + "-wal")
        if wal.is_file():
            shutil.copyfile(wal, aside.with_name(aside.name + "-wal"))
            make_private(aside.with_name(aside.name + "-wal"))
        return aside

    def _put_back(self, safety: Path) -> None:
        """The database as it was before a failed restore: through the backup API from a
        sound safety copy; byte for byte (with its log) when it was set aside damaged."""
        if not safety.name.endswith(".damaged.db"):
            copy_into(safety, self.db.engine, key=self.db.key)
            return
        source = self._database
        self.db.engine.dispose()
        wal, saved_wal = (p.with_name(p.name + "-wal") for p in (source, safety))
        # Copied beside it and renamed over it: a crash now leaves one whole file or the other.
        for saved, live in ((safety, source), (saved_wal, wal)):
            if not saved.is_file():
                live.unlink(missing_ok=True)
                continue
            partial = live.with_name(live.name + ".putting-back")
            shutil.copyfile(saved, partial)
            make_private(partial)
            sync_file(partial)
            replace_file(partial, live)
        source.with_name(source.name + "-shm").unlink(missing_ok=True)
