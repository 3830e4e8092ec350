"""The tree of tenants → environments → files; namespaced names (`router/models`) nest."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

import lcm.api as api


@dataclass(frozen=True)
class Place:
    """What a tree node stands for: a tenant, an env, a namespace folder or a file."""

    kind: str  # tenant | env | folder | file
    tenant: str
    env: str = ""
    name: str = ""
    inherited: bool = False

    @property
    def address(self) -> str:
        return f"{self.tenant}/{self.env}/{self.name}"


class RepoTree(Tree[Place]):
    """Tenants, their environments and each environment's files (inherited ones dimmed)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("config", **kwargs)  # type: ignore[arg-type]
        self.show_root = False
        self.guide_depth = 3
        self._files: dict[str, TreeNode[Place]] = {}

    def populate(self, listing: api.Listing) -> None:
        """Rebuild from a listing, keeping which tenants and envs were expanded."""
        expanded = {n.data for n in self._walk() if n.is_expanded and n.data is not None}
        first = not self._files
        self.clear()
        self._files.clear()
        for tenant in listing.tenants:
            t_node = self.root.add(Text.assemble((tenant.name, "bold"), (f"  {tenant.backend}",
                                   "dim")), Place("tenant", tenant.name))
            for env in listing.environments:
                env_place = Place("env", tenant.name, env.name)
                own = listing.own.get((tenant.name, env.name), [])
                inherited = listing.inherited.get((tenant.name, env.name), [])
                e_node = t_node.add(env.name, env_place)
                for name, is_inherited in sorted([(n, False) for n in own]
                                                 + [(n, True) for n in inherited]):
                    self._add_file(e_node, Place("file", tenant.name, env.name, name,
                                                 is_inherited))
                if env_place in expanded:
                    e_node.expand()
            if first or t_node.data in expanded:
                t_node.expand()
        if first:
            self.cursor_line = 0

    def add_pending_file(self, tenant: str, env: str, name: str) -> None:
        """Show a file staged for creation (before it exists on disk)."""
        for node in self._walk():
            if node.data == Place("env", tenant, env):
                self._add_file(node, Place("file", tenant, env, name), pending=True)
                node.expand()
                if node.parent is not None:
                    node.parent.expand()

    def reveal_file(self, address: str) -> bool:
        """Expand the way to a file and move the cursor onto it."""
        node = self._files.get(address)
        if node is None:
            return False
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(self.move_cursor, node)
        self.move_cursor(node)
        return True

    def mark_problem(self, address: str, problem: str) -> None:
        """Flag a file whose reading failed (e.g. its MAC does not verify)."""
        node = self._files.get(address)
        if node is not None and node.data is not None:
            leaf = node.data.name.rsplit("/", 1)[-1]
            node.set_label(Text.assemble((leaf, "bold red"), (f"  {problem}", "red")))

    @property
    def addresses(self) -> list[str]:
        return sorted(self._files)

    def _add_file(self, env_node: TreeNode[Place], place: Place, pending: bool = False) -> None:
        parent = env_node
        *folders, leaf = place.name.split("/")
        for i, folder in enumerate(folders):
            folder_place = Place("folder", place.tenant, place.env, "/".join(folders[: i + 1]))
            found = next((c for c in parent.children if c.data == folder_place), None)
            parent = found or parent.add(f"{folder}/", folder_place, expand=True)
        style = "dim italic" if place.inherited else ("green" if pending else "")
        note = "  inherited" if place.inherited else ("  new" if pending else "")
        label = Text.assemble((leaf, style), (note, "dim"))
        self._files[place.address] = parent.add_leaf(label, place)

    def _walk(self) -> list[TreeNode[Place]]:
        out: list[TreeNode[Place]] = []
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(node.children)
        return out
