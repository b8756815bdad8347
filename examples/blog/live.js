// The live thread (Hearth's `postActivity` subscription): new comments, edits, removals and like
// counts appear without a reload. graphql-transport-ws over a WebSocket to the same /graphql/
// URL, in a few lines instead of a library: connection_init with the visitor's token (a
// signed-in reader's session cookie goes with the handshake), subscribe, answer pings, and
// reconnect after a pause when the connection drops.

import { API_URL, visitorToken } from "./api.js";

const RETRY_MS = [1000, 2000, 5000, 10000, 30000];

// `onActivity(activity)` for each change; `onLive(true|false)` when the subscription starts or
// the connection drops.
export function followPost(postId, selection, onActivity, onLive = () => {}) {
  const url = new URL(API_URL);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const query = `subscription Activity($postId: ID!) {
    postActivity(postId: $postId) { ${selection} } }`;
  let failures = 0;
  let stopped = false;

  function connect() {
    const socket = new WebSocket(url, "graphql-transport-ws");
    const send = (message) => socket.send(JSON.stringify(message));
    socket.addEventListener("open", () => {
      const token = visitorToken();
      send({ type: "connection_init", payload: token ? { visitorToken: token } : {} });
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        failures = 0;
        send({ id: "post", type: "subscribe", payload: { query, variables: { postId } } });
        onLive(true);
      } else if (message.type === "ping") {
        send({ type: "pong" });
      } else if (message.type === "next" && message.payload.data) {
        onActivity(message.payload.data.postActivity);
      } else if (message.type === "complete" || message.type === "error") {
        stopped = true; // the post can no longer be read, or the subscription was refused
        socket.close();
      }
    });
    socket.addEventListener("close", () => {
      onLive(false);
      if (stopped) return;
      setTimeout(connect, RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]);
      failures += 1;
    });
  }

  connect();
}
