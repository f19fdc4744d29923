"""Call actors, their pool and the gateway. A package, so that the fixtures conftest.py
shares per package (the calls tests' pool) end with its last test."""
