// LTI client-side postMessage storage, the tool's side (etwin_lti/lti/client_storage.py):
// https://www.imsglobal.org/spec/lti-cs-pm/v0p1 and https://www.imsglobal.org/spec/lti-cs-oidc/v0p1
// The login page puts the sealed login state in the platform's storage frame, then goes on to
// the platform; the launch page, which came without the state cookie, reads it back and posts
// it to the tool. Data is sent only to the platform's origin and accepted only from it, from
// the frame asked; anything else is ignored. A storage that does not answer within data-wait
// milliseconds is given up: the login goes on (cookies may still work), the launch posts
// without the state and the tool answers with its fallback page.
(function () {
  "use strict";
  var main = document.querySelector("[data-lti-storage]");
  if (!main) { return; }
  var conf = main.dataset;
  var deadline = Date.now() + Number(conf.wait || 2000);

  function storageFrame() {
    var parent = window.parent;
    if (!parent || parent === window) { return null; }
    if (conf.target === "_parent") { return parent; }
    try { return parent.frames[conf.target] || null; } catch (e) { return null; }
  }

  function messageId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "etwin-" + Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  // Send one message; call done(answer) with the answer, or with null on an error answer or
  // when time is up. targetOrigin "*" only for lti.capabilities, which carries no data.
  function ask(frame, message, targetOrigin, done) {
    var finished = false;
    message.message_id = messageId();
    function finish(answer) {
      if (finished) { return; }
      finished = true;
      window.removeEventListener("message", listen);
      window.clearTimeout(timer);
      done(answer);
    }
    function listen(event) {
      if (event.origin !== conf.origin || event.source !== frame) { return; }
      var data = event.data;
      if (!data || typeof data !== "object" || data.message_id !== message.message_id) { return; }
      if (data.subject !== message.subject + ".response") { return; }
      finish(data.error ? null : data);
    }
    window.addEventListener("message", listen);
    var timer = window.setTimeout(function () { finish(null); }, Math.max(0, deadline - Date.now()));
    try { frame.postMessage(message, targetOrigin); } catch (e) { finish(null); }
  }

  function supports(answer, subject) {
    var list = answer && answer.supported_messages;
    return Array.isArray(list) && list.some(function (m) { return m && m.subject === subject; });
  }

  function putThenGoOn() {
    function goOn() { window.location.replace(conf.next); }
    var frame = storageFrame();
    if (!frame) { goOn(); return; }
    ask(frame, { subject: "lti.capabilities" }, "*", function (capabilities) {
      if (!supports(capabilities, "lti.put_data")) { goOn(); return; }
      ask(frame, { subject: "lti.put_data", key: conf.key, value: conf.value }, conf.origin, goOn);
    });
  }

  function getThenPost() {
    var form = document.getElementById("storage-launch");
    function post(value) {
      if (typeof value === "string" && value) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "etwin_login_state";
        field.value = value;
        form.appendChild(field);
      } else {  // no state: the tool answers with the page saying what to do instead
        form.elements.lti_storage_target.remove();
      }
      form.submit();
    }
    var frame = storageFrame();
    if (!frame) { post(null); return; }
    ask(frame, { subject: "lti.get_data", key: conf.key }, conf.origin, function (answer) {
      post(answer && answer.key === conf.key ? answer.value : null);
    });
  }

  if (conf.ltiStorage === "put") { putThenGoOn(); } else { getThenPost(); }
}());
