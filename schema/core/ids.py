"""Global IDs: the one decoder every path uses (`node`, `post(id:)`, `comment`, mutation inputs).

An ID is accepted only in the form Hearth writes it: the standard, padded base64 of
"Type:<decimal key>", the key without sign, spaces, leading zeros or non-ASCII digits. Any other
spelling of the same object (`Post:１`, `Post: 1`, `Post:+1`, `Post:01`, unpadded or URL-safe
base64) is no ID at all, so each object has exactly one.
"""

import base64
import binascii
import re

from strawberry.relay import GlobalID

from cms.errors import DomainError, ErrorCode

# Longer than any ID Hearth writes ("Comment:" and 19 digits, in base64); no need to decode more.
MAX_ID_LENGTH = 64
_PLAIN = re.compile(r"([A-Za-z][A-Za-z0-9]*):([1-9][0-9]*)", re.ASCII)
_MAX_KEY = 2**63


def encode_global_id(type_name: str, pk: int) -> str:
    return str(GlobalID(type_name, str(pk)))


def parse_global_id(value: object) -> tuple[str, int] | None:
    """(type name, key) of a canonical global ID, or None for anything else."""
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        return None
    try:
        plain = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    match = _PLAIN.fullmatch(plain)
    if match is None:
        return None
    type_name, pk = match[1], int(match[2])
    # Re-encoding rules out the other base64 spellings of the same bytes (stray padding bits).
    if not pk < _MAX_KEY or encode_global_id(type_name, pk) != value:
        return None
    return type_name, pk


def decode_global_id(value: str, *, field: str, types: tuple[str, ...]) -> tuple[str, int]:
    """(type name, key) of a canonical ID of one of `types`, or the caller's NOT_FOUND."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] not in types:
        raise DomainError(ErrorCode.NOT_FOUND, "No such object.", field=field)
    return parsed


def load_visible(find, value: str, *, field: str, type_name: str):
    """`find(pk=...)` of a canonical ID of `type_name`, or the caller's NOT_FOUND when it finds
    nothing."""
    _, pk = decode_global_id(value, field=field, types=(type_name,))
    obj = find(pk=pk)
    if obj is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"There is no such {type_name.lower()}.",
                          field=field)
    return obj


def pk_of(value: str, type_name: str) -> int | None:
    """The key of a canonical ID of `type_name`; None for anything else, which finds nothing."""
    parsed = parse_global_id(value)
    return parsed[1] if parsed is not None and parsed[0] == type_name else None


def node_keys(node_ids) -> list[int]:
    """The keys among the `node_ids` a node type's `resolve_nodes` is given that can exist."""
    keys = []
    for node_id in node_ids:
        try:
            value = int(node_id)
        except (TypeError, ValueError):
            continue
        if 0 < value < _MAX_KEY:
            keys.append(value)
    return keys


def in_order(found: dict, node_ids) -> list:
    """`found` (by key) in the order of `node_ids`, None where nothing was found."""
    out = []
    for node_id in node_ids:
        try:
            out.append(found.get(int(node_id)))
        except (TypeError, ValueError):
            out.append(None)
    return out
