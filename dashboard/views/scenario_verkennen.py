"""Scenario verkennen: a what-if without editing YAML, or an uploaded scenario, run in the background."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import labels_nl as nl
from dashboard import reference, store, ui, upload, whatif
from simulation import service
from simulation.config import ScenarioError

st.title("Scenario verkennen")
st.markdown(
    "Verander een scenario zonder YAML te bewerken en reken het door. De berekening loopt in een apart proces "
    "en komt als nieuwe resultaatset in de resultatenmap; daarna ziet u de uitkomst op de andere pagina's."
)
names = reference.region_names()
root = store.store_root()


@st.cache_resource(show_spinner=False)
def _worker() -> whatif.WarmWorker:
    """One warm worker for the dashboard, started when this page is first opened (it loads the
    model while the form is being filled in)."""
    worker = whatif.WarmWorker()
    worker.warm_up()
    return worker


def _start(scenario_file: Path) -> None:
    status = scenario_file.parent / "status.json"
    pid = _worker().submit(scenario_file, root, status)
    st.session_state["whatif_job"] = {"status": str(status), "pid": pid, "file": str(scenario_file)}


_worker()


zelf, eigen = st.tabs(["Zelf instellen", "Scenario uploaden"])
with zelf, st.form("whatif"):
    regime = st.selectbox("Regime", whatif.REGIMES, index=1, format_func=nl.regime, key="wi_regime",
                          help=nl.help_text("regime"))  # fmt: skip
    codes: list[str | None] = [None, *names]
    region = st.selectbox(
        "Gebied",
        codes,
        index=codes.index("JZ08"),
        format_func=lambda c: "Heel Nederland (duurt minuten)" if c is None else f"{names[c]} ({c}) met buurregio's",
        key="wi_region",
        help="Eén jeugdregio rekent met haar buurregio's en de zorgvormen die de regio zelf inkoopt; "
        "heel Nederland met alle zorgvormen.",
    )
    slots = {"region": st.empty(), "regime": st.empty()}
    demand = st.number_input("Vraaggroei per jaar (%)", value=0.0, step=1.0, key="wi_demand",
                             help="Groei van het aantal verwijzingen per jaar; negatief is krimp.")  # fmt: skip
    slots["demand_growth"] = st.empty()
    turnover = st.number_input("Verloop van personeel (factor)", value=1.0, step=0.1, key="wi_turnover",
                               help="1 = zoals nu; 1,5 = anderhalf keer zoveel verloop.")  # fmt: skip
    slots["turnover_factor"] = st.empty()
    tariff = st.number_input("Tarieven (factor)", value=1.0, step=0.05, key="wi_tariff",
                             help="Alle tarieven vanaf de start maal deze factor; 0,9 = 10% korting.")  # fmt: skip
    slots["tariff_factor"] = st.empty()
    places = st.number_input("Plaatsen (factor)", value=1.0, step=0.05, key="wi_places",
                             help="Alle plaatsen van alle aanbieders vanaf de start maal deze factor; "
                             "0,9 = 10% minder plaatsen.")  # fmt: skip
    slots["places_factor"] = st.empty()
    national = st.multiselect(
        "Landelijk ingekochte zorgvormen", list(nl.CARE_FORMS), format_func=nl.care_form, key="wi_national",
        help="Leeg laten: zoals het regime het zegt. Alleen voor heel Nederland.",
    )  # fmt: skip
    slots["national_forms"] = st.empty()
    fail = st.checkbox("De grootste aanbieder valt na vier maanden onverwacht om", key="wi_fail")
    years = st.number_input("Gesimuleerde jaren", value=1.0, step=0.25, key="wi_years")
    slots["years"] = st.empty()
    reps = st.number_input("Replicaties", value=3, step=1, key="wi_reps", help=nl.help_text("replications"))
    slots["replications"] = st.empty()
    submitted = st.form_submit_button("Bereken", type="primary")

if submitted:
    w = whatif.WhatIf(
        regime=str(regime),
        region=region,
        demand_growth=float(demand) / 100,
        turnover_factor=float(turnover),
        tariff_factor=float(tariff),
        places_factor=float(places),
        national_forms=tuple(national) or None,
        fail_largest=bool(fail),
        years=float(years),
        replications=int(reps),
    )
    problems = whatif.check(w, set(names), set(nl.CARE_FORMS))
    for field, message in problems.items():
        slots.get(field, slots["regime"]).error(message)
    if not problems:
        folder = Path(tempfile.mkdtemp(prefix="jeugdzorg-wat-als-"))
        path = whatif.write_scenario(w, folder)
        try:
            service.load(path)  # the command line's checks, before a process starts
        except ScenarioError as exc:
            st.error(f"Het scenario is niet geldig:\n\n{exc}")
        else:
            _start(path)

with eigen:
    st.markdown(
        "Upload een scenario (YAML) dat voortbouwt op een meegeleverd scenario, bijvoorbeeld:\n\n"
        "```yaml\nextends: flevoland.yaml\nname: mijn-proef\nyears: 1\ndemand:\n  growth_per_year: 0.05\n```\n"
        f"Hoogstens {upload.MAX_BYTES // 1000} kB; `extends` en `*_file` mogen alleen meegeleverde scenario's en "
        "gegevens noemen."
    )
    file = st.file_uploader("Scenario (YAML)", type=["yaml", "yml"], key="wi_upload")
    if file is not None and st.button("Bereken het geüploade scenario", key="wi_upload_run"):
        try:
            path, _ = upload.accept(file.getvalue(), Path(tempfile.mkdtemp(prefix="jeugdzorg-upload-")))
        except upload.UploadRefused as exc:
            st.error(str(exc))
        else:
            _start(path)


@st.fragment(run_every=0.25)  # the answer shows within a quarter second
def progress() -> None:
    job = st.session_state.get("whatif_job")
    if not job:
        return
    status = whatif.read_status(Path(job["status"]))
    state = status.get("state")
    if state in ("starting", "running"):
        done, total = int(status.get("done", 0)), int(status.get("total", 0))
        st.progress(done / total if total else 0.0, text=f"Bezig: {done} van {total or '?'} replicaties klaar")
    elif state == "error":
        st.error(str(status.get("message", "De berekening is mislukt.")))
    elif state == "done":
        path = str(status["path"])
        st.success(f"Klaar{' (eerder berekend)' if status.get('reused') else ''}: resultaatset `{Path(path).name}`.")
        if st.button("Bekijk de uitkomst in Overzicht", key="wi_show"):
            ui.sets.clear()
            st.session_state["wanted_set"] = path  # the sidebar takes it before it draws its chooser
            st.switch_page("views/overzicht.py")


progress()
