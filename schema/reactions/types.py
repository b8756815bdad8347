"""Reactions as the Reading half shows them: per-kind counts and the viewer's own."""

import strawberry

from cms import models
from schema.core.context import Info
from schema.core.enums import described_enum

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

    @strawberry.field(description="The kinds the signed-in user or the visitor (X-Visitor-Token) "
                                  "gave.")
    def viewer_reactions(self, info: Info) -> list[ReactionKind]:
        return [ReactionKind(k) for k in info.context.loaders.viewer_reactions(self.subject)]
