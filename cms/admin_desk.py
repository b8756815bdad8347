"""The editor's desk in the admin (issue 13): the Markdown editor with its live preview, a post's
revisions (list, diff, restore), the trash, the status filter with Scheduled, and the moderation
desk (pending count, newest first, Approve / Spam / Trash / Reply on every row).

Every write goes through `cms.services`, as everywhere in the admin."""

import difflib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import now

from cms.admin_media import thumbnail
from cms.errors import DomainError
from cms.models import Comment, CommentStatus, Image, Post, PostRevision
from cms.models.posts import PostStatus, is_live, is_scheduled
from cms.policies import require_post_writer
from cms.selectors.comments import pending_comment_count
from cms.services import comments as comment_services
from cms.services import posts as post_services
from cms.services import revisions as revision_services


def _page(request, model_admin, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(request, template, {
        **model_admin.admin_site.each_context(request), "title": title,
        "opts": model_admin.model._meta, **context})


def _refusal(request, error: DomainError) -> None:
    messages.error(request, error.message)


# The editor --------------------------------------------------------------------------------


class MarkdownEditor(forms.Textarea):
    """A textarea with a Markdown toolbar and, beside it, the body as the site will show it:
    rendered and sanitized by Hearth (the admin's preview endpoint) and drawn with the example
    blog's stylesheet in a sandboxed frame. Hearth's own, with no asset from a CDN."""

    template_name = "hearth/editor_widget.html"

    class Media:
        css = {"all": ["cms/editor.css"]}
        js = ["cms/editor.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["preview_url"] = reverse("admin:cms_post_preview")
        context["stylesheet"] = static("blog/style.css")
        context["chooser_url"] = reverse("admin:cms_image_chooser")
        return context


# Posts -------------------------------------------------------------------------------------


class PostStateFilter(admin.SimpleListFilter):
    """The contract's statuses, Scheduled apart from Published, and the trash (which the other
    choices leave out)."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published"),
                ("archived", "Archived"), ("trash", "Trash")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "trash":
            return queryset.filter(trashed_at__isnull=False)
        queryset = queryset.filter(trashed_at__isnull=True)
        moment = now()
        return {
            "draft": queryset.filter(status=PostStatus.DRAFT),
            "scheduled": queryset.filter(is_scheduled(moment)),
            "published": queryset.filter(is_live(moment)),
            "archived": queryset.filter(status=PostStatus.ARCHIVED),
        }.get(value, queryset)


def _diff_rows(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, line) rows of a line diff: "same", "del" or "add"."""
    rows = []
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows += [("same", line) for line in old_lines[a1:a2]]
        else:
            rows += [("del", line) for line in old_lines[a1:a2]]
            rows += [("add", line) for line in new_lines[b1:b2]]
    return rows


class PostDeskMixin:
    """Post admin views of the desk; mixed into PostAdmin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="cms_post_preview"),
            path("<int:pk>/revisions/", view(self.revisions_view), name="cms_post_revisions"),
            path("<int:pk>/revisions/diff/", view(self.diff_view), name="cms_post_diff"),
            path("<int:pk>/revisions/<int:number>/", view(self.revision_view),
                 name="cms_post_revision"),
            path("<int:pk>/revisions/<int:number>/restore/", view(self.restore_revision_view),
                 name="cms_post_restore_revision"),
            path("<int:pk>/trash/", view(self.trash_view), name="cms_post_trash"),
            path("<int:pk>/untrash/", view(self.untrash_view), name="cms_post_untrash"),
            *super().get_urls(),
        ]

    def _post_or_404(self, request, pk: int) -> Post:
        post = self.get_queryset(request).filter(pk=pk).first()
        if post is None or not self.has_view_permission(request, post):
            raise Http404("No such post.")
        return post

    def preview_view(self, request):
        """The body as the site will show it: Hearth's renderer and sanitizer, for writers."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            require_post_writer(request.user)
        except DomainError as error:
            return JsonResponse({"error": error.message}, status=403)
        body = request.POST.get("body", "")
        if len(body) > settings.HEARTH_MAX_POST_BODY_LENGTH:
            return JsonResponse({"error": f"A body has at most "
                                 f"{settings.HEARTH_MAX_POST_BODY_LENGTH:,} characters."},
                                status=400)
        return JsonResponse({"html": post_services.render_body(body)})

    def revisions_view(self, request, pk: int):
        post = self._post_or_404(request, pk)
        revisions = list(PostRevision.objects.filter(post=post).select_related("created_by")
                         .order_by("-number"))
        return _page(request, self, "hearth/admin/revisions.html", f"Revisions of “{post}”",
                     post=post, revisions=revisions, original=post,
                     can_restore=self.has_change_permission(request, post))

    def revision_view(self, request, pk: int, number: int):
        """One revision as the site would show it: its body through the services' renderer
        (library images with their srcset), in the example blog's stylesheet, in a sandboxed
        frame."""
        post = self._post_or_404(request, pk)
        revision = get_object_or_404(PostRevision.objects.select_related("featured_image"),
                                     post=post, number=number)
        document = format_html(
            '<!doctype html><link rel="stylesheet" href="{}"><main><article class="post">'
            '<h1 class="post-title">{}</h1><div class="post-body">{}</div></article></main>',
            request.build_absolute_uri(static("blog/style.css")), revision.title,
            mark_safe(post_services.render_body(revision.body)))  # noqa: S308 - sanitized
        featured = revision.featured_image
        return _page(request, self, "hearth/admin/revision.html",
                     f"Revision {revision.number} of “{post}”", post=post, revision=revision,
                     document=document, original=post,
                     featured=thumbnail(featured, width=640, size=240) if featured else "",
                     can_restore=self.has_change_permission(request, post))

    def diff_view(self, request, pk: int):
        post = self._post_or_404(request, pk)
        revisions = PostRevision.objects.filter(post=post)
        try:
            numbers = sorted(int(request.GET[key]) for key in ("a", "b"))
        except (KeyError, ValueError):
            numbers = []
        found = {rev.number: rev for rev in revisions.filter(number__in=numbers)}
        if len(numbers) != 2 or len(found) != len(set(numbers)):
            messages.error(request, "Choose two revisions of this post to compare.")
            return redirect("admin:cms_post_revisions", pk=post.pk)
        old, new = (found[n] for n in numbers)
        fields = []
        for name, label in [("title", "Title"), ("excerpt", "Excerpt"), ("tags", "Tags"),
                            ("body", "Body")]:
            before, after = getattr(old, name), getattr(new, name)
            if name == "tags":
                before, after = "\n".join(before), "\n".join(after)
            fields.append({"label": label, "changed": before != after,
                           "rows": _diff_rows(before, after)})
        images = {image.pk: image for image in Image.objects.filter(
            pk__in=[old.featured_image_id, new.featured_image_id])}
        featured = []
        for kind, revision in (("del", old), ("add", new)):
            image = images.get(revision.featured_image_id)
            featured.append((kind, thumbnail(image, size=160) if image else "",
                             f"Image #{image.pk}: {image.alt}" if image else "None"))
        return _page(request, self, "hearth/admin/revision_diff.html",
                     f"Revision {old.number} → {new.number} of “{post}”", post=post, old=old,
                     new=new, fields=fields, original=post, featured=featured,
                     featured_changed=old.featured_image_id != new.featured_image_id,
                     can_restore=self.has_change_permission(request, post))

    def restore_revision_view(self, request, pk: int, number: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self._post_or_404(request, pk)
        revision = get_object_or_404(PostRevision, post=post, number=number)
        try:
            revision_services.revision_restore(actor=request.user, revision=revision)
        except DomainError as error:
            _refusal(request, error)
        else:
            messages.success(request, f"Revision {number} restored; it is now the latest "
                             "revision.")
        return redirect("admin:cms_post_revisions", pk=post.pk)

    def _trash_page(self, request, pk: int, *, service, verb: str, done: str):
        post = self._post_or_404(request, pk)
        if request.method == "POST":
            try:
                service(actor=request.user, post=post)
            except DomainError as error:
                _refusal(request, error)
            else:
                messages.success(request, f"“{post}” {done}.")
            return redirect(reverse("admin:cms_post_changelist")
                            + ("?state=trash" if verb == "trash" else ""))
        return _page(request, self, "hearth/admin/confirm.html",
                     f"{'Move to the trash' if verb == 'trash' else 'Restore'}: “{post}”",
                     post=post, original=post, verb=verb)

    def trash_view(self, request, pk: int):
        return self._trash_page(request, pk, service=post_services.post_trash, verb="trash",
                                done="moved to the trash")

    def untrash_view(self, request, pk: int):
        return self._trash_page(request, pk, service=post_services.post_restore,
                                verb="restore", done="restored from the trash")

    @admin.action(description="Move the selected posts to the trash")
    def trash(self, request, queryset):
        _each(self, request, queryset, lambda post: post_services.post_trash(
            actor=request.user, post=post), "post(s) moved to the trash")

    @admin.action(description="Restore the selected posts from the trash")
    def untrash(self, request, queryset):
        _each(self, request, queryset, lambda post: post_services.post_restore(
            actor=request.user, post=post), "post(s) restored")


def _each(model_admin, request, queryset, service, done: str) -> None:
    changed = 0
    for obj in queryset:
        try:
            service(obj)
            changed += 1
        except DomainError as error:
            model_admin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
    if changed:
        model_admin.message_user(request, f"{changed} {done}.", messages.SUCCESS)


# The moderation desk ------------------------------------------------------------------------

ROW_ACTIONS = [(CommentStatus.APPROVED, "Approve"), (CommentStatus.SPAM, "Spam"),
               (CommentStatus.TRASH, "Trash")]


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="Markdown. Published at once, as you.")


class CommentDeskMixin:
    """Comment admin views of the desk; mixed into CommentAdmin."""

    ordering = ["-created_at", "-id"]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/moderate/<str:status>/", view(self.moderate_view),
                 name="cms_comment_moderate"),
            path("<int:pk>/reply/", view(self.reply_view), name="cms_comment_reply"),
            *super().get_urls(),
        ]

    @admin.display(description="moderate")
    def row_actions(self, obj: Comment) -> str:
        # Submit buttons of the changelist's own form (it carries the CSRF token), each posting
        # to its row's URL: no JavaScript, no nested forms.
        buttons = format_html_join("", (
            '<button type="submit" class="desk-action desk-{}" formaction="{}" '
            'formmethod="post" name="desk" value="{}">{}</button>'),
            ((status, reverse("admin:cms_comment_moderate", args=[obj.pk, status]), status,
              label) for status, label in ROW_ACTIONS if obj.status != status))
        reply = format_html('<a class="desk-action desk-reply" href="{}">Reply</a>',
                            reverse("admin:cms_comment_reply", args=[obj.pk]))
        return format_html('<span class="desk-actions">{}{}</span>', buttons, reply)

    def _comment_or_404(self, request, pk: int) -> Comment:
        comment = self.get_queryset(request).filter(pk=pk).first()
        if comment is None:
            raise Http404("No such comment.")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        return comment

    def moderate_view(self, request, pk: int, status: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        comment = self._comment_or_404(request, pk)
        try:
            comment_services.comment_moderate(actor=request.user, comment=comment, status=status)
        except DomainError as error:
            _refusal(request, error)
        else:
            messages.success(request, f"Comment #{comment.pk} marked {status}.")
        return redirect(request.META.get("HTTP_REFERER") or "admin:cms_comment_changelist")

    def reply_view(self, request, pk: int):
        comment = self._comment_or_404(request, pk)
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                comment_services.comment_reply(actor=request.user, parent=comment,
                                               body=form.cleaned_data["body"])
            except DomainError as error:
                form.add_error("body", error.message)
            else:
                messages.success(request, f"Your reply to {comment.display_name} is published.")
                return redirect("admin:cms_comment_changelist")
        return _page(request, self, "hearth/admin/comment_reply.html",
                     f"Reply to {comment.display_name}", comment=comment, form=form,
                     original=comment)


# The pending count, in the navigation and on the index ---------------------------------------


def _with_pending_count(get_app_list):
    def app_list(request, app_label=None):
        apps = get_app_list(request, app_label)
        pending = None
        for app in apps:
            for model in app["models"]:
                if model.get("model") is Comment:
                    pending = pending_comment_count() if pending is None else pending
                    model["name"] = format_html(
                        '{} <span class="desk-pending" title="awaiting moderation">{}</span>',
                        model["name"], pending)
        return apps

    return app_list


def install(site: admin.AdminSite) -> None:
    """Show the pending count beside Comments wherever the admin lists its models, and on the
    index a card for the desk."""
    site.get_app_list = _with_pending_count(site.get_app_list)
    site.index_template = "hearth/admin/index.html"
    index = site.index

    def index_with_desk(request, extra_context=None):
        return index(request, {"pending_count": pending_comment_count(), **(extra_context or {})})

    site.index = index_with_desk
