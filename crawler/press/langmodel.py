"""py3langid's model, loaded from a decompressed copy on disk that every process maps.

Why: py3langid 0.4 ships its model as a 4.5 MB ``model.npz.xz``, and
``LanguageIdentifier.from_model_file`` LZMA-decompresses it into 68 MB of arrays in every
process that detects a language: 0.55-0.7 CPU-s in each crawl, poll and harvest child, about
a quarter of a crawl's fixed start-up (issue #14). The same arrays loaded from an
uncompressed copy take 0.15-0.23 s; mapped read-only from ``.npy`` files
(``np.load(mmap_mode="r")``) close to nothing, and the pages are shared by every process
through the page cache instead of being 68 MB of private memory each (BENCHMARKS.md, #14).

So the first process to need the model writes its arrays once, as ``.npy`` files, into
``<cache>/py3langid-<version>-<size>-<digest>/`` (``<cache>`` is
:func:`crawler.config.cache_dir`: ``$MEDIAMON_CACHE_DIR``, else
``$XDG_CACHE_HOME/mediamon``, else ``~/.cache/mediamon``); later processes map them. The
folder's name identifies the model: py3langid's version, the model file's size and a digest
of its first and last bytes (an xz file ends with the checksum of its contents), so another
release or another model never reads an old copy, while reinstalling the same one keeps it.
Old folders are never removed here (another installation may still use them); deleting the
whole cache folder is always safe.

The copy is written into a temporary folder beside it and renamed into place, so a reader
sees all of it or nothing (when two processes race, the first rename wins and the other's
copy is dropped). Anything wrong with the cache (an unwritable or full disk, a missing home,
a truncated or inconsistent file) costs only the time: py3langid's own loader is used, with a
DEBUG line, and a broken copy is replaced. The layout (six arrays, the constructor's
arguments) is py3langid 0.4's; ``pyproject.toml`` pins ``<0.5`` for that reason.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np
import py3langid
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

logger = logging.getLogger(__name__)

#: The model file py3langid loads by default.
PACKAGED_MODEL = MODEL_DIR / MODEL_FILE
#: Bumped when the files written here change (names, dtypes): old copies are then ignored.
LAYOUT = "1"
#: Bytes read from each end of the model file for its digest (the xz index and its checksum
#: of the contents are in the last few dozen bytes).
_EDGE = 4096
#: A stdlib ``memoryview`` format per dtype of an integer table the DFA walk indexes.
_INT_FORMATS: dict[np.dtype[Any], Literal["H", "I", "i"]] = {
    np.dtype(np.uint16): "H",
    np.dtype(np.uint32): "I",
    np.dtype(np.int32): "i",
}


def model_key(model_file: Path, version: str) -> str:
    """The cache folder's name for ``model_file`` under py3langid ``version``."""
    size = model_file.stat().st_size
    digest = hashlib.blake2b(digest_size=8)
    with model_file.open("rb") as f:
        digest.update(f.read(_EDGE))
        f.seek(max(size - _EDGE, 0))
        digest.update(f.read(_EDGE))
    return f"py3langid-{version}-{size}-{digest.hexdigest()}-v{LAYOUT}"


def load_identifier(cache_root: Path | None = None, model_file: Path = PACKAGED_MODEL) -> Any:
    """py3langid's ``LanguageIdentifier`` (normalised probabilities) for ``model_file``,
    mapped from the cache under ``cache_root`` (default :func:`crawler.config.cache_dir`),
    written there first when missing or broken. Never raises for the cache's sake: py3langid's
    own loader is the fallback."""
    try:
        if cache_root is None:
            # Imported here: crawler.config imports pydantic (0.16 s), which the extraction
            # path does not otherwise need; every crawl child has it imported already.
            from crawler.config import cache_dir

            cache_root = cache_dir()
        folder = cache_root / model_key(model_file, py3langid.__version__)
    except Exception as exc:  # no home, unreadable model: py3langid says what is wrong
        logger.debug("py3langid model cache unavailable (%s): loading the packaged model", exc)
        return LanguageIdentifier.from_model_file(model_file, norm_probs=True)
    try:
        if folder.is_dir():  # inside the try: it raises on a folder it may not search
            return _read(folder)
    except Exception as exc:
        logger.debug("py3langid model cache %s unreadable (%r): rewriting it", folder, exc)
        _discard(folder)
    identifier = LanguageIdentifier.from_model_file(model_file, norm_probs=True)
    try:
        _write(folder, identifier)
    except Exception as exc:
        logger.debug("py3langid model cache %s not written (%r)", folder, exc)
    return identifier


