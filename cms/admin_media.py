"""The image library in the admin: thumbnails at constant SQL, an upload page that takes several
files at once by drag and drop (each with its alt text), and the featured-image picker of the
post form. Every write goes through cms.services.images."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from unfold.admin import ModelAdmin

from cms.errors import DomainError, ValidationErrors
from cms.models import Image
from cms.policies import Reader, library_images, visible_images
from cms.services import images as image_services

CHOOSER_SIZE = 60
CHOOSER_WIDTH = 960  # the rendition a body names; its srcset holds the others


def markdown_alt(alt: str) -> str:
    """Alt text inside Markdown's `![...]`: brackets and backslashes escaped, one line."""
    return " ".join(alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").split())


def thumbnail(image: Image | None, *, width: int = 320, size: int = 80) -> str:
    """An `img` of the rendition at most `width` wide, drawn at most `size` pixels."""
    if image is None:
        return "—"
    w, h, _ = image.rendition(width)
    return format_html('<img class="hearth-thumb" src="{}" alt="{}" width="{}" height="{}" '
                       'style="max-width:{}px;max-height:{}px;width:auto;height:auto" '
                       'loading="lazy">', image.url(width), image.alt, w, h, size, size)


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["alt"]


@admin.register(Image)
class ImageAdmin(ModelAdmin):
    form = ImageForm
    list_display = ["preview", "alt", "dimensions", "format", "kilobytes", "uploaded_by",
                    "created_at"]
    list_display_links = ["preview", "alt"]
    list_select_related = ["uploaded_by"]
    list_filter = ["format", "created_at"]
    search_fields = ["alt"]
    list_per_page = 50
    fields = ["large_preview", "alt", "dimensions", "format", "kilobytes", "renditions_list",
              "uploaded_by", "created_at"]
    readonly_fields = ["large_preview", "dimensions", "format", "kilobytes", "renditions_list",
                       "uploaded_by", "created_at"]

    def get_queryset(self, request):
        try:
            return library_images(request.user).select_related("uploaded_by")
        except DomainError:
            return Image.objects.none()

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        chooser = self.admin_site.admin_view(self.chooser_view)
        return [path("upload/", upload, name="cms_image_upload"),
                path("chooser.json", chooser, name="cms_image_chooser"), *super().get_urls()]

    def chooser_view(self, request):
        """The newest images of the library the editor may list (?q= searches alt text), with
        the Markdown that shows each in a post body: for the editor's image insertion."""
        if not self.has_view_permission(request):
            return JsonResponse({"images": []}, status=403)
        found = self.get_queryset(request)
        if query := request.GET.get("q", "").strip()[:100]:
            found = found.filter(alt__icontains=query)
        images = []
        for image in found[:CHOOSER_SIZE]:
            url = request.build_absolute_uri(image.url(CHOOSER_WIDTH))
            images.append({"id": image.pk, "alt": image.alt, "width": image.width,
                           "height": image.height, "thumbnail": image.url(320), "url": url,
                           "markdown": f"![{markdown_alt(image.alt)}]({url})"})
        return JsonResponse({"images": images})

    def add_view(self, request, form_url="", extra_context=None):
        """*Add image* is the upload page: images come in by upload, several at once."""
        return self.upload_view(request)

    def upload_view(self, request):
        """GET: the drop zone. POST (one file and its alt text, sent by media-upload.js for
        each file): the new image as JSON, or the reasons it was refused."""
        if not self.has_add_permission(request):
            return JsonResponse({"errors": ["You may not upload images."]}, status=403)
        if request.method == "POST":
            return self.upload_one(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload images",
            "max_megabytes": settings.HEARTH_IMAGE_MAX_BYTES / 1024 / 1024,
            "max_megapixels": settings.HEARTH_IMAGE_MAX_PIXELS / 1_000_000,
            "formats": ", ".join(settings.HEARTH_IMAGE_FORMATS),
            "accept": ",".join(f"image/{f.lower()}" for f in settings.HEARTH_IMAGE_FORMATS),
        }
        return TemplateResponse(request, "admin/cms/image/upload.html", context)

    def upload_one(self, request) -> JsonResponse:
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length.isdigit() or int(length) > settings.HEARTH_UPLOAD_MAX_BODY_BYTES:
            return JsonResponse({"errors": ["The file is too large."]}, status=413)
        file = request.FILES.get("file")
        if file is None:
            return JsonResponse({"errors": ["Choose a file."]}, status=400)
        try:
            image = image_services.image_upload(actor=request.user, file=file,
                                                alt=request.POST.get("alt", ""))
        except ValidationErrors as error:
            return JsonResponse({"errors": [e.message for e in error.errors]}, status=400)
        except DomainError as error:
            return JsonResponse({"errors": [error.message]}, status=400)
        return JsonResponse({"id": image.pk, "alt": image.alt, "thumbnail": image.url(320),
                             "change": reverse("admin:cms_image_change", args=[image.pk])})

    @admin.display(description="image")
    def preview(self, obj: Image) -> str:
        return thumbnail(obj)

    @admin.display(description="preview")
    def large_preview(self, obj: Image) -> str:
        return thumbnail(obj, width=960, size=480)

    @admin.display(description="size (px)")
    def dimensions(self, obj: Image) -> str:
        return f"{obj.width} × {obj.height}"

    @admin.display(description="KB", ordering="bytes")
    def kilobytes(self, obj: Image) -> str:
        return f"{obj.bytes / 1024:,.0f}"

    @admin.display(description="renditions (WebP)")
    def renditions_list(self, obj: Image) -> str:
        return format_html_join(mark_safe("<br>"), '<a href="{}">{} × {}</a>',
                                ((obj.url(w), w, h) for w, h, _ in obj.renditions))

    def save_model(self, request, obj, form, change):
        image_services.image_update_alt(actor=request.user, image=obj,
                                        alt=form.cleaned_data["alt"])

    def delete_model(self, request, obj):
        image_services.image_delete(actor=request.user, image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            try:
                image_services.image_delete(actor=request.user, image=image)
            except DomainError as error:
                self.message_user(request, f"{image}: {error.message}", messages.ERROR)


class FeaturedImageAdmin:
    """The featured-image picker of the post form: the image's ID with the library's changelist
    (thumbnails) as its lookup, limited to images the editor may see, and a preview."""

    raw_id_fields = ["featured_image"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "featured_image":
            kwargs["queryset"] = visible_images(Reader.of(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="featured image preview")
    def featured_preview(self, obj) -> str:
        return thumbnail(obj.featured_image if obj and obj.pk else None, width=640, size=240)
