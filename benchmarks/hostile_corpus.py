"""The hostile requests, by class of issue 11, and a few more of our own.

Each `Attack` makes its i-th request on demand (unique where the attack relies on uniqueness: a
trailing comment, a new argument value, a new caller address), so any number can be sent. Some
attacks also `observe` each answer, to count what got through (reactions created, accounts
exposed, IDs opened, comments reached); what they find goes into `findings`.

Sizes are multiplied by `scale` (1 in a real run; the smoke test shrinks them), and the number of
requests sent one at a time for the CPU figures is `count` = (quick, full).
"""

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from benchmarks.operations import R2

GRAPHQL = "/graphql/"
KINDS = ["LIKE", "LOVE", "HUG", "LAUGH", "WOW", "SAD", "CELEBRATE"]
HOSTILE_DATES = [
    "0001-01-01T00:00:00+14:00",  # a BC date once stored in UTC
    "9999-12-31T23:59:59-14:00",  # year 10000 in UTC
    "0001-01-01T00:00:00+00:01",
    "9999-12-31T23:59:59.999999-00:01",
    "0001-01-01T00:00:00-14:00",  # the last two are fine in UTC: accepted or refused, never 500
    "9999-12-31T23:59:59+14:00",
]


@dataclass
class Attack:
    group: str  # the class: "1 Validation cost"
    name: str
    make: Callable[[int], tuple | None]  # the i-th request, or None: nothing more to send
    count: tuple[int, int]  # requests sent one at a time for the CPU figures (quick, full)
    memory: bool = False  # one of the unique requests of the RSS and Redis phase
    flood: bool = True  # may be a hostile client's loop while a normal read is timed
    observe: Callable[[int, int, dict | None], None] | None = None  # (i, status, answer)
    results: list = field(default_factory=list)


def gid(type_name: str, pk) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def gql(query: str, variables: dict | None = None, *, headers: dict | None = None,
        operation_name: str | None = None, extensions: dict | None = None) -> tuple:
    payload = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    if operation_name is not None:
        payload["operationName"] = operation_name
    if extensions is not None:
        payload["extensions"] = extensions
    return raw(json.dumps(payload).encode(), headers)


def raw(body: bytes, headers: dict | None = None) -> tuple:
    return ("POST", GRAPHQL, {"Content-Type": "application/json", **(headers or {})}, body)


def get(query: str) -> tuple:
    return ("GET", GRAPHQL + "?" + urlencode({"query": query}), {"Accept": "application/json"},
            None)


