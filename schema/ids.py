"""Global IDs in mutation inputs, decoded to a visible object or a NOT_FOUND error."""

from strawberry.relay import GlobalID

from cms.services.errors import DomainError, ErrorCode


def decode_global_id(value: str, *, field: str, types: tuple[str, ...]) -> tuple[str, int]:
    try:
        gid = GlobalID.from_id(value)
        pk = int(gid.node_id)
    except Exception:  # noqa: BLE001 - any malformed ID is the caller's NOT_FOUND
        raise DomainError(ErrorCode.NOT_FOUND, "No such object.", field=field) from None
    if gid.type_name not in types or not 0 < pk < 2**63:
        raise DomainError(ErrorCode.NOT_FOUND, "No such object.", field=field)
    return gid.type_name, pk


def load_visible(queryset, value: str, *, field: str, type_name: str):
    _, pk = decode_global_id(value, field=field, types=(type_name,))
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"There is no such {type_name.lower()}.",
                          field=field)
    return obj
