"""The fit: an Optuna study over the config's parameters, every trial on the same replications.

* **Common random numbers.** Every trial runs the scenario with the config's seed and the same k
  replications, so two trials differ only by their parameters and the objective is a
  deterministic, much smoother function of them; the seed is never fitted. Afterwards the best
  parameters are run on replications of another seed (``fresh_seed``) to show the fit is not
  tuned to the k replications' noise.
* **Determinism and resuming.** Trials run one after another (ask, simulate, tell); the k
  replications of a trial run in parallel on the executor. Each trial's sampler is created anew
  with seed (seed + number of completed trials), so a trial's parameters depend only on the
  seed and the completed trials in the study file: an interrupted fit resumed from its study
  file (SQLite, ``study.db`` in the output folder) gives the same result as one that ran
  through, and the same seed gives the same fit. A trial interrupted half-way is marked failed
  and run again.
* **Runs** go through :func:`simulation.service.simulate` with the lean recorder (no result
  tables, only the stocks and flows) on one executor kept open over all trials.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
import pandas as pd

from calibration.objective import Problem, Score, score
from simulation import service
from simulation.config import ScenarioError, fingerprint
from simulation.results.provenance import code_fingerprint
from simulation.runner import Executor

__all__ = ["FitResult", "evaluate", "fit", "study_fingerprint"]

#: ``report(done, total, value, best, seconds)`` after each trial
Report = Callable[[int, int, float, float, float], None]


@dataclass
class FitResult:
    values: dict[str, float]
    settings: dict[str, float]
    score: Score
    fresh: Score | None
    trials: pd.DataFrame
    seconds_per_trial: float
    study_file: Path
    extra: dict[str, Any] = field(default_factory=dict)


def evaluate(
    problem: Problem, settings: dict[str, float], seed: int, replications: int, executor: Executor, engine: str
) -> Score:
    """The objective of the scenario with ``settings`` (path -> value) on ``replications`` of ``seed``."""
    overrides: dict[str, Any] = {"seed": seed, "replications": replications}
    if problem.config.years is not None:
        overrides["years"] = problem.config.years
    sweep = [(path, (value,)) for path, value in settings.items()]
    sim = service.simulate(problem.scenario_path, overrides=overrides, sweep=sweep, engine=engine, executor=executor)
    if sim.stocks is None or sim.flows is None:
        raise RuntimeError("the run returned no stocks or flows table")
    return score(problem, sim.stocks, sim.flows)


def study_fingerprint(problem: Problem, engine: str) -> str:
    """What a study's trials depend on: the config (minus the trial count), the scenario with its
    data files, the model code and the engine. A study made by an older model is not resumed: its
    trials scored another model."""
    cfg = problem.config.model_dump(mode="json")
    cfg.pop("trials")
    cfg.pop("fresh_replications")
    made_by = {
        "config": cfg,
        "scenario": str(problem.scenario_path),
        "scenario_content": fingerprint(problem.scenario),
        "code": code_fingerprint(),
        "engine": engine,
    }
    text = json.dumps(made_by, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _sampler(problem: Problem, seed: int) -> optuna.samplers.BaseSampler:
    cfg = problem.config
    if cfg.sampler == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, n_startup_trials=cfg.startup_trials)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=cfg.startup_trials)


def _distributions(problem: Problem) -> dict[str, optuna.distributions.BaseDistribution]:
    return {
        p.label: optuna.distributions.FloatDistribution(p.low, p.high, log=p.log) for p in problem.config.parameters
    }


def _open_study(problem: Problem, out_dir: Path, engine: str) -> tuple[optuna.Study, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "study.db"
    storage = f"sqlite:///{db.resolve()}"
    fp = study_fingerprint(problem, engine)
    study = optuna.create_study(
        study_name=problem.config.name, storage=storage, direction="minimize", load_if_exists=True
    )
    old = study.user_attrs.get("fingerprint")
    if old is None:
        study.set_user_attr("fingerprint", fp)
    elif old != fp:
        raise ScenarioError(
            str(db),
            [
                (
                    "--out",
                    "this study file was made by another config, scenario (or its data), model code or engine; "
                    "give a new --out folder (or move this one away)",
                )
            ],
        )
    # a trial interrupted half-way: failed, so the samplers ignore it and it runs again
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(t.number, state=optuna.trial.TrialState.FAIL)
    return study, db


def _complete(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def fit(
    problem: Problem,
    out_dir: Path,
    *,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    engine: str = "simpy",
    report: Report | None = None,
) -> FitResult:
    """Run the study to ``config.trials`` completed trials (resuming the study file in ``out_dir``)
    and check the best parameters on fresh seeds."""
    optuna.logging.set_verbosity(logging.WARNING)
    cfg = problem.config
    study, db = _open_study(problem, out_dir, engine)
    dists = _distributions(problem)
    labels = [p.label for p in cfg.parameters]
    jobs = max(cfg.replications, cfg.fresh_replications)
    with Executor(executor, workers, scheduler, max_jobs=jobs) as ex:
        done = len(_complete(study))
        while done < cfg.trials:
            study.sampler = _sampler(problem, cfg.seed + done)
            trial = study.ask(dists)
            started = time.perf_counter()
            values = [float(trial.params[label]) for label in labels]
            result = evaluate(problem, problem.settings(values), cfg.seed, cfg.replications, ex, engine)
            seconds = time.perf_counter() - started
            trial.set_user_attr("seconds", seconds)
            trial.set_user_attr("shift", result.shift)
            study.tell(trial, result.objective)
            done += 1
            if report is not None:
                report(done, cfg.trials, result.objective, float(study.best_value), seconds)
        complete = _complete(study)
        # the lowest objective; ties go to the earliest trial (study.best_trial does the same)
        best = min(complete, key=lambda t: (t.value, t.number))
        values = [float(best.params[label]) for label in labels]
        settings = problem.settings(values)
        at_fit = evaluate(problem, settings, cfg.seed, cfg.replications, ex, engine)
        fresh = None
        if cfg.fresh_replications > 0:
            fresh = evaluate(problem, settings, cfg.fresh_seed, cfg.fresh_replications, ex, engine)
    trials = pd.DataFrame(
        [
            {"trial": i, "number": t.number, "objective": t.value, "seconds": t.user_attrs.get("seconds"),
             **{f"param.{k}": v for k, v in t.params.items()}}
            for i, t in enumerate(sorted(complete, key=lambda t: t.number))
        ]
    )  # fmt: skip
    secs = trials["seconds"].dropna()
    return FitResult(
        dict(zip(labels, values, strict=True)),
        settings,
        at_fit,
        fresh,
        trials,
        float(secs.mean()) if len(secs) else float("nan"),
        db,
    )
