"""The seat's local store: one SQLite file, written first, synced later (R16.1)."""
