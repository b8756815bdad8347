"""The Django admin as an editing and moderation tool. Every write goes through `cms.services`,
so the admin keeps the same rules and exact counts as the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.timezone import now
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from cms.admin_desk import (
    CommentDeskMixin,
    MarkdownEditor,
    PostDeskMixin,
    PostStateFilter,
    install,
)
from cms.admin_media import FeaturedImageAdmin
from cms.errors import DomainError
from cms.models import ApiToken, Comment, CommentStatus, Post, PostStatus, Reaction, Tag, User
from cms.policies import (
    POST_WRITERS,
    Reader,
    is_moderator,
    require_can_edit_post,
    require_can_publish_post,
    visible_posts,
)
from cms.services import comments as comment_services
from cms.services import posts as post_services
from cms.services import tokens as token_services
from cms.services.accounts import PUBLIC_PROFILE_FIELDS, profile_shown_changed
from cms.services.users import user_delete

admin.site.site_header = "Hearth"
admin.site.site_title = "Hearth admin"
admin.site.index_title = "Content and moderation"
admin.site.site_url = "/"
install(admin.site)


def _admin_link(obj, label: str | None = None) -> str:
    if obj is None:
        return "—"
    url = reverse(f"admin:cms_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


def _run_each(modeladmin, request, queryset, service, done: str) -> None:
    """Call `service(obj)` for each selected row; report what worked and what was refused."""
    changed, refused = 0, []
    for obj in queryset:
        try:
            service(obj)
            changed += 1
        except DomainError as error:
            refused.append(f"{obj}: {error.message}")
    if changed:
        modeladmin.message_user(request, f"{changed} {done}.", messages.SUCCESS)
    for reason in refused:
        modeladmin.message_user(request, reason, messages.ERROR)


# Posts


class PostAdminForm(forms.ModelForm):
    """Checks what the services would refuse, so a refusal shows on the form, not as an error."""

    class Meta:
        model = Post
        fields = ["title", "slug", "excerpt", "body", "tags", "featured_image", "comments_open",
                  "status", "published_at", "author"]
        widgets = {"body": MarkdownEditor}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "author" in self.fields:
            writers = User.objects.filter(is_active=True).filter(
                models.Q(is_superuser=True) | models.Q(groups__name__in=POST_WRITERS)).distinct()
            self.fields["author"].queryset = writers.order_by("display_name")
            self.fields["author"].required = False
            self.fields["author"].help_text = ("Editors and administrators may give the post "
                                               "to another writer.")

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug != slugify(slug):
            raise forms.ValidationError("A slug is lower-case letters, digits and hyphens.")
        return slug

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status == PostStatus.PUBLISHED and not data.get("published_at"):
            data["published_at"] = now()
        status_changed = status != (self.instance.status if self.instance.pk else PostStatus.DRAFT)
        if status_changed or "published_at" in self.changed_data:
            try:
                require_can_publish_post(self.request.user, self.instance_for_checks())
            except DomainError as error:
                self.add_error("status", error.message)
        return data

    def instance_for_checks(self) -> Post:
        if self.instance.pk:
            return Post.objects.get(pk=self.instance.pk)
        return Post(author=self.request.user, status=PostStatus.DRAFT)


@admin.register(Post)
class PostAdmin(FeaturedImageAdmin, PostDeskMixin, ModelAdmin):
    form = PostAdminForm
    list_display = ["title", "status_label", "author", "published_at", "comment_count",
                    "updated_at"]
    list_filter = [PostStateFilter, "author", "tags", "comments_open"]
    search_fields = ["title", "slug", "excerpt", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    date_hierarchy = "published_at"
    list_select_related = ["author"]
    actions = ["publish", "unpublish", "trash", "untrash"]
    readonly_fields = ["preview", "comment_count", "reaction_summary", "created_at",
                       "updated_at", "featured_preview"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "excerpt", "body", "tags"]}),
        ("Featured image", {"fields": ["featured_image", "featured_preview"]}),
        ("Publishing", {"fields": ["status", "published_at", "comments_open"]}),
        ("Preview", {"fields": ["preview"]}),
        ("Numbers", {"fields": ["comment_count", "reaction_summary", "created_at",
                                "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Only editors and administrators give a post to someone else.
        if is_moderator(request.user):
            return self.readonly_fields
        return ["author", *self.readonly_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        return form

    def get_queryset(self, request):
        # Authors and contributors see published posts and their own, as in the API; the trash
        # too (the status filter shows it apart).
        return visible_posts(Reader.of(request.user), posts=super().get_queryset(request),
                             with_trashed=True)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        try:
            require_can_edit_post(request.user, obj)
        except DomainError:
            return False
        return True

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.has_change_permission(
            request, obj)

    @admin.display(description="status", ordering="status")
    def status_label(self, obj: Post) -> str:
        if obj.trashed_at is not None:
            return "In the trash"
        return obj.public_status.capitalize()

    @admin.display(description="rendered body")
    def preview(self, obj: Post) -> str:
        # `html` is rendered with raw HTML off and sanitized with nh3 by the services.
        return mark_safe(obj.html) if obj.pk else "Save the post to see it rendered."  # noqa: S308

    @admin.display(description="reactions")
    def reaction_summary(self, obj: Post) -> str:
        counts = {kind: n for kind, n in obj.reaction_counts().items() if n}
        return ", ".join(f"{kind} {n}" for kind, n in counts.items()) or "none"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in ["title", "body", "slug", "excerpt",
                                                "comments_open"]}
        fields["tags"] = [tag.name for tag in data["tags"]]
        fields["featured_image"] = data["featured_image"]
        actor = request.user
        if change:
            if data.get("author") and "author" in form.changed_data:
                fields["author"] = data["author"]
            post = post_services.post_update(actor=actor, post=obj, **fields)
        else:
            post = post_services.post_create(actor=actor, **fields)
            if data.get("author") and data["author"] != actor:
                post = post_services.post_update(actor=actor, post=post, author=data["author"])
        status, publish_at = data["status"], data["published_at"]
        if status == PostStatus.PUBLISHED and (post.status != status
                                               or "published_at" in form.changed_data):
            post_services.post_publish(actor=actor, post=post, publish_at=publish_at)
        elif status == PostStatus.DRAFT and post.status != status:
            post_services.post_unpublish(actor=actor, post=post)
        elif status == PostStatus.ARCHIVED and post.status != status:
            post_services.post_archive(actor=actor, post=post)
        obj.pk = post.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Tags were set by the service; only inline formsets (none today) remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_deleted_objects(self, objs, request):
        """The service deletes a post with its whole thread and reactions, by the post rules.
        Django's own check would stop at the replies' protected parent links and ask for
        comment and reaction permissions, so list what goes instead."""
        posts = list(objs)
        comments = Comment.objects.filter(post__in=posts)
        reactions = Reaction.objects.filter(Q(post__in=posts) | Q(comment__in=comments))
        counts = {"posts": len(posts), "comments": comments.count(),
                  "reactions": reactions.count()}
        return [str(post) for post in posts], counts, set(), []

    def delete_model(self, request, obj):
        post_services.post_delete(actor=request.user, post=obj)

    def delete_queryset(self, request, queryset):
        _run_each(self, request, queryset,
                  lambda post: post_services.post_delete(actor=request.user, post=post),
                  "post(s) deleted")

    @admin.action(description="Publish the selected posts now")
    def publish(self, request, queryset):
        _run_each(self, request, queryset,
                  lambda post: post_services.post_publish(actor=request.user, post=post),
                  "post(s) published")

    @admin.action(description="Unpublish the selected posts (back to draft)")
    def unpublish(self, request, queryset):
        _run_each(self, request, queryset,
                  lambda post: post_services.post_unpublish(actor=request.user, post=post),
                  "post(s) unpublished")


@admin.register(Tag)
class TagAdmin(ModelAdmin):
    list_display = ["name", "slug", "post_total"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts"))

    @admin.display(description="posts", ordering="post_total")
    def post_total(self, obj: Tag) -> int:
        return obj.post_total


# Comments


def _moderate_action(status: str, description: str):
    def action(modeladmin, request, queryset):
        _run_each(modeladmin, request, queryset.order_by("pk"),
                  lambda comment: comment_services.comment_moderate(
                      actor=request.user, comment=comment, status=status),
                  f"comment(s) marked {status}")

    action.__name__ = f"mark_{status}"
    return admin.action(description=description)(action)


@admin.register(Comment)
class CommentAdmin(CommentDeskMixin, ModelAdmin):
    # The desk: what was said and what to do first; where and by whom after.
    list_display = ["excerpt", "row_actions", "status", "commenter", "post_link", "parent_link",
                    "created_at", "author_email", "ip_address", "reply_count"]
    list_filter = ["status", ("post", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["body", "author_name", "author_email", "ip_address", "user__username"]
    # The parent's author too: "in reply to" names them.
    list_select_related = ["post", "parent__user", "user"]
    date_hierarchy = "created_at"
    actions = [
        _moderate_action(CommentStatus.APPROVED, "Approve the selected comments"),
        _moderate_action(CommentStatus.SPAM, "Mark the selected comments as spam"),
        _moderate_action(CommentStatus.TRASH, "Move the selected comments to the trash"),
        _moderate_action(CommentStatus.PENDING, "Send the selected comments back to pending"),
    ]
    fields = ["post_link", "parent_link", "parent_body", "commenter", "author_email",
              "author_url", "ip_address", "user_agent", "status", "body", "rendered",
              "created_at", "edited_at", "reply_count", "descendant_count"]
    readonly_fields = ["post_link", "parent_link", "parent_body", "commenter", "author_email",
                       "author_url", "ip_address", "user_agent", "rendered", "created_at",
                       "edited_at", "reply_count", "descendant_count"]

    def has_add_permission(self, request):
        return False  # comments come from readers, through the API

    def has_delete_permission(self, request, obj=None):
        return False  # moderators trash or mark spam; replies keep their place

    @admin.display(description="comment")
    def excerpt(self, obj: Comment) -> str:
        return obj.body[:80] + ("…" if len(obj.body) > 80 else "")

    @admin.display(description="by")
    def commenter(self, obj: Comment) -> str:
        if obj.user_id:
            return _admin_link(obj.user)
        return f"{obj.author_name} (guest)"

    @admin.display(description="post", ordering="post__title")
    def post_link(self, obj: Comment) -> str:
        return _admin_link(obj.post)

    @admin.display(description="in reply to")
    def parent_link(self, obj: Comment) -> str:
        return _admin_link(obj.parent, obj.parent and f"#{obj.parent.pk} by "
                                                      f"{obj.parent.display_name}")

    @admin.display(description="parent comment")
    def parent_body(self, obj: Comment) -> str:
        return obj.parent.body if obj.parent_id else "—"

    @admin.display(description="rendered")
    def rendered(self, obj: Comment) -> str:
        return mark_safe(obj.html)  # noqa: S308 - sanitized with nh3 by the services

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if "body" in form.changed_data:
            comment_services.comment_edit(actor=request.user, comment=obj, body=data["body"])
        if "status" in form.changed_data:
            comment_services.comment_moderate(actor=request.user, comment=obj,
                                              status=data["status"])
        obj.refresh_from_db()


# Reactions


@admin.register(Reaction)
class ReactionAdmin(ModelAdmin):
    list_display = ["kind", "subject", "reactor", "created_at"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["post", "comment", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="on")
    def subject(self, obj: Reaction) -> str:
        if obj.post_id:
            return _admin_link(obj.post, f"post: {obj.post}")
        return _admin_link(obj.comment, f"comment #{obj.comment_id}")

    @admin.display(description="by")
    def reactor(self, obj: Reaction) -> str:
        return str(obj.user) if obj.user_id else f"visitor {obj.visitor_key[:8]}…"


# Users and tokens


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "display_name", "email", "roles", "is_staff", "is_active"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["username", "display_name", "email", "slug"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Profile", {"fields": ["display_name", "slug", "email", "bio", "avatar_url",
                                "first_name", "last_name"]}),
        ("Role and permissions", {
            "fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
            "description": "The role is the group: administrator, editor, author, contributor "
                           "or subscriber. Editors and administrators need “staff status” to "
                           "sign in here.",
        }),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and PUBLIC_PROFILE_FIELDS & set(form.changed_data):
            profile_shown_changed(obj)

    def get_deleted_objects(self, objs, request):
        # Reactions go through the reaction service (see user_delete), not the admin's.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Reaction._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        user_delete(user=obj)  # keeps reaction counts exact

    def delete_queryset(self, request, queryset):
        for user in queryset:
            user_delete(user=user)

    @admin.display(description="roles")
    def roles(self, obj: User) -> str:
        names = [group.name for group in obj.groups.all()]
        if obj.is_superuser:
            names.insert(0, "superuser")
        return ", ".join(names) or "—"


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    list_display = ["hint", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "hint", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "hint", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        token, raw = token_services.token_create(user=form.cleaned_data["user"],
                                                 name=form.cleaned_data["name"])
        obj.pk = token.pk
        obj.refresh_from_db()
        self.message_user(request, f"The new token is {raw} — copy it now: it is stored only "
                          "as a hash and will not be shown again.", messages.WARNING)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_services.token_revoke(token=token)
            revoked += 1
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)

import cms.admin_privacy  # noqa: E402, F401 - registers the e-mail and personal-data tools
from cms import admin_webhooks  # noqa: E402, F401 - registers the webhook models
