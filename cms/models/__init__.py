from cms.models.comments import Comment, CommentStatus
from cms.models.posts import Post, PostStatus, Tag
from cms.models.reactions import Reaction, ReactionKind
from cms.models.revisions import PostRevision
from cms.models.tokens import ApiToken
from cms.models.trusted_documents import TrustedDocument
from cms.models.users import Role, User
from cms.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "Comment",
    "CommentStatus",
    "Post",
    "PostRevision",
    "PostStatus",
    "Reaction",
    "ReactionKind",
    "Role",
    "Tag",
    "TrustedDocument",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
