"""The Textual face of lcm (installed as ``lcm_tui``); the core never imports it."""
