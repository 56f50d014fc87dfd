"""The raw store, the stage between fetching and reading: every fetched document kept unedited.

``store.py`` keeps the bytes by sha256, ``manifest.py`` the typed record of every
stored version, ``portals.py`` the portals nianbao reads (declared once, for
every stage), ``layout.py`` where everything lives under the data dir. Imports
nothing from the other stages.
"""
