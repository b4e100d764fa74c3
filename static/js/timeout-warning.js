// The timeout warning, the GOV.UK way (templates/accounts/_timeout_warning.html): a signed-in
// person's session ends after a while without a request (body's data-session-timeout, in
// seconds). Two minutes before, a modal dialog says so; "Stay signed in" (or Escape) asks the
// server to renew the session; at the end the page signs out and shows why. The server's
// expiry is the rule: this only warns, and pages work without it.
//
// Every page load renews the session, in every tab: the time of the last renewal is shared
// between tabs through localStorage, so a tab left alone does not sign out someone still
// working in another.

const RENEWED_AT = "hicm-portal-session-renewed-at";

const dialog = document.getElementById("timeout-warning");
const timeoutSeconds = Number(document.body.dataset.sessionTimeout);

if (dialog && timeoutSeconds > 0 && typeof dialog.showModal === "function") {
  watchSession(dialog, timeoutSeconds * 1000);
}

function watchSession(dialog, timeoutMs) {
  const warnMs = Math.min(Number(dialog.dataset.warnSeconds) * 1000, timeoutMs / 2);
  const countdown = dialog.querySelector("[data-timeout-countdown]");
  const spoken = dialog.querySelector("[data-timeout-spoken]");
  const stayButton = dialog.querySelector("[data-timeout-stay]");
  const signOutForm = dialog.querySelector("[data-timeout-sign-out]");
  const nextInput = dialog.querySelector("[data-timeout-next]");
  let renewedAt = 0;
  let lastSpoken = "";
  let returnFocusTo = null;
  let ending = false;

  function sharedRenewedAt() {
    let stored = 0;
    try {
      stored = Number(window.localStorage.getItem(RENEWED_AT)) || 0;
    } catch {
      // Storage refused (a private window, say): this tab's own time stands.
    }
    return Math.max(renewedAt, stored);
  }

  function markRenewed() {
    renewedAt = Date.now();
    try {
      window.localStorage.setItem(RENEWED_AT, String(renewedAt));
    } catch {
      // As above.
    }
  }

  function open(remainingMs) {
    returnFocusTo = document.activeElement;
    lastSpoken = spokenTime(remainingMs); // the dialog's description says it as it opens
    spoken.textContent = "";
    dialog.showModal();
    stayButton.focus();
  }

  function close() {
    dialog.close();
    if (returnFocusTo && returnFocusTo.isConnected && returnFocusTo !== document.body) {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function end() {
    ending = true;
    nextInput.disabled = false; // to the "You have been signed out" page
    signOutForm.submit();
  }

  function tick() {
    if (ending) return;
    const remainingMs = sharedRenewedAt() + timeoutMs - Date.now();
    if (remainingMs <= 0) {
      end();
      return;
    }
    if (remainingMs > warnMs) {
      if (dialog.open) close(); // renewed in another tab
      return;
    }
    if (!dialog.open) open(remainingMs);
    countdown.textContent = inWords(Math.ceil(remainingMs / 1000));
    const now = spokenTime(remainingMs);
    if (now !== lastSpoken) {
      lastSpoken = now;
      spoken.textContent = `We will sign you out in ${now}.`;
    }
  }

  async function stay() {
    let response;
    try {
      response = await fetch(dialog.dataset.keepAliveUrl, {
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      return; // the network failed: the warning stays open, to try again
    }
    if (response.status === 204) {
      markRenewed();
      close();
    } else {
      // Sent to sign in: the session has ended already.
      ending = true;
      window.location.assign(dialog.dataset.sessionEndedUrl);
    }
  }

  stayButton.addEventListener("click", stay);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault(); // Escape means "Stay signed in"
    stay();
  });
  signOutForm.addEventListener("submit", () => {
    ending = true;
  });
  window.addEventListener("storage", (event) => {
    if (event.key === RENEWED_AT) tick();
  });

  markRenewed(); // this page's own request renewed the session
  window.setInterval(tick, 1000);
}

// 95 -> "1 minute and 35 seconds".
function inWords(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(minutes === 1 ? "1 minute" : `${minutes} minutes`);
  if (rest || !minutes) parts.push(rest === 1 ? "1 second" : `${rest} seconds`);
  return parts.join(" and ");
}

// What a screen reader hears, not every second: whole minutes, then every 15 seconds.
function spokenTime(remainingMs) {
  const seconds = Math.ceil(remainingMs / 1000);
  if (seconds > 60) return inWords(Math.ceil(seconds / 60) * 60);
  return inWords(Math.ceil(seconds / 15) * 15);
}
