"""A config repository: manifest, addresses, overlays and effective configs, the
crash-safe commit, the writer lock and the audit trail."""
