"""The web app (Solara): edit a scenario's policy timeline and parameters, run it, compare what-ifs, browse runs.

``nkborder app`` starts it (see :func:`nkborder.app.server.serve`). The modules:

- :mod:`~nkborder.app.state`: scenario editing and validation (events, parameters, uploads), no UI;
- :mod:`~nkborder.app.jobs`: runs through the experiment layer (Dask) into the DuckDB store, with progress;
- :mod:`~nkborder.app.storage`: reading the results file (runs, experiments, tables, downloads);
- :mod:`~nkborder.app.cluster`: the app's long-lived local Dask cluster and its simulated-date reports;
- :mod:`~nkborder.app.charts` and :mod:`~nkborder.app.citymap`: the figures (specifications drawn by
  :mod:`nkborder.figures`, interactive in the page, static for downloads);
- :mod:`~nkborder.app.session`: the page's reactive state and actions (one copy per browser tab);
- :mod:`~nkborder.app.naming`: experiment names (the user's, or read from the scenarios and options);
- :mod:`~nkborder.app.provenance`: the command that reruns an experiment or run, and the metadata of downloads;
- :mod:`~nkborder.app.paramview`: the parameters by submodel, the calibrated ones, the changes from the baseline;
- :mod:`~nkborder.app.studies`: sweeps and sensitivity analyses started from the page (planned and checked);
- :mod:`~nkborder.app.components`, :mod:`~nkborder.app.panels`, :mod:`~nkborder.app.study_panel` and
  :mod:`~nkborder.app.pages`: the Solara page (``*.vue``: its upload zone, copy button and width probe);
- :mod:`~nkborder.app.inputs`: the page's text boxes, which keep what is typed while the page is redrawn;
- :mod:`~nkborder.app.server`: serving it (``nkborder app``); :mod:`~nkborder.app.assets`: its front end.

The model logic stays in the package: the app only calls the public API.
"""
