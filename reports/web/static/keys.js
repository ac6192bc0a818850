// mediamon newsroom: keyboard shortcuts for the inbox, a progressive enhancement (#20).
// Everything works without this file; with it: j/k move between finds, x selects the
// current one, r/i/s mark it relevant/irrelevant/spam (editors), / jumps to the search box.
(function () {
  "use strict";
  var finds = Array.prototype.slice.call(document.querySelectorAll("ol.finds > li.find"));
  var help = document.getElementById("keys");
  if (help) { help.hidden = false; }
  if (!finds.length) { return; }
  var current = -1;
  function focus(index) {
    if (index < 0 || index >= finds.length) { return; }
    if (current >= 0) { finds[current].classList.remove("current"); }
    current = index;
    finds[current].classList.add("current");
    finds[current].setAttribute("tabindex", "-1");
    finds[current].focus();
  }
  function press(action) {
    if (current < 0) { return; }
    var button = finds[current].querySelector("button[value^='" + action + ":']");
    if (button) { button.click(); }
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                   target.tagName === "SELECT")) { return; }
    var key = event.key;
    if (key === "j") { focus(current + 1); }
    else if (key === "k") { focus(current < 0 ? 0 : current - 1); }
    else if (key === "x" && current >= 0) {
      var box = finds[current].querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; }
    }
    else if (key === "r") { press("relevant"); }
    else if (key === "i") { press("irrelevant"); }
    else if (key === "s") { press("spam"); }
    else if (key === "/") {
      var search = document.getElementById("q");
      if (search) { search.focus(); }
    }
    else { return; }
    event.preventDefault();
  });
}());
