// The browser side of iamd's security key ceremonies: fetch the options (with the page's
// CSRF token and fields), run navigator.credentials.create or .get, post the answer.
"use strict";
(function () {
  const form = document.getElementById("security-key-form");
  const button = document.getElementById("security-key-button");
  const error = document.getElementById("security-key-error");
  if (!form || !button) return;
  const fromB64 = (s) => {
    const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  };
  const toB64 = (buf) => {
    let bin = "";
    new Uint8Array(buf).forEach((b) => { bin += String.fromCharCode(b); });
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const show = (message) => { error.textContent = message; error.hidden = false; };
  button.addEventListener("click", async () => {
    error.hidden = true;
    if (!window.PublicKeyCredential) {
      show("This browser does not support security keys (WebAuthn).");
      return;
    }
    const answer = await fetch(form.dataset.options, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
    });
    const options = await answer.json();
    if (!answer.ok) { show(options.error || "The security key request failed."); return; }
    const pk = options.publicKey;
    pk.challenge = fromB64(pk.challenge);
    try {
      let credential;
      if (pk.user) {
        pk.user.id = fromB64(pk.user.id);
        (pk.excludeCredentials || []).forEach((c) => { c.id = fromB64(c.id); });
        credential = await navigator.credentials.create({ publicKey: pk });
      } else {
        (pk.allowCredentials || []).forEach((c) => { c.id = fromB64(c.id); });
        credential = await navigator.credentials.get({ publicKey: pk });
      }
      const r = credential.response;
      const response = { clientDataJSON: toB64(r.clientDataJSON) };
      if (r.attestationObject) {
        response.attestationObject = toB64(r.attestationObject);
        response.transports = r.getTransports ? r.getTransports() : [];
      } else {
        response.authenticatorData = toB64(r.authenticatorData);
        response.signature = toB64(r.signature);
        response.userHandle = r.userHandle ? toB64(r.userHandle) : null;
      }
      document.getElementById("credential").value = JSON.stringify({
        id: credential.id, rawId: toB64(credential.rawId), type: credential.type,
        response, extensions: credential.getClientExtensionResults(),
      });
    } catch (e) {
      console.log(`security key: ${e}`);
      // No answer (cancelled, timed out, no key): the server says so and audits it.
      document.getElementById("credential").value = "";
    }
    form.submit();
  });
})();
