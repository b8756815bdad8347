from typing import Annotated

import strawberry

from cms.policies import require_moderation_queue_reader
from schema.comments.types import Comment, CommentConnection, CommentId, CommentStatus
from schema.core.connections import After, First
from schema.core.context import Info
from schema.core.errors import refusals_as_errors
from schema.core.ids import pk_of
from schema.core.pagination import page_args


@strawberry.type
class CommentQuery:
    @strawberry.field(description="One comment by ID, if the caller may see it.")
    def comment(self, info: Info, id: CommentId) -> Comment | None:
        pk = pk_of(id, "Comment")
        return None if pk is None else info.context.loaders.comment(pk)


@strawberry.type
class ModerationQuery:
    @strawberry.field(description="Comments awaiting a decision, oldest first. Editors and "
                                  "administrators only.")
    def moderation_queue(self, info: Info, first: First = None, after: After = None,
                         status: Annotated[CommentStatus | None, strawberry.argument(
                             description="The comments in this state.")] = CommentStatus.PENDING,
                         ) -> CommentConnection:
        with refusals_as_errors():  # before any complaint about the arguments
            require_moderation_queue_reader(info.context.reader)
        page = info.context.loaders.moderation_queue(page_args(first, after),
                                                     (status or CommentStatus.PENDING).value)
        return CommentConnection(page=page)