def bearer(token: str, ip: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    return {**headers, "X-Forwarded-For": ip} if ip else headers


def caller(i: int, group: int) -> str:
    """A caller address of its own for request i (HEARTH_TRUSTED_PROXIES trusts the harness):
    many callers, as a botnet has, so a per-caller limit does not hide the cost measured."""
    return f"10.{group}.{i // 250 % 250}.{i % 250 + 1}"


def normal_read(slug: str, tag: str) -> tuple:
    """The reference: a reader's post page, as the other benchmarks time it, computed each time
    (`tag` makes it miss the result cache)."""
    return gql(R2 + f"\n# {tag}", {"slug": slug})


# The costliest queries the default node budget (HEARTH_MAX_NODES, 1,000) allows: 10 + 10 x 99
# and 100 + 100 x 9 nodes, every comment with its text, author and reactions.
COMMENT_FIELDS = "id body html createdAt author { name } reactions { total counts { kind count } }"
LARGEST_ALLOWED = ("{ posts(first: 10) { edges { node { id title html comments(first: 99) { "
                   f"edges {{ node {{ {COMMENT_FIELDS} }} }} }} }} }} }} }}")
WIDEST_ALLOWED = ("{ posts(first: 100) { edges { node { id title html comments(first: 9) { "
                  f"edges {{ node {{ {COMMENT_FIELDS} }} }} }} }} }} }} }}")


def build(seed: dict, nonce: str, scale: float = 1.0) -> tuple[list[Attack], dict]:
    """The attacks against the seeded blog, and the findings dict their observers fill."""
    findings: dict = {}

    def n(size: int) -> int:
        return max(1, int(size * scale))

    def unique(i: int) -> str:
        return f"\n# {nonce}-{i}"

    attacks: list[Attack] = []

    def add(*args, **kwargs) -> Attack:
        attack = Attack(*args, **kwargs)
        attacks.append(attack)
        return attack

    add("0 Reference", "normal read: a post page (R2)",
        lambda i: normal_read(seed["post_slug"], f"{nonce}-{i}"), (5, 10), flood=False)

    # 1 Validation cost ---------------------------------------------------------------------
    g = "1 Validation cost"
    add(g, f"{n(490)} x `viewer {{ id }}` + unique comment",
        lambda i: gql("{ " + "viewer { id } " * n(490) + "}" + unique(i)), (2, 5))
    add(g, f"{n(30)} aliased `__schema {{ types {{ name fields {{ name }} }} }}`",
        lambda i: gql("{ " + " ".join(f"s{k}: __schema {{ types {{ name fields {{ name }} }} }}"
                                      for k in range(n(30))) + " }" + unique(i)), (2, 5))
    depth = n(40)
    fan_out = " ".join(f"fragment F{k} on Query {{ viewer {{ id }} ...F{k + 1} ...F{k + 1} }}"
                       for k in range(depth)) + f" fragment F{depth} on Query {{ viewer {{ id }} }}"
    add(g, f"fragments that spread the next twice, {depth} deep (2^{depth} paths)",
        lambda i: gql("{ ...F0 } " + fan_out + unique(i)), (1, 3))
    chain_length = n(200)
    chain = " ".join(f"fragment C{k} on Query {{ __typename ...C{k + 1} }}"
                     for k in range(chain_length))
    chain += f" fragment C{chain_length} on Query {{ id: __typename }}"
    add(g, f"a chain of {chain_length} fragments",
        lambda i: gql("{ ...C0 } " + chain + unique(i)), (2, 5))

    # 2 Node limit bypass -------------------------------------------------------------------
    g = "2 Node limit"
    aliases = n(10)
    bypass = "query($a: Int) { " + " ".join(
        f"p{k}: posts(first: $a) {{ edges {{ node {{ comments(first: $a) {{ edges {{ node {{ id "
        f"body }} }} }} }} }} }}" for k in range(aliases)) + " }"
    add(g, f"{aliases} aliases of posts x comments, `$a = 100.0` (a float)",
        lambda i: gql(bypass + unique(i), {"a": 100.0}), (1, 3))
    add(g, "largest allowed: 10 posts x 99 comments with text, unique",
        lambda i: gql(LARGEST_ALLOWED + unique(i)), (2, 5))
    add(g, "largest allowed: 100 posts x 9 comments with text, unique",
        lambda i: gql(WIDEST_ALLOWED + unique(i)), (2, 5))

    # 3 Mutation limit bypass ---------------------------------------------------------------
    g = "3 Mutation limit"
    comments = seed["comment_ids"]
    reacts = n(30)

    def reactions(i: int) -> str:
        fields = []
        for j in range(reacts):
            k = i * reacts + j
            subject = gid("Comment", comments[k % len(comments)])
            kind = KINDS[k // len(comments) % len(KINDS)]
            fields.append(f'a{j}: react(input: {{subjectId: "{subject}", kind: {kind}}}) '
                          "{ errors { code } }")
        return " ".join(fields)

    def mutation_in_fragment(i: int) -> tuple:
        if i % 2:
            document = "mutation { ...M } fragment M on Mutation { " + reactions(i) + " }"
        else:
            document = "mutation { ... on Mutation { " + reactions(i) + " } }"
        return gql(document, headers={"X-Forwarded-For": "203.0.113.3"})  # one caller

    add(g, f"{reacts} `react` inside `... on Mutation` / a fragment, one caller",
        mutation_in_fragment, (10, 30), flood=False)

    # 4 Rendering cost ----------------------------------------------------------------------
    g = "4 Rendering"
    post = gid("Post", seed["post_ids"][2])
    add(g, f"addComment, body `![` x {n(32_000)} (guest)",
        lambda i: gql("mutation($input: AddCommentInput!) { addComment(input: $input) { "
                      "comment { id status } errors { code } } }",
                      {"input": {"postId": post, "body": "![" * n(32_000) + f" {nonce}-{i}",
                                 "authorName": f"Guest {i}",
                                 "authorEmail": f"guest-{nonce}-{i}@example.org"}},
                      headers={"X-Forwarded-For": caller(i, 4)}), (2, 5))
    edits = n(20)

    def edit_comments(i: int) -> tuple:
        member = i % len(seed["member_comment_ids"])
        target = gid("Comment", seed["member_comment_ids"][member])
        fields = " ".join(f"e{k}: editComment(input: {{id: $id, body: $body}}) "
                          "{ errors { code } }" for k in range(edits))
        return gql(f"mutation($id: ID!, $body: String!) {{ {fields} }}",
                   {"id": target, "body": "![" * n(32_700) + f" {i}"},
                   headers=bearer(seed["tokens"]["members"][member]))

    add(g, f"{edits} editComment aliases, body `![` x {n(32_700)} (subscriber)",
        edit_comments, (1, 3))
    add(g, f"createPost, body `![` x {n(499_900)} (contributor)",
        lambda i: gql("mutation($input: CreatePostInput!) { createPost(input: $input) { "
                      "post { id } errors { code } } }",
                      {"input": {"title": f"Long {nonce} {i}", "body": "![" * n(499_900)}},
                      headers=bearer(seed["tokens"]["contributor"])), (1, 2))
    drafts = seed["draft_ids"]
    add(g, f"updatePost of a draft, body `![` x {n(99_000)} (author)",
        lambda i: gql("mutation($input: UpdatePostInput!) { updatePost(input: $input) { "
                      "post { id } errors { code } } }",
                      {"input": {"id": gid("Post", drafts[-1 - i % 10]),
                                 "body": "![" * n(99_000) + f" {i}"}},
                      headers=bearer(seed["tokens"]["author"])), (1, 3))
    def preview_token(i: int) -> tuple:
        return gql("mutation($id: ID!) { createPreviewToken(id: $id) { token errors { code } } }",
                   {"id": gid("Post", drafts[-1 - i % 10])},
                   headers=bearer(seed["tokens"]["author"]))

    def kept_token(i: int, status: int, answer: dict | None) -> None:
        payload = ((answer or {}).get("data") or {}).get("createPreviewToken") or {}
        if payload.get("token"):
            findings.setdefault("preview_tokens", []).append(
                (gid("Post", drafts[-1 - i % 10]), payload["token"]))

    def preview_read(i: int) -> tuple | None:
        tokens = findings.get("preview_tokens")
        if not tokens:
            return None
        post_id, token = tokens[i % len(tokens)]
        return gql("query($id: ID!, $t: String!) { post(id: $id, previewToken: $t) { html } }"
                   + unique(i), {"id": post_id, "t": token})

    add(g, "createPreviewToken of that draft (author)", preview_token, (1, 2), flood=False,
        observe=kept_token)
    add(g, "post(previewToken:): read the draft", preview_read, (2, 3), flood=False)

    # 5 Parse cache memory ------------------------------------------------------------------
    g = "5 Parse cache"
    ones = "1 " * n(1_984)
    add(g, f"unique ~{len(ones) // 1000 + 1} KB `{{ __typename(x: [1 1 ...]) }}`",
        lambda i: gql(f"{{ __typename(x: [{i} {ones}]) }}"), (3, 10), memory=True)
    add(g, "the same over GET",
        lambda i: get(f"{{ __typename(x: [{i} {ones}]) }}" + unique(i)), (2, 5), memory=True)
    add(g, f"unique documents of {n(50)} repeated fields",
        lambda i: gql("{ " + "viewer { id } " * n(50) + "}" + unique(i)), (2, 5), memory=True)

    # 6 Redis fill --------------------------------------------------------------------------
    g = "6 Redis fill"
    padding = "x" * n(19_000)

    def register(i: int) -> tuple:
        query = "{ __typename }\n# " + f"{nonce}-{i} " + padding
        sha = hashlib.sha256(query.encode()).hexdigest()
        return gql(query, extensions={"persistedQuery": {"version": 1, "sha256Hash": sha}})

    add(g, f"persisted-query registration, unique ~{len(padding) // 1000 + 1} KB", register,
        (3, 10), memory=True)
    add(g, "unique anonymous read, 100 posts' bodies (result cache)",
        lambda i: gql("{ posts(first: 100) { edges { node { body html } } } }" + unique(i)),
        (2, 5), memory=True)
    add(g, "unique anonymous read, largest allowed answer (result cache)",
        lambda i: gql(LARGEST_ALLOWED + unique(10_000_000 + i)), (0, 0))

    # 7 Dates -------------------------------------------------------------------------------
    g = "7 Dates"

    def publish(i: int) -> tuple | None:
        if i >= len(HOSTILE_DATES):
            return None
        return gql("mutation($input: PublishPostInput!) { publishPost(input: $input) { "
                   "post { id status publishedAt } errors { code } } }",
                   {"input": {"id": gid("Post", drafts[i]), "publishAt": HOSTILE_DATES[i]}},
                   headers=bearer(seed["tokens"]["author"]))

    def published(i: int, status: int, answer: dict | None) -> None:
        payload = ((answer or {}).get("data") or {}).get("publishPost") or {}
        if payload.get("post"):
            findings.setdefault("dates_accepted", []).append(i)

    add(g, "publishPost(publishAt:) at the ends of the calendar (author)", publish,
        (len(HOSTILE_DATES), len(HOSTILE_DATES)), flood=False, observe=published)

    # 9 Deep reply chain --------------------------------------------------------------------
    g = "9 Deep reply chain"
    paging = {"after": None, "done": False}

    def thread_page(i: int) -> tuple | None:
        if paging["done"]:
            return None
        return gql("query($slug: String!, $after: String) { post(slug: $slug) { thread(first: "
                   "100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { "
                   "node { id depth } } } } }" + unique(i),
                   {"slug": seed["chain_slug"], "after": paging["after"]})

    def paged(i: int, status: int, answer: dict | None) -> None:
        thread = (((answer or {}).get("data") or {}).get("post") or {}).get("thread")
        if not thread:
            findings["chain_error"] = json.dumps((answer or {}).get("errors"))[:160]
            paging["done"] = True
            return
        findings["chain_total"] = thread["totalCount"]
        findings["chain_reached"] = findings.get("chain_reached", 0) + len(thread["edges"])
        paging["after"] = thread["pageInfo"]["endCursor"]
        paging["done"] = not thread["pageInfo"]["hasNextPage"]

    add(g, f"page a {len(seed['chain_ids'])}-deep chain's thread, 100 a page", thread_page,
        (5, 5), flood=False, observe=paged)
    deepest = gid("Comment", seed["chain_ids"][-1])

    def deeper(i: int) -> tuple | None:
        if i > 0:
            return None
        return gql("mutation($input: AddCommentInput!) { addComment(input: $input) { "
                   "comment { depth } errors { code } } }",
                   {"input": {"postId": gid("Post", seed["chain_post_id"]), "parentId": deepest,
                              "body": f"Deeper {nonce}"}},
                   headers=bearer(seed["tokens"]["members"][-1]))

    def replied(i: int, status: int, answer: dict | None) -> None:
        payload = ((answer or {}).get("data") or {}).get("addComment")
        findings["deeper_reply"] = "refused" if not payload or payload["errors"] else "accepted"

    add(g, f"reply below the deepest comment (depth {len(seed['chain_ids'])}, subscriber)",
        deeper, (1, 1), flood=False, observe=replied)

    # 13 Account enumeration ----------------------------------------------------------------
    g = "13 Enumeration"
    user_ids = sorted(int(pk) for pk in seed["users"])
    private = set(seed["private_user_ids"])
    logins = set(seed["users"].values())

    def author_node(i: int) -> tuple | None:
        if i >= len(user_ids) + 5:
            return None
        return gql('query($id: ID!) { node(id: $id) { ... on Author { slug displayName } } }'
                   + unique(i), {"id": gid("Author", i + 1)})

    def enumerated(i: int, status: int, answer: dict | None) -> None:
        node = ((answer or {}).get("data") or {}).get("node")
        if node:
            findings["authors_open"] = findings.get("authors_open", 0) + 1
            findings["private_open"] = findings.get("private_open", 0) + (i + 1 in private)
            findings["login_slugs"] = findings.get("login_slugs", 0) + (node["slug"] in logins)

    add(g, "node(id: \"Author:N\") for every N", author_node, (60, 60), flood=False,
        observe=enumerated)

    # 16 Non-canonical IDs ------------------------------------------------------------------
    g = "16 Non-canonical IDs"
    pk = str(seed["post_ids"][0])
    full_width = "".join(chr(0xFF10 + int(d)) for d in pk)
    variants = [f"Post:{full_width}", f"Post: {pk}", f"Post:+{pk}", f"Post:0{pk}", f"Post:{pk} ",
                f"Post:{pk}\n", f"Post:{pk}.0", f"Post:{pk}_"]
    encoded = [base64.b64encode(v.encode()).decode() for v in variants]
    canonical = gid("Post", pk)
    encoded += [canonical.rstrip("="), canonical + "==", " " + canonical,
                base64.b64encode(f"Post:{pk}".encode()).decode().replace("=", "") + "\n"]
    encoded = [e for e in dict.fromkeys(encoded) if e != canonical]

    def odd_id(i: int) -> tuple | None:
        if i >= len(encoded):
            return None
        return gql('query($id: ID!) { node(id: $id) { id } post(id: $id) { id } }' + unique(i),
                   {"id": encoded[i]})

    def opened(i: int, status: int, answer: dict | None) -> None:
        data = (answer or {}).get("data") or {}
        findings["ids_tried"] = findings.get("ids_tried", 0) + 1
        findings["ids_opened"] = findings.get("ids_opened", 0) + bool(
            data.get("node") or data.get("post"))

    add(g, f"{len(encoded)} spellings of one post's ID (full-width, +, 0, spaces, padding)",
        odd_id, (len(encoded), len(encoded)), flood=False, observe=opened)

    # Ours: HTTP and GraphQL input --------------------------------------------------------
    g = "18 Input shapes (ours)"
    keys = n(50_000)
    add(g, f"variables with {keys} unused keys",
        lambda i: gql("query { __typename }" + unique(i),
                      {f"v{k}": k for k in range(keys)}), (2, 4))
    items = n(100_000)
    add(g, f"createPost tags: a list of {items} strings (anonymous)",
        lambda i: gql("mutation($t: [String!]) { createPost(input: {title: \"t\", body: \"b\", "
                      "tags: $t}) { errors { code } } }" + unique(i),
                      {"t": [f"t{k}" for k in range(items)]},
                      headers={"X-Forwarded-For": caller(i, 18)}), (2, 4))
    nesting = n(100_000)
    add(g, f"variables nested {nesting} deep (JSON)",
        lambda i: raw(b'{"query":"{ __typename }","variables":{"v":' + b"[" * nesting
                      + b"]" * nesting + b"}}"), (2, 4))
    literal = n(900)
    add(g, f"a list literal nested {literal} deep",
        lambda i: gql("{ __typename(x: " + "[" * literal + "]" * literal + ") }" + unique(i)),
        (2, 4))
    operations = n(400)
    add(g, f"{operations} operations, operationName picks the last",
        lambda i: gql(" ".join(f"query q{i}_{k} {{ __typename }}" for k in range(operations)),
                      operation_name=f"q{i}_{operations - 1}"), (2, 4))
    long_string = "a" * n(900_000)
    add(g, f"a {len(long_string) // 1000} KB string literal",
        lambda i: gql(f'{{ post(slug: "{long_string}{i}") {{ id }} }}'), (2, 4))
    add(g, "invalid UTF-8 in the body",
        lambda i: raw(b'{"query": "{ __typename }", "x": "\xff\xfe' + str(i).encode() + b'"}'),
        (2, 3))
    digits = "9" * n(5_000)
    add(g, f"a {len(digits)}-digit integer literal",
        lambda i: gql(f"{{ posts(first: {digits}) {{ totalCount }} }}" + unique(i)), (2, 3))
    add(g, f"a {len(digits)}-digit number in the variables JSON",
        lambda i: raw(b'{"query":"query($a: Int) { posts(first: $a) { totalCount } }",'
                      b'"variables":{"a":' + digits.encode() + b"}}"), (2, 3))
    add(g, "first: 1e400 (infinity) in the variables JSON",
        lambda i: raw(b'{"query":"query($a: Int) { posts(first: $a) { totalCount } } # '
                      + str(i).encode() + b'","variables":{"a":1e400}}'), (2, 3))
    return attacks, findings
