"""Issue 13, the editor's desk: posts go to a trash, and every change of a post's content keeps
a revision. Posts written before get their present content as revision 1."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def first_revisions(apps, schema_editor):
    Post = apps.get_model("cms", "Post")
    PostRevision = apps.get_model("cms", "PostRevision")
    for post in Post.objects.prefetch_related("tags").iterator(chunk_size=500):
        PostRevision.objects.create(
            post=post, number=1, title=post.title, excerpt=post.excerpt, body=post.body,
            tags=sorted(tag.name for tag in post.tags.all()), created_by=None,
            created_at=post.updated_at, note="As it was before revisions were kept.")


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0007_user_public_slug'),
    ]

    operations = [
        migrations.AddField(
            model_name='post',
            name='trashed_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When the post went to the trash; purged HEARTH_TRASH_DAYS later.', null=True),
        ),
        migrations.AlterField(
            model_name='post',
            name='body',
            field=models.TextField(blank=True, help_text='Markdown: the preview beside the editor shows it as the site will.'),
        ),
        migrations.CreateModel(
            name='PostRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(help_text='1 for the first revision of its post.')),
                ('title', models.CharField(max_length=300)),
                ('excerpt', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('tags', models.JSONField(default=list, help_text='Tag names, in order.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('note', models.CharField(blank=True, max_length=200)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='cms.post')),
            ],
            options={
                'ordering': ['post', '-number'],
                'constraints': [models.UniqueConstraint(fields=('post', 'number'), name='post_revision_number_unique')],
            },
        ),
        migrations.RunPython(first_revisions, migrations.RunPython.noop),
    ]
