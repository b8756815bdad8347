// Talking to Hearth from the example blog: reads as GET with automatic persisted queries,
// mutations as POST, with the visitor's token and, for a signed-in reader, Hearth's session
// cookie and CSRF token.

export const params = new URLSearchParams(location.search);
export const API_URL = params.get("api")
  || document.querySelector('meta[name="hearth-api"]')?.content
  || "http://127.0.0.1:8000/graphql/";
const TOKEN_KEY = "hearth.visitorToken";

export class ApiDown extends Error {}

// A fetch that fails outright is either Hearth down or Hearth refusing this origin (CORS): the
// browser says the same for both. An opaque request (no-cors) still reaches a server that is up.
async function whyUnreachable() {
  try {
    await fetch(API_URL, { mode: "no-cors", cache: "no-store" });
  } catch (error) {
    return `Hearth at ${API_URL} is not answering.`;
  }
  return `Hearth at ${API_URL} is up but does not let this site (${location.origin}) read its `
    + `answers: add ${location.origin} to its CORS_ALLOWED_ORIGINS setting.`;
}

let csrfToken = null;

// Set by accounts.js while a reader is signed in: sent with every mutation of the session.
export function setCsrfToken(token) {
  csrfToken = token;
}

export function visitorToken() {
  return localStorage.getItem(TOKEN_KEY);
}

export function rememberVisitor(token) {
  localStorage.setItem(TOKEN_KEY, token);
}

function headers(write = false) {
  const token = localStorage.getItem(TOKEN_KEY);
  return {
    ...(token ? { "X-Visitor-Token": token } : {}),
    ...(write && csrfToken ? { "X-CSRFToken": csrfToken } : {}),
  };
}

export async function send(request) {
  let response;
  try {
    // With Hearth's session cookie, if the reader signed in (accounts.js).
    response = await fetch(request.url, { credentials: "include", ...request.init });
  } catch (error) {
    throw new ApiDown(await whyUnreachable());
  }
  let body;
  try {
    body = await response.json();
  } catch (error) {
    throw new ApiDown(`Hearth at ${API_URL} answered with HTTP ${response.status}.`);
  }
  if (body.errors?.length) {
    const error = new Error(body.errors.map((e) => e.message).join(" "));
    error.codes = body.errors.map((e) => e.extensions?.code);
    throw error;
  }
  return body.data;
}

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// Reads go as GET, so a CDN in front of Hearth can cache them for anonymous readers. They are
// automatic persisted queries: the query's SHA-256 travels instead of the query; only when
// Hearth does not know it yet is the query sent along, once, to register it.
export async function query(text, variables = {}) {
  const compact = text.replace(/\s+/g, " ").trim();
  const url = new URL(API_URL);
  url.searchParams.set("variables", JSON.stringify(variables));
  if (globalThis.crypto?.subtle) {
    const persistedQuery = { version: 1, sha256Hash: await sha256(compact) };
    url.searchParams.set("extensions", JSON.stringify({ persistedQuery }));
    try {
      return await send({ url, init: { headers: headers() } });
    } catch (error) {
      if (!error.codes?.includes("PERSISTED_QUERY_NOT_FOUND")) throw error;
    }
  }
  url.searchParams.set("query", compact);
  return send({ url, init: { headers: headers() } });
}

export function mutate(text, variables = {}) {
  return send({
    url: API_URL,
    init: {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers(true) },
      body: JSON.stringify({ query: text, variables }),
    },
  });
}
