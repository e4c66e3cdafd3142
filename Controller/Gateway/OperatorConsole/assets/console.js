// The robot's operator console. It talks to the robot's gateway over one WebSocket (/session) in JSON: the robot's
// protobuf messages in protobuf's JSON mapping, the same messages and rules as its gRPC services. The token is kept in
// sessionStorage (this tab only) and never put in a URL.

const HISTORY_SECONDS = 10;
const SEND_HZ = 50; // commands a second while driving: well inside any robot's stale window
const DEADMAN_MS = 1000; // hands off this long: stop sending, and the robot's stale rule hands back to its fallback
const KEY_DEFLECTION = 0.5; // a held key drives its channel this share of the way from centre to its limit
const RAISE = "qwerty", LOWER = "asdfgh";
const HELP_FLAG = 4; // robotics.log.v1.StepFlag.STEP_FLAG_HELP_REQUESTED
// robotics.log.v1.HelpTrigger's bits, and how the help banner says each one that fired.
const HELP_TRIGGERS = [
  { bit: 1, say: (e) => `uncertainty ${e.uncertainty.toFixed(2)} over ${help.sigma.toFixed(2)}` },
  { bit: 2, say: (e) => `novelty (the members' disagreement) ${e.novelty.toFixed(2)} over ${help.novelty.toFixed(2)}` },
  { bit: 4, say: (e) => `observation ${e.observationZ.toFixed(1)} σ from training, over ${help.z.toFixed(1)}` },
];
const SOURCE_NAMES = { ACTION_SOURCE_TELEOP: "teleop", ACTION_SOURCE_POLICY: "policy", ACTION_SOURCE_OVERRIDE: "operator", ACTION_SOURCE_SAFETY: "safety" };
const MODE_NAMES = { MODE_AUTONOMOUS: "autonomous", MODE_TELEOP: "teleop", MODE_SHADOW: "shadow" };

const $ = (id) => document.getElementById(id);
const stats = { keyToApplied: [], commands: 0, applied: 0 };
window.consoleStats = stats; // read by tests and the benchmark

let socket = null, robot = null, canControl = false, frameRate = 30;
let history = null;
// What the robot asks above, from its model: σ, an ensemble's novelty (0 for a single network), observation |z|.
const help = { sigma: 0, novelty: 0, z: 0, members: 1 };
let lastFrame = null, successes = 0, calls = new Map(), nextCall = 1;
let helpSince = null, lastHelpFlagMs = 0;
const drive = { state: "idle", sequence: 0, asked: [], applied: [], held: new Set(), lastInputMs: 0, keyDownMs: null, keySequence: null, timer: null };

