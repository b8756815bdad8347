// "Notify me of new posts by email": the subscribe box under the blog. Hearth mails a link to
// confirm (double opt-in) and answers alike whether or not it knew the address. The comment
// form's "Notify me of follow-up comments" box is sent by app.js as `notifyReplies`.

const params = new URLSearchParams(location.search);
const API_URL = params.get("api")
  || document.querySelector('meta[name="hearth-api"]')?.content
  || "http://127.0.0.1:8000/graphql/";

const SUBSCRIBE = `
  mutation Subscribe($email: String!) {
    subscribe(email: $email) { ok errors { field message code } }
  }`;

async function subscribe(email) {
  const response = await fetch(API_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query: SUBSCRIBE, variables: { email } }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join(" "));
  return body.data.subscribe;
}

function setupSubscribe(form) {
  const status = form.querySelector(".subscribe-status");
  const button = form.querySelector("button");
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = form.querySelector("input[name=email]").value;
    button.disabled = true;
    try {
      const result = await subscribe(email);
      status.textContent = result.ok
        ? "Thanks! Check your inbox for a link to confirm your subscription."
        : result.errors.map((e) => e.message).join(" ");
      status.classList.toggle("error", !result.ok);
    } catch (error) {
      status.textContent = `You could not be subscribed: ${error.message}`;
      status.classList.add("error");
    } finally {
      status.hidden = false;
      button.disabled = false;
    }
  });
}

const form = document.querySelector("form.subscribe-form");
if (form) setupSubscribe(form);
