// WebAuthn from plain forms (auth_web::webauthn::script). No bundler, no CDN.
//
// A form marked data-webauthn="create" (register a security key or passkey) or
// data-webauthn="get" (use one) runs one ceremony when submitted:
//   1. POST its fields as JSON to data-options; the server answers WebAuthn options whose
//      binary fields (challenge, user id, credential ids) are base64url strings.
//   2. Turn those strings into ArrayBuffers and call navigator.credentials.create() or .get().
//   3. Turn the credential's ArrayBuffers back into base64url, put the JSON into the form's
//      hidden "credential" field, and submit the form to its action like any other form: the
//      server answers with a page.

import {
  creationOptions,
  credentialJSON,
  onCeremonySubmit,
  requestOptions,
} from "/static/webauthn-json.js";

const errorBox = document.querySelector("[data-webauthn-error]");
const forms = document.querySelectorAll("form[data-webauthn]");

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

// POST the form's fields as JSON; the browser adds Origin, which the server's CSRF check requires.
async function fetchOptions(form) {
  const fields = Object.fromEntries(new FormData(form));
  delete fields.credential;
  const response = await fetch(form.dataset.options, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(fields),
    credentials: "same-origin",
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(json.error || `The app refused the request (${response.status}).`);
  }
  return json;
}

async function ceremony(form) {
  const options = await fetchOptions(form);
  let answer;
  if (form.dataset.webauthn === "create") {
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    answer = credentialJSON(credential);
  } else {
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    answer = credentialJSON(credential);
  }
  form.querySelector("input[name=credential]").value = JSON.stringify(answer);
  form.submit();
}

function explain(error) {
  if (error.name === "NotAllowedError") return "The prompt was cancelled or timed out.";
  if (error.name === "InvalidStateError") return "This security key or passkey is registered already.";
  return error.message || String(error);
}

onCeremonySubmit(forms, (form) => {
  errorBox.hidden = true;
  ceremony(form).catch((error) => showError(explain(error)));
});