// ---- connection ------------------------------------------------------------------------------------------------
function connect(token, operator) {
  socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/session`);
  setConnection("connecting", "");
  socket.onopen = () => socket.send(JSON.stringify({ op: "hello", token }));
  socket.onmessage = (event) => receive(JSON.parse(event.data), token, operator);
  socket.onclose = () => {
    setConnection("disconnected", "lost");
    endDrive("connection lost");
  };
}

function receive(message, token, operator) {
  switch (message.op) {
    case "welcome": return welcome(message, token, operator);
    case "refused": return refused(message.message);
    case "frame": return frame(message.frame);
    case "status": return status(message.status);
    case "event": return robotEvent(message.event);
    case "reply": return reply(message);
    case "drive": return driveMessage(message.message);
    case "driveEnded": return endDrive(message.code === "OK" ? "released" : message.message);
    case "down": return down(message.message);
    case "error": return logLine(`refused: ${message.message}`, true);
  }
}

function welcome(message, token, operator) {
  robot = message.robot;
  stats.robot = robot;
  canControl = message.control;
  frameRate = message.frameRateHz;
  if (token) sessionStorage.setItem("robot-token", token);
  if (operator) sessionStorage.setItem("robot-operator", operator);
  $("login").close();
  $("robot").textContent = robot.robot;
  document.title = `${robot.robot} · robot console`;
  const model = robot.model ?? { helpThreshold: 0, helpNovelty: 0, helpObservationZ: 0, ensembleMembers: 1 };
  Object.assign(help, { sigma: model.helpThreshold, novelty: model.helpNovelty, z: model.helpObservationZ, members: model.ensembleMembers });
  setConnection(canControl ? "live" : "watching", "live");
  for (const id of ["take", "set-mode", "reset", "record-start", "record-stop", "stop"]) $(id).disabled = !canControl;
  buildPlots();
  $("keys-hint").textContent = robot.discreteActions.length > 0
    ? "hold a digit key to choose that action; Esc: STOP"
    : robot.actions.slice(0, RAISE.length).map((a, i) => `${RAISE[i]}/${LOWER[i]}: ${a.name} +/−`).join(" · ") + " · a gamepad's sticks drive the same channels · Esc: STOP";
}

function refused(text) {
  sessionStorage.removeItem("robot-token");
  socket.onclose = null;
  setConnection("refused", "lost");
  showLogin(text);
}

function down(text) {
  $("down").textContent = `The robot has stopped: ${text}`;
  $("down").hidden = false;
}

function setConnection(text, kind) {
  $("connection").textContent = text;
  $("connection").className = `badge ${kind}`;
}

function showLogin(problem) {
  $("login-problem").textContent = problem ?? "";
  $("operator").value = sessionStorage.getItem("robot-operator") ?? "";
  if (!$("login").open) $("login").showModal();
}

// ---- control calls -----------------------------------------------------------------------------------------------
function call(method, request = {}) {
  const id = nextCall++;
  socket.send(JSON.stringify({ op: "call", id, method, request }));
  return new Promise((resolve) => calls.set(id, resolve));
}

function reply(message) {
  const resolve = calls.get(message.id);
  calls.delete(message.id);
  if (message.reply) logLine(message.reply.message);
  else logLine(`refused: ${message.message}`, true);
  resolve?.(message);
}

// ---- telemetry ---------------------------------------------------------------------------------------------------
function buildPlots() {
  const capacity = Math.round(HISTORY_SECONDS * frameRate);
  const actions = robot.actions.length, observations = robot.observationNames.length;
  history = {
    capacity, count: 0, next: 0,
    action: Array.from({ length: actions }, () => new Float32Array(capacity)),
    mean: Array.from({ length: actions }, () => new Float32Array(capacity).fill(NaN)),
    std: Array.from({ length: actions }, () => new Float32Array(capacity).fill(NaN)),
    asked: Array.from({ length: actions }, () => new Float32Array(capacity).fill(NaN)),
    observation: Array.from({ length: observations }, () => new Float32Array(capacity)),
    help: new Uint8Array(capacity),
    uncertainty: new Float32Array(capacity).fill(NaN),
    observationZ: new Float32Array(capacity).fill(NaN),
    novelty: new Float32Array(capacity).fill(NaN),
    peak: { uncertainty: 0, observationZ: 0, novelty: 0 },
    observationRange: Array.from({ length: observations }, () => [Infinity, -Infinity]),
  };
  $("action-plots").replaceChildren(...robot.actions.map((a, i) => figure(`action-${i}`, `${a.name} (${a.unit || "1"})`)));
  if (robot.discreteActions.length > 0) $("action-plots").append(figure("categorical", "the policy: most likely"));
  $("observation-plots").replaceChildren(...robot.observationNames.map((name, i) => figure(`observation-${i}`, name)));
  const above = (threshold, digits) => `asks above ${threshold ? threshold.toFixed(digits) : "–"}`;
  $("help-plot").replaceChildren(
    figure("uncertainty", `the policy's uncertainty (${above(help.sigma, 2)})`),
    ...(help.members > 1 ? [figure("novelty", `novelty: its ${help.members} networks' disagreement (${above(help.novelty, 2)})`)] : []),
    figure("observation-z", `observation |z| from training (${above(help.z, 1)})`));
  const body = $("drive-table").tBodies[0];
  body.replaceChildren(...robot.actions.map((a, i) => {
    const row = document.createElement("tr");
    row.innerHTML = `<th></th><td id="asked-${i}">–</td><td id="applied-${i}">–</td>`;
    row.firstChild.textContent = a.name;
    return row;
  }));
  requestAnimationFrame(draw);
}

function figure(id, caption) {
  const element = document.createElement("figure");
  element.innerHTML = `<figcaption><span></span><span class="value" id="${id}-value">–</span></figcaption><canvas id="${id}" width="600" height="160"></canvas>`;
  element.querySelector("figcaption span").textContent = caption;
  return element;
}

