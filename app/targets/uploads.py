"""Uploaded rosters kept between the dry run and the import, so the admin does not send the
file twice: one folder per user, one sub-folder per file named by its SHA-256. Rosters hold
every listed person's full ID number, so folders are private to the server's user, a roster
is deleted once imported, and everything is deleted a day after its upload."""
import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from app.i18n import N_
from app.targets.roster import CHUNK, RosterFileError

MAX_BYTES = 512 * 1024 * 1024
KEEP_SECONDS = 24 * 3600
_SHA256 = re.compile(r"[0-9a-f]{64}")


class Uploads:
    def __init__(self, root: Path, user_id: int):
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder = root / f"user-{user_id}"

    def save(self, stream: BinaryIO, file_name: str) -> str:
        """Copy the upload in, hashing as it goes; return its SHA-256."""
        self.cleanup()
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=self.folder, delete=False) as copy:
            try:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise RosterFileError("file_too_large", N_("The file is larger than 512 MB."))
                    digest.update(chunk)
                    copy.write(chunk)
            except BaseException:
                os.unlink(copy.name)
                raise
        sha256 = digest.hexdigest()
        folder = self.folder / sha256
        folder.mkdir(exist_ok=True, mode=0o700)
        os.replace(copy.name, folder / "roster")
        (folder / "name.txt").write_text(Path(file_name or "roster").name, "utf-8")
        return sha256

    def roster(self, sha256: str) -> tuple[Path, str] | None:
        """The stored file and its original name, or None when it is gone (or never was)."""
        if not _SHA256.fullmatch(sha256):
            return None
        folder = self.folder / sha256
        if not (folder / "roster").is_file():
            return None
        return folder / "roster", (folder / "name.txt").read_text("utf-8")

    def report(self, sha256: str) -> Path | None:
        if not _SHA256.fullmatch(sha256) or not (self.folder / sha256).is_dir():
            return None
        return self.folder / sha256 / "report.csv"

    def forget_roster(self, sha256: str) -> None:
        """After the import only the report (masked ID numbers) stays, until the clean-up."""
        (self.folder / sha256 / "roster").unlink(missing_ok=True)

    def cleanup(self) -> None:
        """Delete every user's uploads (and any half-copied file) older than a day."""
        root = self.folder.parent
        if not root.is_dir():
            return
        limit = time.time() - KEEP_SECONDS
        for entry in (entry for user in root.iterdir() if user.is_dir() for entry in user.iterdir()):
            if entry.stat().st_mtime < limit:
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
