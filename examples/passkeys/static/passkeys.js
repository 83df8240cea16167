// Passkeys in the browser: the only script of the passkeys example. No bundler, no CDN.
//
// A form marked data-passkey="create" (sign-up, add a passkey) or data-passkey="get"
// (sign-in, confirming it is you) runs one WebAuthn ceremony when submitted:
//   1. POST its fields as JSON to data-options; the server answers WebAuthn options whose
//      binary fields (challenge, user id, credential ids) are base64url strings.
//   2. Turn those strings into ArrayBuffers and call navigator.credentials.create() or .get().
//   3. Turn the credential's ArrayBuffers back into base64url and POST it as JSON to
//      data-finish; the server answers {"redirect": "/…"} or {"error": "…"}.
// A refusal that carries "reauth" (the session must prove it is its owner again before adding
// a passkey) sends the browser to that page, which brings it back here afterwards. One that
// carries "field" (an email that is not an address or is taken, a blank passkey name) marks
// that field, as the server-rendered forms do: aria-invalid, and the message under it, named
// by aria-describedby.
// On the sign-in page, browsers with passkey autofill (conditional mediation) also start a
// ceremony at once, which completes when the user picks a passkey in the email field.

import {
  creationOptions,
  credentialJSON,
  onCeremonySubmit,
  requestOptions,
} from "/static/webauthn-json.js";

const errorBox = document.querySelector("[data-webauthn-error]");
const forms = document.querySelectorAll("form[data-passkey]");

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

// The field a refusal is about: marked invalid, described by the message under it, focused.
function markField(form, name, message) {
  const input = form.elements.namedItem(name);
  if (!(input instanceof HTMLInputElement)) return;
  const note = document.createElement("p");
  note.className = "field-error";
  note.id = `${name}-error`;
  note.textContent = message;
  (input.closest("label") || input).after(note);
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  input.setAttribute("aria-describedby", [note.id, ...described].join(" "));
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

// Undoes markField before the next try.
function clearFields(form) {
  for (const note of form.querySelectorAll(".field-error")) {
    const input = form.querySelector(`[aria-describedby~="${note.id}"]`);
    if (input) {
      const rest = input.getAttribute("aria-describedby").split(" ").filter((id) => id && id !== note.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
      input.removeAttribute("aria-invalid");
    }
    note.remove();
  }
}

// Words for the answers that are pages, not JSON (the checks every POST passes), by status.
const STATUS_MESSAGES = {
  403: "The app refused this request. Reload the page and try again.",
  413: "The request is too large.",
  429: "Too many attempts. Wait a minute, then try again.",
};
const SOMETHING_WRONG = "Something went wrong. Please try again in a moment.";

// POST JSON to the app; the browser adds Origin, which the server's CSRF check requires.
async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok && json.reauth) {
    window.location.assign(json.reauth);
    return new Promise(() => {}); // never settles: the browser is leaving this page
  }
  if (!response.ok) {
    const error = new Error(json.error || STATUS_MESSAGES[response.status] || SOMETHING_WRONG);
    error.field = json.field;
    throw error;
  }
  return json;
}

function fetchOptions(form) {
  return postJSON(form.dataset.options, Object.fromEntries(new FormData(form)));
}

// Runs one ceremony for a form; mediation is "conditional" for autofill, else the usual
// prompt. `options` are given when the ceremony was already started (by autofill).
async function ceremony(form, { mediation, signal, options } = {}) {
  options = options || (await fetchOptions(form));
  let answer;
  if (form.dataset.passkey === "create") {
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    answer = credentialJSON(credential);
  } else {
    const request = { publicKey: requestOptions(options), signal };
    if (mediation) request.mediation = mediation;
    const credential = await navigator.credentials.get(request);
    answer = credentialJSON(credential);
  }
  const done = await postJSON(form.dataset.finish, answer);
  window.location.assign(done.redirect);
}

// A failure in words. The app's own refusals (plain Errors) carry their message; the
// browser's are named by kind, since their own messages are technical.
function explain(error) {
  switch (error.name) {
    case "Error":
      return error.message;
    case "NotAllowedError":
      return "The passkey prompt was cancelled or timed out.";
    case "InvalidStateError":
      return "This device already has a passkey for this account.";
    case "SecurityError":
      return "Passkeys work only on this site's own address, over HTTPS or on localhost.";
    case "TypeError":
      return "The app could not be reached. Check your connection and try again.";
    default:
      return SOMETHING_WRONG;
  }
}

function failed(form, error) {
  showError(explain(error));
  if (error.field) markField(form, error.field, error.message);
}

// Passkey autofill, for a form with a field marked autocomplete="… webauthn" (sign-in): a
// pending get() that the field's suggestions complete. It is recorded before anything is
// awaited, so a click always finds it: the button aborts it and reuses its options (one
// ceremony per page, hence one ceremony cookie).
let autofill = null;

function startAutofill(form) {
  const controller = new AbortController();
  const options = PublicKeyCredential.isConditionalMediationAvailable?.().then((available) =>
    available ? fetchOptions(form) : null,
  );
  autofill = { controller, options: options || Promise.resolve(null) };
  autofill.options
    .then((options) => {
      if (!options || controller.signal.aborted) return;
      const signal = controller.signal;
      return ceremony(form, { mediation: "conditional", signal, options });
    })
    .catch((error) => {
      if (!controller.signal.aborted) failed(form, error);
    });
}

async function submitted(form) {
  let options;
  if (autofill) {
    const pending = autofill;
    autofill = null;
    pending.controller.abort();
    options = await pending.options;
  }
  await ceremony(form, { options });
}

const supported = onCeremonySubmit(forms, (form) => {
  errorBox.hidden = true;
  clearFields(form);
  submitted(form).catch((error) => failed(form, error));
});
if (supported) {
  forms.forEach((form) => {
    if (form.querySelector('[autocomplete~="webauthn"]')) startAutofill(form);
  });
}
