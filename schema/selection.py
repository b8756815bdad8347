"""What the query asks of the field being resolved, for resolvers that load less when it asks
less. Works with Strawberry's Info and with the fast executor's."""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


def selects(info, name: str) -> bool:
    """Whether the field being resolved selects the subfield `name`, directly or in a
    fragment."""
    raw = getattr(info, "_raw_info", info)
    stack = [node.selection_set for node in raw.field_nodes]
    while stack:
        selection_set = stack.pop()
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    return True
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = raw.fragments.get(selection.name.value)
                if fragment is not None:
                    stack.append(fragment.selection_set)
    return False
