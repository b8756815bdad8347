"""A small personal blog to look at: posts, a lively comment thread, likes, a pending comment,
and a featured image (drawn here with Pillow, so the demo needs no file and no network).

Everything is written through the services, as the API would. Running it again changes nothing:
the demo is loaded in one transaction, and skipped when its first post is already there.
"""

import io
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from cms.models import CommentStatus, Post, ReactionKind, Role, User
from cms.services.comments import comment_create, comment_moderate
from cms.services.images import image_upload
from cms.services.posts import post_create, post_publish
from cms.services.reactions import reaction_add

DEMO_SLUG = "what-a-year-of-bread-taught-me"
LOAF_ALT = "An oval sourdough loaf with a scored crust on a wooden board"

PEOPLE = {
    # username: (display name, role, bio)
    "maya": ("Maya Lindqvist", Role.ADMINISTRATOR,
             "Writes about bread, walks and small domestic experiments from a flat in Malmö."),
    "jonas": ("Jonas Weber", Role.SUBSCRIBER, ""),
    "priya": ("Priya Raman", Role.SUBSCRIBER, "Weekend baker, weekday engineer."),
    "sam": ("Sam Okafor", Role.AUTHOR, "Occasional guest writer."),
}

BREAD_POST = """\
A year ago a friend left me a jar of sourdough starter and a note that said *feed it, it
will forgive you*. I did not believe the second part.

The first loaves were flat enough to slide under a door. One set off the smoke alarm at two in
the morning. But somewhere around the third month something changed: not the bread at first,
but me. I stopped checking the dough every ten minutes and started watching it instead.

## What I learned

1. **Time does most of the work.** A slow, cold rise in the fridge beats any trick I tried.
2. **Write things down.** Flour, water, the temperature of the kitchen. Patterns appear.
3. **Ugly loaves are still good toast.** Eat the mistakes; they are part of the price.

> The dough does not care about your schedule. It only cares about warmth and time.

I still bake every Saturday. The loaves are not perfect, but they are mine, and the flat smells
like a bakery for a whole afternoon. If you have been putting off trying, this is your sign.
"""

CANAL_POST = """\
It rained all Sunday, so of course I went for a walk. The canal was the colour of pewter and the
herons had it to themselves. I counted eleven umbrellas, three dogs in raincoats and one very
determined man fishing under a bridge.

Some walks are for getting somewhere. This one was for hearing the rain on the water.
"""

BOOKS_POST = """\
Winter is for reading in bed with cold feet and a warm drink. What is on my nightstand:

- *The Living Mountain* by Nan Shepherd, slowly, a chapter a night.
- A battered copy of *Tartine Bread*, full of flour fingerprints.
- *A Month in the Country* by J. L. Carr, which I reread every January.

Tell me what you are reading; my pile is never tall enough.
"""