function frame(f) {
  lastFrame = f;
  stats.frames = (stats.frames ?? 0) + 1;
  const h = history, at = h.next;
  f.action.forEach((v, i) => (h.action[i][at] = v));
  f.observation.forEach((v, i) => {
    h.observation[i][at] = v;
    const range = h.observationRange[i];
    range[0] = Math.min(range[0], v);
    range[1] = Math.max(range[1], v);
  });
  const acted = actedGaussian(f);
  for (let i = 0; i < h.mean.length; i++) {
    h.mean[i][at] = acted ? acted.mean[i] : NaN;
    h.std[i][at] = acted ? acted.std[i] : NaN;
    h.asked[i][at] = drive.state === "driving" ? drive.asked[i] : NaN;
  }
  h.help[at] = f.flags & HELP_FLAG ? 1 : 0;
  const policyRan = Boolean(f.gaussian || f.categorical || f.gaussianMixture);
  for (const measure of ["uncertainty", "observationZ", "novelty"]) {
    h[measure][at] = policyRan ? f[measure] : NaN;
    if (policyRan) h.peak[measure] = Math.max(h.peak[measure], f[measure]);
  }
  dirty = true;
  h.next = (at + 1) % h.capacity;
  h.count = Math.min(h.count + 1, h.capacity);
  $("mode").textContent = MODE_NAMES[f.mode] ?? f.mode;
  $("source").textContent = SOURCE_NAMES[f.source] ?? "–";
  $("episode").textContent = `${f.episode} · tick ${f.episodeTick}`;
  if (f.flags & HELP_FLAG) {
    lastHelpFlagMs = performance.now();
    helpSince ??= lastHelpFlagMs;
  }
  updateHelpBanner();
}

function status(s) {
  $("rate").textContent = `${s.achievedRateHz.toFixed(1)} / ${s.nominalRateHz} Hz`;
  $("lateness").textContent = `${s.latenessP50Us.toFixed(0)} / ${s.latenessP99Us.toFixed(0)} µs`;
  $("overruns").textContent = s.overruns;
  $("fault").textContent = s.fault === "FAULT_NONE" ? "none" : s.fault;
  $("owner").textContent = s.overrideOwner || "nobody";
  $("recording").textContent = s.recordingFailed ? `recording failed: ${s.recordingError}` : s.recording ? `recording to ${s.recording}` : "not recording";
  $("stopped").hidden = !s.emergencyStopped;
  const devices = $("devices").tBodies[0];
  if (s.devices.length > 0) {
    devices.replaceChildren(...s.devices.flatMap((d) => Object.entries(d.counters).map(([name, value]) => {
      const row = document.createElement("tr");
      row.innerHTML = "<th></th><td></td>";
      row.cells[0].textContent = `${d.name} ${name}`;
      row.cells[1].textContent = value;
      return row;
    })));
  }
}

function robotEvent(e) {
  const kind = e.kind.replace("EVENT_KIND_", "").toLowerCase().replaceAll("_", " ");
  if (e.kind === "EVENT_KIND_EPISODE_ENDED" && e.outcome === "EPISODE_OUTCOME_SUCCESS") $("successes").textContent = ++successes;
  if (e.kind === "EVENT_KIND_HELP_REQUESTED") {
    const fired = HELP_TRIGGERS.filter((t) => e.helpTriggers & t.bit).map((t) => t.say(e));
    $("help-why").textContent = `asked because: ${fired.join("; ") || "unsure"}`;
    helpSince ??= performance.now();
    lastHelpFlagMs = performance.now();
    beep();
  }
  logLine(`episode ${e.episode}, tick ${e.episodeTick}: ${kind}${e.text ? ": " + e.text : ""}`,
    ["EVENT_KIND_FAULT", "EVENT_KIND_EMERGENCY_STOP", "EVENT_KIND_HELP_REQUESTED", "EVENT_KIND_RECORDING_FAILED", "EVENT_KIND_HALT_UNCONFIRMED"].includes(e.kind));
}

function updateHelpBanner() {
  const asking = helpSince !== null && performance.now() - lastHelpFlagMs < 1500 && drive.state !== "driving";
  if (!asking) helpSince = null;
  $("help").hidden = !asking;
  if (asking) $("help-for").textContent = `asking for ${((performance.now() - helpSince) / 1000).toFixed(0)} s`;
  $("help-take").disabled = !canControl;
}

