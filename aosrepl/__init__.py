"""aosrepl: an offline, aos-compatible AO playground."""
__version__ = "0.1.0"
