/*! Touchpoint tracking snippet.
 * Embed:  <script async src="https://<touchpoint host>/t.js" data-key="pk_..."></script>
 *
 * - keeps a first-party visitor cookie (_tp_vid, two years, on the site's own domain);
 * - sends a page view (URL, referrer, title, time) on load and on single-page-app navigation,
 *   with navigator.sendBeacon (fetch with keepalive when a beacon cannot be sent);
 * - forms: <form data-touchpoint-form="Newsletter"> is reported when submitted (its email, first
 *   and last name fields), and touchpoint.submitForm(formOrFields, {formName | formId | form})
 *   sends one from code and returns a Promise;
 * - form views: each such form on the page (data-touchpoint-form-id and/or data-touchpoint-form,
 *   the same ids its submissions carry) is reported once per page view, also when the site adds
 *   it later; touchpoint.trackFormView({formId | formName}) reports one rendered by other means.
 * It never throws into the page: a failure to track is silent.
 */
(function (window, document) {
  "use strict";
  if (window.touchpoint && window.touchpoint.loaded) return;

  var COOKIE = "_tp_vid";
  var TWO_YEARS = 63072000;
  var MAX_URL = 2000;
  var MAX_TITLE = 500;
  var MAX_FORM_ID = 200;
  var MAX_FORM_NAME = 300;
  var MARKED_FORMS = "form[data-touchpoint-form], form[data-touchpoint-form-id]";

  var script = document.currentScript ||
    document.querySelector("script[data-key][src*='/t.js']");
  if (!script || !script.getAttribute("data-key")) return;
  var key = script.getAttribute("data-key");
  var base = script.getAttribute("data-endpoint") || new URL(script.src, location.href).origin;
  var eventUrl = base + "/collect/event";
  var formUrl = base + "/collect/form";

  // --- Values the collector accepts: no control characters, no unpaired surrogates. -------------
  function wellFormed(text, max) {
    text = String(text || "").replace(/[\u0000-\u001f\u007f]/g, " ");
    var out = "";
    for (var i = 0; i < text.length && out.length < max; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        var next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff && out.length + 2 <= max) {
          out += text[i] + text[i + 1];
          i++;
        }
      } else if (c < 0xdc00 || c > 0xdfff) {
        out += text[i];
      }
    }
    return out;
  }

  function randomId(bytes) {
    var data = new Uint8Array(bytes);
    window.crypto.getRandomValues(data);
    var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    var out = "";
    for (var i = 0; i < data.length; i++) out += alphabet[data[i] & 63];
    return out;
  }

  function uuid() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- The visitor cookie --------------------------------------------------------------------------
  function readCookie() {
    var match = document.cookie.match(/(?:^|;\s*)_tp_vid=([A-Za-z0-9_-]{8,64})/);
    return match ? match[1] : "";
  }

  function writeCookie(value) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    var common = COOKIE + "=" + value + "; Max-Age=" + TWO_YEARS + "; Path=/; SameSite=Lax" + secure;
    // On the widest domain the browser accepts (example.com rather than www.example.com), so
    // the visitor stays the same across the site's subdomains.
    var labels = location.hostname.split(".");
    for (var i = labels.length - 2; i >= 0; i--) {
      var domain = labels.slice(i).join(".");
      document.cookie = common + "; Domain=" + domain;
      if (readCookie() === value) return;
    }
    document.cookie = common;
  }

  function visitorId() {
    var id = readCookie();
    if (!id) {
      try { id = window.localStorage.getItem(COOKIE) || ""; } catch (e) { id = ""; }
      if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) id = randomId(22);
    }
    writeCookie(id);  // refreshes the expiry on every page
    try { window.localStorage.setItem(COOKIE, id); } catch (e) { /* storage blocked */ }
    return id;
  }

  var visitor = "";
  try { visitor = visitorId(); } catch (e) { visitor = randomId(22); }

  // --- Sending -------------------------------------------------------------------------------------
  function post(url, payload, useFetch) {
    payload.sent_at = Date.now();
    var body = JSON.stringify(payload);
    // text/plain keeps the request "simple": no CORS preflight, and a beacon can carry it.
    if (!useFetch && navigator.sendBeacon) {
      try {
        if (navigator.sendBeacon(url, body)) return Promise.resolve({ ok: true, status: 202 });
      } catch (e) { /* fall back to fetch */ }
    }
    if (!window.fetch) return Promise.resolve({ ok: false, status: 0 });
    return window.fetch(url, {
      method: "POST", body: body, keepalive: body.length < 60000, mode: "cors",
      credentials: "omit", headers: { "Content-Type": "text/plain;charset=UTF-8" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, error: data.error, field: data.field };
      });
    }, function () { return { ok: false, status: 0 }; });
  }

  var lastUrl = "";
  // The current page view, which its form views belong to (they carry its URL, referrer, time).
  var pageView = null;
  function trackPageView(referrer) {
    var url = wellFormed(location.href, MAX_URL);
    if (url === lastUrl) return;
    lastUrl = url;
    pageView = { url: url, referrer: wellFormed(referrer, MAX_URL), ts: Date.now(), forms: {} };
    post(eventUrl, {
      key: key, event_id: uuid(), type: "page_view", visitor_id: visitor, url: url,
      referrer: pageView.referrer, title: wellFormed(document.title, MAX_TITLE), ts: pageView.ts
    }).catch(function () {});
    whenReady(trackFormViews);
  }

  // --- Form views: each form Touchpoint knows, once per page view ----------------------------------
  function trimmed(text, max) {
    return wellFormed(text, max).replace(/^\s+|\s+$/g, "");
  }

  function trackFormView(ref) {
    if (!pageView || !ref) return;
    var formId = trimmed(ref.formId, MAX_FORM_ID);
    var formName = trimmed(ref.formName, MAX_FORM_NAME);
    var seen = JSON.stringify([formId, formName]);
    if ((!formId && !formName) || pageView.forms[seen]) return;
    pageView.forms[seen] = true;
    var payload = {
      key: key, event_id: uuid(), type: "form_view", visitor_id: visitor, url: pageView.url,
      referrer: pageView.referrer, ts: pageView.ts
    };
    if (formId) payload.form_id = formId;
    if (formName) payload.form_name = formName;
    post(eventUrl, payload).catch(function () {});
  }

  function trackFormViews() {
    try {
      Array.prototype.forEach.call(document.querySelectorAll(MARKED_FORMS), function (form) {
        trackFormView({
          formId: form.getAttribute("data-touchpoint-form-id"),
          // As a submission names it (attributes, not properties a field could shadow).
          formName: form.getAttribute("data-touchpoint-form") || form.getAttribute("name") ||
            form.getAttribute("id")
        });
      });
    } catch (e) { /* never break the page */ }
  }

  function whenReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback, { once: true });
    } else {
      callback();
    }
  }

  function addsMarkedForm(mutations) {
    for (var i = 0; i < mutations.length; i++) {
      var nodes = mutations[i].addedNodes;
      for (var j = 0; j < nodes.length; j++) {
        var node = nodes[j];
        if (node.nodeType === 1 && (node.matches(MARKED_FORMS) || node.querySelector(MARKED_FORMS))) {
          return true;
        }
      }
    }
    return false;
  }

  // Forms the site renders later (single-page apps, embedded forms) are views too.
  if (window.MutationObserver) {
    whenReady(function () {
      new MutationObserver(function (mutations) {
        if (addsMarkedForm(mutations)) trackFormViews();
      }).observe(document.documentElement, { childList: true, subtree: true });
    });
  }

  // --- Forms ---------------------------------------------------------------------------------------
  var FIELD_NAMES = {
    email: /^(e-?mail|email_?address|your-email)$/i,
    first_name: /^(first_?name|firstname|fname|given_?name|first)$/i,
    last_name: /^(last_?name|lastname|lname|family_?name|surname|last)$/i
  };

  function fieldsOf(form) {
    var found = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "password" || (el.type === "hidden" && !el.dataset.touchpoint)) return;
      var role = el.dataset.touchpoint;
      if (!role) {
        for (var name in FIELD_NAMES) {
          if (FIELD_NAMES[name].test(el.name) || (name === "email" && el.type === "email")) role = name;
        }
      }
      if (role && !found[role] && el.value) found[role] = el.value;
    });
    return found;
  }

  function submitForm(source, options) {
    options = options || {};
    var fields = source && source.elements ? fieldsOf(source) : (source || {});
    var payload = {
      key: key, event_id: uuid(), visitor_id: visitor, url: wellFormed(location.href, MAX_URL),
      email: String(fields.email || "").trim()
    };
    if (fields.first_name) payload.first_name = wellFormed(fields.first_name, 120);
    if (fields.last_name) payload.last_name = wellFormed(fields.last_name, 120);
    if (options.form) payload.form = options.form;
    if (options.formId) payload.form_id = wellFormed(options.formId, 200);
    if (options.formName) payload.form_name = wellFormed(options.formName, 300);
    return post(formUrl, payload, !options.beacon);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute || !form.hasAttribute("data-touchpoint-form")) return;
    try {
      var fields = fieldsOf(form);
      if (!fields.email) return;
      submitForm(fields, {
        formName: form.getAttribute("data-touchpoint-form") || form.getAttribute("name") || form.id,
        formId: form.getAttribute("data-touchpoint-form-id") || undefined,
        // A beacon survives the page unloading when the form navigates away.
        beacon: true
      }).then(function (result) {
        form.dispatchEvent(new CustomEvent("touchpoint:submitted", { detail: result }));
      });
    } catch (e) { /* never break the site's own form */ }
  }, true);

  // --- Single-page apps: a changed URL is a new page view -----------------------------------------
  function wrap(name) {
    var original = history[name];
    if (typeof original !== "function") return;
    history[name] = function () {
      var previous = location.href;
      var result = original.apply(this, arguments);
      if (location.href.split("#")[0] !== previous.split("#")[0]) {
        setTimeout(function () { trackPageView(previous); }, 0);
      }
      return result;
    };
  }
  wrap("pushState");
  wrap("replaceState");
  window.addEventListener("popstate", function () { trackPageView(lastUrl); });

  window.touchpoint = {
    loaded: true,
    key: key,
    visitorId: function () { return visitor; },
    trackPageView: function () { lastUrl = ""; trackPageView(document.referrer); },
    trackFormView: function (options) { trackFormView(options || {}); },
    submitForm: submitForm
  };
  trackPageView(document.referrer);
})(window, document);
