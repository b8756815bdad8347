"""0004 added Post.thread_count at 0: count the threads of posts that already had comments, so the
deltas the services add from now on start from the right number."""

from django.db import migrations
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    Post = apps.get_model("cms", "Post")
    Comment = apps.get_model("cms", "Comment")
    shown = (Comment.objects.filter(post=OuterRef("pk"))
             .filter(Q(status="approved") | Q(descendant_count__gt=0))
             .order_by().values("post").annotate(n=Count("pk")).values("n"))
    Post.objects.update(thread_count=Coalesce(Subquery(shown), 0))


class Migration(migrations.Migration):
    dependencies = [("cms", "0004_post_thread_count")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
