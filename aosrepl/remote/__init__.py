"""The console's second backend: a real AO network over HTTP (issue 15).

wallet.py (the Arweave JWK), ans104.py (signed data items), units.py (HTTP clients of the MU, CU and gateway),
feed.py (the live feed: polling the CU for new results), backend.py (RemoteNetwork: the console's backend
interface, aosrepl/backend.py, over those units)."""
