// Dragging a post to another day (month) or hour (week) of the calendar. The drop does not move anything:
// it opens the post's move page prefilled with the new time, which says whether the post goes back for
// approval and asks to confirm (the same page the "Move in time" link opens: the way without dragging,
// WCAG 2.2 2.5.7). No element.style and no inserted <style>: only classes from app.css (strict CSP).
// Touch is left to the page's scrolling and the link; a mouse or a pen drags.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const THRESHOLD = 6; // pixels a pointer moves before a press becomes a drag (a click stays a click)
  let drag = null; // {entry, x, y, moving, target}

  const targetAt = (x, y) => {
    const found = document.elementFromPoint(x, y);
    return found ? found.closest("[data-drop-day]") : null;
  };

  const highlight = (target) => {
    if (drag.target === target) {
      return;
    }
    if (drag.target) {
      drag.target.classList.remove("cal-drop-over");
    }
    drag.target = target;
    if (target) {
      target.classList.add("cal-drop-over");
    }
  };

  const finish = () => {
    if (!drag) {
      return;
    }
    drag.entry.classList.remove("cal-dragging");
    document.body.classList.remove("cal-drag-active");
    if (drag.target) {
      drag.target.classList.remove("cal-drop-over");
    }
    drag = null;
  };

  // The move page for the drop: the target's day, its hour (week) or the post's own (month), the minutes kept.
  const moveAddress = (entry, target) => {
    const [hour, minute] = (entry.dataset.clock || "09:00").split(":");
    const clock = `${target.dataset.dropHour || hour}:${minute}`;
    const address = new URL(entry.dataset.move, window.location.href);
    address.searchParams.set("to", `${target.dataset.dropDay}T${clock}`);
    return address.toString();
  };

  document.addEventListener("pointerdown", (event) => {
    const entry = event.target.closest(".cal-movable[data-move]");
    if (!entry || event.button !== 0 || event.pointerType === "touch") {
      return;
    }
    drag = {entry, x: event.clientX, y: event.clientY, moving: false, target: null};
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag) {
      return;
    }
    if (!drag.moving) {
      if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < THRESHOLD) {
        return;
      }
      drag.moving = true;
      drag.entry.classList.add("cal-dragging");
      document.body.classList.add("cal-drag-active");
    }
    event.preventDefault(); // no text selection while dragging
    highlight(targetAt(event.clientX, event.clientY));
  });

  document.addEventListener("pointerup", (event) => {
    if (!drag) {
      return;
    }
    const {entry, moving} = drag;
    const target = moving ? targetAt(event.clientX, event.clientY) : null;
    finish();
    if (!moving) {
      return; // a click: the link under the pointer does its work
    }
    // The click that follows a drag must not open the title's link.
    const swallow = (click) => { click.preventDefault(); };
    document.addEventListener("click", swallow, {capture: true, once: true});
    window.setTimeout(() => document.removeEventListener("click", swallow, {capture: true}), 0);
    if (target && !target.contains(entry)) {
      window.location.assign(moveAddress(entry, target));
    }
  });

  document.addEventListener("pointercancel", finish);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      finish();
    }
  });
  // A link dragged natively (the browser's own link drag) would fight ours.
  document.addEventListener("dragstart", (event) => {
    if (event.target.closest && event.target.closest(".cal-movable")) {
      event.preventDefault();
    }
  });
});
