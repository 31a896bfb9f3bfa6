"""aos's legacynet defaults for new processes (modules-and-remote.md §4, §8): the aos 2.0.1 module of Nov 2024,
aos's scheduler and the legacynet MU's authority. Kept apart so the CLI can name them without loading crypto."""

DEFAULT_MODULE = "Do_Uc2Sju_ffp6Ev0AnLVdPtot15rvMjP-a9VVaA5fM"
DEFAULT_SCHEDULER = "_GQ33BkPtZrqxA84vM8Zk-N2aO0toNNu_C-l-rawrBA"
DEFAULT_AUTHORITY = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
