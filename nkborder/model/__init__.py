"""The model: initialisation, the state's policy environment and one module per submodel.

Submodels (``livelihoods``, ``demography``, ``information``, ``defection``, ``smuggling``, ``china``,
``guards``, ``markets``) hold numba kernels that take arrays and scalars only; :mod:`nkborder.engine` runs them
in the order of :mod:`nkborder.engine.plan`.
"""
