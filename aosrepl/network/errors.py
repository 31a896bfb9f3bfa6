"""Errors the network raises on purpose: each carries a message the console can print as it is."""


class NetworkError(Exception):
    """A request the network cannot carry out (unknown process, bad arguments, closed network...)."""


class DataDirError(NetworkError):
    """The data directory is unusable: corrupt, foreign, from a newer version, or in use by another network.
    Nothing in it has been changed."""


class NetworkTimeout(NetworkError, TimeoutError):
    """A result did not arrive in time (the message stays logged and will still be handled)."""