// A short two-tone alert, made here (no sound file to ship); browsers allow it once the page has been interacted with.
let audio = null;
function beep() {
  try {
    audio ??= new AudioContext();
    for (const [start, pitch] of [[0, 880], [0.18, 1175]]) {
      const tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = pitch;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + start);
      tone.stop(audio.currentTime + start + 0.15);
    }
  } catch {
    // No audio device: the banner still shows.
  }
}

function logLine(text, warn = false) {
  const item = document.createElement("li");
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  if (warn) item.className = "warn";
  $("events").prepend(item);
  while ($("events").children.length > 200) $("events").lastChild.remove();
}

// ---- drawing -----------------------------------------------------------------------------------------------------
// Redrawn when a frame came in since the last drawing, not on every animation frame: the plots move at the robot's
// frame rate, and a tablet's CPU (and the robot's operator's battery) is spared the rest.
let dirty = false;
function draw() {
  if (history && history.count > 1 && dirty) {
    dirty = false;
    robot.actions.forEach((a, i) => plot(`action-${i}`, a.min, a.max, [
      { band: [history.mean[i], history.std[i]], color: "rgba(11,87,208,.18)" },
      { series: history.mean[i], color: "#0b57d0" },
      { series: history.asked[i], color: "#c25400", dash: [6, 4] },
      { series: history.action[i], color: "#111" },
    ], lastFrame.action[i]));
    robot.observationNames.forEach((_, i) => {
      const [low, high] = history.observationRange[i];
      const pad = Math.max((high - low) * 0.05, 1e-3);
      plot(`observation-${i}`, low - pad, high + pad, [{ series: history.observation[i], color: "#111" }], lastFrame.observation[i]);
    });
    plotHelp("uncertainty", "uncertainty", help.sigma);
    if (help.members > 1) plotHelp("novelty", "novelty", help.novelty);
    plotHelp("observation-z", "observationZ", help.z);
    if (lastFrame.categorical) plotProbabilities(lastFrame.categorical.probabilities);
  }
  requestAnimationFrame(draw);
}

function plot(id, low, high, layers, latest) {
  const canvas = $(id), g = canvas.getContext("2d"), w = canvas.width, hgt = canvas.height, h = history;
  const x = (k) => (k / (h.capacity - 1)) * w;
  const y = (v) => hgt - ((v - low) / (high - low || 1)) * hgt;
  const at = (series, k) => series[(h.next - h.count + k + h.capacity) % h.capacity];
  g.clearRect(0, 0, w, hgt);
  g.strokeStyle = "#ddd";
  g.setLineDash([]);
  g.beginPath();
  g.moveTo(0, y(0));
  g.lineTo(w, y(0));
  g.stroke();
  const offset = h.capacity - h.count;
  for (const layer of layers) {
    if (layer.band) {
      const [mean, std] = layer.band;
      g.fillStyle = layer.color;
      for (let k = 1; k < h.count; k++) {
        const m = at(mean, k), s = at(std, k);
        if (Number.isNaN(m) || Number.isNaN(s)) continue;
        g.fillRect(x(offset + k - 1), y(m + s), x(offset + k) - x(offset + k - 1) + 1, y(m - s) - y(m + s));
      }
      continue;
    }
    g.strokeStyle = layer.color;
    g.lineWidth = 2;
    g.setLineDash(layer.dash ?? []);
    g.beginPath();
    let open = false;
    for (let k = 0; k < h.count; k++) {
      const v = at(layer.series, k);
      if (Number.isNaN(v)) {
        open = false;
        continue;
      }
      if (open) g.lineTo(x(offset + k), y(v));
      else g.moveTo(x(offset + k), y(v));
      open = true;
    }
    g.stroke();
  }
  $(`${id}-value`).textContent = latest.toFixed(3);
}

// The Gaussian the policy acts with: a Gaussian head's, or a mixture's likeliest component (protobuf's JSON leaves out
// a mode of 0). Null for a categorical head or no policy.
function actedGaussian(f) {
  if (f.gaussian) return f.gaussian;
  const m = f.gaussianMixture;
  if (!m) return null;
  const actions = m.means.length / m.weights.length, from = (m.mode ?? 0) * actions;
  return { mean: m.means.slice(from, from + actions), std: m.stds.slice(from, from + actions) };
}

