"""Uploaded files: bytes in UPLOAD_DIR under a generated id, metadata in postgres.

The client's file name is only metadata; it never becomes a path, so it cannot escape UPLOAD_DIR.
"""
import hashlib
import os
import tempfile
import uuid
from typing import Any, Dict, List, Tuple

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 255
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


class FileError(Exception):
    def __init__(self, status: int, error: str, detail: Any = None):
        super().__init__(error)
        self.status = status
        self.error = error
        self.detail = detail


def check_name(name: Any) -> Tuple[str, str]:
    """(name, content_type) for an acceptable file name; FileError 400/415 otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise FileError(400, "missing file name", "pass it as ?name=report.csv")
    name = name.strip()
    if len(name) > MAX_NAME or "/" in name or "\\" in name or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise FileError(400, "invalid file name", f"at most {MAX_NAME} characters, no slashes or control characters")
    if name in (".", ".."):
        raise FileError(400, "invalid file name", name)
    extension = name.rsplit(".", 1)[1].lower() if "." in name else ""
    if extension not in CONTENT_TYPES:
        raise FileError(415, "unsupported file type", {"extension": extension, "allowed": sorted(CONTENT_TYPES)})
    return name, CONTENT_TYPES[extension]


def _public(row: Dict[str, Any]) -> Dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "size": row["size"], "sha256": row["sha256"],
            "content_type": row["content_type"], "created_at": row["created_at"].isoformat()}


class FileStore:
    def __init__(self, db: Any, upload_dir: str):
        self._db = db
        self._dir = upload_dir

    def check_dir(self) -> None:
        """The upload directory exists and is writable (a readiness check)."""
        os.makedirs(self._dir, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self._dir, prefix=".probe-"):
            pass

    def _path(self, file_id: str) -> str:
        return os.path.join(self._dir, file_id)

    def save(self, name: Any, data: bytes) -> Dict[str, Any]:
        name, content_type = check_name(name)
        if len(data) > MAX_BYTES:
            raise FileError(413, "file too large", {"max_bytes": MAX_BYTES, "size": len(data)})
        file_id = uuid.uuid4().hex
        os.makedirs(self._dir, exist_ok=True)
        # Write under a temporary name and rename, so a reader never sees a half-written file.
        fd, tmp_path = tempfile.mkstemp(dir=self._dir, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_path, self._path(file_id))
        except BaseException:
            _unlink_quietly(tmp_path)
            raise
        try:
            with self._db.transaction() as cur:
                cur.execute(
                    "INSERT INTO files (id, name, size, sha256, content_type) VALUES (%s, %s, %s, %s, %s) RETURNING *",
                    (file_id, name, len(data), hashlib.sha256(data).hexdigest(), content_type),
                )
                return _public(cur.fetchone())
        except BaseException:
            _unlink_quietly(self._path(file_id))
            raise

    def list(self) -> List[Dict[str, Any]]:
        with self._db.transaction() as cur:
            cur.execute("SELECT * FROM files ORDER BY created_at, id")
            return [_public(row) for row in cur.fetchall()]

    def _row(self, file_id: str) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            cur.execute("SELECT * FROM files WHERE id = %s", (file_id,))
            row = cur.fetchone()
        if row is None:
            raise FileError(404, "file not found", file_id)
        return row

    def read(self, file_id: str) -> Tuple[Dict[str, Any], bytes]:
        row = self._row(file_id)
        try:
            with open(self._path(row["id"]), "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise FileError(404, "file bytes missing from UPLOAD_DIR", file_id) from None
        return _public(row), data

    def delete(self, file_id: str) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM files WHERE id = %s RETURNING id", (file_id,))
            if cur.fetchone() is None:
                raise FileError(404, "file not found", file_id)
            # Unlink inside the transaction: if it fails unexpectedly, the row stays.
            _unlink_quietly(self._path(file_id))
        return {"id": file_id, "deleted": True}


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
