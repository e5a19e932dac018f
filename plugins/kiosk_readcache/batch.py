"""A generator's reads, answered from the cache or read ahead on every core.

:class:`CachedReads` replaces ``generator.readers.read_file``. Its first call
(inside ``generate_context``, for the generator's first file) lists the files
``generate_context`` is about to read, exactly as it lists them, and

1. looks each one up in the cache (key: the file's path and bytes, the
   settings and code fingerprints, the content class; the bytes are hashed
   again only if the file's stat changed); an entry counts only if it is
   intact, the files it opened are unchanged and no future date in it has
   passed; the hits are unpickled there, all at once;
2. reads the misses in forked worker processes (they inherit the settings,
   the readers and every plugin), each file with :func:`reading.read_captured`.

Every call, in ``generate_context``'s own order, then sends the preread signal,
replays the file's log records, raises its error if reading raised one, or
returns its Content, rebuilt around this process's settings and context. So
the generator adds source paths, static links, translations and orderings
itself, as it does after a sequential read. Handlers of ``content_object_init``
and ``article_generator_context`` run only where the file is read: whatever
they compute must live on the Content or its metadata (true of every Kiosk
plugin: kiosk_figures keeps its planned variants on ``top_image`` and
``body_images``, which its generator collects from ``generated_content``).
"""

import gc
import hashlib
import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from kiosk_logrecords import replay

from . import fingerprint, store
from .notes import READ_RECORD, ReadNotes, read_identity
from .reading import loads_content, read_captured, shared_objects
from .terms import share_terms

logger = logging.getLogger(__name__)

# What forked workers need, set just before the pool forks them.
_JOB = None


class BuildState:
    """One build's cache folder, fingerprints, used entries and statistics."""

    def __init__(self, settings, options):
        self.settings = settings
        self.options = options
        self.use_cache = options["cache"]
        self.settings_fp = fingerprint.settings_fingerprint(settings)
        self.code_fp = fingerprint.code_fingerprint(settings) if self.use_cache else ""
        self.root = os.path.abspath(options["cache_path"])
        name = hashlib.sha256(
            (os.path.abspath(settings["PATH"]) + "\0" + self.settings_fp).encode()
        ).hexdigest()[:20]
        self.folder_name = name
        self.folder = os.path.join(self.root, name)
        self.store = store.Store(self.folder) if self.use_cache else None
        # Each returned Content records which read it is, for notes later stages
        # keep about its values between builds (notes.py: the render memo's digests).
        self.notes = ReadNotes(self.folder) if self.use_cache else None
        self.used = set()
        self.sources = {}  # path -> (stat, SHA-256) of the source files this build keyed
        self.stamps = {}  # path -> stamp of the files entries depend on, asked once per build
        self.committed = False
        self.stats = {
            "files": 0, "hashed": 0, "hits": 0, "read_here": 0, "read_in_workers": 0, "workers": 0,
            "ahead": 0,  # hits unpickled before the build went on (unpickle_ahead)
        }  # fmt: skip
        self.read_now = set()  # source paths of the files read, not answered by the cache
        # Stored Contents unpickled before the build was told to go, by entry key
        # (CachedReads.unpickle_ahead: the live preview's standby rebuild).
        self.ahead = {}
        self.ahead_used = []  # … those the build took (kept alive to share_articles_terms)
        self.terms = {}  # the terms shared so far (terms.share_terms)
        self._prefix = hashlib.sha256(f"{self.code_fp}\0{self.settings_fp}\0".encode())

    def key(self, content_class, relative_path, digest):
        """The entry key of a file, from the SHA-256 ``digest`` of its bytes."""
        kind = getattr(content_class, "__qualname__", "")
        key = self._prefix.copy()
        key.update(f"{kind}\0".encode() + os.fsencode(relative_path) + b"\0" + digest)
        return key.hexdigest()

    def source_key(self, content_class, base_path, relative_path, now):
        """The key of a source file, or None if it cannot be read.

        The file is read and hashed only if its stat differs from the one the
        last build recorded with its hash (or was too recent to stand for it).
        """
        path = os.path.join(base_path, relative_path)
        try:
            status = os.stat(path)
        except OSError:
            return None
        stat = store.file_stat(status)
        known = self.store.sources.get(path)
        if known is not None and known[0] == stat:
            digest = known[1]
        else:
            try:
                with open(path, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).digest()
            except OSError:
                return None
            self.stats["hashed"] += 1
        if store.settled(status, now):
            self.sources[path] = (stat, digest)
        return self.key(content_class, relative_path, digest)

    def valid_entry(self, key, now):
        """The stored entry of ``key`` if it holds: deps unchanged, not expired."""
        entry = self.store.entries.get(key)
        if entry is None:
            return None
        if entry.valid_until is not None and now / 1e9 >= entry.valid_until:
            return None
        if not store.deps_unchanged(entry.deps, self.stamps):
            return None
        return entry

    def valid_blob(self, key, now):
        """The stored blob of ``key`` if its entry holds and is intact."""
        entry = self.valid_entry(key, now)
        blob = None if entry is None else self.store.blob(key)
        return None if blob is None else (entry, blob)

    def stored_key(self, content_class, base_path, relative_path):
        """The key of a source file as the last build stored it, if its stat is
        the one recorded then (nothing is read or hashed, nothing recorded)."""
        path = os.path.join(base_path, relative_path)
        try:
            stat = store.file_stat(os.stat(path))
        except OSError:
            return None
        known = self.store.sources.get(path)
        if known is None or known[0] != stat:
            return None
        return self.key(content_class, relative_path, known[1])

    def commit(self):
        """Write what this build read and drop what it did not use (once per build)."""
        if self.committed or self.store is None:
            return
        self.committed = True
        try:
            self.store.commit(self.used, self.sources)
        except OSError as err:
            logger.info("kiosk_readcache: cannot write the cache (%s)", err)
        finally:
            self.store.close()

    def close(self):
        if self.store is not None:
            self.store.close()

    def finish(self):
        self.commit()
        if not self.use_cache or not os.path.isdir(self.folder):
            return
        try:
            self.notes.save()  # after rendering: the notes written during it included
        except OSError as err:
            logger.info("kiosk_readcache: cannot write the notes (%s)", err)
        store.touch(self.folder)
        store.prune_siblings(self.root, self.folder_name, self.options["prune_after_days"])


