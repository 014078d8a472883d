"""Calibration to CBS history (roadmap): targets from the shipped CBS series, then fit and check.

Only the targets exist yet; the objective, the fit and the out-of-sample validation come with
the calibration issue. The CBS series in data/cbs end in 2022 on purpose: 2023 and later are held
back for out-of-sample validation.
"""
