"""atoz: keep every Amazon A-to-z Guarantee claim deadline, locally."""

__version__ = "0.2.0"
