"""Envelope encryption: per-tenant master keys in backends, versioned data keys."""
