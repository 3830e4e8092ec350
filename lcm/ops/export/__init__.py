"""Publishing the effective config: `lcm export` (publish.py and one module per target) and
the shared source (source.py) that `lcm exec` reads too. Nothing is imported here, so
`lcm exec` loads only what it needs."""
