"""How the model is observed: the observation model that turns the two cities' counts into the national series
the sources report (:mod:`nkborder.observation.model`), and the measures that read one observed quantity from a
run's yearly table (:mod:`nkborder.observation.measures`, summing over cities with
:mod:`nkborder.observation.sums`). The pattern catalogue (``nkborder.validation``) and
the calibration (``nkborder.calibration``) both read the model through them."""
