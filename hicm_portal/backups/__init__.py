"""Backup and restore of the whole portal: every table's rows, the history, the stored documents.

A backup is a zip file:

- `manifest.json`: what the backup holds. The migrations applied, and per table its rows,
  the SHA-256 of its data file and a digest of its content that does not depend on row order
  or on the database engine; per stored file its name and SHA-256.
- `data/<app_label>.<model>.jsonl`: one row a line, in the JSON Lines form of `dumpdata`
  (`{"model": ..., "pk": ..., "fields": {...}}`), so `loaddata` can read it too. Date-times keep
  their microseconds (`dumpdata` cuts them to milliseconds) and references to content types and
  permissions are written by natural key, as `migrate` rebuilds those in every database with ids
  of its own. Many-to-many links are written as the rows of their link tables.
- `media/<name>`: every file a `FileField` of a backed-up row refers to, from its storage.
  (Today the issued returns keep their PDF and XLSX in the database, so they come with the rows.)

Sessions are left out: a restored portal starts with everyone logged out.

A restore loads the rows as they were saved, with their ids, in one transaction, then resets
the sequences and checks every table's count and content digest against the manifest; a
mismatch rolls everything back. It adds no history: rows are saved "raw", which
django-simple-history ignores, and many-to-many links are inserted as link-table rows instead of
through `.set()`, whose `m2m_changed` would record a change dated at the restore (that is what
`loaddata` does to case studies, whose history follows their changes). The count check would
catch any row added behind our back. No setting is switched and nothing is patched.

The package: `tables` (which tables a backup holds, their rows as written and their digest),
`manifest` (the manifest and the checks of an archive against it), `writing` (`backup_write`)
and `restoring` (`backup_restore`). Its names are re-exported here. This package is the ground
floor: it reads the models through `django.apps.apps` and imports no app.
"""

from hicm_portal.backups.manifest import (
    CORRUPT,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    NOT_A_BACKUP,
    OTHER_MIGRATIONS,
)
from hicm_portal.backups.restoring import (
    FILE_EXISTS,
    MISMATCH,
    NOT_EMPTY,
    UNKNOWN_TABLE,
    RestoreResult,
    backup_restore,
)
from hicm_portal.backups.tables import (
    CHUNK,
    LEFT_OUT,
    REBUILT_BY_MIGRATE,
    BackupError,
    backed_up_models,
)
from hicm_portal.backups.writing import BackupResult, TableSummary, backup_write

__all__ = [
    "CHUNK",
    "CORRUPT",
    "FILE_EXISTS",
    "FORMAT",
    "FORMAT_VERSION",
    "LEFT_OUT",
    "MANIFEST",
    "MISMATCH",
    "NOT_A_BACKUP",
    "NOT_EMPTY",
    "OTHER_MIGRATIONS",
    "REBUILT_BY_MIGRATE",
    "UNKNOWN_TABLE",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "TableSummary",
    "backed_up_models",
    "backup_restore",
    "backup_write",
]
