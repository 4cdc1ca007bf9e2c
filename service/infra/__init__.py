"""Adapters: the store, snapshots, per-person keys and sealing, credentials, the audit chain, backups."""