// A categorical head: one bar per discrete action, its probability on this frame.
function plotProbabilities(probabilities) {
  const canvas = $("categorical"), g = canvas.getContext("2d"), w = canvas.width, hgt = canvas.height;
  const names = robot.discreteActions, width = w / names.length;
  g.clearRect(0, 0, w, hgt);
  g.font = "20px system-ui, sans-serif";
  names.forEach((name, i) => {
    const p = probabilities[i] ?? 0;
    g.fillStyle = "#0b57d0";
    g.fillRect(i * width + 8, hgt - 24 - p * (hgt - 32), width - 16, p * (hgt - 32));
    g.fillStyle = "#111";
    g.fillText(`${name} ${(100 * p).toFixed(0)} %`, i * width + 8, hgt - 4);
  });
  const best = probabilities.indexOf(Math.max(...probabilities));
  $("categorical-value").textContent = names[best] ?? "–";
}

// What the help requests judge: the value per frame (black), the threshold (dashed red), the frames it asked on (red).
// The scale is fixed and only grows: twice the threshold, or the largest value seen.
function plotHelp(id, measure, threshold) {
  const top = Math.max(2 * threshold, history.peak[measure], 1e-3);
  plot(id, 0, top, [{ series: history[measure], color: "#111" }], lastFrame[measure]);
  const canvas = $(id), g = canvas.getContext("2d"), w = canvas.width, hgt = canvas.height, h = history;
  const offset = h.capacity - h.count;
  g.fillStyle = "rgba(204,0,0,.25)";
  for (let k = 0; k < h.count; k++) {
    if (h.help[(h.next - h.count + k + h.capacity) % h.capacity]) g.fillRect(((offset + k) / h.capacity) * w, 0, w / h.capacity + 1, hgt);
  }
  if (threshold) {
    const y = hgt - (threshold / top) * hgt;
    g.strokeStyle = "#c00";
    g.lineWidth = 2;
    g.setLineDash([6, 4]);
    g.beginPath();
    g.moveTo(0, y);
    g.lineTo(w, y);
    g.stroke();
  }
}

// ---- takeover ----------------------------------------------------------------------------------------------------
function takeOver() {
  if (!canControl || drive.state !== "idle") return;
  drive.state = "asking";
  showDriveState("asking for the lease…", "");
  socket.send(JSON.stringify({ op: "drive", message: { takeOver: { operator: sessionStorage.getItem("robot-operator") || "console" } } }));
}

function release() {
  if (drive.state === "idle") return;
  socket.send(JSON.stringify({ op: "drive", message: { release: {} } }));
}

function driveMessage(m) {
  if (m.granted) {
    drive.state = "driving";
    drive.min = m.granted.actionMin;
    drive.max = m.granted.actionMax;
    drive.asked = drive.min.map((low, i) => (low + drive.max[i]) / 2);
    drive.lastInputMs = performance.now();
    drive.timer = setInterval(sendCommand, 1000 / SEND_HZ);
    showDriveState(`driving (stale after ${m.granted.staleAfterMs} ms: then ${m.granted.fallback})`, "driving");
    $("take").disabled = true;
    $("release").disabled = false;
  } else if (m.applied) {
    stats.applied++;
    m.applied.action.forEach((v, i) => ($(`applied-${i}`).textContent = v.toFixed(3)));
    if (drive.keyDownMs !== null && Number(m.applied.sequence) >= drive.keySequence) {
      const latency = performance.now() - drive.keyDownMs;
      stats.keyToApplied.push(latency);
      $("latency").textContent = `${latency.toFixed(0)} ms`;
      drive.keyDownMs = null;
    }
  } else if (m.rejected) {
    logLine(`command ${m.rejected.sequence} refused: ${m.rejected.reason}`, true);
  } else if (m.stale) {
    showDriveState(`hands off: the robot's ${m.stale.fallback} drives until you press a key`, "stale");
  } else if (m.released) {
    logLine(`override ended: ${m.released.reason}`);
  }
}

function endDrive(reason) {
  if (drive.state === "idle") return;
  clearInterval(drive.timer);
  drive.state = "idle";
  drive.held.clear();
  showDriveState(`not driving (${reason})`, "");
  $("take").disabled = !canControl;
  $("release").disabled = true;
}

