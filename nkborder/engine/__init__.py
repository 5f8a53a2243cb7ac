"""The simulation loop: the step plan, the monthly and daily passes that call the submodels, and the run's tables."""
