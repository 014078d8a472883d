"""Calibration to CBS history: targets, the fit, its report and the out-of-sample check.

* :mod:`~calibration.targets`: the CBS series in data/cbs as targets (stock, flow or active; a
  data-quality weight; the 2021 trend-break flag) and the model forms each counts;
* :mod:`~calibration.model_side`: the model's value of a target from a run's stocks and flows;
* :mod:`~calibration.config`: the calibration config (pydantic);
* :mod:`~calibration.objective`: the config checked against its scenario, and the objective;
* :mod:`~calibration.fit`: the Optuna study (common random numbers, resumable, deterministic);
* :mod:`~calibration.output`, :mod:`~calibration.report`: the calibrated scenario and its report;
* :mod:`~calibration.validation`: fit on earlier years, predict later ones (coverage, CRPS);
* :mod:`~calibration.cli`: ``jeugdzorg-sim calibrate`` and ``validate-history``.

The CBS series in data/cbs end in 2022 on purpose: 2023 and later are held back for
out-of-sample validation.
"""
