"""cuetui: a terminal UI for an OpenCue render farm, spoken to through the OpenCue REST Gateway."""

__version__ = "0.1.0"
