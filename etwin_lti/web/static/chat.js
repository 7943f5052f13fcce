/* The TwinSpace chat: short polling (docs/decisions/0021), no websockets, so that gunicorn's
 * sync workers are held only for the few milliseconds of each poll.
 *
 * Every few seconds the page asks for the changes after the last revision it saw; while the
 * tab is hidden it asks far less often, and after failures it backs off. The forms work
 * without this script (Post/Redirect/Get); with it they are sent with fetch and the answer is
 * applied in place. Message text is only ever set with textContent: never parsed as HTML.
 */
(function () {
  "use strict";
  var room = document.getElementById("chat");
  if (!room || !window.fetch || !window.FormData) {
    return;
  }
  var list = document.getElementById("chat-lines");
  var empty = document.getElementById("chat-empty");
  var statusLine = document.getElementById("chat-status");
  var form = document.getElementById("chat-form");
  var cursor = room.getAttribute("data-cursor") || "0";
  var interval = Math.max(1, Number(room.getAttribute("data-poll-seconds")) || 3) * 1000;
  var HIDDEN_INTERVAL = 30000;
  var MAX_BACKOFF = 8;
  var failures = 0;
  var timer = null;
  var inFlight = false;
  var stopped = false;

  function meta(name) {
    var tag = document.querySelector('meta[name="' + name + '"]');
    return tag ? tag.getAttribute("content") : "";
  }

  function headers() {
    // The launch token stands in for the session cookie when the browser blocks it.
    var h = { Accept: "application/json" };
    var token = meta("etwin_launch_token");
    if (token) {
      h["X-Etwin-Launch"] = token;
    }
    return h;
  }

  function say(text, isError) {
    statusLine.textContent = text || "";
    statusLine.setAttribute("role", isError ? "alert" : "status");
    statusLine.className = "chat-status" + (isError ? " field-error" : "");
  }

  function hiddenFields(target) {
    ["csrf_token", "etwin_launch_token"].forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = meta(name);
      target.appendChild(input);
    });
  }

  function actionForm(message, action, label) {
    var f = document.createElement("form");
    f.method = "post";
    f.className = "chat-action";
    f.action = room.getAttribute("data-moderate-url") + message.id + "/" + action;
    hiddenFields(f);
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "secondary";
    button.setAttribute("data-action", "chat-" + action);
    button.textContent = label;
    // Named after its message, as the server-rendered lines are (_chat_line.html).
    button.setAttribute(
      "aria-label",
      label + " the message of " + message.author + " at " + String(message.created_at).substr(11, 5)
    );
    f.appendChild(button);
    return f;
  }

  function render(message) {
    var li = document.createElement("li");
    li.className =
      "chat-line" + (message.mine ? " mine" : "") + (message.hidden ? " is-hidden" : "");
    li.setAttribute("data-message", String(message.id));
    var author = document.createElement("span");
    author.className = "chat-author";
    author.textContent = message.author;
    li.appendChild(author);
    li.appendChild(document.createTextNode(" "));
    var time = document.createElement("time");
    time.setAttribute("datetime", message.created_at);
    time.textContent = String(message.created_at).substr(11, 5);
    li.appendChild(time);
    if (message.hidden) {
      var badge = document.createElement("span");
      badge.className = "badge private";
      badge.textContent = "hidden";
      li.appendChild(document.createTextNode(" "));
      li.appendChild(badge);
    }
    var body = document.createElement("p");
    body.className = "chat-body";
    body.textContent = message.body;
    li.appendChild(body);
    if (message.can_hide || message.can_delete) {
      var actions = document.createElement("span");
      actions.className = "chat-actions";
      if (message.can_hide) {
        actions.appendChild(
          message.hidden ? actionForm(message, "show", "Show") : actionForm(message, "hide", "Hide")
        );
      }
      if (message.can_delete) {
        actions.appendChild(actionForm(message, "delete", "Delete"));
      }
      li.appendChild(actions);
    }
    return li;
  }

  function atBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  }

  function apply(messages) {
    var follow = atBottom();
    messages.forEach(function (message) {
      var old = list.querySelector('[data-message="' + message.id + '"]');
      // Deleted, or hidden from this reader (a hidden line without its text): drop it.
      var gone = message.deleted || (message.hidden && !message.body);
      if (gone) {
        if (old) {
          old.parentNode.removeChild(old);
        }
        return;
      }
      var line = render(message);
      if (old) {
        list.replaceChild(line, old);
        return;
      }
      // Lines stay in posting order (ids), whatever order their revisions came in.
      var next = null;
      var items = list.children;
      for (var i = items.length - 1; i >= 0; i -= 1) {
        if (Number(items[i].getAttribute("data-message")) < message.id) {
          break;
        }
        next = items[i];
      }
      list.insertBefore(line, next);
    });
    empty.hidden = list.children.length > 0;
    if (follow) {
      list.scrollTop = list.scrollHeight;
    }
  }

  function readJson(response) {
    return response.json().then(
      function (body) {
        return { status: response.status, body: body };
      },
      function () {
        return { status: response.status, body: {} };
      }
    );
  }

  function schedule(wait) {
    if (stopped) {
      return;
    }
    if (timer !== null) {
      clearTimeout(timer);
    }
    if (wait === undefined) {
      var base = document.hidden ? HIDDEN_INTERVAL : interval;
      wait = base * Math.min(Math.pow(2, failures), MAX_BACKOFF);
    }
    timer = setTimeout(poll, wait);
  }

  function stop(text) {
    stopped = true;
    say(text, true);
  }

  function poll() {
    timer = null;
    if (inFlight || stopped) {
      return;
    }
    inFlight = true;
    var url = room.getAttribute("data-poll-url") + "?after=" + encodeURIComponent(cursor);
    fetch(url, { headers: headers(), credentials: "same-origin", cache: "no-store" })
      .then(readJson)
      .then(function (answer) {
        inFlight = false;
        if (answer.status === 200) {
          failures = 0;
          apply(answer.body.messages || []);
          cursor = String(answer.body.cursor);
          if (statusLine.getAttribute("data-offline")) {
            statusLine.removeAttribute("data-offline");
            say("");
          }
          schedule(answer.body.more ? 0 : undefined);
        } else if ([401, 403, 404].indexOf(answer.status) >= 0) {
          // Suspended, session over, TwinSpace gone: polling again would not help.
          stop((answer.body && answer.body.message) || "Open the activity again from your course.");
        } else {
          failures += 1;
          schedule();
        }
      })
      .catch(function () {
        inFlight = false;
        failures += 1;
        statusLine.setAttribute("data-offline", "true");
        say("Connection lost: trying again…", true);
        schedule();
      });
  }

  function send(target, onDone) {
    var data = new FormData(target);
    return fetch(target.action, {
      method: "POST",
      body: data,
      headers: headers(),
      credentials: "same-origin",
    })
      .then(readJson)
      .then(function (answer) {
        if (answer.status === 200 || answer.status === 201) {
          say("");
          apply([answer.body.message]);
          onDone();
          return;
        }
        var body = answer.body || {};
        var detail = body.errors && body.errors.body ? " " + [].concat(body.errors.body).join(" ") : "";
        say((body.message || "The message could not be sent.") + detail, true);
      })
      .catch(function () {
        say("Connection lost: your message was not sent.", true);
      });
  }

  if (form) {
    var text = form.querySelector("textarea");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form, function () {
        text.value = "";
        text.focus();
      });
    });
    text.addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter starts a new line (as in most chats).
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
      }
    });
  }

  list.addEventListener("submit", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("chat-action")) {
      return;
    }
    event.preventDefault();
    send(target, function () {});
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule(0); // back in view: catch up at once, then the normal pace
    }
  });

  list.scrollTop = list.scrollHeight;
  schedule();
})();