def loaf_picture(width: int = 1600, height: int = 1000) -> bytes:
    """A JPEG of a scored loaf on a board: the same bytes on every run (so its files, named by
    their content, are shared by every seeded database)."""
    picture = Image.new("RGB", (width, height), (58, 40, 30))
    draw = ImageDraw.Draw(picture)
    for y in range(0, height, 40):  # the board's planks
        shade = 120 + (y // 40 % 3) * 12
        draw.rectangle([0, y, width, y + 38], fill=(shade, shade * 3 // 4, shade // 2))
    cx, cy, rx, ry = width // 2, height // 2, width * 3 // 10, height * 3 // 10
    draw.ellipse([cx - rx + 30, cy - ry + 50, cx + rx + 30, cy + ry + 50], fill=(40, 28, 20))
    picture = picture.filter(ImageFilter.GaussianBlur(12))
    draw = ImageDraw.Draw(picture)
    for step in range(10):  # the crust, darker at the edge
        k = step / 10
        draw.ellipse([cx - rx * (1 - k * 0.6), cy - ry * (1 - k * 0.6),
                      cx + rx * (1 - k * 0.6), cy + ry * (1 - k * 0.6)],
                     fill=(int(150 + 70 * k), int(90 + 60 * k), int(40 + 40 * k)))
    for offset in (-0.42, -0.14, 0.14, 0.42):  # the scores
        x = cx + int(rx * offset)
        draw.line([(x - rx // 9, cy - ry * 3 // 5), (x + rx // 9, cy + ry * 3 // 5)],
                  fill=(240, 214, 160), width=18)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88)
    return out.getvalue()


DRAFT_POST = """\
I bought a second-hand cello in October. So far the neighbours have been very kind about it.
"""


class Command(BaseCommand):
    help = "Load a demo blog: posts, a comment thread, reactions. Running it twice changes nothing."

    def handle(self, *args, **options):
        if Post.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("The demo blog is already loaded.")
            return
        # The demo's readers wrote minutes apart; seeding writes them at once, so flood control
        # (which would refuse a reader's second comment) is off while it runs.
        with transaction.atomic(), override_settings(HEARTH_COMMENT_FLOOD_SECONDS=0):
            self.seed()
        self.stdout.write(f"Loaded the demo blog: see the post {DEMO_SLUG!r}.")

    def seed(self) -> None:
        people = {username: self.person(username, *details)
                  for username, details in PEOPLE.items()}
        maya, jonas, priya, sam = (people[name] for name in ["maya", "jonas", "priya", "sam"])
        now = timezone.now()

        loaf = image_upload(actor=maya, file=io.BytesIO(loaf_picture()), alt=LOAF_ALT)
        post = self.post(maya, "What a year of baking bread taught me about patience",
                         BREAD_POST, slug=DEMO_SLUG, tags=["Baking", "Slow living", "Notes"],
                         excerpt="A jar of sourdough starter, a smoke alarm at 2 a.m., and a "
                                 "year of learning to wait.",
                         published=now - timedelta(days=2), featured_image=loaf)
        canal = self.post(maya, "Notes from a rainy walk along the canal", CANAL_POST,
                          tags=["Walking", "Notes"], published=now - timedelta(days=6))
        books = self.post(maya, "The books on my nightstand this winter", BOOKS_POST,
                          tags=["Reading"], published=now - timedelta(days=11))
        post_create(actor=maya, title="Half-finished: learning the cello at forty",
                    body=DRAFT_POST, tags=["Music"])

        def say(user, text, *, parent=None, guest=None, on=post, hold=False):
            """A comment; a guest's first one is approved by Maya unless `hold`."""
            name, email, url = guest or (None, None, None)
            comment = comment_create(actor=user, post=on, parent=parent, body=text,
                                     author_name=name, author_email=email, author_url=url)
            if comment.status != CommentStatus.APPROVED and not hold:
                comment = comment_moderate(actor=maya, comment=comment,
                                           status=CommentStatus.APPROVED)
            return comment

        starter = say(jonas, "This made me want to dig my old starter out of the back of the "
                             "fridge. It has been sulking there since spring. Wish me luck!")
        ugly = say(None, "“Ugly loaves are still good toast” is going on a sticky note above my "
                         "oven. Thank you for this.",
                   guest=("Aiko Tanaka", "aiko@example.org", None))
        flour = say(priya, "Do you have a go-to flour? Mine always spreads out instead of rising "
                           "up, and I suspect the flour more than myself.")
        answer = say(maya, "I mix about a fifth whole wheat into a strong white flour, and I keep "
                           "the dough a little stiffer than recipes say. Try shaping it tighter "
                           "and giving it the night in the fridge.", parent=flour)
        say(priya, "Thank you! Trying it this weekend, I will report back.", parent=answer)
        alarm = say(None, "I laughed out loud at the smoke alarm story. Mine was a pizza stone "
                          "and a very confused neighbour.",
                    guest=("Tom Becker", "tom.becker@example.net", None))
        say(jonas, "Pizza stones are the worst for that. Ask me how I know.", parent=alarm)
        say(None, "Reading this on a Sunday morning with a slice of my own slightly-too-dense "
                  "loaf. It felt like a conversation with a friend.",
            guest=("Elena Ruiz", "elena@example.com", "https://elena.example.com"))
        say(sam, "Patience with dough, patience with people. Lovely piece, Maya.")
        say(None, "The note your friend left is the best baking advice I have read all year.",
            guest=("Hannah Cole", "hannah@example.org", None))
        # A first-time guest: held in the moderation queue.
        say(None, "First time here. How long did it take before your starter was strong enough "
                  "to bake with? Mine is a week old and smells like nail polish.",
            guest=("Curious Reader", "new.reader@example.net", None), hold=True)

        say(sam, "Those herons own that canal. I have never once seen them share it.", on=canal)
        say(priya, "Adding *A Month in the Country* to my list, thank you.", on=books)

        self.like(starter, priya, sam)       # liked by two people
        self.like(ugly, maya, jonas)         # liked by two people
        self.like(flour, jonas)              # liked by one person
        self.like(answer, priya)             # liked by one person
        self.like(post, jonas, priya, sam)
        for key in ["d3m0v151t0r0000000000000000000a1", "d3m0v151t0r0000000000000000000b2"]:
            reaction_add(subject=post, kind=ReactionKind.LIKE, visitor_key=key)
        reaction_add(subject=post, kind=ReactionKind.LOVE, user=sam)
        reaction_add(subject=post, kind=ReactionKind.HUG, user=priya)
        self.like(canal, jonas)

    def person(self, username: str, display_name: str, role: Role, bio: str) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display_name, "email": f"{username}@example.org",
                      "bio": bio},
        )
        if created:
            user.set_unusable_password()
            # Administrators and editors sign in to the admin (ensure_local_admin gives the
            # demo's a password in development).
            user.is_staff = role in (Role.ADMINISTRATOR, Role.EDITOR)
            user.save(update_fields=["password", "is_staff"])
            user.groups.add(Group.objects.get(name=role.value))
        return user

    def post(self, author, title, body, *, published, slug=None, tags=(), excerpt=None,
             featured_image=None) -> Post:
        post = post_create(actor=author, title=title, body=body, slug=slug, tags=list(tags),
                           excerpt=excerpt, featured_image=featured_image)
        return post_publish(actor=author, post=post, publish_at=published)

    def like(self, subject, *users) -> None:
        for user in users:
            reaction_add(subject=subject, kind=ReactionKind.LIKE, user=user)
