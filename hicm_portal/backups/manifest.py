"""A backup's manifest: what it holds, and the checks of an archive against it before a restore.

`manifest.json` names the format and its version, the migrations applied, and per table its
rows, the SHA-256 of its data file and its content digest; per stored file its name and SHA-256.
Before a restore touches the database, every data file and stored file must match its checksum
and the database's migrations must be the backup's.
"""

import hashlib
import json
import zipfile

from hicm_portal.backups.tables import BackupError, applied_migrations

FORMAT = "hicm-portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

NOT_A_BACKUP = "This file is not a portal backup (no manifest.json in a zip file)."
CORRUPT = "The backup is damaged: {name} does not match its checksum in the manifest."
OTHER_MIGRATIONS = (
    "The database's migrations differ from the backup's (only in the backup: {missing}; only "
    "in the database: {extra}). Restore with the portal version that made the backup, into a "
    "database migrated to the same point, then migrate forward."
)


def read_manifest(archive: zipfile.ZipFile) -> dict:
    """The archive's manifest, refused unless it is a portal backup of the format read here."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as error:
        raise BackupError(NOT_A_BACKUP) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(NOT_A_BACKUP)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('format_version')}; this portal "
            f"reads version {FORMAT_VERSION}."
        )
    return manifest


def check_archive(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every data file and stored file matches its checksum, before the database is touched."""
    members = [(f"data/{table['model']}.jsonl", table["sha256"]) for table in manifest["tables"]]
    members += [(f"media/{entry['name']}", entry["sha256"]) for entry in manifest["files"]]
    for name, expected in members:
        digest = hashlib.sha256()
        try:
            with archive.open(name) as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
        except (KeyError, zipfile.BadZipFile) as error:
            raise BackupError(CORRUPT.format(name=name)) from error
        if digest.hexdigest() != expected:
            raise BackupError(CORRUPT.format(name=name))


def check_migrations(manifest: dict, using: str) -> None:
    """The database is migrated to the very point the backup was made at."""
    theirs, ours = set(manifest["migrations"]), set(applied_migrations(using))
    if theirs != ours:
        raise BackupError(
            OTHER_MIGRATIONS.format(
                missing=_shorten(", ".join(sorted(theirs - ours)) or "none"),
                extra=_shorten(", ".join(sorted(ours - theirs)) or "none"),
            )
        )


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
