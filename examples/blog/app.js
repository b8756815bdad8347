// A personal blog page drawn from Hearth's GraphQL API: the post, its thread, likes and a
// comment form. No build step: a plain ES module talking to the API over fetch. Reader accounts
// and who liked the post are in accounts.js.

import { showReactors, signedIn, startAccounts } from "./accounts.js";
import { mutate, params, query, rememberVisitor } from "./api.js";

import { followPost } from "./live.js";
import { IMAGE_FIELDS, featuredFigure } from "./media.js";
import { rememberPending, withOwnPending } from "./pending.js";

const PREVIEW = params.get("preview"); // a preview token from the admin: drafts too
const PAGE_SIZE = 100;

const COMMENT_FIELDS = `
  id depth status html createdAt
  parent { id }
  author { name url avatarUrl isPostAuthor }
  reactions { counts { kind count } viewerReactions }
`;

const POST_QUERY = `
  query Post($slug: String!, $preview: String) {
    post(slug: $slug, previewToken: $preview) {
      id slug title html publishedAt commentCount commentsOpen
      author { displayName }
      featuredImage { ${IMAGE_FIELDS} }
      reactions { counts { kind count } viewerReactions }
    }
  }`;

const NEWEST_QUERY = `query Newest { posts(first: 1) { edges { node { slug } } } }`;

const THREAD_QUERY = `
  query Thread($slug: String!, $after: String, $preview: String) {
    post(slug: $slug, previewToken: $preview) {
      thread(first: ${PAGE_SIZE}, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { ${COMMENT_FIELDS} } }
      }
    }
  }`;

const REACT_FIELDS = `
  visitorToken
  reactions { counts { kind count } viewerReactions }
  errors { message code }`;
const REACT = `mutation React($input: ReactInput!) { react(input: $input) { ${REACT_FIELDS} } }`;
const UNREACT = `mutation Unreact($input: ReactInput!) { unreact(input: $input) { ${REACT_FIELDS} } }`;

const ADD_COMMENT = `
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      comment { ${COMMENT_FIELDS} }
      errors { field message code }
    }
  }`;

