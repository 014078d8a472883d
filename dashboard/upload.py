"""A scenario YAML uploaded in the dashboard, read safely and validated as on the command line.

An upload is text from elsewhere. It is refused, with a Dutch message, when it is larger than
:data:`MAX_BYTES`, is not UTF-8, is not YAML the strict safe parser accepts (no tags that build
Python objects, no alias bombs, no deep nesting: ``simulation.config.loader.parse_yaml``), is not
a single scenario, or when its ``extends`` or any ``*_file`` names a file outside the shipped
``scenarios/`` and ``data/`` folders (after ``..``, absolute paths and symbolic links are
resolved). Names are read as a shipped scenario reads them: relative to ``scenarios/``, so
``extends: regionaal.yaml`` and ``places_file: ../data/...`` work. The accepted file is written
with every such name made absolute into a fresh folder and loaded with
``LoadPolicy.confined`` (that folder, ``scenarios/``, ``data/``), so the loader itself checks the
whole ``extends`` chain again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dashboard.geo import DATA_DIR
from simulation import service
from simulation.config import LoadPolicy, ScenarioError
from simulation.config.loader import parse_yaml
from simulation.experiment import Experiment

__all__ = ["MAX_BYTES", "UploadRefused", "accept"]

MAX_BYTES = 200_000
SCENARIOS = DATA_DIR.parent / "scenarios"


class UploadRefused(ValueError):
    """An upload that is not read; ``str()`` is the Dutch message for the page."""


def _inside(path: Path, folders: tuple[Path, ...]) -> bool:
    return any(path.is_relative_to(f) for f in folders)


def _confine(node: Any, base: Path, folders: tuple[Path, ...], where: str = "") -> Any:
    """``node`` with ``extends`` and every ``*_file`` made absolute (relative to ``base``),
    refused when one lies outside ``folders``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            field = f"{where}{key}"
            if (key == "extends" or str(key).endswith("_file")) and value is not None:
                if not isinstance(value, str) or not value.strip():
                    raise UploadRefused(f"Het veld '{field}' moet een bestandsnaam zijn.")
                try:
                    real = (base / value).resolve()  # '..', absolute paths and symbolic links followed
                except (OSError, RuntimeError, ValueError):
                    raise UploadRefused(f"Het veld '{field}' is geen bruikbare bestandsnaam.") from None
                if not _inside(real, folders):
                    raise UploadRefused(
                        f"Het veld '{field}' verwijst naar een bestand buiten de meegeleverde mappen scenarios/ en "
                        "data/. Een geüpload scenario mag alleen meegeleverde scenario's en gegevens gebruiken."
                    )
                out[key] = str(real)
            else:
                out[key] = _confine(value, base, folders, f"{field}.")
        return out
    if isinstance(node, list):
        return [_confine(v, base, folders, f"{where}{i}.") for i, v in enumerate(node)]
    return node


def _dutch(exc: ScenarioError) -> str:
    text = str(exc)
    if "aliases" in text or "expand" in text or "recursive alias" in text or "nested more" in text:
        why = "Het bestand bevat te veel of te diep geneste verwijzingen (YAML-aliassen)."
    elif "constructor" in text or "tag" in text:
        why = "Het bestand bevat een YAML-tag die hier niet is toegestaan (alleen gewone YAML)."
    elif "not valid YAML" in text:
        why = "Het bestand is geen geldige YAML."
    else:
        why = "Het scenario is niet geldig."
    return f"{why}\n\nDetails (Engels): {text}"


def accept(
    data: bytes, folder: Path, scenarios_dir: Path = SCENARIOS, data_dir: Path = DATA_DIR
) -> tuple[Path, Experiment]:
    """Check an uploaded scenario and write it into ``folder`` (a fresh folder of the caller's);
    returns the written file and the loaded, validated scenario. Raises :class:`UploadRefused`."""
    if len(data) > MAX_BYTES:
        raise UploadRefused(f"Het bestand is te groot: hoogstens {MAX_BYTES // 1000} kB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused("Het bestand is geen UTF-8-tekst; bewaar het als UTF-8.") from None
    try:
        raw = parse_yaml(text, "upload")
    except ScenarioError as exc:
        raise UploadRefused(_dutch(exc)) from None
    if not isinstance(raw, dict):
        raise UploadRefused("Het bestand moet een scenario zijn: een YAML-mapping met sleutels zoals name en extends.")
    if "scenarios" in raw:
        raise UploadRefused("Upload één scenario, geen experiment (een bestand met een lijst 'scenarios').")
    folders = (scenarios_dir.resolve(), data_dir.resolve())
    confined = _confine(raw, scenarios_dir.resolve(), folders)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "upload.yaml"
    path.write_text(yaml.safe_dump(confined, sort_keys=False, allow_unicode=True), encoding="utf-8")
    policy = LoadPolicy(roots=(folder.resolve(), *folders), max_yaml_bytes=MAX_BYTES)
    try:
        experiment = service.load(path, policy=policy)
    except ScenarioError as exc:
        raise UploadRefused(_dutch(exc)) from None
    return path, experiment
