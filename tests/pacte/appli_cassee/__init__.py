"""A feature app used only by the discovery tests: its reference module fails to import."""
