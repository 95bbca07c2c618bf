"""A feature app used only by the discovery tests: it declares a menu item and nothing else."""