class CachedReads:
    """Stands in for ``Readers.read_file`` of one generator."""

    def __init__(self, state, generator, read_file, paths_setting, excludes_setting):
        self.state = state
        self.generator = generator
        self.read_file = read_file
        self.paths_setting = paths_setting
        self.excludes_setting = excludes_setting
        self.table = None

    def __call__(self, base_path, path, content_class=None, fmt=None, context=None, **signals_):
        kwargs = {"base_path": base_path, "path": path, "fmt": fmt, "context": context, **signals_}
        if content_class is not None:
            kwargs["content_class"] = content_class
        if self.table is None:
            self.table = {}
            if os.path.abspath(base_path) == os.path.abspath(self.generator.path):
                self._prepare(kwargs)
        planned = self.table.pop(path, None)
        shared = shared_objects(self.generator)
        if planned is None or planned[1] is None:
            key = planned[0] if planned else None
            outcome = read_captured(self.read_file, kwargs, shared)
            self.state.stats["read_here"] += 1
        else:
            key, outcome = planned
            if kwargs.get("preread_signal"):
                kwargs["preread_signal"].send(kwargs.get("preread_sender"))
        replay(outcome["records"])
        if outcome["error"] is not None:
            raise outcome["error"]
        if key is not None and self.state.use_cache:
            if not outcome.get("hit"):
                try:
                    self.state.store.add(
                        key,
                        outcome["object"],
                        outcome["records"],
                        outcome["deps"],
                        outcome["valid_until"],
                    )
                except OSError as err:
                    logger.info("kiosk_readcache: cannot write the cache (%s)", err)
            self.state.used.add(key)
        if outcome.get("hit"):
            content = outcome["loaded"]
        else:
            content = loads_content(outcome["object"], shared)
            self.state.read_now.add(content.source_path)
        # The entry this Content is a copy of: the identity of its read (notes.py).
        entry = outcome.get("entry") or (self.state.store.added.get(key) if key else None)
        if entry is not None and self.state.notes is not None:
            attached = getattr(content, READ_RECORD, None)  # unpickled ahead, with its record
            if attached is not None:
                self.state.notes.enter(attached)
            else:
                self.state.notes.record(content, read_identity(key, entry))
        return content

    def _stored(self, key, now, shared):
        """The stored Content of ``key`` if its entry holds, or None."""
        state = self.state
        if key is None:
            return None
        ahead = state.ahead.pop(key, None)  # unpickled ahead from this very entry
        if ahead is not None and state.valid_entry(key, now) is not None:
            state.stats["ahead"] += 1
            state.ahead_used.append(ahead)
            return ahead
        found = state.valid_blob(key, now)
        if found is None:
            return None
        try:
            return loads_content(found[1], shared)
        except Exception:  # noqa: BLE001 - e.g. a class gone: read it again
            return None

    # --- before the build goes ------------------------------------------------------
    def unpickle_ahead(self, content_class):
        """Unpickle every stored Content whose file's stat is the one the last
        build recorded, before the files are listed for the build (the live
        preview's standby rebuild, kiosk_standby). ``_prepare`` takes one only
        for the entry key it computes then, from the file as it is then: a file
        saved meanwhile has a new key, and is read.
        """
        generator, state = self.generator, self.state
        if not state.use_cache:
            return 0
        files = generator.get_files(
            generator.settings[self.paths_setting],
            exclude=generator.settings[self.excludes_setting],
        )
        shared = shared_objects(generator)
        collecting = gc.isenabled()
        gc.disable()  # thousands of objects made and kept: see _prepare
        try:
            for relative in files:
                key = state.stored_key(content_class, generator.path, relative)
                blob = state.store.blob(key) if key else None
                if blob is None:
                    continue
                try:
                    loaded = loads_content(blob, shared)
                except Exception:  # noqa: BLE001 - read again once the build goes
                    continue
                if state.notes is not None:  # entered only if the build returns it
                    state.notes.attach(loaded, read_identity(key, state.store.entries[key]))
                state.ahead[key] = loaded
            # Their equal terms one object each now (share_articles_terms does the rest).
            share_terms(state.ahead.values(), shared=state.terms)
        finally:
            if collecting:
                gc.enable()
        gc.freeze()  # kept for the build: later collections need not scan them
        return len(state.ahead)

    # --- the first call -----------------------------------------------------------
    def _prepare(self, kwargs):
        generator, state = self.generator, self.state
        content_class = kwargs.get("content_class")
        files = list(
            generator.get_files(
                generator.settings[self.paths_setting],
                exclude=generator.settings[self.excludes_setting],
            )
        )
        if _generator_layer_caching(generator.settings):
            files = [f for f in files if generator.get_cached_data(f, None) is None]
        misses = []
        now = time.time_ns()
        shared = shared_objects(generator)
        # Thousands of objects are created and kept here: a collection every
        # few hundred of them would scan all those before (half the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for relative in files:
                key = None
                if state.use_cache:
                    key = state.source_key(content_class, generator.path, relative, now)
                    loaded = self._stored(key, now, shared)
                    if loaded is not None:
                        entry = state.store.entries[key]
                        outcome = {"hit": True, "error": None, "loaded": loaded}
                        outcome.update(records=entry.records, entry=entry)
                        self.table[relative] = (key, outcome)
                        continue
                self.table[relative] = (key, None)
                misses.append(relative)
        finally:
            if collecting:
                gc.enable()
        state.ahead.clear()  # of files gone or saved since: garbage
        if len(files) > len(misses):
            # They stay to the end of the build: later collections need not scan
            # them again (kiosk_memory.release unfreezes them at ``finalized``).
            gc.freeze()
        state.stats["files"] += len(files)
        state.stats["hits"] += len(files) - len(misses)
        workers = state.options["workers"] or os.cpu_count() or 1
        workers = min(workers, len(misses))
        if (
            workers > 1
            and len(misses) >= state.options["parallel_min_files"]
            and "fork" in multiprocessing.get_all_start_methods()
        ):
            outcomes = _read_in_workers(self.read_file, kwargs, misses, workers, generator)
            for relative, outcome in outcomes.items():
                self.table[relative] = (self.table[relative][0], outcome)
            state.stats["read_in_workers"] += len(outcomes)
            state.stats["workers"] = max(state.stats["workers"], workers)


