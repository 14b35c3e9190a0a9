// Inbox: keyboard shortcuts, approved answers, the window countdown, sending with Ctrl+Enter.
(function () {
  "use strict";
  const typing = (el) => el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT" || el.isContentEditable);

  function rows() { return Array.from(document.querySelectorAll("[data-row]")); }
  function move(step) {
    const all = rows();
    if (!all.length) return;
    let index = all.findIndex((row) => row.classList.contains("selected"));
    index = Math.min(all.length - 1, Math.max(0, index + step));
    all[index].click();
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "reply-text") {
      event.preventDefault();
      const send = document.querySelector("[data-testid=send]");
      if (send) send.click();
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const click = (selector) => { const el = document.querySelector(selector); if (el) { event.preventDefault(); el.click(); } };
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "r": { const box = document.getElementById("reply-text"); if (box) { event.preventDefault(); box.focus(); } break; }
      case "n": { const box = document.getElementById("reply-text"); if (box) { event.preventDefault(); box.focus(); box.dataset.note = "1"; } break; }
      case "e": click("[data-shortcut=e]"); break;
      case "t": click("[data-shortcut=t]"); break;
      case "?": { const help = document.getElementById("shortcuts-help"); if (help && help.showModal) help.showModal(); break; }
    }
  });

  document.addEventListener("change", (event) => {
    if (!event.target.matches("[data-answers]")) return;
    const option = event.target.selectedOptions[0];
    const box = document.getElementById("reply-text");
    if (option && option.dataset.text && box) {
      box.value = box.value ? box.value + "\n" + option.dataset.text : option.dataset.text;
      box.focus();
    }
    event.target.value = "";
  });

  function countdown() {
    document.querySelectorAll("[data-closes-at]").forEach((el) => {
      const left = Math.max(0, Date.parse(el.dataset.closesAt) - Date.now());
      const hours = Math.floor(left / 3600000);
      const minutes = Math.floor((left % 3600000) / 60000);
      el.textContent = left ? (hours ? `${hours} h ${minutes} min` : `${minutes} min`) : "0 min";
      el.classList.toggle("soon", left < 3600000);
    });
  }
  countdown();
  setInterval(countdown, 30000);
  document.body.addEventListener("htmx:afterSwap", countdown);
})();
