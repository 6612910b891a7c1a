"""Attachments: checked for type, size and content, stored on disk under their SHA-256 once the
transaction that records them has committed."""
from __future__ import annotations

import hashlib
import os
import tempfile

from ..errors import N_, StorageUnavailable, ValidationError
from ..models import Attachment, Grievance
from .intake import AttachmentIn

MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "application/pdf": b"%PDF-"}


def looks_like(content_type: str, data: bytes) -> bool:
    """Whether the bytes start the way a file of that type does (the browser's word is not enough)."""
    return data.startswith(MAGIC.get(content_type, b""))


def check_files(uow, files: tuple[AttachmentIn, ...]) -> None:
    """ValidationError for the first file that is not an allowed, real JPEG, PNG or PDF within the limit."""
    allowed, limit = uow.settings.upload_types, uow.settings.max_upload_bytes
    for f in files:
        if f.content_type not in allowed:
            raise ValidationError("attachment type not allowed",
                                  {"attachment": N_("Attach a JPEG, PNG or PDF file.")})
        if len(f.data) > limit:
            raise ValidationError("attachment too large", {"attachment": f"Attach at most {limit // 1048576} MB."})
        if not looks_like(f.content_type, f.data):
            raise ValidationError("attachment content does not match its type",
                                  {"attachment": N_("The file is not a real JPEG, PNG or PDF.")})


def attach(uow, g: Grievance, files: tuple[AttachmentIn, ...]) -> None:
    """Record the files on the grievance; each is written to a temporary file now (so a full disk fails
    the request) and moved to its place only after the commit (so a rollback leaves no file)."""
    check_files(uow, files)
    folder = uow.settings.upload_dir
    for f in files:
        digest = hashlib.sha256(f.data).hexdigest()
        final = os.path.join(folder, digest + uow.settings.upload_types[f.content_type])
        if not os.path.exists(final):
            staged = _stage(folder, f.data)
            uow.after_commit(lambda staged=staged, final=final: os.replace(staged, final))
            uow.on_rollback(lambda staged=staged: os.path.exists(staged) and os.remove(staged))
        safe_name = os.path.basename(f.filename or "attachment")[:200]
        g.attachments.append(Attachment(filename=safe_name, content_type=f.content_type, size=len(f.data),
                                        sha256=digest))


def _stage(folder: str, data: bytes) -> str:
    """`data` in a new temporary file of `folder`; StorageUnavailable, and no file left, when the disk is
    full or the folder cannot be written."""
    staged = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, staged = tempfile.mkstemp(prefix=".upload-", dir=folder)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return staged
    except OSError as e:
        if staged is not None and os.path.exists(staged):
            os.remove(staged)  # a half-written file is no attachment
        raise StorageUnavailable(
            f"the attachment could not be stored ({os.strerror(e.errno) if e.errno else type(e).__name__}); "
            "nothing was saved, try again later or send it without the file",
            {"attachment": N_("The file could not be stored just now, so nothing was sent. Everything you "
                              "typed is kept below: try again in a few minutes, or send it without the file.")},
        ) from e


def path_of(upload_dir: str, upload_types: dict[str, str], attachment: Attachment) -> str:
    """Where an attachment's bytes are on disk."""
    return os.path.join(upload_dir, attachment.sha256 + upload_types.get(attachment.content_type, ""))
