"""Results: result sets (:mod:`~simulation.results.sets`: written atomically with a manifest,
checked, read through :func:`open_results`) and the store they live in
(:mod:`~simulation.results.store`: naming, reuse, the lock, the listing), and where a result came
from (:mod:`~simulation.results.provenance`)."""

from __future__ import annotations

from simulation.results.provenance import code_fingerprint, git_commit, versions
from simulation.results.sets import (
    MANIFEST,
    PENDING,
    ResultDamagedError,
    ResultExistsError,
    ResultSet,
    ResultWriter,
    check_destination,
    open_results,
    read_manifest,
    verify_result_set,
    write_part,
    write_result_set,
)
from simulation.results.store import (
    StoreLockTimeout,
    find_reusable,
    free_dir,
    list_results,
    locate_result_set,
    store_dir,
    store_lock,
)

__all__ = [
    "MANIFEST",
    "PENDING",
    "ResultDamagedError",
    "ResultExistsError",
    "ResultSet",
    "ResultWriter",
    "StoreLockTimeout",
    "check_destination",
    "code_fingerprint",
    "find_reusable",
    "free_dir",
    "git_commit",
    "list_results",
    "locate_result_set",
    "open_results",
    "read_manifest",
    "store_dir",
    "store_lock",
    "verify_result_set",
    "versions",
    "write_part",
    "write_result_set",
]