def _generator_layer_caching(settings):
    return (
        settings.get("LOAD_CONTENT_CACHE")
        and settings.get("CACHE_CONTENT")
        and settings.get("CONTENT_CACHING_LAYER") == "generator"
    )


# --- Workers -------------------------------------------------------------------------
def _worker_init():
    # Ctrl-C is the parent's to handle; a worker just stops with the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read_chunk(paths):
    read_file, template, generator = _JOB
    shared = shared_objects(generator)
    return [(path, read_captured(read_file, {**template, "path": path}, shared)) for path in paths]


def _read_in_workers(read_file, template, paths, workers, generator):
    """Read ``paths`` in ``workers`` forked processes; return {path: outcome}."""
    global _JOB
    _JOB = (read_file, template, generator)
    size = max(1, min(32, len(paths) // (workers * 4)))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_init,
    )
    outcomes = {}
    finished = False
    try:
        futures = [(chunk, executor.submit(_read_chunk, chunk)) for chunk in chunks]
        for chunk, future in futures:
            try:
                outcomes.update(future.result())
            except BrokenProcessPool:
                message = (
                    f"kiosk_readcache: a reading process died while reading {len(chunk)} "
                    f"file(s) from {chunk[0]}; nothing was written"
                )
                logger.error(message)
                raise RuntimeError(message) from None
        finished = True
    finally:
        _JOB = None
        if not finished:
            # An error or Ctrl-C: stop the workers now rather than wait for their chunks.
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.terminate()
        executor.shutdown(wait=finished, cancel_futures=True)
    return outcomes
