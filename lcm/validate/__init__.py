"""Schema validation: built-in and repo JSON Schemas, lcm's own checks, located findings.

`lcm validate` (lcm.cli.validate) and the write gate (`gate.check_pending`) are the two
callers. jsonschema is imported only by `lcm.validate.schemas`, and only when a schema
actually applies, so `lcm --help` and `lcm scan` never pay for it.
"""
