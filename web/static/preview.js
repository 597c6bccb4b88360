// The compose page's preview per channel, refreshed as the officer types: the server renders it (the same
// code that builds what each adapter sends, web/previews.py) and this file only asks and puts it in place.
// Without it the page works the same through its Preview button.
"use strict";

(() => {
  const DEBOUNCE_MS = 700; // a preview is larger than a count: ask less often
  const form = document.getElementById("compose-form");
  const list = document.getElementById("preview-list");
  if (!form || !list || !list.dataset.previewUrl) {
    return;
  }
  let timer = null;
  let latest = 0; // answers can overtake each other: only the newest request's answer is shown

  const formBody = () => {
    const data = new FormData(form);
    data.delete("upload"); // the file is only sent when saving
    data.delete("action");
    return data;
  };

  const refresh = async () => {
    const mine = ++latest;
    try {
      const response = await fetch(list.dataset.previewUrl, {
        method: "POST", body: formBody(), credentials: "same-origin", headers: {Accept: "text/html"},
      });
      if (!response.ok || !(response.headers.get("Content-Type") || "").includes("text/html")) {
        throw new Error(`HTTP ${response.status}`);
      }
      const html = await response.text();
      if (mine === latest) {
        // Parsed as an inert document: nothing in it runs, and the server escaped every text in it.
        const parsed = new DOMParser().parseFromString(html, "text/html");
        list.replaceChildren(...parsed.body.childNodes);
      }
    } catch (error) {
      // The preview stays as it was; the Preview button still asks the server the page's own way.
    }
  };

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  };

  form.addEventListener("input", (event) => {
    if (event.target.type !== "file") {
      soon();
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "language" || event.target.name === "media") {
      soon();
    }
  });
  const button = document.querySelector('button[value="preview"][form="compose-form"]');
  if (button) {
    button.addEventListener("click", (event) => {
      event.preventDefault();
      refresh();
    });
  }
})();