def _read(folder: Path) -> Any:
    """The identifier from ``folder``'s arrays, built as ``from_model_file`` builds it; raises
    when a file is missing, truncated or inconsistent with the others."""
    ptc = _load(folder, "ptc", mmap=True)
    pc = _load(folder, "pc")
    classes = _load(folder, "classes")
    nextmove = _load(folder, "nextmove", mmap=True)
    row = _load(folder, "row", mmap=True)
    output = _load(folder, "output", mmap=True)
    _check(ptc, pc, classes, nextmove, row, output)
    return LanguageIdentifier(
        np.asarray(ptc),
        np.asarray(pc),
        classes.tolist(),
        _int_view(nextmove),
        _int_view(output),
        norm_probs=True,
        tk_row=_int_view(row),
    )


def _load(folder: Path, name: str, *, mmap: bool = False) -> np.ndarray[Any, Any]:
    array: np.ndarray[Any, Any] = np.load(
        folder / f"{name}.npy", mmap_mode="r" if mmap else None, allow_pickle=False
    )
    return array


def _check(*arrays: np.ndarray[Any, Any]) -> None:
    """Raise unless the arrays fit together as a model the DFA walk cannot index out of.

    The ranges cost ~2 ms (one pass over the 39 MB transition table, in the page cache): a
    bad index would otherwise be an IndexError in the middle of a crawl, not a fallback.
    """
    ptc, pc, classes, nextmove, row, output = arrays
    if (ptc.dtype, pc.dtype, classes.dtype.kind) != (np.float16, np.float32, "U"):
        raise ValueError("unexpected dtypes")
    if ptc.ndim != 2 or not ptc.shape[1] == len(pc) == len(classes) > 0:
        raise ValueError(f"shapes do not match: ptc {ptc.shape}, {len(classes)} classes")
    states = len(row)
    if not states or states != len(output) or not nextmove.size or nextmove.size % 256:
        raise ValueError("the DFA tables do not match")
    if int(nextmove.max()) >= states or int(row.max()) >= nextmove.size // 256:
        raise ValueError("a DFA transition is out of range")
    if int(output.min()) < -1 or int(output.max()) >= ptc.shape[0]:
        raise ValueError("a DFA output is out of range")


def _int_view(array: np.ndarray[Any, Any]) -> memoryview:
    """``array`` (mapped) as a flat ``memoryview`` of Python ints.

    py3langid's DFA walk indexes its tables one int at a time (``nm[rowbase[state] +
    letter]``): a memoryview does so as fast as the ``array.array`` py3langid builds (and
    NumPy indexing is ~2.5x slower), without copying the mapped pages. A NumPy row table
    would also be wrong: ``uint16 << 8`` overflows where a Python int does not.
    """
    code = _INT_FORMATS[array.dtype]
    if array.ndim != 1 or not array.dtype.isnative or struct.calcsize(code) != array.itemsize:
        raise ValueError(f"cannot view {array.dtype} {array.shape} as {code!r}")
    return array.data.cast("B").cast(code)


def _write(folder: Path, identifier: Any) -> None:
    """Write ``identifier``'s model arrays into ``folder`` at once (temporary folder, fsync,
    rename); a concurrent writer's finished folder is kept."""
    arrays = {
        "ptc": np.asarray(identifier.nb_ptc),
        "pc": np.asarray(identifier.nb_pc),
        "classes": np.asarray(identifier.nb_classes, dtype=str),
        "nextmove": np.asarray(identifier.tk_nextmove),
        "row": np.asarray(identifier.tk_row),
        "output": np.asarray(identifier.tk_output, dtype=np.int32),
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, array in arrays.items():
            with (temporary / f"{name}.npy").open("wb") as f:
                np.save(f, array, allow_pickle=False)
                f.flush()
                os.fsync(f.fileno())  # never a renamed folder of empty files after a crash
        temporary.chmod(0o755)  # mkdtemp's 0700 would hide the copy from other users
        try:
            temporary.rename(folder)
        except OSError:
            if not folder.is_dir():
                raise
            logger.debug("py3langid model cache %s written by another process", folder)
        else:
            logger.debug("py3langid model cache written to %s", folder)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _discard(folder: Path) -> None:
    """Move a broken copy out of the way (renamed first, so no reader sees it half gone)."""
    try:
        trash = Path(tempfile.mkdtemp(prefix=f".{folder.name}.broken.", dir=folder.parent))
    except OSError as exc:  # not ours to remove (a read-only cache): the write fails too
        logger.debug("py3langid model cache %s not removed (%r)", folder, exc)
        return
    try:
        folder.rename(trash / "model")
    except OSError as exc:  # already moved away or replaced by another process
        logger.debug("py3langid model cache %s not removed (%r)", folder, exc)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
