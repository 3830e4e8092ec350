"""The Textual face of lcm (installed as ``lcm_tui``); the core never imports it.

    from lcm_tui import LcmApp
    LcmApp("path/to/config-repo").run()
"""

from lcm_tui.app import LcmApp

__all__ = ["LcmApp"]