function showDriveState(text, kind) {
  $("drive-state").textContent = text;
  $("drive-state").className = `drive-state ${kind}`;
}

// What the operator asks for now: held keys, else a gamepad's sticks; null when hands are off.
function input() {
  const gamepad = [...(navigator.getGamepads?.() ?? [])].find((pad) => pad && pad.connected);
  const asked = drive.min.map((low, i) => (low + drive.max[i]) / 2);
  let active = false;
  if (robot.discreteActions.length > 0) {
    for (const key of drive.held) if (/^[0-9]$/.test(key) && Number(key) < robot.discreteActions.length) [asked[0], active] = [Number(key), true];
  } else {
    asked.forEach((centre, i) => {
      const up = drive.held.has(RAISE[i]), downKey = drive.held.has(LOWER[i]);
      const stick = gamepad && i < gamepad.axes.length && Math.abs(gamepad.axes[i]) > 0.15 ? gamepad.axes[i] : 0;
      const push = up !== downKey ? (up ? KEY_DEFLECTION : -KEY_DEFLECTION) : stick;
      if (push !== 0) active = true;
      asked[i] = centre + push * (push > 0 ? drive.max[i] - centre : centre - drive.min[i]);
    });
  }
  return { asked, active };
}

function sendCommand() {
  const now = performance.now();
  const { asked, active } = input();
  if (active) drive.lastInputMs = now;
  // The deadman: hands off for a moment, and the commands stop; the robot's stale rule hands back to its fallback.
  if (now - drive.lastInputMs > DEADMAN_MS) return;
  if (drive.state === "driving" && $("drive-state").classList.contains("stale")) showDriveState("driving", "driving");
  drive.asked = asked;
  drive.sequence++;
  if (drive.keyDownMs !== null && drive.keySequence === null) drive.keySequence = drive.sequence;
  asked.forEach((v, i) => ($(`asked-${i}`).textContent = v.toFixed(3)));
  socket.send(JSON.stringify({ op: "drive", message: { command: { action: asked, sequence: String(drive.sequence) } } }));
  stats.commands++;
}

// ---- keys and buttons ----------------------------------------------------------------------------------------------
document.addEventListener("keydown", (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || $("login").open) return;
  if (e.key === "Escape") {
    e.preventDefault();
    return emergencyStop();
  }
  if (e.key === "Enter") {
    e.preventDefault();
    return drive.state === "idle" ? takeOver() : release();
  }
  const key = e.key.toLowerCase();
  if (drive.state === "driving" && !e.repeat && (RAISE.includes(key) || LOWER.includes(key) || /^[0-9]$/.test(key))) {
    drive.held.add(key);
    drive.keyDownMs = performance.now();
    drive.keySequence = null;
    sendCommand(); // at once, not at the next of the steady commands: a key press reaches the robot without waiting
  }
});
document.addEventListener("keyup", (e) => {
  if (drive.held.delete(e.key.toLowerCase()) && drive.state === "driving") sendCommand();
});
window.addEventListener("blur", () => drive.held.clear());

function emergencyStop() {
  call("EmergencyStop", { reason: `console: ${sessionStorage.getItem("robot-operator") || "operator"} pressed STOP` });
}

$("stop").onclick = emergencyStop;
$("release-check").onchange = () => ($("release-stop").disabled = !$("release-check").checked || !canControl);
$("release-stop").onclick = async () => {
  await call("ReleaseEmergencyStop");
  $("release-check").checked = false;
  $("release-stop").disabled = true;
};
$("take").onclick = takeOver;
$("help-take").onclick = takeOver;
$("release").onclick = release;
$("set-mode").onclick = () => call("SetMode", { mode: $("mode-select").value });
$("reset").onclick = () => call("ResetEpisode");
$("record-start").onclick = () => call("StartRecording", { path: $("record-path").value });
$("record-stop").onclick = () => call("StopRecording");
$("login-form").onsubmit = (e) => {
  const watch = e.submitter?.value === "watch";
  connect(watch ? "" : $("token").value, $("operator").value);
  $("token").value = "";
};
setInterval(updateHelpBanner, 500);

const stored = sessionStorage.getItem("robot-token");
if (stored) connect(stored, sessionStorage.getItem("robot-operator") ?? "");
else showLogin();
