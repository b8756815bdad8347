// A reader's own comments awaiting moderation, kept in this browser so they stay on the page
// after a reload (Hearth shows a guest's pending comment only in the answer to addComment).
// They are drawn with the "awaiting moderation" notice and no Like or Reply (neither works
// before approval); once approved they come back in the thread and are forgotten here.

const KEY = "hearth.pendingComments";
const KEEP = 20;
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

function load() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(stored) ? stored : [];
  } catch (error) {
    return [];
  }
}

function save(entries) {
  try {
    localStorage.setItem(KEY, JSON.stringify(entries.slice(-KEEP)));
  } catch (error) {
    // Storage full or off: the comment is simply not remembered.
  }
}

export function rememberPending(post, comment) {
  const { id, depth, status, html, createdAt, parent, author } = comment;
  const entry = { postId: post.id, savedAt: Date.now(),
    comment: { id, depth, status, html, createdAt, parent, author,
      reactions: { counts: [], viewerReactions: [] } } };
  save([...load().filter((e) => e.comment.id !== id), entry]);
}

// The thread with this reader's own pending comments of `post` after it, each to be nested
// under its parent by the thread's drawing.
export function withOwnPending(post, comments) {
  const shown = new Set(comments.map((c) => c.id));
  const now = Date.now();
  const kept = load().filter((e) => now - e.savedAt < MAX_AGE_MS && !shown.has(e.comment.id));
  save(kept);
  const mine = kept.filter((e) => e.postId === post.id)
    .map((e) => ({ ...e.comment, status: "PENDING", mine: true }));
  return [...comments, ...mine];
}