async function loadThread(slug) {
  const comments = [];
  let after = null;
  do {
    const data = await query(THREAD_QUERY, { slug, after, preview: PREVIEW });
    const page = data.post.thread;
    comments.push(...page.edges.map((edge) => edge.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return comments;
}

// Drawing --------------------------------------------------------------------------------------

const main = document.getElementById("main");
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });

function clone(id) {
  return document.getElementById(id).content.cloneNode(true);
}

function likes(reactions) {
  return reactions.counts.find((c) => c.kind === "LIKE")?.count ?? 0;
}

function people(n) {
  return n === 1 ? "1 person" : `${n} people`;
}

function peopleLikeThis(n) {
  return n === 1 ? "1 person likes this" : `${n} people like this`;
}

function showLikes(button, label, reactions, words) {
  const liked = reactions.viewerReactions.includes("LIKE");
  button.setAttribute("aria-pressed", String(liked));
  button.textContent = liked ? "Liked" : "Like";
  showLikeCount(label, reactions, words);
}

// A live event's counts. Not the reader's own Like: the subscription may have started before
// the reader had a visitor token, and the reader's own clicks set that.
function showLikeCount(label, reactions, words) {
  const count = likes(reactions);
  label.textContent = count ? words(count) : "";
  label.dataset.count = String(count);
}

function likeToggle(button, label, subjectId, words, changed = () => {}) {
  button.addEventListener("click", async () => {
    const liked = button.getAttribute("aria-pressed") === "true";
    const privately = button.parentElement.querySelector(".like-private input")?.checked;
    const input = { subjectId, kind: "LIKE", ...(!liked && privately ? { private: true } : {}) };
    button.disabled = true;
    try {
      const data = await mutate(liked ? UNREACT : REACT, { input });
      const result = data.react ?? data.unreact;
      if (result.errors.length) throw new Error(result.errors[0].message);
      if (result.visitorToken) rememberVisitor(result.visitorToken);
      showLikes(button, label, result.reactions, words);
      changed();
    } catch (error) {
      notify(`Your like could not be saved: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  });
}

const likedBy = (n) => `Liked by ${people(n)}`;

function renderComment(comment) {
  const fragment = clone("comment-template");
  const li = fragment.querySelector("li");
  li.id = `comment-${comment.id}`;
  li.dataset.id = comment.id;
  li.dataset.depth = String(comment.depth);
  const removed = comment.status !== "APPROVED" && !comment.mine;
  const name = li.querySelector(".comment-author");
  if (removed) {
    li.classList.add("removed");
    name.textContent = "Removed";
    li.querySelector(".comment-body").textContent = "This comment was removed.";
    li.querySelector(".comment-actions").hidden = true;
  } else {
    if (comment.author.url) {
      const link = document.createElement("a");
      link.href = comment.author.url;
      link.rel = "nofollow ugc";
      link.textContent = comment.author.name;
      name.append(link);
    } else {
      name.textContent = comment.author.name;
    }
    li.querySelector(".avatar").textContent = comment.author.name.slice(0, 1).toUpperCase();
    li.querySelector(".author-badge").hidden = !comment.author.isPostAuthor;
    li.querySelector(".comment-body").innerHTML = comment.html; // sanitized by Hearth
  }
  const time = li.querySelector(".comment-date");
  time.dateTime = comment.createdAt;
  time.textContent = dateFormat.format(new Date(comment.createdAt));

  const button = li.querySelector(".comment-like");
  const label = li.querySelector(".comment-likes");
  showLikes(button, label, comment.reactions, likedBy);
  likeToggle(button, label, comment.id, likedBy);
  li.querySelector(".reply-link").addEventListener("click", (event) => {
    event.preventDefault();
    moveForm(li, comment);
  });
  if (comment.status === "PENDING") {
    li.classList.add("pending");
    li.querySelector(".pending-notice").hidden = false;
    li.querySelector(".comment-actions").hidden = true;
  }
  return li;
}

// The thread comes depth-first, so each reply's parent is already drawn: nest it under it.
function renderThread(list, comments) {
  list.replaceChildren();
  const drawn = new Map();
  for (const comment of comments) {
    const li = renderComment(comment);
    const parent = comment.parent && drawn.get(comment.parent.id);
    (parent ? parent.querySelector(":scope > .replies") : list).append(li);
    drawn.set(comment.id, li);
  }
}

function responses(n) {
  return n === 1 ? "1 response" : `${n} responses`;
}

// The live thread -----------------------------------------------------------------------------

const ACTIVITY_FIELDS = `
  kind
  comment { ${COMMENT_FIELDS} }
  post { commentCount reactions { counts { kind count } viewerReactions } }
`;

// A comment drawn anew in place: the replies under it stay where they are.
function redraw(li, comment) {
  const fresh = renderComment(comment);
  li.querySelector(":scope > .comment-card").replaceWith(fresh.querySelector(".comment-card"));
  li.className = fresh.className;
}

function showActivity(section, activity) {
  const { kind, comment, post } = activity;
  section.querySelector(".responses").textContent = responses(post.commentCount);
  showLikeCount(document.querySelector(".post-likes"), post.reactions, peopleLikeThis);
  if (!comment) return;
  // A comment awaiting moderation reaches only its author (and moderators).
  const shown = { ...comment, mine: comment.status === "PENDING" };
  const li = document.getElementById(`comment-${comment.id}`);
  if (kind === "COMMENT_REMOVED") {
    if (li && li.querySelector(":scope > .replies").children.length) redraw(li, shown);
    else li?.remove();
  } else if (li && kind === "REACTIONS_CHANGED") {
    // Only the count: the card (and the Like button a reader may be pressing) stays.
    showLikeCount(li.querySelector(":scope > .comment-card .comment-likes"), comment.reactions,
      likedBy);
  } else if (li) {
    redraw(li, shown);
  } else if (kind === "COMMENT_ADDED") {
    const parent = comment.parent && document.getElementById(`comment-${comment.parent.id}`);
    (parent ? parent.querySelector(":scope > .replies") : section.querySelector(".thread"))
      .append(renderComment(shown));
  }
}

// The comment form -----------------------------------------------------------------------------

let form;
let replyTo = null;

function moveForm(li, comment) {
  replyTo = comment;
  li.querySelector(":scope > .comment-card").after(form);
  const note = form.querySelector(".replying-to");
  note.hidden = false;
  note.querySelector("strong").textContent = comment.author.name;
  form.querySelector(".form-title").textContent = "Leave a reply";
  form.querySelector("textarea").focus();
}

function resetForm(section) {
  replyTo = null;
  form.querySelector(".replying-to").hidden = true;
  form.querySelector(".form-title").textContent = "Leave a comment";
  section.append(form);
}

function setupForm(section, post) {
  form = clone("form-template").querySelector("form");
  section.append(form);
  if (signedIn()) {  // the comment is the account's: no name or e-mail to give
    form.querySelector(".guest-fields").remove();
    form.querySelector(".form-note").hidden = true;
    const note = form.querySelector(".form-signed-in");
    note.hidden = false;
    note.querySelector("strong").textContent =
      document.querySelector("#account-bar strong")?.textContent ?? "";
  }
  form.querySelector(".cancel-reply").addEventListener("click", (event) => {
    event.preventDefault();
    resetForm(section);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form));
    const errors = form.querySelector(".form-errors");
    errors.hidden = true;
    const input = {
      postId: post.id,
      body: fields.body,
      parentId: replyTo?.id ?? null,
      notifyReplies: fields.notifyReplies === "on", // the box is examples/blog/mail.js's feature
      ...(signedIn() ? {} : {
        authorName: fields.authorName,
        authorEmail: fields.authorEmail,
        authorUrl: fields.authorUrl || null,
      }),
    };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const data = await mutate(ADD_COMMENT, { input });
      const result = data.addComment;
      if (result.errors.length) {
        errors.textContent = result.errors.map((e) => e.message).join(" ");
        errors.hidden = false;
        return;
      }
      const comment = { ...result.comment, mine: true };
      if (comment.status === "PENDING") rememberPending(post, comment);
      // The live thread may have drawn it already (its event can beat this answer).
      const drawn = document.getElementById(`comment-${comment.id}`);
      const li = drawn ?? renderComment(comment);
      if (drawn) {
        redraw(drawn, comment);
      } else {
        const parent = replyTo && document.getElementById(`comment-${replyTo.id}`);
        (parent ? parent.querySelector(":scope > .replies") : section.querySelector(".thread"))
          .append(li);
      }
      form.querySelector("textarea").value = "";
      resetForm(section);
      li.scrollIntoView({ block: "center" });
    } catch (error) {
      errors.textContent = `Your comment could not be sent: ${error.message}`;
      errors.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}

// The page -------------------------------------------------------------------------------------

function notify(message) {
  let box = document.querySelector(".notice");
  if (!box) {
    box = document.createElement("p");
    box.className = "notice";
    box.setAttribute("role", "status");
    document.body.prepend(box);
  }
  box.textContent = message;
}

function showDown(error) {
  const box = document.createElement("div");
  box.className = "api-down";
  box.setAttribute("role", "alert");
  const title = document.createElement("h1");
  title.textContent = "This page could not be loaded";
  const text = document.createElement("p");
  text.textContent = `${error.message} Please try again in a moment.`;
  const retry = document.createElement("button");
  retry.type = "button";
  retry.textContent = "Try again";
  retry.addEventListener("click", () => location.reload());
  box.append(title, text, retry);
  main.replaceChildren(box);
}

async function start() {
  try {
    await startAccounts();
    let slug = params.get("slug");
    if (!slug) {
      const newest = await query(NEWEST_QUERY);
      slug = newest.posts.edges[0]?.node.slug;
    }
    const data = slug ? await query(POST_QUERY, { slug, preview: PREVIEW }) : { post: null };
    const post = data.post;
    if (!post) {
      main.innerHTML = "<h1>Nothing here</h1><p>There is no such post.</p>";
      document.body.dataset.ready = "missing";
      return;
    }
    const comments = await loadThread(slug);
    document.title = post.title;
    const page = clone("post-template");
    page.querySelector(".post-title").textContent = post.title;
    page.querySelector(".post-author").textContent = post.author.displayName;
    const date = page.querySelector(".post-date");
    if (post.publishedAt) {
      date.dateTime = post.publishedAt;
      date.textContent = dateFormat.format(new Date(post.publishedAt));
    } else {
      date.textContent = "not published yet";
    }
    if (PREVIEW) page.querySelector(".post").classList.add("preview");
    page.querySelector(".post-body").innerHTML = post.html; // sanitized by Hearth
    const figure = featuredFigure(post.featuredImage);
    if (figure) page.querySelector(".post-body").before(figure);
    const words = peopleLikeThis;
    const button = page.querySelector(".post-like");
    const label = page.querySelector(".post-likes");
    showLikes(button, label, post.reactions, words);
    const reactors = page.querySelector(".post-reactors");
    page.querySelector(".like-private").hidden = !signedIn();
    const drawReactors = () => showReactors(reactors, slug).catch(() => {});
    likeToggle(button, label, post.id, words, drawReactors);
    drawReactors();
    page.querySelector(".responses").textContent = responses(post.commentCount);
    renderThread(page.querySelector(".thread"), withOwnPending(post, comments));
    const section = page.querySelector(".comments");
    main.replaceChildren(page);
    if (post.commentsOpen) {
      setupForm(section, post);
    } else {
      section.querySelector(".comments-closed").hidden = false;
      section.querySelectorAll(".reply-link").forEach((link) => link.remove());
    }
    if (!PREVIEW) {
      followPost(post.id, ACTIVITY_FIELDS, (activity) => showActivity(section, activity),
        (live) => { document.body.dataset.live = String(live); });
    }
    document.body.dataset.ready = "true";
  } catch (error) {
    showDown(error);
    document.body.dataset.ready = "error";
  }
}

start();
