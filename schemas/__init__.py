"""Built-in JSON Schemas, shipped inside the wheel as ``lcm.builtin_schemas``."""
