// WebAuthn options and answers as JSON, the form webauthn-rs speaks: every binary field
// (challenge, user id, credential ids, what the authenticator signed) is a base64url string.
// And the one way a page's ceremony forms are wired up (onCeremonySubmit).
// Shared by webauthn.js and the passkeys example's script; served by auth_web::webauthn::script.

// base64url (no padding) <-> ArrayBuffer
function toBuffer(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
}

function toBase64url(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function withIds(list) {
  return (list || []).map((c) => ({ ...c, id: toBuffer(c.id) }));
}

// The server's options for navigator.credentials.create().
export function creationOptions(json) {
  const options = json.publicKey;
  return {
    ...options,
    challenge: toBuffer(options.challenge),
    user: { ...options.user, id: toBuffer(options.user.id) },
    excludeCredentials: withIds(options.excludeCredentials),
  };
}

// The server's options for navigator.credentials.get().
export function requestOptions(json) {
  const options = json.publicKey;
  return {
    ...options,
    challenge: toBuffer(options.challenge),
    allowCredentials: withIds(options.allowCredentials),
  };
}

// The binary fields of an authenticator's answer: a registration has the first two (and its
// transports), an assertion the last four. A missing user handle stays null.
const BINARY = ["attestationObject", "clientDataJSON", "authenticatorData", "signature", "userHandle"];

// A new credential or an assertion, as JSON for the server.
export function credentialJSON(credential) {
  const answer = credential.response;
  const response = {};
  for (const name of BINARY) {
    if (name in answer) response[name] = answer[name] ? toBase64url(answer[name]) : null;
  }
  if (answer.getTransports) response.transports = answer.getTransports();
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    extensions: credential.getClientExtensionResults(),
  };
}

// Runs `submit(form)` in place of each form's own submission, and answers true. Without
// WebAuthn in the browser, shows the page's "not supported" notice, disables the forms'
// buttons and answers false.
export function onCeremonySubmit(forms, submit) {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    document.querySelector("[data-webauthn-unsupported]").hidden = false;
    forms.forEach((form) => form.querySelector("button").setAttribute("disabled", ""));
    return false;
  }
  forms.forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(form);
    });
  });
  return true;
}
