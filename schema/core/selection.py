"""What the query asks of the field being resolved, for resolvers that load less when it asks
less. Reads what both executors' Info give (schema/engine/fast_execution.py's `ResolveInfo`)."""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

from schema.engine.fast_execution import ResolveInfo


def selects(info: ResolveInfo, *path: str) -> bool:
    """Whether the field being resolved selects the subfield `path` (a name, or names one
    below another, such as "edges", "node", "html"), directly or in fragments."""
    level = [node.selection_set for node in info.field_nodes]
    for name in path:
        level = [field.selection_set for field in _fields(level, name, info.fragments)]
        if not level:
            return False
    return True


def _fields(selection_sets: list, name: str, fragments: dict) -> list[FieldNode]:
    found, stack = [], list(selection_sets)
    while stack:
        selection_set = stack.pop()
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    stack.append(fragment.selection_set)
    return found
