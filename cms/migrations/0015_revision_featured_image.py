import django.db.models.deletion
from django.db import migrations, models


def latest_revisions_show_the_featured_image(apps, schema_editor):
    """Each post's latest revision holds its present content: give it the post's featured image,
    so the next save does not record a revision for an image that did not change."""
    Post = apps.get_model("cms", "Post")
    PostRevision = apps.get_model("cms", "PostRevision")
    for post_id, image_id in Post.objects.filter(featured_image__isnull=False).values_list(
            "pk", "featured_image_id").iterator():
        latest = PostRevision.objects.filter(post_id=post_id).order_by("-number").first()
        if latest is not None:
            latest.featured_image_id = image_id
            latest.save(update_fields=["featured_image"])


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0014_account_mail'),
    ]

    operations = [
        migrations.AddField(
            model_name='postrevision',
            name='featured_image',
            field=models.ForeignKey(blank=True, help_text='The featured image then; empty when it had none or the image was deleted.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cms.image'),
        ),
        migrations.RunPython(latest_revisions_show_the_featured_image, migrations.RunPython.noop),
    ]
