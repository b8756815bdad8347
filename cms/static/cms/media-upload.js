// The admin's image upload page: files dropped (or chosen) are listed with a preview and an alt
// text field each; "Upload" sends them one by one to the same address (one file per request,
// so each is checked and reported on its own) with the page's CSRF token.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("image-upload");
  if (!form) return;
  const zone = form.querySelector(".hearth-dropzone");
  const input = form.querySelector("input[type=file]");
  const list = form.querySelector(".hearth-uploads");
  const submit = form.querySelector("input[type=submit]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const pending = [];

  function suggestedAlt(name) {
    return name.replace(/\.[a-z0-9]+$/i, "").replace(/[-_]+/g, " ").trim();
  }

  function add(files) {
    for (const file of files) {
      const item = document.createElement("li");
      const preview = document.createElement("img");
      preview.alt = "";
      if (file.type.startsWith("image/")) preview.src = URL.createObjectURL(file);
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = file.name;
      const label = document.createElement("label");
      label.textContent = "Alt text ";
      const alt = document.createElement("input");
      alt.type = "text";
      alt.name = "alt";
      alt.maxLength = 500;
      alt.required = true;
      alt.placeholder = "What the image shows";
      alt.value = suggestedAlt(file.name);
      label.append(alt);
      const status = document.createElement("span");
      status.className = "status";
      status.textContent = "Ready";
      item.append(preview, name, label, status);
      list.append(item);
      pending.push({ file, alt, item, status });
    }
    submit.disabled = pending.length === 0;
  }

  async function send(entry) {
    const body = new FormData();
    body.append("file", entry.file);
    body.append("alt", entry.alt.value);
    entry.item.classList.remove("is-failed");
    entry.status.textContent = "Uploading…";
    let answer;
    try {
      const response = await fetch(window.location.pathname, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      });
      answer = await response.json().catch(() => ({ errors: [`The server answered ${response.status}.`] }));
    } catch (error) {
      answer = { errors: ["Hearth did not answer; try again."] };
    }
    if (answer.errors) {
      entry.item.classList.add("is-failed");
      entry.status.textContent = answer.errors.join(" ");
      return false;
    }
    entry.item.classList.add("is-done");
    entry.item.dataset.imageId = answer.id;
    entry.status.textContent = "";
    const link = document.createElement("a");
    link.href = answer.change;
    link.textContent = "Uploaded: open in the library";
    entry.status.append(link);
    entry.alt.disabled = true;
    return true;
  }

  zone.addEventListener("click", (event) => { if (event.target === zone) input.click(); });
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
  });
  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  for (const kind of ["dragenter", "dragover"]) {
    zone.addEventListener(kind, (event) => { event.preventDefault(); zone.classList.add("is-over"); });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("is-over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("is-over");
    add(event.dataTransfer.files);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const failed = [];  // kept, so that a corrected alt text can be sent again
    while (pending.length) {
      const entry = pending.shift();
      if (!(await send(entry))) failed.push(entry);
    }
    pending.push(...failed);
    form.dataset.finished = failed.length ? `${failed.length} failed` : "all";
    submit.disabled = pending.length === 0;
  });
});
