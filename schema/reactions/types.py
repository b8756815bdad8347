"""Reactions as the Reading half shows them: per-kind counts and the viewer's own."""

from typing import Annotated

import strawberry

from cms import models
from schema.core.connections import After, First, page_connection
from schema.core.context import Info
from schema.core.enums import described_enum
from schema.core.pagination import page_args

ReactionKind = described_enum(
    models.ReactionKind, name="ReactionKind",
    description="The kinds of reaction a reader can give.",
    values={"LIKE": "Like: the kind `react` gives when none is named.", "LOVE": "Love.",
            "HUG": "A hug: sympathy, support.", "LAUGH": "Laughter.", "WOW": "Surprise.",
            "SAD": "Sadness.", "CELEBRATE": "Celebration."})


@strawberry.type(description="How many reactions of one kind.")
class ReactionCount:
    kind: ReactionKind = strawberry.field(description="The kind.")
    count: int = strawberry.field(description="How many reactions of this kind: exact, above "
                                  "zero.")


@strawberry.type(description="A reader with an account who reacted, as the public may see them: "
                             "never an e-mail address or a login name.")
class Reactor:
    user: strawberry.Private[models.User]

    @strawberry.field(description="The name the reader shows.")
    def display_name(self) -> str:
        return self.user.display_name

    @strawberry.field(description="The address of their picture; null when they have none.")
    def avatar_url(self) -> str | None:
        return self.user.avatar_url or None

    @strawberry.field(description="Their public page on the site (HEARTH_PROFILE_URL); null when "
                                  "the site has none.")
    def profile_url(self) -> str | None:
        return self.user.profile_url


ReactorConnection = page_connection(
    Reactor, name="Reactor", noun="reactor",
    description="A page of the readers who reacted, newest first.",
    edges_description="The reactors of this page, newest first.",
    total_description="How many readers are listed in the whole connection: guests and private "
                      "reactions are counted in `total`, never here.",
    node=lambda user: Reactor(user=user))


@strawberry.type(description="The reactions to a post or a comment.")
class ReactionSummary:
    subject: strawberry.Private[object]

    @strawberry.field(description="All reactions, of every kind.")
    def total(self) -> int:
        return sum(self.subject.reaction_counts().values())

    @strawberry.field(description="Kinds with a count above zero, largest first.")
    def counts(self) -> list[ReactionCount]:
        counts = [(kind, n) for kind, n in self.subject.reaction_counts().items() if n > 0]
        counts.sort(key=lambda item: -item[1])
        return [ReactionCount(kind=ReactionKind(kind), count=n) for kind, n in counts]

    @strawberry.field(description="The readers with accounts who reacted (of `kind`, or of any "
                                  "kind, each once), newest first. Guests and private reactions "
                                  "are counted in `total` and `counts`, never listed.")
    def reactors(self, info: Info, kind: Annotated[ReactionKind | None, strawberry.argument(
                     description="Only those who gave this kind; every kind when left out.")]
                 = None, first: First = None, after: After = None) -> ReactorConnection:
        page = info.context.loaders.reactors(self.subject, kind.value if kind else None,
                                             page_args(first, after))
        return ReactorConnection(page=page)

    @strawberry.field(description="The kinds the signed-in user or the visitor (X-Visitor-Token) "
                                  "gave.")
    def viewer_reactions(self, info: Info) -> list[ReactionKind]:
        return [ReactionKind(k) for k in info.context.loaders.viewer_reactions(self.subject)]
