"""The stored file format: YAML documents, key paths, encrypted values, the file MAC,
sealing a plaintext tree into stored form, and writing text that changes only what must.

Nothing here knows about repositories, Git or key backends: sealing takes the data keys
as an object with `key(version)` and `active_key()`.
"""
