"""hireflow: an open-source, self-hostable hiring platform."""

__version__ = "0.1.0"
