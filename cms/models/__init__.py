from cms.models.comments import Comment, CommentStatus
from cms.models.images import Image
from cms.models.mail import MailKind, MailOptOut, MailStatus, OutgoingMail, Subscriber
from cms.models.posts import Post, PostStatus, Tag
from cms.models.reactions import Reaction, ReactionKind
from cms.models.revisions import PostRevision
from cms.models.tokens import ApiToken
from cms.models.trusted_documents import TrustedDocument
from cms.models.users import Role, User
from cms.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from cms.models.wordpress import OldSlug, WordPressItem, WordPressKind

__all__ = [
    "ApiToken",
    "Comment",
    "CommentStatus",
    "Image",
    "MailKind",
    "MailOptOut",
    "MailStatus",
    "OldSlug",
    "OutgoingMail",
    "Post",
    "PostRevision",
    "PostStatus",
    "Reaction",
    "ReactionKind",
    "Role",
    "Subscriber",
    "Tag",
    "TrustedDocument",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WordPressItem",
    "WordPressKind",
]
