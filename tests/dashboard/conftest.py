"""Fixtures for the dashboard tests: a tiny result store, made once per session through the
service path (tests/dashboard/tiny.py), and an AppTest on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.store import ROOT_ENV
from tests.dashboard.tiny import make_store

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store")
    make_store(root)
    return root


@pytest.fixture()
def store_env(tiny_store: Path) -> Iterator[Path]:
    """``$JEUGDZORG_RESULTS_ROOT`` pointing at the tiny store for one test."""
    old = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(tiny_store)
    yield tiny_store
    if old is None:
        os.environ.pop(ROOT_ENV, None)
    else:
        os.environ[ROOT_ENV] = old
