// Reader accounts on the example blog: sign up, the link in the e-mail (?verify=KEY), sign in
// (with a password or another site), a forgotten password (?reset=KEY), the profile, and who
// liked the post. Hearth keeps the session in its cookie; this page holds only the CSRF token
// Hearth gives it, which api.js sends as X-CSRFToken with the session's mutations.

import { mutate as send, params, query as read, setCsrfToken } from "./api.js";

const ACCOUNT_FIELDS = "viewer { displayName avatarUrl } csrfToken errors { field message code }";
const SESSION_QUERY = `{ viewer { displayName avatarUrl } csrfToken
  signInProviders { id name url } }`;
const MUTATIONS = {
  signUp: `mutation($input: SignUpInput!) { signUp(input: $input) { ${ACCOUNT_FIELDS} } }`,
  signIn: `mutation($input: SignInInput!) { signIn(input: $input) { ${ACCOUNT_FIELDS} } }`,
  signOut: `mutation { signOut { ${ACCOUNT_FIELDS} } }`,
  verifyEmail: `mutation($key: String!) { verifyEmail(key: $key) { ${ACCOUNT_FIELDS} } }`,
  requestPasswordReset: `mutation($email: String!) {
    requestPasswordReset(email: $email) { ${ACCOUNT_FIELDS} } }`,
  resetPassword: `mutation($input: ResetPasswordInput!) {
    resetPassword(input: $input) { ${ACCOUNT_FIELDS} } }`,
  updateAccount: `mutation($input: UpdateAccountInput!) {
    updateAccount(input: $input) { ${ACCOUNT_FIELDS} } }`,
  deleteAccount: `mutation { deleteAccount { deletedId errors { message code } } }`,
};
const REACTORS_QUERY = `query($slug: String!, $first: Int, $after: String) {
  post(slug: $slug) { reactions { counts { kind count }
    reactors(kind: LIKE, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { displayName avatarUrl profileUrl } } } } } }`;
const AVATARS_SHOWN = 8;

const state = { viewer: null, providers: [] };

export function signedIn() {
  return state.viewer !== null;
}

function remember(viewer, csrfToken) {
  state.viewer = viewer;
  setCsrfToken(viewer ? csrfToken : null);
}

async function mutate(name, variables = {}) {
  const payload = (await send(MUTATIONS[name], variables))[name];
  if ("viewer" in payload) remember(payload.viewer, payload.csrfToken);
  return payload;
}

// The account bar and panel ------------------------------------------------------------------

const panel = () => document.getElementById("account-panel");

function say(message, isError = false) {
  const box = panel().querySelector(".account-message");
  box.textContent = message;
  box.classList.toggle("error", isError);
  box.hidden = !message;
}

function openForm(name) {
  panel().hidden = false;
  for (const form of panel().querySelectorAll("form")) {
    form.hidden = form.dataset.form !== name;
  }
  panel().querySelector(`form[data-form="${name}"] input`)?.focus();
}

function closePanel() {
  panel().hidden = true;
  say("");
}

function drawBar() {
  const bar = document.getElementById("account-bar");
  bar.replaceChildren();
  const button = (label, action) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link-button";
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  };
  if (state.viewer) {
    const who = document.createElement("span");
    who.className = "signed-in-as";
    who.append("Signed in as ");
    const name = document.createElement("strong");
    name.textContent = state.viewer.displayName;
    who.append(name);
    bar.append(who, button("Profile", () => {
      const form = panel().querySelector('form[data-form="profile"]');
      form.displayName.value = state.viewer.displayName;
      form.avatarUrl.value = state.viewer.avatarUrl ?? "";
      openForm("profile");
    }), button("Sign out", signOut));
  } else {
    bar.append(button("Sign in", () => openForm("sign-in")),
               button("Sign up", () => openForm("sign-up")));
  }
  const providers = panel().querySelector(".providers");
  providers.replaceChildren(...state.providers.map((provider) => {
    const link = document.createElement("a");
    const url = new URL(provider.url);
    url.searchParams.set("process", "login");
    url.searchParams.set("next", location.href);
    link.href = url;
    link.className = "provider";
    link.textContent = `Sign in with ${provider.name}`;
    return link;
  }));
  document.dispatchEvent(new CustomEvent("hearth:account"));
}

function errorsOf(payload) {
  return payload.errors.map((e) => e.message).join(" ");
}

async function signOut() {
  await mutate("signOut");
  drawBar();
  location.reload();
}

function onSubmit(name, handler) {
  const form = panel().querySelector(`form[data-form="${name}"]`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await handler(Object.fromEntries(new FormData(form)), form);
    } catch (error) {
      say(`That did not work: ${error.message}`, true);
    } finally {
      button.disabled = false;
    }
  });
}

function setupForms() {
  const root = panel();
  root.querySelector(".close-panel").addEventListener("click", closePanel);
  root.querySelectorAll("[data-open]").forEach((link) => link.addEventListener("click", (e) => {
    e.preventDefault();
    say("");
    openForm(link.dataset.open);
  }));
  onSubmit("sign-up", async (fields, form) => {
    const payload = await mutate("signUp", { input: {
      email: fields.email, password: fields.password, displayName: fields.displayName || null } });
    if (payload.errors.length) return say(errorsOf(payload), true);
    form.reset();
    openForm("sign-in");
    say(`Almost there: we sent a link to ${fields.email}. Follow it, then sign in.`);
  });
  onSubmit("sign-in", async (fields) => {
    const payload = await mutate("signIn", { input: { email: fields.email,
                                                      password: fields.password } });
    if (payload.errors.length) return say(errorsOf(payload), true);
    location.reload();  // the page again, as the signed-in reader sees it
  });
  onSubmit("forgot", async (fields) => {
    const payload = await mutate("requestPasswordReset", { email: fields.email });
    if (payload.errors.length) return say(errorsOf(payload), true);
    say(`If ${fields.email} has an account, a link to reset its password is on its way.`);
  });
  onSubmit("reset", async (fields) => {
    const payload = await mutate("resetPassword", { input: { key: params.get("reset"),
                                                             password: fields.password } });
    if (payload.errors.length) return say(errorsOf(payload), true);
    forgetParam("reset");
    openForm("sign-in");
    say("Your password is changed. Sign in with it.");
  });
  onSubmit("profile", async (fields) => {
    const payload = await mutate("updateAccount", { input: {
      displayName: fields.displayName, avatarUrl: fields.avatarUrl } });
    if (payload.errors.length) return say(errorsOf(payload), true);
    drawBar();
    say("Your profile is saved.");
  });
  root.querySelector(".delete-account").addEventListener("click", async () => {
    if (!confirm("Delete your account? Your likes are taken back.")) return;
    const payload = await mutate("deleteAccount");
    if (payload.errors.length) return say(errorsOf(payload), true);
    location.reload();
  });
}

function forgetParam(name) {
  params.delete(name);
  const url = new URL(location.href);
  url.searchParams.delete(name);
  history.replaceState(null, "", url);
}

// Called by app.js before it draws the page: who is signed in, and the links from mails.
export async function startAccounts() {
  setupForms();
  try {
    const data = await read(SESSION_QUERY);
    remember(data.viewer, data.csrfToken);
    state.providers = data.signInProviders;
  } catch (error) {
    return;  // app.js shows that Hearth is down
  }
  drawBar();
  if (params.get("verify")) {
    const payload = await mutate("verifyEmail", { key: params.get("verify") });
    forgetParam("verify");
    openForm("sign-in");
    say(payload.errors.length ? errorsOf(payload)
      : "Your e-mail address is confirmed. Sign in to comment as yourself.",
        payload.errors.length > 0);
  } else if (params.get("reset")) {
    openForm("reset");
  } else if (params.get("account") === "error") {
    forgetParam("account");
    openForm("sign-in");
    say("Signing in with the other site did not work.", true);
  }
}

// Who liked it: a row of faces under the post, and the whole list ------------------------------

function face(reactor) {
  const item = document.createElement("li");
  item.className = "reactor";
  item.title = reactor.displayName;
  if (reactor.avatarUrl) {
    const img = document.createElement("img");
    img.src = reactor.avatarUrl;
    img.alt = reactor.displayName;
    img.className = "avatar";
    item.append(img);
  } else {
    const initial = document.createElement("span");
    initial.className = "avatar";
    initial.setAttribute("aria-hidden", "true");
    initial.textContent = reactor.displayName.slice(0, 1).toUpperCase();
    item.append(initial);
  }
  return item;
}

function listEntry(reactor) {
  const item = face(reactor);
  const name = reactor.profileUrl ? document.createElement("a") : document.createElement("span");
  if (reactor.profileUrl) name.href = reactor.profileUrl;
  name.className = "reactor-name";
  name.textContent = reactor.displayName;
  item.append(name);
  return item;
}

export async function showReactors(container, slug) {
  const data = await read(REACTORS_QUERY, { slug, first: AVATARS_SHOWN });
  const reactions = data.post.reactions;
  const likes = reactions.counts.find((c) => c.kind === "LIKE")?.count ?? 0;
  const reactors = reactions.reactors;
  container.replaceChildren();
  container.hidden = likes === 0;
  if (!likes) return;
  const row = document.createElement("ul");
  row.className = "reactor-row";
  row.append(...reactors.edges.map((edge) => face(edge.node)));
  const open = document.createElement("button");
  open.type = "button";
  open.className = "link-button liked-by";
  open.textContent = `Liked by ${likes === 1 ? "1 person" : `${likes} people`}`;
  const list = document.createElement("ul");
  list.className = "reactor-list";
  list.hidden = true;
  open.addEventListener("click", async () => {
    if (!list.hidden) return void (list.hidden = true);
    list.replaceChildren();
    let after = null;
    do {
      const page = (await read(REACTORS_QUERY, { slug, first: 100, after })).post.reactions
        .reactors;
      list.append(...page.edges.map((edge) => listEntry(edge.node)));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const others = likes - reactors.totalCount;
    if (others > 0) {
      const rest = document.createElement("li");
      rest.className = "reactor-others";
      rest.textContent = `and ${others === 1 ? "1 other" : `${others} others`}`;
      list.append(rest);
    }
    list.hidden = false;
  });
  container.append(row, open, list);
}
